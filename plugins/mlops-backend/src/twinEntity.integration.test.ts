import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
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
import os from 'os';
import path from 'path';
import request from 'supertest';
import { mlopsPlugin } from './plugin';
import { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
import {
  DEMO_SPECS_CONFIG,
  specTestEntities,
  withDemoSpec,
} from './__testUtils__/specEntities';
import {
  ENTITY_PATH,
  GUEST,
  OWNER_GROUP,
  VIEWER,
  abaloneEntity,
  ownershipPermissions,
} from './__testUtils__/fixtures';

jest.setTimeout(240_000);

const ABALONE_PATH = path.resolve(
  __dirname,
  '../../../packages/demo-systems/abalone/abalone.data',
);

// PostgreSQL runs when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set
// (scripts/start-test-postgres.sh prints it); no Docker here.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

/** A "twin": an entity a non-owner registered, naming the reference system's resources. */
const twinEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'abalone-twin',
    namespace: 'default',
    annotations: {
      ...withDemoSpec(abaloneEntity, 'abalone').metadata.annotations,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'user:viewer' },
  relations: [{ type: 'ownedBy', targetRef: VIEWER }],
};
const TWIN_PATH = '/api/mlops/v1/entity/default/component/abalone-twin';
const entities = [...specTestEntities, twinEntity];

/**
 * Finding 1 of the security review, over real HTTP with the real local
 * engine and the claims table on each database: a non-owner who registers an
 * entity naming another team's pipeline, model group and endpoint is refused
 * (409) on every route, and nothing of the owners' changes.
 */
describe.each(databases.eachSupportedId())(
  'twin entity refused on %p',
  databaseId => {
    let server: any;
    let stop: () => Promise<void>;
    let dataDir: string;
    const notifications = { send: jest.fn(async (_: any) => {}) };
    const asOwner = mockCredentials.user.header(GUEST);
    const asTwinOwner = mockCredentials.user.header(VIEWER);

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-twin-it-'));
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
                qualityGate: { mseThreshold: 1000 },
                local: { dataDir, endpoint: { enabled: false } },
              },
            },
          }),
          catalogServiceMock.factory({ entities }),
          mockServices.permissions.mock(ownershipPermissions(entities)).factory,
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => notifications,
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
    });

    afterAll(async () => {
      await stop?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const ownerState = async () => {
      const [runs, versions] = await Promise.all([
        request(server)
          .get(`${ENTITY_PATH}/runs?limit=100`)
          .set('Authorization', asOwner)
          .expect(200),
        request(server)
          .get(`${ENTITY_PATH}/model-versions`)
          .set('Authorization', asOwner)
          .expect(200),
      ]);
      return { runs: runs.body.items, versions: versions.body.items };
    };

    it("refuses every route of an entity naming another team's resources", async () => {
      // The owners use their system first (this claims its names).
      const csv = fs
        .readFileSync(ABALONE_PATH, 'utf8')
        .split('\n')
        .slice(0, 2000)
        .join('\n');
      const upload = await request(server)
        .post(`${ENTITY_PATH}/datasets?fileName=abalone.csv`)
        .set('Authorization', asOwner)
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(201);
      const executionId = upload.body.execution.executionId;
      let status = 'Executing';
      for (let i = 0; ['Executing', 'Stopping'].includes(status); i++) {
        if (i > 600) throw new Error('run did not finish');
        if (i > 0) await new Promise(res => setTimeout(res, 250));
        const r = await request(server)
          .get(`${ENTITY_PATH}/runs/${executionId}`)
          .set('Authorization', asOwner)
          .expect(200);
        status = r.body.status;
      }
      expect(status).toBe('Succeeded');
      const before = await ownerState();
      expect(before.versions[0]).toMatchObject({
        version: 1,
        approvalStatus: 'PendingManualApproval',
      });

      // The twin's owner tries what the review did: read, reject the owners'
      // version, upload, start a run, approve, predict.
      const attempts = [
        request(server).get(`${TWIN_PATH}/runs`),
        request(server).get(`${TWIN_PATH}/summary`),
        request(server)
          .post(`${TWIN_PATH}/model-versions/1/approval`)
          .send({ status: 'Rejected', comment: 'mine now' }),
        request(server)
          .post(`${TWIN_PATH}/datasets?fileName=evil.csv`)
          .set('Content-Type', 'text/csv')
          .send(csv),
        request(server)
          .post(`${TWIN_PATH}/runs`)
          .send({ parameters: { MseThreshold: 1000 } }),
        request(server)
          .post(`${TWIN_PATH}/model-versions/1/approval`)
          .send({ status: 'Approved', comment: 'ship it' }),
        request(server)
          .post(`${TWIN_PATH}/predict`)
          .send({ instances: [EXAMPLE_ABALONE] }),
      ];
      for (const attempt of attempts) {
        const res = await attempt.set('Authorization', asTwinOwner);
        expect(res.status).toBe(409);
        expect(res.body.error.name).toBe('ConflictError');
        expect(res.body.error.message).toContain(
          'component:default/abalone-twin names pipeline abalone-pipeline',
        );
        expect(res.body.error.message).toContain('another catalog entity');
        // The holder's name is not leaked to the twin.
        expect(res.body.error.message).not.toContain('abalone-age-predictor');
      }

      // Nothing of the owners' changed; the owners were told once.
      expect(await ownerState()).toEqual(before);
      const told = notifications.send.mock.calls
        .map(c => c[0])
        .filter(n => n.payload.title.includes('Another entity names'));
      expect(told.length).toBeGreaterThan(0);
      expect(told[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: OWNER_GROUP },
      });
      expect(told[0].payload.description).toContain(
        'component:default/abalone-twin',
      );
      // One notification per refused name, not per request.
      expect(told.length).toBe(4);
    });
  },
);
