import type {
  ListResponse,
  MlopsResources,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ListOptions,
  MlopsEngine,
  MlopsEngineEvents,
} from '@mlops-portal/plugin-mlops-node';
import { LRUCache } from 'lru-cache';

/** A page of model versions with its `{ items, nextToken? }` body, serialised once. */
export interface VersionsPage extends ListResponse<ModelVersion> {
  body: string;
}

/**
 * First pages of model-version lists per model package group, endpoint and
 * page size, kept until the engine reports a version or deployment change.
 * The first page is what the UI and the summary read on every visit; later
 * pages (with a nextToken) go straight to the engine.
 *
 * Only used when the engine pushes events (otherwise every call goes to the
 * engine); a TTL bounds staleness should an event ever be missed.
 */
export class ModelVersionsCache {
  private readonly entries: LRUCache<string, VersionsPage>;
  private generation = 0;

  private readonly enabled: boolean;

  private constructor(pushesEvents: boolean, ttlMs: number) {
    // lru-cache reads ttl 0 as "forever"; here it means "do not keep".
    this.enabled = pushesEvents && ttlMs > 0;
    this.entries = new LRUCache({ max: 100, ttl: Math.max(ttlMs, 1) });
  }

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
        if (event.type === 'model-version' || event.type === 'deployment')
          cache.invalidate();
      }) ?? (() => {});
    return { cache, unsubscribe };
  }

  async get(
    engine: MlopsEngine,
    resources: MlopsResources,
    options: ListOptions = {},
  ): Promise<VersionsPage> {
    const cacheable = this.enabled && !options.nextToken;
    const key = `${resources.modelPackageGroupName}\u0000${
      resources.endpointName
    }\u0000${options.limit ?? ''}`;
    const hit = cacheable ? this.entries.get(key) : undefined;
    if (hit) return hit;
    const generation = this.generation;
    const { items, nextToken } = await engine.listModelVersions(
      resources,
      options,
    );
    const page: VersionsPage = {
      items,
      nextToken,
      body: JSON.stringify(nextToken ? { items, nextToken } : { items }),
    };
    // A change reported while loading may be missing from `items`: serve it, don't keep it.
    if (cacheable && generation === this.generation)
      this.entries.set(key, page);
    return page;
  }

  invalidate() {
    this.generation++;
    this.entries.clear();
  }
}
