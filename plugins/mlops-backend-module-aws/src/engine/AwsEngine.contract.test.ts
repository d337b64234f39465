import { runEngineContract } from '@mlops-portal/plugin-mlops-node/testUtils';
import { createFakeAwsAccount } from './__testUtils__/fakeAws';
import { makeEngine, resources } from './__testUtils__/helpers';

runEngineContract('aws (mocked SDK)', async () => {
  const account = createFakeAwsAccount();
  // No list cache here: the fake "deploys" behind the engine's back, which a
  // real portal would see after the TTL; caching has its own unit tests.
  const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
  return {
    engine,
    resources,
    createPendingVersion: async () => account.registerVersion(),
    settle: async () => account.deploy(),
    countStoredDatasets: async () => account.dataObjectCount(),
    close: async () => account.restore(),
  };
});
