import type { LoggerService } from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ConflictError } from '@backstage/errors';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import type { Knex } from 'knex';

const T_CLAIMS = 'mlops_resource_claims';

/** The resource names an entity binds; each is owned by exactly one entity. */
export type ClaimKind =
  | 'pipeline'
  | 'model-package-group'
  | 'endpoint'
  | 'release-pipeline'
  | 'data-bucket';

export interface Claim {
  kind: ClaimKind;
  name: string;
}

/** A binding fixed in config (`mlops.resourceBindings`): always wins. */
export interface ConfiguredBinding extends Claim {
  entityRef: string;
}

/** A refused second claim, for the log and the holder's owners. */
export interface RefusedClaim extends Claim {
  entityRef: string;
  holder: string;
}

/**
 * The names an entity's annotations claim. Names are global (not per
 * account or region): an entity that omits its region and one that spells
 * out the default one name the same SageMaker resource, so scoping by the
 * annotation would let a twin through.
 */
export function claimsOf(r: MlopsResources): Claim[] {
  const claims: Claim[] = [
    { kind: 'pipeline', name: r.pipelineName },
    { kind: 'model-package-group', name: r.modelPackageGroupName },
    { kind: 'endpoint', name: r.endpointName },
  ];
  if (r.releasePipelineName) {
    claims.push({ kind: 'release-pipeline', name: r.releasePipelineName });
  }
  if (r.dataBucketUri) {
    claims.push({
      kind: 'data-bucket',
      name: r.dataBucketUri.replace(/\/*$/, '/'),
    });
  }
  return claims;
}

const CONFIG_KEYS: Record<string, ClaimKind> = {
  pipeline: 'pipeline',
  modelPackageGroup: 'model-package-group',
  endpoint: 'endpoint',
  releasePipeline: 'release-pipeline',
  dataBucket: 'data-bucket',
};

/** Reads `mlops.resourceBindings` (entity → names it alone may use). */
export function readConfiguredBindings(config: Config): ConfiguredBinding[] {
  const out: ConfiguredBinding[] = [];
  for (const b of config.getOptionalConfigArray('mlops.resourceBindings') ??
    []) {
    const entityRef = b.getString('entityRef').toLocaleLowerCase('en-US');
    for (const [key, kind] of Object.entries(CONFIG_KEYS)) {
      const name = b.getOptionalString(key)?.trim();
      if (!name) continue;
      out.push({
        kind,
        name: kind === 'data-bucket' ? name.replace(/\/*$/, '/') : name,
        entityRef,
      });
    }
  }
  return out;
}

/** Carries the rows out of a transaction that is rolled back. */
class RolledBack extends Error {
  constructor(
    readonly rows: Array<{ kind: string; name: string; entity_ref: string }>,
  ) {
    super('claims rolled back');
  }
}

/**
 * Binds every ML resource name to exactly one catalog entity, on the server:
 * a name fixed in config belongs to its configured entity; any other name
 * belongs to the first entity that used it (persisted, so it survives
 * restarts and is shared by every backend replica). Without this, anyone who
 * may register a catalog entity could name another team's pipeline, model
 * group and endpoint on an entity they own and act on them as "owner".
 */
export class ResourceClaims {
  private readonly configured = new Map<string, string>();
  // Claims never move (no release API yet), so a hit is final.
  private readonly known = new Map<string, string>();

  private constructor(
    private readonly db: Knex,
    bindings: ConfiguredBinding[],
    private readonly onRefused?: (refused: RefusedClaim) => void,
  ) {
    for (const b of bindings) {
      const key = keyOf(b);
      const other = this.configured.get(key);
      if (other && other !== b.entityRef) {
        throw new Error(
          `mlops.resourceBindings binds ${b.kind} ${b.name} to both ${other} and ${b.entityRef}`,
        );
      }
      this.configured.set(key, b.entityRef);
    }
  }

  static async create(options: {
    database: Knex;
    bindings?: ConfiguredBinding[];
    skipMigrations?: boolean;
    onRefused?: (refused: RefusedClaim) => void;
  }): Promise<ResourceClaims> {
    if (!options.skipMigrations) {
      await options.database.migrate.latest({
        directory: resolvePackagePath(
          '@mlops-portal/plugin-mlops-backend',
          'migrations/claims',
        ),
        tableName: 'mlops_claims_knex_migrations',
        loadExtensions: ['.js'],
      });
    }
    return new ResourceClaims(
      options.database,
      options.bindings ?? [],
      options.onRefused,
    );
  }

  /**
   * Claims the entity's names (first claim wins) and throws ConflictError
   * (409) when any is bound to another entity. The message names the
   * resource, not the other entity (which the caller may not see).
   */
  async bind(resources: MlopsResources): Promise<void> {
    // Entity refs compare case-insensitively in Backstage.
    const entityRef = resources.entityRef.toLocaleLowerCase('en-US');
    const claims = claimsOf(resources);
    const holders = new Map<string, string>();
    const open: Claim[] = [];
    for (const c of claims) {
      const holder = this.configured.get(keyOf(c)) ?? this.known.get(keyOf(c));
      if (holder) holders.set(keyOf(c), holder);
      else open.push(c);
    }
    const knownConflict = [...holders.values()].some(h => h !== entityRef);
    if (open.length > 0 && knownConflict) {
      // Refused anyway: claim nothing, but name every conflict.
      for (const row of await this.rowsOf(this.db, open)) {
        holders.set(
          keyOf({ kind: row.kind as ClaimKind, name: row.name }),
          row.entity_ref,
        );
      }
    } else if (open.length > 0) {
      // All or nothing: an entity refused one name must not keep the others
      // it claimed on the way (it would lock their rightful owner out).
      const claimed = await this.db
        .transaction(async trx => {
          const now = new Date().toISOString();
          await trx(T_CLAIMS)
            .insert(
              open.map(c => ({
                kind: c.kind,
                name: c.name,
                entity_ref: entityRef,
                claimed_at: now,
              })),
            )
            .onConflict(['kind', 'name'])
            .ignore();
          const rows = await this.rowsOf(trx, open);
          if (rows.some(r => r.entity_ref !== entityRef)) {
            throw new RolledBack(rows);
          }
          return rows;
        })
        .catch(e => {
          if (e instanceof RolledBack) return e.rows;
          throw e;
        });
      const committed = claimed.every(r => r.entity_ref === entityRef);
      for (const row of claimed) {
        const key = keyOf({ kind: row.kind as ClaimKind, name: row.name });
        holders.set(key, row.entity_ref);
        // Other entities' claims are final; ours only if committed.
        if (committed || row.entity_ref !== entityRef) {
          this.known.set(key, row.entity_ref);
        }
      }
    }
    const refused = claims
      .map(c => ({ ...c, entityRef, holder: holders.get(keyOf(c)) ?? '' }))
      .filter(c => c.holder !== entityRef && c.holder !== '');
    if (refused.length === 0) return;
    for (const r of refused) this.onRefused?.(r);
    throw new ConflictError(
      `${entityRef} names ${refused
        .map(r => `${r.kind} ${r.name}`)
        .join(
          ', ',
        )}, which another catalog entity already owns; each ML resource belongs to exactly one entity (see mlops.resourceBindings)`,
    );
  }

  private async rowsOf(
    db: Knex,
    claims: Claim[],
  ): Promise<Array<{ kind: string; name: string; entity_ref: string }>> {
    return db(T_CLAIMS)
      .select('kind', 'name', 'entity_ref')
      .where(q => {
        for (const c of claims) q.orWhere({ kind: c.kind, name: c.name });
      });
  }

  /** The entity that owns a name, if any. */
  async holderOf(kind: ClaimKind, name: string): Promise<string | undefined> {
    const key = keyOf({ kind, name });
    const hit = this.configured.get(key) ?? this.known.get(key);
    if (hit) return hit;
    const row = await this.db(T_CLAIMS)
      .where({ kind, name })
      .first('entity_ref');
    if (row) this.known.set(key, row.entity_ref);
    return row?.entity_ref;
  }
}

function keyOf(c: Claim): string {
  return `${c.kind}\u0000${c.name}`;
}

/** Log line and de-duplicated owner notification for refused claims. */
export function refusedClaimReporter(options: {
  logger: LoggerService;
  notify: (
    entityRef: string,
    payload: {
      title: string;
      description: string;
      severity: 'high';
      scope: string;
    },
  ) => Promise<void>;
}): (refused: RefusedClaim) => void {
  const seen = new Set<string>();
  return r => {
    options.logger.warn(
      `MLOps: refused ${r.entityRef}: its ${r.kind} ${r.name} belongs to ${r.holder}`,
    );
    const key = `${r.entityRef}\u0000${r.kind}\u0000${r.name}`;
    if (seen.has(key) || seen.size > 10_000) return;
    seen.add(key);
    options
      .notify(r.holder, {
        title: `Another entity names your ${r.kind} ${r.name}`,
        description: `${r.entityRef} names the ${r.kind} ${r.name}, which belongs to this entity; its requests are refused. Check who registered it.`,
        severity: 'high',
        scope: `mlops-claim:${r.entityRef}:${r.kind}:${r.name}`,
      })
      .catch(e =>
        options.logger.warn(`MLOps: could not notify ${r.holder}: ${e}`),
      );
  };
}

/**
 * The local seeds' names belong to their entities, as if configured: each of
 * `mlops.local.seeds` (one per demo system) and the older single
 * `mlops.local.seed`.
 */
export function seedBindings(config: Config): ConfiguredBinding[] {
  const seeds = [
    ...(config.getOptionalConfigArray('mlops.local.seeds') ?? []),
    ...[config.getOptionalConfig('mlops.local.seed')].filter(
      (c): c is Config => !!c,
    ),
  ];
  return seeds.flatMap(seed => {
    const entityRef = seed.getOptionalString('entityRef');
    if (!entityRef) return [];
    const ref = entityRef.toLocaleLowerCase('en-US');
    const names: Array<[ConfiguredBinding['kind'], string | undefined]> = [
      ['pipeline', seed.getOptionalString('pipelineName')],
      ['model-package-group', seed.getOptionalString('modelPackageGroupName')],
      ['endpoint', seed.getOptionalString('endpointName')],
      ['release-pipeline', seed.getOptionalString('releasePipelineName')],
    ];
    return names
      .filter((n): n is [ConfiguredBinding['kind'], string] => !!n[1])
      .map(([kind, name]) => ({ kind, name, entityRef: ref }));
  });
}
