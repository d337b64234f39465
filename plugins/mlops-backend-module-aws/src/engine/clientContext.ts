import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import { LRUCache } from 'lru-cache';
import { toEngineError } from './awsErrors';
import type { AwsClientFactory, AwsClients, AwsTarget } from './clients';

/** The part of Backstage's CacheService the engine uses. */
export interface SimpleCache {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown, options: { ttl: number }): Promise<void>;
}

/** What the engine's parts share: where an entity's resources live, and how to reach them. */
export interface ClientContextOptions {
  logger: LoggerService;
  clients: AwsClientFactory;
  defaultRegion: string;
  defaultAccountId?: string;
  /** A shared store (Backstage CacheService); default: an in-process LRU. */
  cache?: CacheService | SimpleCache;
  /** 0 disables the list cache. */
  listCacheTtlSeconds: number;
  /** Bound of the in-process list cache. */
  maxCachedLists?: number;
  /**
   * Accounts, regions and data buckets entities may name in their
   * annotations (`createAwsEngine` fills these from config: the configured
   * ones by default). Absent: no restriction at this level.
   */
  allowed?: AwsAllowList;
}

/** What `mlops.io/aws-*` and `mlops.io/data-bucket` annotations may choose. */
export interface AwsAllowList {
  regions?: string[];
  accountIds?: string[];
  dataBuckets?: string[];
}

/** The resources a cached list belongs to; a write to one refreshes only its lists. */
export type ResourceKind = 'pipeline' | 'group' | 'endpoint' | 'release';

/**
 * Per-entity region/account → SDK clients, AWS error mapping, and a short
 * list cache, shared by every part of the engine so they agree on targets
 * and on what a write invalidates.
 */
export class ClientContext {
  readonly logger: LoggerService;
  private readonly ttlMs: number;
  private readonly store: SimpleCache | LRUCache<string, {}>;
  /**
   * Writes bump the resource's generation, which makes every older key
   * unreachable (a CacheService cannot delete by prefix).
   */
  private readonly generations = new Map<string, number>();

  constructor(private readonly options: ClientContextOptions) {
    this.logger = options.logger;
    this.ttlMs = Math.max(0, options.listCacheTtlSeconds * 1000);
    this.store =
      (options.cache as SimpleCache | undefined) ??
      new LRUCache<string, {}>({
        max: options.maxCachedLists ?? 500,
        ttl: Math.max(1, this.ttlMs),
      });
  }

  target(r: MlopsResources): AwsTarget {
    const target = {
      region: r.region ?? this.options.defaultRegion,
      accountId: r.awsAccountId ?? this.options.defaultAccountId,
    };
    // An annotation must not point the backend's credentials at any account
    // or region its author likes: only the allowed ones.
    const allowed = this.options.allowed;
    if (allowed?.regions && !allowed.regions.includes(target.region)) {
      throw new NotAllowedError(
        `mlops.io/aws-region: ${target.region} is not an allowed region (mlops.aws.allowedRegions)`,
      );
    }
    if (
      allowed?.accountIds &&
      target.accountId !== undefined &&
      !allowed.accountIds.includes(target.accountId)
    ) {
      throw new NotAllowedError(
        `mlops.io/aws-account-id: ${target.accountId} is not an allowed account (mlops.aws.allowedAccountIds)`,
      );
    }
    return target;
  }

  /** Refuses an entity's data bucket that is not allowed (NotAllowedError, 403). */
  checkDataBucket(bucket: string): void {
    const allowed = this.options.allowed?.dataBuckets;
    if (allowed && !allowed.includes(bucket)) {
      throw new NotAllowedError(
        `mlops.io/data-bucket: s3://${bucket} is not an allowed data bucket (mlops.aws.allowedDataBuckets)`,
      );
    }
  }

  async clients(r: MlopsResources): Promise<AwsClients> {
    const target = this.target(r);
    try {
      return await this.options.clients(target);
    } catch (e) {
      // e.g. an mlops.io/aws-account-id that no aws.accounts entry covers.
      this.logger.error(`No AWS clients for ${JSON.stringify(target)}: ${e}`);
      throw new ServiceUnavailableError(
        `No AWS credentials are configured for account ${
          target.accountId ?? '(main)'
        } in ${target.region}`,
      );
    }
  }

  /** Runs one AWS call and maps its failure to a client-safe Backstage error. */
  async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toEngineError(e, operation, this.logger);
    }
  }

  /**
   * A list call with a caller's page token: AWS answers a stale or forged
   * token with a ValidationException, which is the caller's mistake (400).
   */
  async callPage<T>(
    operation: string,
    nextToken: string | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (nextToken && (e as Error)?.name === 'ValidationException') {
        this.logger.warn(`AWS ${operation} refused a page token: ${e}`);
        throw new InputError('nextToken is not a valid token of this list');
      }
      throw toEngineError(e, operation, this.logger);
    }
  }

  private resourceKey(r: MlopsResources, kind: ResourceKind): string {
    const t = this.target(r);
    const names: Record<ResourceKind, string> = {
      pipeline: r.pipelineName,
      group: r.modelPackageGroupName,
      endpoint: r.endpointName,
      release: r.releasePipelineName ?? '',
    };
    return `${kind}:${t.region}:${t.accountId ?? ''}:${names[kind]}`;
  }

  /** A cached list (plain JSON, so any CacheService store can hold it), loaded on a miss. */
  async cached<T>(
    r: MlopsResources,
    kind: ResourceKind,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    if (this.ttlMs === 0) return load();
    const resource = this.resourceKey(r, kind);
    const fullKey = `mlops-aws:${resource}:g${
      this.generations.get(resource) ?? 0
    }:${key}`;
    const hit = await this.read(fullKey);
    if (hit !== undefined) return hit as T;
    const value = await load();
    await this.write(fullKey, value);
    return value;
  }

  invalidate(r: MlopsResources, ...kinds: ResourceKind[]) {
    for (const kind of kinds) {
      const resource = this.resourceKey(r, kind);
      this.generations.set(resource, (this.generations.get(resource) ?? 0) + 1);
    }
  }

  private async read(key: string): Promise<unknown> {
    if (this.store instanceof LRUCache) return this.store.get(key);
    return this.store.get(key).catch(() => undefined);
  }

  private async write(key: string, value: unknown) {
    if (value === undefined || value === null) return;
    if (this.store instanceof LRUCache) {
      this.store.set(key, value as {});
      return;
    }
    // A failing shared store only costs a cache miss.
    await this.store
      .set(key, value, { ttl: this.ttlMs })
      .catch(() => undefined);
  }
}

/**
 * Paginator settings. The SDK's paginators reuse one input object for every
 * page (only the token changes), so each command gets its own copy: what was
 * sent stays as sent (logs, request checks).
 */
export function pages<C>(client: C, pageSize: number) {
  return {
    client,
    pageSize,
    withCommand: <T extends { input: object }>(command: T) =>
      Object.assign(command, { input: { ...command.input } }),
  };
}

/** A caller's page size as an AWS MaxResults: an integer in 1..max, else the default. */
export function pageLimit(
  requested: number | undefined,
  fallback: number,
  max: number,
): number {
  const n = Number(requested ?? fallback);
  return Number.isFinite(n)
    ? Math.min(Math.max(Math.trunc(n), 1), max)
    : fallback;
}
