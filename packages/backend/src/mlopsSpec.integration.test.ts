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
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import { loadConfig } from '@backstage/config-loader';
import { ConfigReader } from '@backstage/config';
import path from 'path';
import request from 'supertest';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const BACKEND_DIR = path.resolve(__dirname, '..');

/**
 * The catalog locations app-config.yaml ships, with targets made absolute
 * (they are relative to packages/backend, where the backend runs).
 */
async function shippedLocations() {
  const { appConfigs } = await loadConfig({
    configRoot: REPO,
    configTargets: [{ path: path.join(REPO, 'app-config.yaml') }],
  });
  const config = ConfigReader.fromConfigs(appConfigs);
  return config.getConfigArray('catalog.locations').map(l => ({
    type: l.getString('type'),
    target: path.resolve(BACKEND_DIR, l.getString('target')),
    ...(l.has('rules') ? { rules: l.get('rules') } : {}),
  }));
}

/**
 * The demo's catalog files through the real catalog (the `file:` locations
 * app-config.yaml ships): each ML system's mlops.io/spec resolves next to
 * its catalog-info.yaml and validates, and the three systems are owned by
 * two teams.
 */
describe('the demo catalog names a valid ML system spec', () => {
  let server: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const locations = await shippedLocations();
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        mlopsPlugin,
        mlopsSpecFileReaderFactory,
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              engine: 'fake',
              specs: {
                allowedDirs: [path.join(REPO, 'packages/demo-systems')],
              },
            },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Resource',
                    'Group',
                    'User',
                    'Location',
                  ],
                },
              ],
              locations,
              processingInterval: { seconds: 1 },
              stitchingStrategy: { mode: 'immediate' },
            },
          },
        }),
        createTestEngineModule({
          type: 'fake',
          engine: { type: 'fake' } as unknown as MlopsEngine,
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
  });

  afterAll(async () => {
    await stop?.();
  });

  it('serves the Abalone spec from packages/demo-systems', async () => {
    const auth = mockCredentials.user.header('user:default/guest');
    const deadline = Date.now() + 60_000;
    let res: request.Response;
    // The catalog ingests the file in the background.
    for (;;) {
      res = await request(server)
        .get(
          '/api/mlops/v1/entity/default/component/abalone-age-predictor/spec',
        )
        .set('Authorization', auth);
      if (res.status !== 404 || Date.now() > deadline) break;
      await new Promise(r => setTimeout(r, 500));
    }
    expect(res.status).toBe(200);
    expect(res.body.source).toBe(
      './packages/demo-systems/abalone/ml-system.yaml',
    );
    expect(res.body.spec.metadata.name).toBe('abalone-age-predictor');
    expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ingests the two new ML systems with their owners, and serves their specs', async () => {
    const auth = mockCredentials.user.header('user:default/guest');
    const get = (p: string) =>
      request(server).get(p).set('Authorization', auth);
    const entity = async (ref: string) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await get(`/api/catalog/entities/by-name/${ref}`);
        if (res.status === 200 || Date.now() > deadline) return res;
        await new Promise(r => setTimeout(r, 500));
      }
    };
    const cases = [
      {
        name: 'breast-cancer-classifier',
        owner: 'group:default/ml-platform',
        names: [
          'breast-cancer-pipeline',
          'BreastCancerModelPackageGroup',
          'breast-cancer-endpoint',
          'breast-cancer-release',
        ],
      },
      {
        name: 'penguin-species-classifier',
        owner: 'group:default/field-research',
        names: [
          'penguins-pipeline',
          'PenguinsModelPackageGroup',
          'penguins-endpoint',
          'penguins-release',
        ],
      },
    ];
    for (const c of cases) {
      const res = await entity(`component/default/${c.name}`);
      expect(res.status).toBe(200);
      expect(res.body.spec.owner).toBe(c.owner);
      const a = res.body.metadata.annotations;
      expect([
        a['mlops.io/pipeline'],
        a['mlops.io/model-package-group'],
        a['mlops.io/endpoint'],
        a['mlops.io/release-pipeline'],
      ]).toEqual(c.names);
      expect(a['mlops.io/spec']).toBe('./ml-system.yaml');
      const spec = await get(
        `/api/mlops/v1/entity/default/component/${c.name}/spec`,
      );
      expect(spec.status).toBe(200);
      expect(spec.body.spec.metadata.name).toBe(c.name);
    }
    // A second team whose member is the viewer: approval is owner-gated across teams.
    const team = await entity('group/default/field-research');
    expect(team.status).toBe(200);
    expect(
      team.body.relations
        .filter((r: { type: string }) => r.type === 'hasMember')
        .map((r: { targetRef: string }) => r.targetRef),
    ).toEqual(['user:default/viewer']);
    // The Abalone entity keeps its annotations.
    const abalone = await entity('component/default/abalone-age-predictor');
    expect(abalone.body.metadata.annotations).toMatchObject({
      'mlops.io/pipeline': 'abalone-pipeline',
      'mlops.io/model-package-group': 'AbaloneModelPackageGroup',
      'mlops.io/endpoint': 'abalone-endpoint',
      'mlops.io/release-pipeline': 'abalone-release',
    });
  });
});
