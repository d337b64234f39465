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
import path from 'path';
import request from 'supertest';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');

/**
 * The demo's own catalog file through the real catalog (a `file:`
 * location, as app-config.yaml has it): the Abalone entity's mlops.io/spec
 * resolves next to catalog-info.yaml and validates.
 */
describe('the demo catalog names a valid ML system spec', () => {
  let server: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
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
              locations: [
                { type: 'file', target: path.join(REPO, 'catalog-info.yaml') },
              ],
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
});
