import type {
  MlopsResources,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type {
  MlopsEngine,
  MlopsEngineEvent,
} from '@mlops-portal/plugin-mlops-node';
import { ModelVersionsCache } from './modelVersionsCache';

const resources = {
  entityRef: 'component:default/a',
  pipelineName: 'p',
  modelPackageGroupName: 'G',
  endpointName: 'e',
} as MlopsResources;

function engineWithEvents(withSubscribe = true) {
  const listeners = new Set<(e: MlopsEngineEvent) => void>();
  let versions: ModelVersion[] = [
    { version: 1, approvalStatus: 'PendingManualApproval' } as ModelVersion,
  ];
  const engine = {
    listModelVersions: jest.fn(
      async (_r: unknown, o?: { nextToken?: string }) =>
        o?.nextToken ? { items: [] } : { items: versions, nextToken: 'more' },
    ),
    ...(withSubscribe
      ? {
          subscribe: (l: (e: MlopsEngineEvent) => void) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
        }
      : {}),
  } as unknown as MlopsEngine & { subscribe?: any };
  return {
    engine,
    set: (v: ModelVersion[]) => (versions = v),
    emit: (e: MlopsEngineEvent) => listeners.forEach(l => l(e)),
  };
}

describe('ModelVersionsCache', () => {
  it('serves repeated reads from memory until a version changes', async () => {
    const { engine, set, emit } = engineWithEvents();
    const { cache } = ModelVersionsCache.forEngine(engine);
    expect(
      JSON.parse((await cache.get(engine, resources)).body).items,
    ).toHaveLength(1);
    await cache.get(engine, resources);
    expect(engine.listModelVersions).toHaveBeenCalledTimes(1);

    set([{ version: 2 } as ModelVersion, { version: 1 } as ModelVersion]);
    emit({ type: 'execution', resources, execution: {} as any }); // run progress: no effect
    expect((await cache.get(engine, resources)).items).toHaveLength(1);
    emit({
      type: 'model-version',
      resources,
      modelVersion: { version: 2 } as ModelVersion,
    });
    expect((await cache.get(engine, resources)).items).toHaveLength(2);
    emit({ type: 'deployment', resources, version: 2 });
    await cache.get(engine, resources);
    expect(engine.listModelVersions).toHaveBeenCalledTimes(3);
  });

  it('does not keep a list loaded while a change was reported', async () => {
    const { engine, emit } = engineWithEvents();
    const { cache } = ModelVersionsCache.forEngine(engine);
    const loading = cache.get(engine, resources);
    emit({
      type: 'model-version',
      resources,
      modelVersion: { version: 2 } as ModelVersion,
    });
    await loading;
    await cache.get(engine, resources);
    expect(engine.listModelVersions).toHaveBeenCalledTimes(2);
  });

  it('always asks an engine that does not push events, and stops on unsubscribe', async () => {
    const silent = engineWithEvents(false);
    const { cache } = ModelVersionsCache.forEngine(silent.engine);
    await cache.get(silent.engine, resources);
    await cache.get(silent.engine, resources);
    expect(silent.engine.listModelVersions).toHaveBeenCalledTimes(2);

    const pushing = engineWithEvents();
    const sub = ModelVersionsCache.forEngine(pushing.engine, { ttlMs: 0 });
    await sub.cache.get(pushing.engine, resources);
    await sub.cache.get(pushing.engine, resources);
    // TTL 0: every read reloads, whatever the events say.
    expect(pushing.engine.listModelVersions).toHaveBeenCalledTimes(2);
    sub.unsubscribe();
  });

  it('keeps first pages per page size only, and at most 100 of them', async () => {
    const { engine } = engineWithEvents();
    const { cache } = ModelVersionsCache.forEngine(engine);
    const first = await cache.get(engine, resources, { limit: 1 });
    expect(JSON.parse(first.body)).toEqual({
      items: [expect.objectContaining({ version: 1 })],
      nextToken: 'more',
    });
    await cache.get(engine, resources, { limit: 1 });
    await cache.get(engine, resources, { limit: 1, nextToken: 'more' });
    await cache.get(engine, resources, { limit: 1, nextToken: 'more' });
    expect(engine.listModelVersions).toHaveBeenCalledTimes(3);

    for (let i = 0; i < 150; i++) {
      await cache.get(engine, { ...resources, endpointName: `e${i}` });
    }
    const calls = (engine.listModelVersions as jest.Mock).mock.calls.length;
    // The newest keys are kept, the oldest evicted.
    await cache.get(engine, { ...resources, endpointName: 'e149' });
    expect(engine.listModelVersions).toHaveBeenCalledTimes(calls);
    await cache.get(engine, { ...resources, endpointName: 'e0' });
    expect(engine.listModelVersions).toHaveBeenCalledTimes(calls + 1);
  });
});
