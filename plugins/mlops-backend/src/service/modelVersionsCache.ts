import type {
  MlopsResources,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type {
  MlopsEngine,
  MlopsEngineEvents,
} from '@mlops-portal/plugin-mlops-node';

interface Entry {
  items: ModelVersion[];
  /** The `{ items }` response body, serialised once. */
  body: string;
  expires: number;
}

/**
 * Model-version lists per model package group and endpoint, kept until the
 * engine reports a version or deployment change. A group with 1,000 versions
 * is a ~1 MB document that is read far more often than it changes; re-reading
 * and re-serialising it per request cost ~50 ms of CPU.
 *
 * Only used when the engine pushes events (otherwise every call goes to the
 * engine); a TTL bounds staleness should an event ever be missed.
 */
export class ModelVersionsCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  private constructor(
    private readonly enabled: boolean,
    private readonly ttlMs: number,
  ) {}

  /** Creates the cache and subscribes it to the engine's change events. */
  static forEngine(
    engine: Partial<MlopsEngineEvents>,
    options?: { ttlMs?: number },
  ): { cache: ModelVersionsCache; unsubscribe: () => void } {
    const cache = new ModelVersionsCache(
      !!engine.subscribe,
      options?.ttlMs ?? 30_000,
    );
    const unsubscribe =
      engine.subscribe?.(event => {
        // Synchronous, inside the engine's write: the write's HTTP response
        // cannot overtake the invalidation.
        if (event.type !== 'execution') cache.invalidate();
      }) ?? (() => {});
    return { cache, unsubscribe };
  }

  async get(engine: MlopsEngine, resources: MlopsResources): Promise<Entry> {
    const key = `${resources.modelPackageGroupName}\u0000${resources.endpointName}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return hit;
    const generation = this.generation;
    const items = await engine.listModelVersions(resources);
    const entry = {
      items,
      body: JSON.stringify({ items }),
      expires: Date.now() + this.ttlMs,
    };
    // A change reported while loading may be missing from `items`: serve it, don't keep it.
    if (this.enabled && generation === this.generation) {
      if (this.entries.size >= 100) this.entries.clear();
      this.entries.set(key, entry);
    }
    return entry;
  }

  invalidate() {
    this.generation++;
    this.entries.clear();
  }
}
