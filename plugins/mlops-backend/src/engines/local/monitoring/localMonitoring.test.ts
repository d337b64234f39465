import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  STATISTICS_FILE,
  tableBaselineStatistics,
  tableFromRecords,
} from '@mlops-portal/ml-core';
import type { DatasetSchema } from '@mlops-portal/ml-core';
import type { ModelSignature } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import path from 'path';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../../../__testUtils__/demoSystems';
import { DataLayout } from '../dataLayout';
import { tempDataDir } from '../__testUtils__/localEngine';
import { LocalMonitoring } from './localMonitoring';
import {
  MAX_UNSEEN_CATEGORIES,
  MAX_UNSEEN_CATEGORY_CHARS,
} from './monitoringReport';
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
      predictions: [{ value: 9 }],
    });
    const after = await monitoring.report('ep', '1h', undefined);
    expect(after.drift.sampleCount).toBe(2);
    expect(after.totals.invocations).toBe(1);
    await monitoring.close();
  });

  it('leaves predictions from the portal widget out of traffic, error rates and drift, and keeps them tagged', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({
      directory: path.resolve(__dirname, '../../../../migrations/local'),
      tableName: 'mlops_local_knex_migrations',
      loadExtensions: ['.js'],
    });
    const monitoring = new LocalMonitoring(
      knex,
      new DataLayout(tempDataDir()),
      readMonitoringSettings(new ConfigReader({})),
      mockServices.logger.mock(),
    );
    const served = {
      endpointName: 'ep',
      modelVersion: 1,
      latencyMs: 2,
      status: 200,
      instances: [EXAMPLE_ABALONE],
      predictions: [{ value: 9 }],
    };
    // 130 widget clicks (one refused) and 3 calls of the endpoint's users.
    for (let i = 0; i < 130; i++) {
      monitoring.record({ ...served, source: 'portal' });
    }
    monitoring.record({
      ...served,
      status: 400,
      instances: undefined,
      predictions: undefined,
      source: 'portal',
    });
    for (let i = 0; i < 3; i++) monitoring.record(served);
    const report = await monitoring.report('ep', '1h', undefined);
    expect(report.totals.invocations).toBe(3);
    expect(report.totals.errors4xx + report.totals.errors5xx).toBe(0);
    expect(report.drift.sampleCount).toBe(3);
    // Stored, tagged: the capture records still show them.
    const lines = (await monitoring.captureRecords('ep', 0)).map(l =>
      JSON.parse(l),
    );
    expect(
      lines.filter(l => l.eventMetadata.customAttributes === 'source=portal'),
    ).toHaveLength(130);
    // A fresh process reads them back from the database, still left out.
    const again = new LocalMonitoring(
      knex,
      new DataLayout(tempDataDir()),
      readMonitoringSettings(new ConfigReader({})),
      mockServices.logger.mock(),
    );
    expect((await again.report('ep', '1h', undefined)).drift.sampleCount).toBe(
      3,
    );
    await monitoring.close();
    await again.close();
  });
});

describe('LocalMonitoring drift by the deployed signature', () => {
  it('reads boolean and open categorical features as categories: PSI, L-inf, unseen categories capped', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({
      directory: path.resolve(__dirname, '../../../../migrations/local'),
      tableName: 'mlops_local_knex_migrations',
      loadExtensions: ['.js'],
    });
    const layout = new DataLayout(tempDataDir());
    const signature: ModelSignature = {
      format: 'mlops-portal/signature',
      version: 1,
      inputs: [
        { name: 'member', type: 'boolean', datatype: 'BOOL', missingRate: 0 },
        {
          name: 'plan',
          type: 'categorical',
          datatype: 'BYTES',
          categories: ['basic', 'pro'],
          missingRate: 0,
        },
        { name: 'spend', type: 'numeric', datatype: 'FP64', missingRate: 0 },
      ],
      outputs: { task: 'binary', target: 'churn', classes: ['no', 'yes'] },
    };
    const schema: DatasetSchema = {
      header: true,
      columns: [
        { name: 'member', type: 'boolean' },
        { name: 'plan', type: 'categorical' },
        { name: 'spend', type: 'numeric' },
        { name: 'churn', type: 'categorical' },
      ],
      target: 'churn',
      task: 'binary',
      classes: ['no', 'yes'],
      missingValues: [''],
      maxCategories: 100,
    };
    const training = Array.from({ length: 400 }, (_, i) => ({
      member: i % 2 === 0,
      plan: i % 4 === 0 ? 'pro' : 'basic',
      spend: i % 50,
      churn: i % 3 === 0 ? 'yes' : 'no',
    }));
    const dir = layout.modelPackageDir('G', 1);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, STATISTICS_FILE),
      JSON.stringify(
        tableBaselineStatistics(tableFromRecords(schema, training), schema),
      ),
    );
    const monitoring = new LocalMonitoring(
      knex,
      layout,
      readMonitoringSettings(new ConfigReader({})),
      mockServices.logger.mock(),
    );
    // Every caller is a member now, on 25 plans nobody had (long names).
    const instances = Array.from({ length: 200 }, (_, i) => ({
      member: true,
      plan: `${'enterprise-'.repeat(10)}${i % 25}`,
      spend: i % 50,
    }));
    monitoring.record({
      endpointName: 'ep',
      modelVersion: 1,
      latencyMs: 1,
      status: 200,
      instances,
      predictions: instances.map(() => ({
        value: 'yes',
        probabilities: { no: 0.2, yes: 0.8 },
      })),
    });
    const { drift } = await monitoring.report('ep', '1h', {
      modelPackageGroupName: 'G',
      version: 1,
      signature,
    });
    const byName = new Map(drift.features.map(f => [f.feature, f]));
    expect(byName.get('member')).toMatchObject({
      type: 'boolean',
      ks: null,
      linf: 0.5,
      status: 'drift',
      unseenCategories: [],
    });
    const plan = byName.get('plan')!;
    expect(plan).toMatchObject({
      type: 'categorical',
      ks: null,
      status: 'drift',
    });
    // The largest share change: basic, 75 % of training rows, none now.
    expect(plan.linf).toBeCloseTo(0.75, 6);
    expect(plan.unseenCategories).toHaveLength(MAX_UNSEEN_CATEGORIES);
    for (const c of plan.unseenCategories!)
      expect(c.length).toBeLessThanOrEqual(MAX_UNSEEN_CATEGORY_CHARS);
    expect(byName.get('spend')).toMatchObject({
      type: 'numeric',
      status: 'ok',
    });
    expect(byName.get('spend')!.ks).not.toBeNull();
    // No evaluation plots for this version: class shares now, none at training.
    expect(drift.predictions).toEqual([
      { label: 'no', baseline: 0, recent: 0 },
      { label: 'yes', baseline: 0, recent: 1 },
    ]);
    await monitoring.close();
  });
});
