import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mlopsEngineServiceRef } from '@mlops-portal/plugin-mlops-node';
import { createMlopsEngineServiceFactory, readEngineType } from '.';

describe('engine selection', () => {
  it('defaults to the local engine and accepts aws', () => {
    expect(readEngineType(new ConfigReader({}))).toBe('local');
    expect(readEngineType(new ConfigReader({ mlops: { engine: 'aws' } }))).toBe(
      'aws',
    );
  });

  it('names the key and the choices for an unknown engine', () => {
    expect(() =>
      readEngineType(new ConfigReader({ mlops: { engine: 'gcp' } })),
    ).toThrow(
      "Invalid config at mlops.engine: 'gcp' is not a known engine; use one of local, aws",
    );
  });

  it('stops start-up with that error when the engine is misconfigured', async () => {
    const consumer = createBackendPlugin({
      pluginId: 'mlops',
      register(env) {
        env.registerInit({
          deps: { engine: mlopsEngineServiceRef },
          async init() {},
        });
      },
    });
    await expect(
      startTestBackend({
        features: [
          consumer,
          createMlopsEngineServiceFactory(mlopsEngineServiceRef),
          mockServices.rootConfig.factory({
            data: { mlops: { engine: 'gcp' } },
          }),
        ],
      }),
    ).rejects.toThrow(/mlops\.engine: 'gcp'/);
  });
});
