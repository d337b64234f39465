import { runEngineContract } from '@mlops-portal/plugin-mlops-node/testUtils';
import { createFakeAwsAccount } from './__testUtils__/fakeAws';
import {
  abaloneContractSystem,
  makeEngine,
  resources,
} from './__testUtils__/helpers';
import {
  createCallRecorder,
  docsPolicyAllows,
  validateAwsShapes,
  type AwsShapeItem,
} from './__testUtils__/awsShapes';

// What the engine sent to the fake account and what the fake answered.
const seen: AwsShapeItem[] = [];
const actions = new Set<string>();

runEngineContract('aws (mocked SDK)', async () => {
  const account = createFakeAwsAccount();
  // No list cache here: the fake "deploys" behind the engine's back, which a
  // real portal would see after the TTL; caching has its own unit tests.
  const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
  return {
    engine,
    resources,
    system: abaloneContractSystem,
    createPendingVersion: async () => account.registerVersion(),
    settle: async () => account.deploy(),
    countStoredDatasets: async () => account.dataObjectCount(),
    close: async () => {
      const recorder = createCallRecorder(account.mocks);
      await recorder.collect('contract');
      seen.push(...recorder.items);
      recorder.actions.forEach(a => actions.add(a));
      account.restore();
    },
  };
});

describe('aws (mocked SDK) fake account', () => {
  it("sends requests and gives responses that fit botocore's shapes", () => {
    expect(seen.length).toBeGreaterThan(50);
    expect(validateAwsShapes(seen)).toEqual([]);
  });

  it('needs only actions of the docs IAM policy', () => {
    expect([...actions].filter(a => !docsPolicyAllows(a))).toEqual([]);
  });
});
