import { TestDatabases } from '@backstage/backend-test-utils';
import { mockServices } from '@backstage/backend-test-utils';
import { parseAbaloneCsv, splitDataset } from '@mlops-portal/ml-core';
import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import path from 'path';
import { MonitoringAlerts } from '../../../service/monitoringAlerts';
import type { LocalEngine } from '../LocalEngine';
import {
  GUEST,
  RESOURCES,
  abaloneText,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from '../__testUtils__/localEngine';

jest.setTimeout(180_000);

// PostgreSQL runs when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const SAMPLE_SIZE = 400;

/** The test split of the pipeline's default seed-0 split, without labels. */
function testSplit(): Array<
  FeatureRecord & { length: number; diameter: number }
> {
  const { records } = parseAbaloneCsv(abaloneText(), { policy: 'reject' });
  return splitDataset(records, 0).test.map(({ rings, ...features }) => ({
    ...features,
  }));
}

/** CSV in the signature's input order (the spec's column order). */
const INPUTS = [
  'sex',
  'length',
  'diameter',
  'height',
  'wholeWeight',
  'shuckedWeight',
  'visceraWeight',
  'shellWeight',
];
const csvLine = (r: FeatureRecord) => INPUTS.map(k => r[k]).join(',');

describe.each(databases.eachSupportedId())(
  'local monitoring on %p',
  databaseId => {
    let engine: LocalEngine | undefined;
    afterEach(async () => {
      await engine?.close();
      engine = undefined;
    });

    it('captures real endpoint traffic, flags exactly the shifted features and notifies once', async () => {
      const knex = await databases.init(databaseId);
      const dataDir = tempDataDir();
      engine = await createTestEngine(knex, dataDir, {
        localMonitoring: { sampleSize: SAMPLE_SIZE, flushIntervalSeconds: 60 },
        monitoring: { drift: { minSamples: 100 } },
      });
      const uploaded = await engine.uploadDataset(RESOURCES, {
        fileName: 'abalone.csv',
        content: Buffer.from(abaloneText()),
        contentType: 'text/csv',
        actor: GUEST,
      });
      const run = await waitForExecution(
        engine,
        uploaded.execution!.executionId,
      );
      expect(run.status).toBe('Succeeded');
      const versionDir = path.join(
        dataDir,
        'model-packages',
        RESOURCES.modelPackageGroupName,
        '1',
      );
      const stats = JSON.parse(
        fs.readFileSync(path.join(versionDir, 'statistics.json'), 'utf8'),
      );
      expect(stats.dataset.item_count).toBe(2923);
      const version = await engine.getModelVersion(RESOURCES, 1);
      expect(version.artifacts?.map(a => a.name)).toEqual(
        expect.arrayContaining(['statistics.json', 'evaluation-plots.json']),
      );
      const plots = await engine.getEvaluationPlots(RESOURCES, 1);
      expect(plots.format).toBe('mlops-portal/evaluation-plots');
      if (!('predictedVsActual' in plots))
        throw new Error('not regression plots');
      expect(plots.predictedVsActual.total).toBe(627);
      expect(plots.featureImportance.features[0].feature).not.toMatch(/^f\d/);
      await expect(engine.getEvaluationPlots(RESOURCES, 9)).rejects.toThrow(
        /not found/,
      );

      await engine.updateModelApproval(RESOURCES, 1, {
        status: 'Approved',
        comment: 'monitoring test',
        actor: GUEST,
      });
      const notify = jest.fn(async () => {});
      const alerts = new MonitoringAlerts(
        engine,
        notify,
        { errorRateThreshold: 0.5, minInvocations: 20, intervalMs: 60_000 },
        mockServices.logger.mock(),
      );
      const url = `${engine.endpointUrl}/endpoints/${RESOURCES.endpointName}/invocations`;

      // Normal traffic: the test split as CSV, 50 rows per request.
      const rows = testSplit();
      for (let i = 0; i < rows.length; i += 50) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'text/csv' },
          body: rows
            .slice(i, i + 50)
            .map(csvLine)
            .join('\n'),
        });
        expect(res.status).toBe(200);
      }
      const normal = await engine.getMonitoring(RESOURCES, { window: '1h' });
      expect(normal.modelVersion).toBe(1);
      expect(normal.totals.invocations).toBe(Math.ceil(rows.length / 50));
      expect(normal.totals.errors4xx).toBe(0);
      expect(normal.totals.p50Ms).toBeGreaterThan(0);
      expect(normal.traffic).toHaveLength(60);
      expect(normal.drift.sampleCount).toBe(SAMPLE_SIZE);
      expect(normal.drift.baselineVersion).toBe(1);
      expect(normal.drift.features).toHaveLength(8);
      // A regression: no class shares.
      expect(normal.drift.predictions).toBeUndefined();
      for (const f of normal.drift.features) {
        expect(f.type).toBe(f.feature === 'sex' ? 'categorical' : 'numeric');
        expect([f.feature, f.status]).toEqual([f.feature, 'ok']);
        const shares = f.distribution!.reduce((s, b) => s + b.recent, 0);
        expect(shares).toBeCloseTo(1, 6);
      }
      await alerts.check(RESOURCES);
      expect(notify).not.toHaveBeenCalled();

      // Shifted traffic: length and diameter × 1.3, one JSON row per request;
      // rows pushed past the accepted range are answered 400 (and counted).
      let rejected = 0;
      const statuses = new Set<number>();
      for (const r of rows) {
        const shifted = {
          ...r,
          length: r.length * 1.3,
          diameter: r.diameter * 1.3,
        };
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ instances: [shifted] }),
        });
        statuses.add(res.status);
        if (res.status === 400) rejected++;
      }
      expect([...statuses].sort()).toEqual(rejected ? [200, 400] : [200]);
      expect(rows.length - rejected).toBeGreaterThan(SAMPLE_SIZE);
      const drifted = await engine.getMonitoring(RESOURCES, { window: '1h' });
      expect(drifted.totals.invocations).toBe(
        Math.ceil(rows.length / 50) + rows.length,
      );
      expect(drifted.totals.errors4xx).toBe(rejected);
      expect(drifted.drift.status).toBe('drift');
      const flagged = drifted.drift.features
        .filter(f => f.status !== 'ok')
        .map(f => f.feature);
      expect(flagged.sort()).toEqual(['diameter', 'length']);

      await alerts.check(RESOURCES);
      await alerts.check(RESOURCES);
      expect(notify).toHaveBeenCalledTimes(1);
      expect(notify).toHaveBeenCalledWith(
        RESOURCES.entityRef,
        expect.objectContaining({
          title: `Data drift on ${RESOURCES.endpointName}`,
          description: expect.stringContaining('length, diameter'),
        }),
      );

      // The backend predict path is captured too, and the sample reads back
      // as Data Capture JSONL.
      await engine.predict(RESOURCES, [rows[0]]);
      const lines = await engine.captureRecords(RESOURCES.endpointName, 0);
      expect(lines).toHaveLength(SAMPLE_SIZE);
      const last = JSON.parse(lines[lines.length - 1]);
      expect(last).toEqual({
        captureData: {
          endpointInput: {
            observedContentType: 'application/json',
            mode: 'INPUT',
            data: JSON.stringify({ instances: [rows[0]] }),
            encoding: 'JSON',
          },
          endpointOutput: expect.objectContaining({ mode: 'OUTPUT' }),
        },
        eventMetadata: {
          eventId: expect.any(String),
          inferenceTime: expect.any(String),
        },
        eventVersion: '0',
      });

      // A restarted engine reads the captured sample back from the database.
      await engine.close();
      engine = await createTestEngine(knex, dataDir, {
        localMonitoring: { sampleSize: SAMPLE_SIZE },
      });
      const restarted = await engine.getMonitoring(RESOURCES, {
        window: '1h',
      });
      expect(restarted.drift.sampleCount).toBe(SAMPLE_SIZE);
      expect(restarted.drift.status).toBe('drift');
      expect(restarted.totals.invocations).toBe(drifted.totals.invocations + 1);
    });
  },
);
