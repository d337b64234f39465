import { ConflictError } from '@backstage/errors';
import type {
  MlopsResources,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type { Knex } from 'knex';
import { ShadowStats, readStats } from './shadowStats';

const T_SHADOW = 'mlops_local_shadow_tests';

/** A shadow test as stored: the public fields plus what the engine needs. */
export interface ShadowTestRecord extends Omit<ShadowTest, 'comparison'> {
  modelPackageGroupName: string;
  resources: MlopsResources;
  stats: ShadowStats;
}

const opt = <T>(v: T | null | undefined): T | undefined =>
  v === null ? undefined : v;

function fromRow(row: any): ShadowTestRecord {
  return {
    shadowTestId: row.shadow_test_id,
    endpointName: row.endpoint_name,
    modelPackageGroupName: row.group_name,
    servingVersion: Number(row.serving_version),
    candidateVersion: Number(row.candidate_version),
    status: row.status,
    samplePercent: Number(row.sample_percent),
    resources: JSON.parse(row.resources),
    startedAt: row.started_at,
    startedBy: opt(row.started_by),
    endedAt: opt(row.ended_at),
    reason: opt(row.reason),
    stats: readStats(row.stats),
  };
}

/** Unique-constraint violations on SQLite and PostgreSQL. */
const isUniqueViolation = (e: unknown) => {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === '23505' ||
    err?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(String(err?.message))
  );
};

/** The shadow test table (knex; SQLite and PostgreSQL). */
export class ShadowStore {
  constructor(private readonly db: Knex) {}

  /** Stores a new running test; ConflictError when one already runs on the endpoint. */
  async insert(r: ShadowTestRecord): Promise<void> {
    try {
      await this.db(T_SHADOW).insert({
        shadow_test_id: r.shadowTestId,
        endpoint_name: r.endpointName,
        active_endpoint: r.status === 'Running' ? r.endpointName : null,
        group_name: r.modelPackageGroupName,
        serving_version: r.servingVersion,
        candidate_version: r.candidateVersion,
        status: r.status,
        sample_percent: r.samplePercent,
        resources: JSON.stringify(r.resources),
        started_at: r.startedAt,
        started_by: r.startedBy ?? null,
        ended_at: r.endedAt ?? null,
        reason: r.reason ?? null,
        stats: JSON.stringify(r.stats),
        updated_at: r.startedAt,
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `a shadow test already runs on endpoint ${r.endpointName}; stop it first`,
        );
      }
      throw e;
    }
  }

  /** Writes a running test's numbers. */
  async saveStats(shadowTestId: string, stats: ShadowStats): Promise<void> {
    await this.db(T_SHADOW)
      .where({ shadow_test_id: shadowTestId })
      .update({
        stats: JSON.stringify(stats),
        updated_at: new Date().toISOString(),
      });
  }

  /** Ends a test: its status, end time, reason and final numbers. */
  async end(r: ShadowTestRecord): Promise<void> {
    await this.db(T_SHADOW)
      .where({ shadow_test_id: r.shadowTestId })
      .update({
        status: r.status,
        active_endpoint: null,
        ended_at: r.endedAt ?? null,
        reason: r.reason ?? null,
        stats: JSON.stringify(r.stats),
        updated_at: r.endedAt ?? new Date().toISOString(),
      });
  }

  async running(): Promise<ShadowTestRecord[]> {
    const rows = await this.db(T_SHADOW)
      .where({ status: 'Running' })
      .orderBy('seq', 'asc');
    return rows.map(fromRow);
  }

  /** The endpoint's running test, else its most recent one. */
  async latest(endpointName: string): Promise<ShadowTestRecord | undefined> {
    const running = await this.db(T_SHADOW)
      .where({ active_endpoint: endpointName })
      .first();
    if (running) return fromRow(running);
    const row = await this.db(T_SHADOW)
      .where({ endpoint_name: endpointName })
      .orderBy('seq', 'desc')
      .first();
    return row ? fromRow(row) : undefined;
  }
}
