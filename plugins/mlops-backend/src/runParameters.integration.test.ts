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
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { mlopsPlugin } from './plugin';
import { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
import { createHash } from 'crypto';
import { DEMO_SYSTEMS_DIR } from './__testUtils__/demoSystems';
import {
  ENTITY_PATH,
  GUEST,
  abaloneEntity,
  testEntities,
} from './__testUtils__/fixtures';

jest.setTimeout(240_000);

const ABALONE_PATH = path.resolve(
  __dirname,
  '../../../packages/demo-systems/abalone/abalone.data',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** May run pipelines and upload, may not approve versions. */
const RUNNER = 'user:default/runner';

/**
 * Finding 2 of the security review: run parameters must not approve their
 * own version without the approve permission (and only where configuration
 * allows pre-approval), never set the quality gate, and are audited.
 */
describe('run parameters that bypass approval or the gate', () => {
  let server: any;
  let stop: () => Promise<void>;
  let dataDir: string;
  const audits: Array<{ eventId: string; outcome: string; meta?: any }> = [];
  const asRunner = mockCredentials.user.header(RUNNER);
  const asOwner = mockCredentials.user.header(GUEST);

  // Pre-approval needs the platform's config AND the system's spec to allow
  // it: the Abalone spec with `approval.preApprove: true`, beside its catalog file.
  const specDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-params-spec-'));
  const specText = fs
    .readFileSync(path.join(DEMO_SYSTEMS_DIR, 'abalone', 'ml-system.yaml'), 'utf8')
    .replace('preApprove: false', 'preApprove: true');
  fs.writeFileSync(path.join(specDir, 'ml-system.yaml'), specText);
  const specHash = createHash('sha256').update(specText).digest('hex');
  const entities = testEntities.map(e =>
    e === abaloneEntity
      ? {
          ...e,
          metadata: {
            ...e.metadata,
            annotations: {
              ...e.metadata.annotations,
              'backstage.io/managed-by-location': `file:${path.join(specDir, 'catalog-info.yaml')}`,
              'mlops.io/spec': './ml-system.yaml',
            },
          },
        }
      : e,
  );

  beforeAll(async () => {
    if (!specText.includes('preApprove: true'))
      throw new Error('the Abalone spec no longer says preApprove: false');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-params-it-'));
    const knex = await databases.init('SQLITE_3');
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
              specs: { allowedDirs: [specDir] },
              qualityGate: { mseThreshold: 6.0 },
              approval: { preApprove: true },
              local: { dataDir, endpoint: { enabled: false } },
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: async (requests, options) =>
            requests.map(r => ({
              result:
                r.permission.name === 'mlops.model.approve' &&
                (options?.credentials.principal as any).userEntityRef === RUNNER
                  ? AuthorizeResult.DENY
                  : AuthorizeResult.ALLOW,
            })),
        }).factory,
        mockServices.auditor.mock({
          createEvent: async ({ eventId }) => ({
            success: async ({ meta } = {}) =>
              void audits.push({ eventId, outcome: 'success', meta }),
            fail: async () => void audits.push({ eventId, outcome: 'fail' }),
          }),
        }).factory,
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
    const csv = fs
      .readFileSync(ABALONE_PATH, 'utf8')
      .split('\n')
      .slice(0, 300)
      .join('\n');
    await request(server)
      .post(`${ENTITY_PATH}/datasets?fileName=abalone.csv`)
      .set('Authorization', asRunner)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(201);
  });

  afterAll(async () => {
    await stop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(specDir, { recursive: true, force: true });
  });

  const runs = async () =>
    (
      await request(server)
        .get(`${ENTITY_PATH}/runs?limit=100`)
        .set('Authorization', asOwner)
        .expect(200)
    ).body.items.length;

  it('refuses ModelApprovalStatus=Approved to a caller without approve rights', async () => {
    const before = await runs();
    for (const parameters of [
      { ModelApprovalStatus: 'Approved' },
      { MaxDepth: 3, ModelApprovalStatus: 'Approved' },
    ]) {
      const res = await request(server)
        .post(`${ENTITY_PATH}/runs`)
        .set('Authorization', asRunner)
        .send({ parameters })
        .expect(403);
      expect(res.body.error.message).toContain('mlops.model.approve');
    }
    expect(await runs()).toBe(before);
    expect(
      audits.filter(
        a => a.eventId === 'pipeline-execution-start' && a.outcome === 'fail',
      ),
    ).toHaveLength(2);
  });

  it('refuses the gate as a run parameter, looser or tighter, to anyone (400)', async () => {
    const before = await runs();
    for (const [who, parameters] of [
      [asRunner, { MseThreshold: 1000 }],
      [asRunner, { MseThreshold: 5, MaxDepth: 3 }],
      [asOwner, { MseThreshold: 6.5, ModelApprovalStatus: 'Approved' }],
    ] as const) {
      const res = await request(server)
        .post(`${ENTITY_PATH}/runs`)
        .set('Authorization', who)
        .send({ parameters })
        .expect(400);
      expect(res.body.error.message).toMatch(
        /^parameters\.MseThreshold: the quality gate is not a run parameter; it comes from configuration/,
      );
    }
    expect(await runs()).toBe(before);
  });

  it("lets the caller set hyperparameters, records the spec it ran with (not the gate) on the run, and audits the parameters", async () => {
    audits.length = 0;
    const res = await request(server)
      .post(`${ENTITY_PATH}/runs`)
      .set('Authorization', asRunner)
      .send({ parameters: { MaxDepth: 3 } })
      .expect(202);
    expect(res.body.parameters).toMatchObject({ MaxDepth: 3 });
    expect(res.body.parameters.MseThreshold).toBeUndefined();
    expect(res.body.specHash).toBe(specHash);
    const started = audits.find(
      a => a.eventId === 'pipeline-execution-start' && a.outcome === 'success',
    );
    expect(started?.meta).toEqual({
      executionId: res.body.executionId,
      parameters: { MaxDepth: 3 },
    });
  });

  it('lets an approver pass ModelApprovalStatus=Approved (audited)', async () => {
    audits.length = 0;
    await request(server)
      .post(`${ENTITY_PATH}/runs`)
      .set('Authorization', asOwner)
      .send({ parameters: { ModelApprovalStatus: 'Approved' } })
      .expect(202);
    expect(
      audits.find(a => a.eventId === 'pipeline-execution-start')?.meta
        ?.parameters,
    ).toEqual({ ModelApprovalStatus: 'Approved' });
  });
});
