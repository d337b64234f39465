import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from './__testUtils__/demoSystems';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { mlopsPlugin } from './plugin';
import { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
import {
  DEMO_SPECS_CONFIG,
  specTestEntities,
} from './__testUtils__/specEntities';
import {
  ENTITY_PATH,
  GUEST,
  OWNER_GROUP,
  VIEWER,
  ownershipPermissions,
} from './__testUtils__/fixtures';

jest.setTimeout(240_000);

// The demo's Abalone data, shipped in packages/demo-systems.
const ABALONE_PATH = path.resolve(
  __dirname,
  '../../../packages/demo-systems/abalone/abalone.data',
);

// PostgreSQL runs when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set (CI); no Docker here.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

/**
 * The whole story over real HTTP: the mlops plugin in a test backend, the
 * engine from the production factory (so `mlops.engine: local` picks the REAL
 * local engine: child-process training, DatabaseService registry, endpoint
 * server), the catalog with the demo entities and a permissions double
 * applying the demo ownership rule. The factory is added explicitly because
 * the service ref's default loader uses dynamic import(), which jest's VM
 * cannot run.
 */
describe.each(databases.eachSupportedId())(
  'mlops backend with the local engine on %p',
  databaseId => {
    let server: any;
    let stop: () => Promise<void>;
    let dataDir: string;
    const notifications = { send: jest.fn(async (_: any) => {}) };
    const signals = { publish: jest.fn(async (_: any) => {}) };
    const asGuest = mockCredentials.user.header(GUEST);
    const asViewer = mockCredentials.user.header(VIEWER);

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-router-it-'));
      const knex = await databases.init(databaseId);
      const backend = await startTestBackend({
        features: [
          mlopsPlugin,
          // Reads the Abalone entity's spec next to its (demo) catalog file.
          mlopsSpecFileReaderFactory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              mlops: {
                engine: 'local',
                specs: DEMO_SPECS_CONFIG,
                qualityGate: { mseThreshold: 6.0 },
                // Small, so the 413 cases stay cheap.
                datasets: { maxUploadBytes: 1024 * 1024 },
                local: { dataDir, endpoint: { host: '127.0.0.1', port: 0 } },
                publicApi: {
                  enabled: true,
                  cors: { origins: ['http://localhost:3001'] },
                },
              },
            },
          }),
          catalogServiceMock.factory({ entities: specTestEntities }),
          mockServices.permissions.mock(ownershipPermissions()).factory,
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => notifications,
          }),
          createServiceFactory({
            service: signalsServiceRef,
            deps: {},
            factory: () => signals,
          }),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();
    });

    afterAll(async () => {
      await stop?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** What must not change when a request is refused. */
    const snapshot = async () => {
      const [runs, versions, deployments] = await Promise.all([
        request(server)
          .get(`${ENTITY_PATH}/runs?limit=100`)
          .set('Authorization', asGuest)
          .expect(200),
        request(server)
          .get(`${ENTITY_PATH}/model-versions`)
          .set('Authorization', asGuest)
          .expect(200),
        request(server)
          .get(`${ENTITY_PATH}/deployments`)
          .set('Authorization', asGuest)
          .expect(200),
      ]);
      return {
        runs: runs.body,
        versions: versions.body,
        deployments: deployments.body,
      };
    };

    const waitForRun = async (executionId: string) => {
      const deadline = Date.now() + 180_000;
      for (;;) {
        const res = await request(server)
          .get(`${ENTITY_PATH}/runs/${encodeURIComponent(executionId)}`)
          .set('Authorization', asGuest)
          .expect(200);
        if (!['Executing', 'Stopping'].includes(res.body.status))
          return res.body;
        if (Date.now() > deadline)
          throw new Error(
            `run ${executionId} still ${res.body.status} at ${res.body.currentStep}`,
          );
        await new Promise(r => setTimeout(r, 250));
      }
    };

    it('upload → run → PendingManualApproval → non-owner refused → owner approves → deployed → predict', async () => {
      const empty = await snapshot();
      expect(empty.runs.items).toEqual([]);
      expect(empty.versions.items).toEqual([]);

      const upload = await request(server)
        .post(`${ENTITY_PATH}/datasets?fileName=abalone.csv`)
        .set('Authorization', asGuest)
        .set('Content-Type', 'text/csv')
        .send(fs.readFileSync(ABALONE_PATH, 'utf8'))
        .expect(201);
      expect(upload.body.manifest).toMatchObject({
        rowCount: 4177,
        createdBy: GUEST,
      });
      const executionId = upload.body.execution.executionId;

      const run = await waitForRun(executionId);
      expect(run).toMatchObject({
        status: 'Succeeded',
        trigger: 'upload',
        modelVersion: 1,
      });
      expect(run.steps.map((s: any) => s.name)).toEqual(
        expect.arrayContaining([
          'Preprocess',
          'Train',
          'Evaluate',
          'CheckMSE',
          'Register',
        ]),
      );

      const versions = await request(server)
        .get(`${ENTITY_PATH}/model-versions`)
        .set('Authorization', asGuest)
        .expect(200);
      expect(versions.body.items).toHaveLength(1);
      const [v1] = versions.body.items;
      expect(v1).toMatchObject({
        version: 1,
        approvalStatus: 'PendingManualApproval',
        executionId,
        deployed: false,
      });
      expect(v1.metrics.mse).toBeGreaterThan(0);
      expect(v1.metrics.mse).toBeLessThanOrEqual(6.0);

      // The owning group was told a version awaits approval.
      await new Promise(r => setTimeout(r, 100));
      expect(notifications.send).toHaveBeenCalledWith(
        expect.objectContaining({
          recipients: { type: 'entity', entityRef: OWNER_GROUP },
        }),
      );
      expect(signals.publish).toHaveBeenCalledWith(
        expect.objectContaining({
          channel: 'mlops:component:default/abalone-age-predictor',
        }),
      );

      // Nothing is served before approval.
      await request(server)
        .post(`${ENTITY_PATH}/predict`)
        .set('Authorization', asGuest)
        .send({ instances: [EXAMPLE_ABALONE] })
        .expect(503);

      const before = await snapshot();
      const refused = await request(server)
        .post(`${ENTITY_PATH}/model-versions/1/approval`)
        .set('Authorization', asViewer)
        .send({ status: 'Approved', comment: 'looks good to me' })
        .expect(403);
      expect(refused.body.error.name).toBe('NotAllowedError');
      expect(await snapshot()).toEqual(before);

      const approved = await request(server)
        .post(`${ENTITY_PATH}/model-versions/1/approval`)
        .set('Authorization', asGuest)
        .send({ status: 'Approved', comment: 'MSE within the gate' })
        .expect(200);
      expect(approved.body).toMatchObject({
        approvalStatus: 'Approved',
        deployed: true,
      });
      expect(approved.body.approvalHistory.at(-1)).toMatchObject({
        status: 'Approved',
        by: GUEST,
        comment: 'MSE within the gate',
      });

      const deployments = await request(server)
        .get(`${ENTITY_PATH}/deployments`)
        .set('Authorization', asGuest)
        .expect(200);
      expect(deployments.body.endpoint).toMatchObject({
        endpointName: 'abalone-endpoint',
        status: 'InService',
        modelVersion: 1,
      });
      expect(
        deployments.body.deployments.filter((d: any) => d.current),
      ).toHaveLength(1);

      const predicted = await request(server)
        .post(`${ENTITY_PATH}/predict`)
        .set('Authorization', asViewer)
        .send({ instances: [EXAMPLE_ABALONE] })
        .expect(200);
      expect(predicted.body.modelVersion).toBe(1);
      const [{ rings, age }] = predicted.body.predictions;
      // The example is a typical adult (15 rings in the data set); the model should say adult.
      expect(rings).toBeGreaterThan(5);
      expect(rings).toBeLessThan(20);
      expect(age).toBeCloseTo(rings + 1.5, 6);

      const publicPrediction = await request(server)
        .post('/api/mlops/v1/public/endpoints/abalone-endpoint/predict')
        .set('Origin', 'http://localhost:3001')
        .send({ instances: [EXAMPLE_ABALONE] })
        .expect(200);
      expect(publicPrediction.body.predictions[0].rings).toBeCloseTo(rings, 6);
      expect(publicPrediction.headers['access-control-allow-origin']).toBe(
        'http://localhost:3001',
      );

      const summary = await request(server)
        .get(`${ENTITY_PATH}/summary`)
        .set('Authorization', asGuest)
        .expect(200);
      expect(summary.body).toMatchObject({
        versionCount: 1,
        pendingApprovals: 0,
        deployedVersion: { version: 1 },
      });
    });

    it('refuses every bad input with the right 4xx and stores nothing', async () => {
      const before = await snapshot();
      const json = (
        method: 'post' | 'get',
        url: string,
        body?: unknown,
        auth = asGuest,
      ) => {
        const r = request(server)
          [method](`${ENTITY_PATH}${url}`)
          .set('Authorization', auth);
        return body === undefined ? r : r.send(body as any);
      };
      const csv = (text: string | Buffer, fileName = 'bad.csv') =>
        request(server)
          .post(`${ENTITY_PATH}/datasets?fileName=${fileName}`)
          .set('Authorization', asGuest)
          .set('Content-Type', 'text/csv')
          .send(text);

      const cases: Array<[string, () => request.Test, number, string]> = [
        [
          'run: extra field',
          () => json('post', '/runs', { foo: 1 }),
          400,
          'unknown field(s) foo',
        ],
        [
          'run: wrong type',
          () => json('post', '/runs', { parameters: { NumRound: 'many' } }),
          400,
          'parameters.NumRound',
        ],
        [
          'run: out of range',
          () => json('post', '/runs', { parameters: { MaxDepth: 99 } }),
          400,
          'parameters.MaxDepth must be ≤ 16',
        ],
        [
          'run: form-encoded body',
          () =>
            request(server)
              .post(`${ENTITY_PATH}/runs`)
              .set('Authorization', asGuest)
              .type('form')
              .send('displayName=defaults'),
          415,
          'send application/json',
        ],
        [
          'run: non-owner',
          () => json('post', '/runs', {}, asViewer),
          403,
          'may not',
        ],
        [
          'approval: missing comment',
          () =>
            json('post', '/model-versions/1/approval', { status: 'Rejected' }),
          400,
          'comment',
        ],
        [
          'approval: wrong status',
          () =>
            json('post', '/model-versions/1/approval', {
              status: 'approved',
              comment: 'x',
            }),
          400,
          'status',
        ],
        [
          'approval: bad version',
          () =>
            json('post', '/model-versions/one/approval', {
              status: 'Rejected',
              comment: 'x',
            }),
          400,
          'version',
        ],
        [
          'approval: unknown version',
          () =>
            json('post', '/model-versions/42/approval', {
              status: 'Rejected',
              comment: 'x',
            }),
          404,
          '42',
        ],
        [
          'version: unknown',
          () => json('get', '/model-versions/42'),
          404,
          '42',
        ],
        [
          'run: unknown',
          () => json('get', '/runs/no-such-run'),
          404,
          'no-such-run',
        ],
        [
          'retry: unknown run',
          () => json('post', '/runs/no-such-run/retry', {}),
          404,
          'no-such-run',
        ],
        [
          'stop: unknown run',
          () => json('post', '/runs/no-such-run/stop', {}),
          404,
          'no-such-run',
        ],
        [
          'entity: unknown',
          () =>
            request(server)
              .get('/api/mlops/v1/entity/default/component/ghost/runs')
              .set('Authorization', asGuest),
          404,
          'ghost',
        ],
        [
          'entity: not annotated',
          () =>
            request(server)
              .get(
                '/api/mlops/v1/entity/default/component/plain-service/model-versions',
              )
              .set('Authorization', asGuest),
          400,
          'mlops.io/',
        ],
        [
          'predict: out of range',
          () =>
            json('post', '/predict', {
              instances: [{ ...EXAMPLE_ABALONE, wholeWeight: 9 }],
            }),
          400,
          'instances.0.wholeWeight',
        ],
        [
          'predict: missing field',
          () =>
            json('post', '/predict', {
              instances: [{ ...EXAMPLE_ABALONE, sex: undefined }],
            }),
          400,
          'instances.0.sex',
        ],
        [
          'predict: extra field',
          () =>
            json('post', '/predict', {
              instances: [EXAMPLE_ABALONE],
              model: 'x',
            }),
          400,
          'unknown field(s) model',
        ],
        [
          'predict: wrong type',
          () => json('post', '/predict', { instances: 'all' }),
          400,
          'instances',
        ],
        [
          'predict: oversized',
          () =>
            json('post', '/predict', {
              instances: Array(4000).fill(EXAMPLE_ABALONE),
            }),
          413,
          '256kb',
        ],
        [
          'csv: row errors',
          () =>
            csv(
              'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nQ,0.35,0.265,0.09,0.2255,0.0995,0.0485,0.07,7\nF,abc,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n',
            ),
          400,
          'bad.csv',
        ],
        [
          'csv: bad file name',
          () => csv('M,1', '..%2Fescape.csv'),
          400,
          'fileName',
        ],
        [
          'csv: oversized (Content-Length)',
          () =>
            csv(
              Buffer.alloc(
                2 * 1024 * 1024,
                'M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n',
              ),
            ),
          413,
          '1 MiB limit',
        ],
        [
          'csv: wrong type',
          () =>
            request(server)
              .post(`${ENTITY_PATH}/datasets?fileName=x.csv`)
              .set('Authorization', asGuest)
              .set('Content-Type', 'application/octet-stream')
              .send(Buffer.from('M,1')),
          400,
          'Content-Type: text/csv',
        ],
      ];
      for (const [name, send, status, message] of cases) {
        const res = await send();
        expect({
          name,
          status: res.status,
          message: res.body?.error?.message ?? '',
        }).toEqual({
          name,
          status,
          message: expect.stringContaining(message),
        });
        expect(res.body.error.stack).toBeUndefined();
      }

      // The CSV's row errors come back per row and column.
      const rows = await csv(
        'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nQ,0.35,0.265,0.09,0.2255,0.0995,0.0485,0.07,7\nF,abc,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n',
      ).expect(400);
      expect(rows.body.error.rowErrors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ row: 2, value: 'Q' }),
          expect.objectContaining({ row: 3, value: 'abc' }),
        ]),
      );

      // Binary garbage after a good row: a 400 naming the row, not a 500.
      const garbage = await csv(
        Buffer.concat([
          Buffer.from('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n'),
          Buffer.from([0x00, 0xff, 0x22, 0x0a, 0xc8, 0x22, 0x2c, 0x22, 0x41]),
        ]),
      ).expect(400);
      expect(garbage.body.error.rowErrors[0]).toMatchObject({
        row: expect.any(Number),
        reason: expect.stringMatching(/^not valid CSV: /),
      });
      expect(garbage.body.error.rowErrors[0].row).toBeGreaterThanOrEqual(2);
      expect(garbage.body.error.message).toMatch(/row/i);

      // A chunked body (no Content-Length) is cut off once it crosses the cap.
      const chunked = await postChunked(
        server,
        `${ENTITY_PATH}/datasets?fileName=chunked.csv`,
        asGuest,
        Array.from({ length: 40 }, () =>
          Buffer.alloc(64 * 1024, 'M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n'),
        ),
      );
      expect(chunked.status).toBe(413);
      expect(chunked.body.error.message).toContain('1 MiB limit');

      // A client that goes away mid-body: the staged part is removed.
      await abortMidBody(
        server,
        `${ENTITY_PATH}/datasets?fileName=aborted.csv`,
        asGuest,
        Buffer.alloc(256 * 1024, 'M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n'),
      );

      expect(await snapshot()).toEqual(before);
      expect(
        fs.readdirSync(dataDir, { recursive: true } as any).join('\n'),
      ).not.toContain('bad.csv');
      expect(fs.readdirSync(path.join(dataDir, 'incoming'))).toEqual([]);
    });
  },
);

/** POSTs CSV chunks with Transfer-Encoding: chunked (no Content-Length). */
async function postChunked(
  server: http.Server,
  urlPath: string,
  authorization: string,
  chunks: Buffer[],
): Promise<{ status: number; body: any }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: authorization },
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }),
        );
      },
    );
    // The server may answer and close before every chunk is written.
    req.on('error', e =>
      (e as NodeJS.ErrnoException).code === 'EPIPE' ||
      (e as NodeJS.ErrnoException).code === 'ECONNRESET'
        ? undefined
        : reject(e),
    );
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** Sends part of a chunked CSV body, then drops the connection. */
async function abortMidBody(
  server: http.Server,
  urlPath: string,
  authorization: string,
  part: Buffer,
): Promise<void> {
  const { port } = server.address() as AddressInfo;
  const req = http.request({
    host: '127.0.0.1',
    port,
    path: urlPath,
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Authorization: authorization },
  });
  req.on('error', () => undefined);
  req.write(part);
  // Let the server start staging it, then go away.
  await new Promise(r => setTimeout(r, 300));
  req.destroy();
  await new Promise(r => setTimeout(r, 500));
}
