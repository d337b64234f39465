import type {
  AuditorService,
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import type { Entity } from '@backstage/catalog-model';
import { isError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  RETRAINING_WINDOW_MS,
  specDurationMs,
  type MlSystemSpec,
  type RetrainingSpec,
} from '@mlops-portal/ml-core';
import {
  ANNOTATION_SPEC,
  getMlopsResources,
  type MlopsResources,
  type PipelineExecution,
  type SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { EngineActor, MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { CronTime } from 'cron';
import { createHash } from 'crypto';
import type { Knex } from 'knex';
import type { OwnerNotification } from './events';

const T_STATE = 'mlops_retraining_state';

/** Who starts the closed loop's runs (recorded as the run's `triggeredBy`). */
export const RETRAINING_ACTOR: EngineActor = { ref: 'plugin:mlops/retraining' };

/** `mlops.retraining.checkIntervalSeconds`: how often the loop looks; default 60. */
export function readRetrainingInterval(config: RootConfigService): number {
  const seconds =
    config.getOptionalNumber('mlops.retraining.checkIntervalSeconds') ?? 60;
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new Error(
      `Invalid config: mlops.retraining.checkIntervalSeconds must be between 1 and 86400, got ${seconds}`,
    );
  }
  return seconds;
}

/** What one check did for a system (returned for tests and the log). */
export interface RetrainingAction {
  entityRef: string;
  trigger: 'schedule' | 'drift';
  /** The started run; absent when the engine refused to start one. */
  executionId?: string;
  error?: string;
}

/** Reads an entity's spec (SystemSpecs in the plugin). */
export interface SpecSource {
  forEntity(entityRef: string, entity: Entity): Promise<SystemSpecResponse>;
}

export interface RetrainingOptions {
  database: Knex;
  skipMigrations?: boolean;
  engine: Pick<MlopsEngine, 'startExecution' | 'getMonitoring'>;
  catalog: CatalogService;
  auth: AuthService;
  specs: SpecSource;
  auditor: AuditorService;
  notify: (entityRef: string, payload: OwnerNotification) => Promise<void>;
  logger: LoggerService;
  /** `mlops.approval.preApprove`: without it `autoApprove` in a spec is ignored. */
  allowPreApprove: boolean;
  /** The resource claims: an entity naming another's resources is skipped. */
  holds?: (resources: MlopsResources) => Promise<boolean>;
  /** Epoch milliseconds; tests move it. */
  now?: () => number;
}

interface StateRow {
  entity_ref: string;
  schedule_cron: string | null;
  schedule_next_at: number | string | null;
  drift_window: string | null;
  drift_checked_index: number | string | null;
  drift_streak: number | string;
  drift_last_run_at: number | string | null;
}

// PostgreSQL returns bigint columns as strings.
const num = (v: number | string | null): number | null =>
  v === null || v === undefined ? null : Number(v);

/** A column equals a value, where null means IS NULL (compare-and-set). */
function whereIs(q: Knex.QueryBuilder, column: string, value: unknown) {
  return value === null || value === undefined
    ? q.whereNull(column)
    : q.where(column, value as any);
}

/**
 * The closed loop (spec `retraining`): per ML system, a cron schedule and/or
 * a drift trigger start training runs by themselves. One check (`tick`) runs
 * per interval as a global SchedulerService task, so one backend runs it at
 * a time; every state change is also a compare-and-set in the database, so
 * even two checks at once (a task overrun, a second deployment sharing the
 * database) start one run per cron fire or drift episode. Each start is
 * audited and told to the entity's owners.
 */
export class Retraining {
  private readonly now: () => number;

  private constructor(private readonly options: RetrainingOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  static async create(options: RetrainingOptions): Promise<Retraining> {
    if (!options.skipMigrations) {
      await options.database.migrate.latest({
        directory: resolvePackagePath(
          '@mlops-portal/plugin-mlops-backend',
          'migrations/retraining',
        ),
        tableName: 'mlops_retraining_knex_migrations',
        loadExtensions: ['.js'],
      });
    }
    return new Retraining(options);
  }

  /** Checks every catalog entity with a spec; never throws for one system. */
  async tick(): Promise<RetrainingAction[]> {
    const { catalog, auth, specs, logger } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_SPEC}`]: CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const actions: RetrainingAction[] = [];
    for (const entity of items) {
      const resources = getMlopsResources(entity);
      if (!resources) continue;
      try {
        // A bad spec is the owners' to fix (the entity page shows it); the loop skips it.
        const system = await specs.forEntity(resources.entityRef, entity);
        if (!(system.spec as unknown as MlSystemSpec).spec.retraining) continue;
        if (this.options.holds && !(await this.options.holds(resources)))
          continue;
        actions.push(...(await this.check({ ...resources, system })));
      } catch (e) {
        logger.warn(
          `MLOps retraining check of ${resources.entityRef} failed: ${e}`,
        );
      }
    }
    return actions;
  }

  /** One system's check; `resources.system` carries its spec. */
  async check(resources: MlopsResources): Promise<RetrainingAction[]> {
    const retraining = (
      resources.system?.spec as unknown as MlSystemSpec | undefined
    )?.spec.retraining;
    const row = await this.stateOf(resources.entityRef);
    const actions: RetrainingAction[] = [];
    const scheduled = await this.checkSchedule(resources, retraining, row);
    if (scheduled) actions.push(scheduled);
    const drifted = await this.checkDrift(resources, retraining, row);
    if (drifted) actions.push(drifted);
    return actions;
  }

  /** The system's row, created on first sight (two creators: one insert wins). */
  private async stateOf(entityRef: string): Promise<StateRow> {
    const db = this.options.database;
    await db(T_STATE)
      .insert({
        entity_ref: entityRef,
        drift_streak: 0,
        updated_at: new Date(this.now()).toISOString(),
      })
      .onConflict('entity_ref')
      .ignore();
    return db(T_STATE).where({ entity_ref: entityRef }).first();
  }

  /** Sets `changes` if the row still has `expected`; true when this call did. */
  private async compareAndSet(
    entityRef: string,
    expected: Partial<Record<keyof StateRow, unknown>>,
    changes: Partial<Record<keyof StateRow, unknown>>,
  ): Promise<boolean> {
    let q = this.options.database(T_STATE).where({ entity_ref: entityRef });
    for (const [column, value] of Object.entries(expected))
      q = whereIs(q, column, value);
    const count = await q.update({
      ...changes,
      updated_at: new Date(this.now()).toISOString(),
    });
    return count === 1;
  }

  /**
   * Cron: the first sight computes the next fire time (no run); once it is
   * past, whoever moves it on starts the run. Fires missed while no backend
   * ran become one run, not a burst.
   */
  private async checkSchedule(
    resources: MlopsResources,
    retraining: RetrainingSpec | undefined,
    row: StateRow,
  ): Promise<RetrainingAction | undefined> {
    const { entityRef } = resources;
    const cron = retraining?.schedule?.cron.trim();
    const nextAt = num(row.schedule_next_at);
    if (!cron) {
      if (row.schedule_cron !== null)
        await this.compareAndSet(
          entityRef,
          { schedule_cron: row.schedule_cron },
          { schedule_cron: null, schedule_next_at: null },
        );
      return undefined;
    }
    const now = this.now();
    let next: number;
    try {
      next = nextFire(cron, now);
    } catch (e) {
      // The spec's shape check passed but the values did not (e.g. minute 99).
      this.options.logger.warn(
        `MLOps retraining: spec.retraining.schedule.cron of ${entityRef} is not a valid cron expression: ${e}`,
      );
      return undefined;
    }
    if (row.schedule_cron !== cron || nextAt === null) {
      await this.compareAndSet(
        entityRef,
        { schedule_cron: row.schedule_cron, schedule_next_at: nextAt },
        { schedule_cron: cron, schedule_next_at: next },
      );
      return undefined;
    }
    if (now < nextAt) return undefined;
    const claimed = await this.compareAndSet(
      entityRef,
      { schedule_cron: cron, schedule_next_at: nextAt },
      { schedule_next_at: next },
    );
    if (!claimed) return undefined;
    return this.startRun(resources, retraining!, 'schedule', {
      reason: `its retraining schedule (cron "${cron}", UTC) fired at ${new Date(
        nextAt,
      ).toISOString()}`,
      token: `${cron}|${nextAt}`,
    });
  }

  /**
   * Drift: each window is judged once, after it ended, by the monitoring
   * summary's drift status; N drifted windows in a row start one run and
   * reset the count, and no second drift run starts within the cooldown.
   */
  private async checkDrift(
    resources: MlopsResources,
    retraining: RetrainingSpec | undefined,
    row: StateRow,
  ): Promise<RetrainingAction | undefined> {
    const { entityRef } = resources;
    const drift = retraining?.drift;
    const getMonitoring = this.options.engine.getMonitoring;
    if (!drift || !getMonitoring) return undefined;
    const windowMs = RETRAINING_WINDOW_MS[drift.window];
    const cooldownMs = specDurationMs(drift.cooldown) ?? windowMs;
    const now = this.now();
    const ended = Math.floor(now / windowMs) - 1;
    const sameWindow = row.drift_window === drift.window;
    const checked = sameWindow ? num(row.drift_checked_index) : null;
    if (checked !== null && ended <= checked) return undefined;

    let drifted: boolean;
    let detail = '';
    try {
      const report = await getMonitoring.call(this.options.engine, resources, {
        window: drift.window,
      });
      drifted = report.drift.status === 'drift';
      const features = report.drift.features
        .filter(f => f.status === 'drift')
        .map(f => f.feature);
      detail = features.length ? ` (${features.join(', ')})` : '';
    } catch (e) {
      // Nothing deployed yet, or monitoring unavailable: not judged; next tick tries again.
      if (!(isError(e) && e.name === 'NotFoundError'))
        this.options.logger.warn(
          `MLOps retraining: monitoring of ${entityRef} unavailable: ${e}`,
        );
      return undefined;
    }
    const previous = sameWindow ? Number(row.drift_streak) : 0;
    // A skipped window (no backend ran) breaks the run of consecutive ones.
    const continues = checked !== null && checked === ended - 1;
    let streak = 0;
    if (drifted) streak = continues ? previous + 1 : 1;
    const lastRun = num(row.drift_last_run_at);
    const fire =
      streak >= drift.consecutiveWindows &&
      (lastRun === null || now - lastRun >= cooldownMs);
    const claimed = await this.compareAndSet(
      entityRef,
      {
        drift_window: row.drift_window,
        drift_checked_index: num(row.drift_checked_index),
        drift_last_run_at: lastRun,
      },
      {
        drift_window: drift.window,
        drift_checked_index: ended,
        drift_streak: fire ? 0 : streak,
        drift_last_run_at: fire ? now : lastRun,
      },
    );
    if (!claimed || !fire) return undefined;
    return this.startRun(resources, retraining!, 'drift', {
      reason: `its inputs drifted${detail} in ${streak} consecutive ${drift.window} windows (spec: ${drift.consecutiveWindows}; cooldown ${drift.cooldown})`,
      token: `${drift.window}|${ended}`,
    });
  }

  private async startRun(
    resources: MlopsResources,
    retraining: RetrainingSpec,
    trigger: 'schedule' | 'drift',
    why: { reason: string; token: string },
  ): Promise<RetrainingAction> {
    const { auditor, engine, logger } = this.options;
    const { entityRef, pipelineName } = resources;
    // Pre-approval needs both: the team asks for it, the platform allows it.
    const autoApprove =
      (retraining.autoApprove ?? false) && this.options.allowPreApprove;
    const audit = await auditor.createEvent({
      eventId: 'pipeline-execution-start',
      severityLevel: 'medium',
      meta: {
        entityRef,
        pipelineName,
        trigger,
        actor: RETRAINING_ACTOR.ref,
        reason: why.reason,
        autoApprove,
      },
    });
    const what = trigger === 'schedule' ? 'Scheduled' : 'Drift-triggered';
    let execution: PipelineExecution;
    try {
      execution = await engine.startExecution(resources, {
        trigger,
        actor: RETRAINING_ACTOR,
        parameters: autoApprove
          ? { ModelApprovalStatus: 'Approved' }
          : undefined,
        // Engines refuse a second start with the same token.
        clientRequestToken: `${trigger}-${createHash('sha256')
          .update(`${entityRef}|${why.token}`)
          .digest('hex')
          .slice(0, 48)}`,
      });
    } catch (e) {
      const error = isError(e) ? e : new Error(String(e));
      await audit.fail({ error });
      logger.warn(
        `MLOps retraining: ${what.toLocaleLowerCase(
          'en-US',
        )} run of ${entityRef} did not start: ${error.message}`,
      );
      await this.tell(entityRef, {
        title: `${what} retraining of ${pipelineName} could not start`,
        description: `The portal tried to start a run because ${why.reason}, and the engine refused: ${error.message}`,
        severity: 'high',
        scope: `mlops:${entityRef}:retraining:${trigger}`,
      });
      return { entityRef, trigger, error: error.message };
    }
    await audit.success({ meta: { executionId: execution.executionId } });
    logger.info(
      `MLOps retraining: started ${trigger} run ${execution.executionId} of ${entityRef}`,
    );
    await this.tell(entityRef, {
      title: `${what} retraining of ${pipelineName} started`,
      description: `Run ${execution.executionId} started because ${
        why.reason
      }. ${
        autoApprove
          ? 'Its version is registered as Approved (spec autoApprove, platform pre-approval on).'
          : 'Its version will wait for an owner’s approval.'
      }`,
      severity: 'normal',
      scope: `mlops:${entityRef}:execution:${execution.executionId}`,
    });
    return { entityRef, trigger, executionId: execution.executionId };
  }

  /** Owners hear of it; a failed notification is logged, never undoes the run. */
  private async tell(entityRef: string, payload: OwnerNotification) {
    try {
      await this.options.notify(entityRef, payload);
    } catch (e) {
      this.options.logger.warn(
        `MLOps retraining: could not notify owners of ${entityRef}: ${e}`,
      );
    }
  }
}

/** The cron's next fire after `now` (epoch ms, UTC). Throws on a bad expression. */
export function nextFire(cron: string, now: number): number {
  return new CronTime(cron, 'UTC')
    .getNextDateFrom(new Date(now), 'UTC')
    .toMillis();
}
