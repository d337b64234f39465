import type { CacheService } from '@backstage/backend-plugin-api';

/** The part of Backstage's CacheService the engine uses. */
export interface SimpleCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, options: { ttl: number }): Promise<void>;
}

/** Fallback when no CacheService is given: a small in-memory TTL map. */
export class MemoryTtlCache implements SimpleCache {
  private readonly entries = new Map<
    string,
    { value: unknown; expires: number }
  >();

  constructor(private readonly maxEntries = 500) {}

  async get(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: unknown, options: { ttl: number }) {
    if (this.entries.size >= this.maxEntries) {
      // Drop the oldest insertion; good enough for a short-lived list cache.
      const first = this.entries.keys().next().value;
      if (first !== undefined) this.entries.delete(first);
    }
    this.entries.set(key, { value, expires: Date.now() + options.ttl });
  }
}

/**
 * Briefly caches list results per resource so a busy portal page does not
 * hammer the AWS APIs. Writes bump the resource's generation, which makes
 * every older key unreachable without having to enumerate them (CacheService
 * cannot delete by prefix).
 */
export class ListCache {
  private readonly generations = new Map<string, number>();
  private readonly cache: SimpleCache;

  constructor(options: {
    ttlSeconds: number;
    cache?: CacheService | SimpleCache;
  }) {
    this.ttlMs = Math.max(0, options.ttlSeconds * 1000);
    this.cache =
      (options.cache as SimpleCache | undefined) ?? new MemoryTtlCache();
  }

  private readonly ttlMs: number;

  async getOrLoad<T>(
    resource: string,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    if (this.ttlMs === 0) return load();
    const fullKey = `mlops-aws:${resource}:g${
      this.generations.get(resource) ?? 0
    }:${key}`;
    const hit = await this.cache.get(fullKey).catch(() => undefined);
    if (hit !== undefined) return hit as T;
    const value = await load();
    // Values are plain JSON (ISO strings, no Dates), so any CacheService store can hold them.
    await this.cache
      .set(fullKey, value as any, { ttl: this.ttlMs })
      .catch(() => undefined);
    return value;
  }

  invalidate(resource: string) {
    this.generations.set(resource, (this.generations.get(resource) ?? 0) + 1);
  }
}
