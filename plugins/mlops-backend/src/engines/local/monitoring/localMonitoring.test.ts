import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EXAMPLE_ABALONE } from '@mlops-portal/plugin-mlops-common';
import path from 'path';
import { DataLayout } from '../dataLayout';
import { tempDataDir } from '../__testUtils__/localEngine';
import { LocalMonitoring } from './localMonitoring';
import { readMonitoringSettings } from './monitoringSettings';
import { MonitoringStore } from './monitoringStore';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

describe('LocalMonitoring', () => {
  it('keeps every retained row in memory, whichever window is read first', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({
      directory: path.resolve(__dirname, '../../../../migrations/local'),
      tableName: 'mlops_local_knex_migrations',
      loadExtensions: ['.js'],
    });
    const now = Date.now();
    const sample = (agoMs: number, i: number) => ({
      eventId: `e${i}`,
      endpointName: 'ep',
      inferenceTime: now - agoMs,
      modelVersion: 1,
      features: EXAMPLE_ABALONE,
    });
    // Two rows from 3 hours ago, one from a minute ago.
    await new MonitoringStore(knex).addSamples([
      sample(3 * 3600_000, 1),
      sample(3 * 3600_000 - 1, 2),
      sample(60_000, 3),
    ]);
    const monitoring = new LocalMonitoring(
      knex,
      new DataLayout(tempDataDir()),
      readMonitoringSettings(new ConfigReader({})),
      mockServices.logger.mock(),
    );
    const hour = await monitoring.report('ep', '1h', undefined);
    expect(hour.drift).toEqual({
      status: 'insufficient_data',
      sampleCount: 1,
      baselineVersion: undefined,
      features: [],
    });
    const day = await monitoring.report('ep', '24h', undefined);
    expect(day.drift.sampleCount).toBe(3);
    expect(day.traffic).toHaveLength(96);
    // Captured after the load: appended to the in-memory rows.
    monitoring.record({
      endpointName: 'ep',
      modelVersion: 1,
      latencyMs: 2,
      status: 200,
      instances: [EXAMPLE_ABALONE],
      predictions: [9],
    });
    const after = await monitoring.report('ep', '1h', undefined);
    expect(after.drift.sampleCount).toBe(2);
    expect(after.totals.invocations).toBe(1);
    await monitoring.close();
  });
});
