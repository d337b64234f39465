import {
  canaryInProgress,
  completed,
  deployments,
  deploymentsWithRollout,
  entityRef,
  shadowTest,
  executingRun,
  runs,
  succeededRun,
} from '../__fixtures__';
import {
  createMockMlopsApi,
  httpError,
  requestCounts,
  type MockMlopsApi,
} from '../__testUtils__/testApp';
import { MlopsEntityStore, type ResourceKey } from './mlopsEntityStore';

const creating = {
  ...deployments,
  endpoint: { ...deployments.endpoint!, status: 'Creating' as const },
};

/** A store with what the tab loads: every resource and the latest run. */
async function loadedStore(api: MockMlopsApi) {
  const store = new MlopsEntityStore(api, entityRef);
  const keys: ResourceKey[] = ['runs', 'versions', 'deployments', 'release'];
  keys.forEach(k => store.ensure(k));
  store.ensure(`run:${executingRun.executionId}`);
  await new Promise(r => setTimeout(r, 0));
  expect(store.get('runs').loading).toBe(false);
  expect(store.get('runs').value?.items).toHaveLength(runs.length);
  return store;
}

/** Calls made while `fn` runs, per API method. */
async function requestsDuring(api: MockMlopsApi, fn: () => Promise<void>) {
  const before = requestCounts(api);
  await fn();
  const after = requestCounts(api);
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

const total = (counts: Record<string, number>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

describe('MlopsEntityStore', () => {
  it('loads each resource once, however many views ask for it', async () => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    store.ensure('versions');
    store.ensure('runs');
    expect(requestCounts(api)).toEqual({
      listRuns: 1,
      getRun: 1,
      listModelVersions: 1,
      getDeployments: 1,
      getRelease: 1,
    });
    expect(api.listRuns).toHaveBeenCalledWith(entityRef, { limit: 50 });
  });

  it('a live tick costs at most two requests: the executing run and the changing endpoint', async () => {
    const api = createMockMlopsApi({
      getDeployments: jest.fn(async () => creating),
    });
    const store = await loadedStore(api);
    expect(store.isLive()).toBe(true);
    const tick = await requestsDuring(api, () => store.tick());
    expect(tick).toEqual({ getRun: 1, getDeployments: 1 });
    expect(api.getRun).toHaveBeenLastCalledWith(entityRef, 'exec-0004');
    // Again: still executing and creating, still two.
    expect(total(await requestsDuring(api, () => store.tick()))).toBe(2);
  });

  it('polls the deployments while a rollout moves or is held, and reloads the versions once it ends', async () => {
    const api = createMockMlopsApi({
      // the endpoint reads InService while paused: only the rollout keeps it live
      getDeployments: jest.fn(async () => ({
        ...deploymentsWithRollout({
          ...canaryInProgress(),
          status: 'Paused' as const,
        }),
        endpoint: deployments.endpoint,
      })),
      listRuns: jest.fn(async () => ({ items: [] })),
    });
    const store = new MlopsEntityStore(api, entityRef);
    (['runs', 'versions', 'deployments'] as ResourceKey[]).forEach(k =>
      store.ensure(k),
    );
    await new Promise(r => setTimeout(r, 0));
    expect(store.isLive()).toBe(true);
    expect(await requestsDuring(api, () => store.tick())).toEqual({
      getDeployments: 1,
    });
    api.getDeployments.mockResolvedValue(deploymentsWithRollout(completed));
    expect(await requestsDuring(api, () => store.tick())).toEqual({
      getDeployments: 1,
      listModelVersions: 1,
    });
    expect(store.isLive()).toBe(false);
  });

  it('polls the deployments while a shadow test runs', async () => {
    const api = createMockMlopsApi({
      getDeployments: jest.fn(async () => ({
        ...deployments,
        shadowTest: shadowTest(),
      })),
      listRuns: jest.fn(async () => ({ items: [] })),
    });
    const store = new MlopsEntityStore(api, entityRef);
    store.ensure('runs');
    store.ensure('deployments');
    await new Promise(r => setTimeout(r, 0));
    expect(store.isLive()).toBe(true);
    api.getDeployments.mockResolvedValue({
      ...deployments,
      shadowTest: { ...shadowTest(), status: 'Stopped' as const },
    });
    await store.tick();
    expect(store.isLive()).toBe(false);
  });

  it('a tick with only a run executing costs one request and updates its row', async () => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    api.getRun.mockResolvedValue({ ...executingRun, currentStep: 'Evaluate' });
    expect(await requestsDuring(api, () => store.tick())).toEqual({
      getRun: 1,
    });
    expect(store.get('runs').value?.items[0].currentStep).toBe('Evaluate');
    expect(store.get('run:exec-0004').value?.currentStep).toBe('Evaluate');
  });

  it('when the polled run settles, reloads what its end changes once, then stops polling', async () => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    api.getRun.mockResolvedValue({ ...succeededRun, executionId: 'exec-0004' });
    const settle = await requestsDuring(api, () => store.tick());
    expect(settle).toEqual({
      getRun: 1,
      listModelVersions: 1,
      getRelease: 1,
      getDeployments: 1,
    });
    expect(store.get('runs').value?.items[0].status).toBe('Succeeded');
    expect(store.isLive()).toBe(false);
    expect(await requestsDuring(api, () => store.tick())).toEqual({});
  });

  it.each([
    [
      { type: 'execution' as const, executionId: 'exec-0004' },
      { listRuns: 1, getRun: 1, getRelease: 1 },
    ],
    [{ type: 'model-version' as const, version: 3 }, { listModelVersions: 1 }],
    [
      { type: 'deployment' as const, version: 3 },
      { getDeployments: 1, listModelVersions: 1, getRelease: 1 },
    ],
  ])('a %j signal refetches only what it names', async (signal, expected) => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    expect(await requestsDuring(api, () => store.onSignal(signal))).toEqual(
      expected,
    );
  });

  it('an execution signal about another run does not refetch the latest run', async () => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    const counts = await requestsDuring(api, () =>
      store.onSignal({ type: 'execution', executionId: 'exec-0009' }),
    );
    expect(counts).toEqual({ listRuns: 1, getRelease: 1 });
  });

  it('follows the release after a change made on the page until it waits for approval (no signals: aws)', async () => {
    // Between runs: the release's first stages run, no pipeline run exists yet.
    const moving = [
      { name: 'Source', status: 'InProgress' as const },
      { name: 'MLPipeline', status: 'NotStarted' as const },
      { name: 'Approval', status: 'NotStarted' as const },
    ];
    const api = createMockMlopsApi({
      listRuns: jest.fn(async () => ({ items: [succeededRun] })),
      getRelease: jest.fn(async () => ({ stages: moving })),
    });
    const store = new MlopsEntityStore(api, entityRef);
    (['runs', 'versions', 'deployments', 'release'] as ResourceKey[]).forEach(
      k => store.ensure(k),
    );
    await new Promise(r => setTimeout(r, 0));
    // Nothing executing and nothing done on the page: no polling (as before).
    expect(store.isLive()).toBe(false);

    store.followRelease();
    expect(store.isLive()).toBe(true);
    // The release and the runs list, where the run it starts will appear.
    expect(await requestsDuring(api, () => store.tick())).toEqual({
      getRelease: 1,
      listRuns: 1,
    });

    // It now waits for a person: stop polling, reload what it changed once.
    api.getRelease.mockResolvedValue({
      stages: [
        { name: 'Source', status: 'Succeeded' },
        { name: 'MLPipeline', status: 'Succeeded' },
        { name: 'Approval', status: 'InProgress', approvalToken: 't-1' },
      ],
    });
    expect(await requestsDuring(api, () => store.tick())).toEqual({
      getRelease: 1,
      listRuns: 1,
      listModelVersions: 1,
      getDeployments: 1,
    });
    expect(store.isLive()).toBe(false);
    expect(await requestsDuring(api, () => store.tick())).toEqual({});
  });

  it('keeps the last value while reloading and after a failed reload', async () => {
    const api = createMockMlopsApi();
    const store = await loadedStore(api);
    const before = store.get('versions').value;
    api.listModelVersions.mockRejectedValue(new Error('registry down'));
    const reload = store.refresh(['versions']);
    expect(store.get('versions')).toEqual({ value: before, loading: true });
    await reload;
    expect(store.get('versions').value).toBe(before);
    expect(store.get('versions').error?.message).toBe('registry down');
  });

  it('refreshes only resources a view asked for', async () => {
    const api = createMockMlopsApi();
    const store = new MlopsEntityStore(api, entityRef);
    store.ensure('versions');
    await new Promise(r => setTimeout(r, 0));
    expect(
      await requestsDuring(api, () =>
        store.refresh(['runs', 'versions', 'release']),
      ),
    ).toEqual({ listModelVersions: 1 });
  });

  describe('monitoring', () => {
    const setVisibility = (state: DocumentVisibilityState) =>
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => state,
      });
    afterEach(() => setVisibility('visible'));

    it('a tick refreshes watched monitoring only in what is left of the two requests', async () => {
      const api = createMockMlopsApi({
        getDeployments: jest.fn(async () => creating),
      });
      const store = await loadedStore(api);
      const release = store.watch('monitoring:1h');
      store.ensure('monitoring:1h');
      await new Promise(r => setTimeout(r, 0));
      // Run executing and endpoint creating: the budget is spent on them.
      expect(await requestsDuring(api, () => store.tick())).toEqual({
        getRun: 1,
        getDeployments: 1,
      });
      // Endpoint settled: the run and the monitoring share the tick.
      api.getDeployments.mockResolvedValue(deployments);
      await store.refresh(['deployments']);
      expect(await requestsDuring(api, () => store.tick())).toEqual({
        getRun: 1,
        getMonitoring: 1,
      });
      expect(api.getMonitoring).toHaveBeenLastCalledWith(entityRef, '1h');
      release();
      expect(store.isWatching()).toBe(false);
      expect(await requestsDuring(api, () => store.tick())).toEqual({
        getRun: 1,
      });
    });

    it('keeps the poll going for monitoring alone, but not on a hidden page', async () => {
      const api = createMockMlopsApi();
      const store = new MlopsEntityStore(api, entityRef);
      store.watch('monitoring:24h');
      store.ensure('monitoring:24h');
      await new Promise(r => setTimeout(r, 0));
      expect(store.isLive()).toBe(false);
      expect(store.isWatching()).toBe(true);
      expect(await requestsDuring(api, () => store.tick())).toEqual({
        getMonitoring: 1,
      });
      setVisibility('hidden');
      expect(await requestsDuring(api, () => store.tick())).toEqual({});
    });

    it('an engine without monitoring (501) gives null and is not polled again', async () => {
      const api = createMockMlopsApi({
        getMonitoring: jest.fn(async () => {
          throw httpError(501, 'monitoring is not supported by this engine');
        }),
      });
      const store = new MlopsEntityStore(api, entityRef);
      store.watch('monitoring:1h');
      store.ensure('monitoring:1h');
      await new Promise(r => setTimeout(r, 0));
      expect(store.get('monitoring:1h')).toEqual({
        value: null,
        loading: false,
      });
      expect(store.isWatching()).toBe(false);
      expect(await requestsDuring(api, () => store.tick())).toEqual({});
    });

    it('nothing deployed (404) gives null but keeps polling; other errors stay errors', async () => {
      const api = createMockMlopsApi({
        getMonitoring: jest.fn(async () => {
          throw httpError(404, 'no endpoint');
        }),
      });
      const store = new MlopsEntityStore(api, entityRef);
      store.watch('monitoring:1h');
      store.ensure('monitoring:1h');
      await new Promise(r => setTimeout(r, 0));
      expect(store.get('monitoring:1h').value).toBeNull();
      expect(store.isWatching()).toBe(true);
      api.getMonitoring.mockRejectedValue(httpError(500, 'boom'));
      await store.tick();
      expect(store.get('monitoring:1h').error?.message).toBe('boom');
    });
  });

  it("loads a version's evaluation plots, null when it has none (404)", async () => {
    const api = createMockMlopsApi();
    const store = new MlopsEntityStore(api, entityRef);
    store.ensure('evaluation-plots:3');
    await new Promise(r => setTimeout(r, 0));
    expect(store.get('evaluation-plots:3').value?.format).toBe(
      'mlops-portal/evaluation-plots',
    );
    api.getEvaluationPlots.mockRejectedValue(httpError(404));
    store.ensure('evaluation-plots:1');
    await new Promise(r => setTimeout(r, 0));
    expect(store.get('evaluation-plots:1').value).toBeNull();
    expect(api.getEvaluationPlots).toHaveBeenLastCalledWith(entityRef, 1);
  });

  it('keeps the newest page of versions: limit 50', async () => {
    const api = createMockMlopsApi();
    const store = new MlopsEntityStore(api, entityRef);
    store.ensure('versions');
    await new Promise(r => setTimeout(r, 0));
    expect(api.listModelVersions).toHaveBeenCalledWith(entityRef, {
      limit: 50,
    });
  });
});
