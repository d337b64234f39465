import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import path from 'path';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../../../__testUtils__/demoSystems';
import { MAX_CAPTURED_TEXT } from './captureRecord';
import { CaptureRecorder } from './captureRecorder';
import { readMonitoringSettings } from './monitoringSettings';
import { MonitoringStore } from './monitoringStore';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const options = {
  sampleSize: 3,
  retentionDays: 1,
  flushIntervalMs: 60_000,
  samplesPerFlush: 100,
};

async function storeOn(databaseId: any) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: path.resolve(__dirname, '../../../../migrations/local'),
    tableName: 'mlops_local_knex_migrations',
    loadExtensions: ['.js'],
  });
  return new MonitoringStore(knex);
}

describe.each(databases.eachSupportedId())(
  'CaptureRecorder on %p',
  databaseId => {
    it('merges roll-ups across flushes and keeps the newest samples per endpoint', async () => {
      const store = await storeOn(databaseId);
      const stored: number[] = [];
      const recorder = new CaptureRecorder(
        store,
        options,
        mockServices.logger.mock(),
        s => stored.push(s.length),
      );
      const time = Date.now();
      const minute = Math.floor(time / 60_000);
      const row = (length: number) => ({ ...EXAMPLE_ABALONE, length });
      recorder.record({
        endpointName: 'ep',
        modelVersion: 2,
        latencyMs: 1.5,
        status: 200,
        instances: [row(0.1), row(0.2)],
        predictions: [{ value: 9 }, { value: 10 }],
        time,
      });
      recorder.record({
        endpointName: 'ep',
        modelVersion: 2,
        latencyMs: 3,
        status: 400,
        time,
      });
      await recorder.flush();
      recorder.record({
        endpointName: 'ep',
        modelVersion: 2,
        latencyMs: 2,
        status: 503,
        time,
      });
      recorder.record({
        endpointName: 'ep',
        modelVersion: 2,
        latencyMs: 2,
        status: 200,
        instances: [row(0.3), row(0.4)],
        predictions: [{ value: 11 }, { value: 12 }],
        time: time + 1,
      });
      await recorder.close();

      const rollups = await store.rollupsSince('ep', minute);
      expect(rollups).toHaveLength(1);
      expect(rollups[0]).toMatchObject({
        minute,
        modelVersion: 2,
        invocations: 4,
        errors4xx: 1,
        errors5xx: 1,
      });
      expect(rollups[0].latencyHistogram.reduce((a, b) => a + b, 0)).toBe(4);

      const samples = await store.samplesSince('ep', 0);
      expect(samples.map(s => s.features.length)).toEqual([0.2, 0.3, 0.4]);
      expect(samples[2]).toMatchObject({
        endpointName: 'ep',
        modelVersion: 2,
        prediction: 12,
        inferenceTime: time + 1,
        features: { ...EXAMPLE_ABALONE, length: 0.4 },
      });
      expect(stored).toEqual([2, 2]);

      // A classifier's rows: the class and its probabilities; long text cut,
      // an oversized record not sampled at all.
      recorder.record({
        endpointName: 'cls',
        modelVersion: 1,
        latencyMs: 1,
        status: 200,
        instances: [
          { colour: 'x'.repeat(1000), size: 2 },
          {
            colour: 'red',
            notes: 'y'.repeat(MAX_CAPTURED_TEXT),
            more: 'z'.repeat(MAX_CAPTURED_TEXT),
            ...Object.fromEntries(
              Array.from({ length: 100 }, (_, i) => [`f${i}`, 'w'.repeat(200)]),
            ),
          },
        ],
        predictions: [
          { value: 'big', probabilities: { big: 0.75, small: 0.25 } },
          { value: 'small', probabilities: { big: 0.1, small: 0.9 } },
        ],
        time,
      });
      await recorder.flush();
      expect(await store.samplesSince('cls', 0)).toEqual([
        {
          eventId: expect.any(String),
          endpointName: 'cls',
          inferenceTime: time,
          modelVersion: 1,
          features: { colour: 'x'.repeat(MAX_CAPTURED_TEXT), size: 2 },
          prediction: 'big',
          probabilities: { big: 0.75, small: 0.25 },
        },
      ]);

      await store.prune(time + 60_000 * 2);
      expect(await store.samplesSince('ep', 0)).toEqual([]);
      expect(await store.rollupsSince('ep', 0)).toEqual([]);
    });
  },
);

describe('CaptureRecorder on the request path', () => {
  it('records in memory only (a bounded reservoir); the database is written by flush', async () => {
    const store = {
      addRollups: jest.fn(async () => {}),
      addSamples: jest.fn(async () => {}),
      trimSamples: jest.fn(async () => {}),
      prune: jest.fn(async () => {}),
    };
    const recorder = new CaptureRecorder(
      store as unknown as MonitoringStore,
      { ...options, samplesPerFlush: 2 },
      mockServices.logger.mock(),
    );
    for (let i = 0; i < 3; i++) {
      recorder.record({
        endpointName: 'ep',
        latencyMs: 1,
        status: 200,
        instances: [EXAMPLE_ABALONE],
      });
    }
    expect(store.addRollups).not.toHaveBeenCalled();
    expect(store.addSamples).not.toHaveBeenCalled();
    // A reservoir of 2 rows per flush period: memory stays bounded.
    await recorder.flush();
    expect(store.addSamples).toHaveBeenCalledWith([
      expect.objectContaining({ endpointName: 'ep' }),
      expect.objectContaining({ endpointName: 'ep' }),
    ]);
  });

  it('logs and carries on when the database write fails', async () => {
    const logger = mockServices.logger.mock();
    const store = {
      addRollups: jest.fn(async () => {
        throw new Error('disk full');
      }),
    };
    const recorder = new CaptureRecorder(
      store as unknown as MonitoringStore,
      options,
      logger,
    );
    recorder.record({ endpointName: 'ep', latencyMs: 1, status: 200 });
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('disk full'),
    );
  });
});

describe('readMonitoringSettings', () => {
  it('reads defaults and overrides, and names a bad key', () => {
    const s = readMonitoringSettings(
      new ConfigReader({
        mlops: {
          local: { monitoring: { sampleSize: 500, retentionDays: 2 } },
          monitoring: { drift: { psiDrift: 0.3, minSamples: 50 } },
        },
      }),
    );
    expect(s.enabled).toBe(true);
    expect(s.capture).toMatchObject({
      sampleSize: 500,
      retentionDays: 2,
      flushIntervalMs: 2000,
    });
    expect(s.drift).toEqual({
      psiWarn: 0.1,
      psiDrift: 0.3,
      ksWarn: 0.1,
      ksDrift: 0.2,
      minSamples: 50,
    });
    expect(() =>
      readMonitoringSettings(
        new ConfigReader({
          mlops: { local: { monitoring: { sampleSize: 1.5 } } },
        }),
      ),
    ).toThrow(
      /mlops\.local\.monitoring\.sampleSize must be a positive integer/,
    );
    expect(() =>
      readMonitoringSettings(
        new ConfigReader({
          mlops: { monitoring: { drift: { psiWarn: 0.5, psiDrift: 0.2 } } },
        }),
      ),
    ).toThrow(/psiWarn must be ≤ psiDrift/);
  });
});
