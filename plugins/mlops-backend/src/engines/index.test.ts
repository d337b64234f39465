import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import { EngineRegistry, readEngineType } from '.';
import { mlopsPlugin } from '../plugin';

const fakeEngine = (type: string) => ({ type } as unknown as MlopsEngine);

describe('engine selection', () => {
  it('defaults to the local engine and accepts any engine type name', () => {
    expect(readEngineType(new ConfigReader({}))).toBe('local');
    expect(readEngineType(new ConfigReader({ mlops: { engine: 'aws' } }))).toBe(
      'aws',
    );
  });

  it('names the key for a value that is not a type name', () => {
    expect(() =>
      readEngineType(new ConfigReader({ mlops: { engine: 'AWS Engine' } })),
    ).toThrow(/Invalid config at mlops\.engine: 'AWS Engine'/);
  });

  it('builds only the chosen engine', async () => {
    const registry = new EngineRegistry();
    const aws = jest.fn(() => fakeEngine('aws'));
    const other = jest.fn(() => fakeEngine('other'));
    registry.addEngine('aws', aws);
    registry.addEngine('other', other);
    const local = jest.fn(() => fakeEngine('local'));
    await expect(registry.create('aws', local)).resolves.toEqual({
      type: 'aws',
    });
    expect(aws).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveBeenCalled();
    expect(local).not.toHaveBeenCalled();
    await expect(registry.create('local', local)).resolves.toEqual({
      type: 'local',
    });
  });

  it('refuses a second module for the same type and the built-in local type', () => {
    const registry = new EngineRegistry();
    registry.addEngine('aws', () => fakeEngine('aws'));
    expect(() => registry.addEngine('aws', () => fakeEngine('aws'))).toThrow(
      "Two MLOps engine modules add the engine type 'aws'",
    );
    expect(() => registry.addEngine('local', () => fakeEngine('x'))).toThrow(
      /'local', which is built in/,
    );
  });

  it('says which module to add when the chosen engine is not installed', async () => {
    const registry = new EngineRegistry();
    await expect(
      registry.create('aws', () => fakeEngine('local')),
    ).rejects.toThrow(
      "Invalid config at mlops.engine: no installed module provides the engine 'aws'; add backend.add(import('@mlops-portal/plugin-mlops-backend-module-aws')) to your backend (engines available: local)",
    );
  });

  const pluginDeps = [
    catalogServiceMock.factory({ entities: [] }),
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
    createServiceFactory({
      service: actionsRegistryServiceRef,
      deps: {},
      factory: () => actionsRegistryServiceMock(),
    }),
  ];

  it('stops start-up when mlops.engine names an engine no module provides', async () => {
    await expect(
      startTestBackend({
        features: [
          mlopsPlugin,
          ...pluginDeps,
          mockServices.rootConfig.factory({
            data: { mlops: { engine: 'aws' } },
          }),
        ],
      }),
    ).rejects.toThrow(
      /no installed module provides the engine 'aws'; add backend\.add\(import\('@mlops-portal\/plugin-mlops-backend-module-aws'\)\)/,
    );
  });

  it("serves a module's engine when mlops.engine names it", async () => {
    const build = jest.fn(() => fakeEngine('mine'));
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        ...pluginDeps,
        createTestEngineModule({ type: 'mine', engine: build }),
        mockServices.rootConfig.factory({
          data: { mlops: { engine: 'mine' } },
        }),
      ],
    });
    const res = await fetch(
      `http://localhost:${backend.server.port()}/api/mlops/health`,
    );
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(build).toHaveBeenCalledTimes(1);
    await backend.stop();
  });
});
