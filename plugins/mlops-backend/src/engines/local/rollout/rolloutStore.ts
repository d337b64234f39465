import type {
  DeploymentStrategy,
  MlopsResources,
  RolloutAlarm,
  RolloutStatus,
} from '@mlops-portal/plugin-mlops-common';
import type { Knex } from 'knex';
import { countersFrom } from './rolloutAlarms';
import type { RolloutCounters } from './rolloutAlarms';

const T_ROLLOUTS = 'mlops_local_rollouts';

/** A rollout as the engine keeps it (the API's Rollout is derived from it). */
export interface RolloutRecord {
  rolloutId: string;
  endpointName: string;
  groupName: string;
  resources: MlopsResources;
  fromVersion?: number;
  toVersion: number;
  strategy: DeploymentStrategy;
  status: RolloutStatus;
  /** 1-based index into trafficSteps(strategy). */
  step: number;
  /** Epoch ms the current step's clock started (meaningless while paused). */
  stepStartedMs: number;
  /** Paused: how far the step's clock had run. */
  pausedElapsedMs?: number;
  startedAt: string;
  startedBy?: string;
  updatedAt: string;
  endedAt?: string;
  reason?: string;
  alarms: RolloutAlarm[];
  counters: RolloutCounters;
}

/** Statuses that hold the endpoint (one per endpoint at a time). */
export const ACTIVE_STATUSES: RolloutStatus[] = ['InProgress', 'Paused'];

const parse = <T>(v: unknown): T | undefined =>
  typeof v === 'string' && v !== '' ? (JSON.parse(v) as T) : undefined;
const optNum = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);
const opt = <T>(v: T | null | undefined) => (v === null ? undefined : v);

function fromRow(row: any): RolloutRecord {
  return {
    rolloutId: row.rollout_id,
    endpointName: row.endpoint_name,
    groupName: row.group_name,
    resources: parse<MlopsResources>(row.resources)!,
    fromVersion: optNum(row.from_version),
    toVersion: Number(row.to_version),
    strategy: parse<DeploymentStrategy>(row.strategy)!,
    status: row.status,
    step: Number(row.step),
    stepStartedMs: Number(row.step_started_ms),
    pausedElapsedMs: optNum(row.paused_elapsed_ms),
    startedAt: row.started_at,
    startedBy: opt(row.started_by),
    updatedAt: row.updated_at,
    endedAt: opt(row.ended_at),
    reason: opt(row.reason),
    alarms: parse<RolloutAlarm[]>(row.alarms) ?? [],
    counters: countersFrom(parse(row.counters)),
  };
}

/** The columns that change as a rollout moves. */
function progressRow(r: RolloutRecord) {
  return {
    status: r.status,
    step: r.step,
    step_started_ms: r.stepStartedMs,
    paused_elapsed_ms: r.pausedElapsedMs ?? null,
    updated_at: r.updatedAt,
    ended_at: r.endedAt ?? null,
    reason: r.reason ?? null,
    alarms: JSON.stringify(r.alarms),
    counters: JSON.stringify(r.counters),
  };
}

/** The rollouts table (knex; SQLite and PostgreSQL). */
export class RolloutStore {
  constructor(private readonly db: Knex) {}

  async insert(r: RolloutRecord, trx?: Knex.Transaction) {
    await (trx ?? this.db)(T_ROLLOUTS).insert({
      rollout_id: r.rolloutId,
      endpoint_name: r.endpointName,
      group_name: r.groupName,
      resources: JSON.stringify(r.resources),
      from_version: r.fromVersion ?? null,
      to_version: r.toVersion,
      strategy: JSON.stringify(r.strategy),
      started_at: r.startedAt,
      started_by: r.startedBy ?? null,
      ...progressRow(r),
    });
  }

  async save(r: RolloutRecord, trx?: Knex.Transaction) {
    await (trx ?? this.db)(T_ROLLOUTS)
      .where({ rollout_id: r.rolloutId })
      .update(progressRow(r));
  }

  /** The endpoint's rollout in progress or paused, else its latest one. */
  async latest(endpointName: string): Promise<RolloutRecord | undefined> {
    const active = await this.db(T_ROLLOUTS)
      .where({ endpoint_name: endpointName })
      .whereIn('status', ACTIVE_STATUSES)
      .orderBy('id', 'desc')
      .first();
    if (active) return fromRow(active);
    const row = await this.db(T_ROLLOUTS)
      .where({ endpoint_name: endpointName })
      .orderBy('id', 'desc')
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Every rollout a restart must resume or roll back. */
  async allActive(): Promise<RolloutRecord[]> {
    const rows = await this.db(T_ROLLOUTS)
      .whereIn('status', ACTIVE_STATUSES)
      .orderBy('id', 'asc');
    return rows.map(fromRow);
  }
}
