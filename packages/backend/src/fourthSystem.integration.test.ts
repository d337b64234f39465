import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import mlopsPlugin, {
  mlopsSpecFileReaderFactory,
} from '@mlops-portal/plugin-mlops-backend';
import { createHash } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';

jest.setTimeout(300_000);

/**
 * The proof that the product is generic: a fourth ML system — wine
 * cultivars, 13 numeric columns, three classes, a team the demo does not
 * have — added with data only (its spec, its catalog entity, its CSV in
 * `__fixtures__/wine`), goes through the real catalog, the real local engine
 * and real HTTP: upload → run → CheckACCURACY → registered → approved →
 * deployed → predicts classes with probabilities.
 */
const FIXTURE = path.join(__dirname, '__fixtures__', 'wine');
const ENTITY = '/api/mlops/v1/entity/default/component/wine-cultivar-classifier';
const asVintner = mockCredentials.user.header('user:default/vintner');

const csv = fs.readFileSync(path.join(FIXTURE, 'wine.csv'), 'utf8');
const [header, ...lines] = csv.trim().split('\n');
const columns = header.split(',');
/** The first data row as a feature record (the target left out). */
const firstRow = Object.fromEntries(
  lines[0]
    .split(',')
    .map((cell, i) => [columns[i], Number(cell)] as const)
    .filter(([name]) => name !== 'cultivar'),
);

describe('a fourth ML system added by a spec and a catalog entity only', () => {
  let server: any;
  let stop: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-fourth-'));
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        mlopsPlugin,
        mlopsSpecFileReaderFactory,
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              engine: 'local',
              specs: { allowedDirs: [FIXTURE] },
              local: { dataDir, endpoint: { host: '127.0.0.1', port: 0 } },
            },
            catalog: {
              rules: [{ allow: ['Component', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: path.join(FIXTURE, 'catalog-info.yaml') },
              ],
              processingInterval: { seconds: 1 },
              stitchingStrategy: { mode: 'immediate' },
            },
          },
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();

    // The catalog ingests the fixture's file location on its own schedule.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/wine-cultivar-classifier')
        .set('Authorization', asVintner);
      if (res.status === 200 && res.body.relations?.length) break;
      if (Date.now() > deadline) throw new Error('the catalog never ingested the wine entity');
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await stop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (p: string) =>
    request(server).get(`${ENTITY}${p}`).set('Authorization', asVintner);
  const post = (p: string) =>
    request(server).post(`${ENTITY}${p}`).set('Authorization', asVintner);

  async function until<T>(what: string, probe: () => Promise<T | undefined>) {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 250));
    }
  }

  it('trains, gates on accuracy, registers, deploys and predicts with no code change', async () => {
    const specText = fs.readFileSync(path.join(FIXTURE, 'ml-system.yaml'));
    const specHash = createHash('sha256').update(specText).digest('hex');

    const spec = await get('/spec').expect(200);
    expect(spec.body.hash).toBe(specHash);

    const governance = await get('/governance').expect(200);
    expect(governance.body.qualityGate).toEqual({
      metric: 'accuracy',
      comparison: 'GreaterThanOrEqualTo',
      threshold: 0.8,
    });

    const upload = await post('/datasets?fileName=wine.csv')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(201);
    expect(upload.body.manifest.rowCount).toBe(178);
    const executionId = upload.body.execution.executionId;

    const run = await until('the run', async () => {
      const res = await get(`/runs/${encodeURIComponent(executionId)}`).expect(200);
      return ['Executing', 'Stopping'].includes(res.body.status) ? undefined : res.body;
    });
    expect(run).toMatchObject({ status: 'Succeeded', modelVersion: 1, specHash });
    expect(run.steps.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['Preprocess', 'Train', 'Evaluate', 'CheckACCURACY', 'Register']),
    );
    expect(run.steps.map((s: { name: string }) => s.name)).not.toContain('CheckMSE');

    const versions = await get('/model-versions').expect(200);
    const [v1] = versions.body.items;
    expect(v1).toMatchObject({
      version: 1,
      task: 'multiclass',
      approvalStatus: 'PendingManualApproval',
    });
    expect(v1.metrics.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(v1.metrics.accuracy).toBeLessThanOrEqual(1);
    expect(v1.metrics.logloss).toBeGreaterThan(0);
    expect(v1.metrics.mse).toBeUndefined();

    const signature = await get('/model-versions/1/signature').expect(200);
    expect(signature.body.inputs.map((c: { name: string }) => c.name)).toEqual(
      columns.filter(c => c !== 'cultivar'),
    );
    expect(signature.body.outputs).toMatchObject({
      task: 'multiclass',
      target: 'cultivar',
      classes: ['cultivar_1', 'cultivar_2', 'cultivar_3'],
    });

    await post('/model-versions/1/approval')
      .send({ status: 'Approved', comment: 'the fourth system ships' })
      .expect(200);

    await until('the deployment', async () => {
      const res = await get('/deployments').expect(200);
      const live = res.body.deployments?.find(
        (d: { status: string; modelVersion?: number }) =>
          d.status === 'InService' && d.modelVersion === 1,
      );
      return live ?? undefined;
    });

    const predicted = await post('/predict')
      .send({ instances: [firstRow] })
      .expect(200);
    const [p] = predicted.body.predictions;
    expect(['cultivar_1', 'cultivar_2', 'cultivar_3']).toContain(p.value);
    expect(p.cultivar).toBe(p.value);
    const probabilities = Object.values(p.probabilities as Record<string, number>);
    expect(probabilities).toHaveLength(3);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // the first row is a cultivar_1 wine, and the model has seen it or its like
    expect(p.value).toBe('cultivar_1');

    const bad = await post('/predict')
      .send({ instances: [{ ...firstRow, alcohol: 'strong' }] })
      .expect(400);
    expect(bad.body.error.message).toMatch(/instances\.0\.alcohol/);
  });
});
