import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { trafficSteps } from '@mlops-portal/plugin-mlops-common';
import type {
  DeploymentStrategy,
  MlopsResources,
  Rollout,
} from '@mlops-portal/plugin-mlops-common';
import type {
  EngineActor,
  RolloutActionOptions,
} from '@mlops-portal/plugin-mlops-node';
import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import type { DataLayout } from '../dataLayout';
import type { LoadedModel, ServedModel } from '../endpoint';
import type { EndpointHost } from '../endpointHost';
import type { EngineEventBus } from '../engineEvents';
import { errorMessage, iso } from '../format';
import type { LocalStore, VersionRecord } from '../store';
import { bucketOf, readPredictionBaseline } from './predictionBaseline';
import type { PredictionBaseline } from './predictionBaseline';
import {
  countServed,
  emptyCounters,
  evaluateAlarms,
  nextStepCounters,
  variantTraffic,
} from './rolloutAlarms';
import { RolloutStore } from './rolloutStore';
import type { RolloutRecord } from './rolloutStore';
import { TrafficSplit } from './trafficSplit';

/** A rollout this process drives: its row, the loaded candidate, its timer. */
interface Driven {
  rec: RolloutRecord;
  candidate: LoadedModel;
  split: TrafficSplit;
  baseline?: PredictionBaseline;
  timer: NodeJS.Timeout;
  /** Counters changed since the row was last written. */
  dirty: boolean;
  /** Serialises this rollout's transitions (timer, owner actions, approvals). */
  chain: Promise<unknown>;
}

export interface RolloutManagerOptions {
  /** How often each active rollout checks its alarms and clock (ms). */
  tickMs?: number;
  /** A completed rollout's version went live (the run's Deploy stage records it). */
  onLive?: (resources: MlopsResources, v: VersionRecord) => Promise<void>;
}

const ENDED = new Set(['Completed', 'RolledBack', 'Failed']);

/**
 * Canary and linear rollouts on the local endpoint host: starts one beside
 * the serving version, moves it through `trafficSteps`, judges its alarms
 * on the candidate's own traffic since the step started, and completes or
 * rolls back by itself; owners pause, resume, roll back or promote. Every
 * transition is written to the rollouts table first, so a restart resumes
 * or rolls back from what is stored.
 */
export class RolloutManager {
  private readonly driven = new Map<string, Driven>();
  private readonly rollouts: RolloutStore;
  private readonly tickMs: number;
  private readonly onLive?: RolloutManagerOptions['onLive'];
  private closed = false;

  constructor(
    private readonly store: LocalStore,
    private readonly layout: DataLayout,
    private readonly host: EndpointHost,
    private readonly events: EngineEventBus,
    private readonly logger: LoggerService,
    options: RolloutManagerOptions = {},
  ) {
    this.rollouts = new RolloutStore(store.db);
    this.tickMs = options.tickMs ?? 250;
    this.onLive = options.onLive;
  }

  /** The endpoint's rollout in progress or paused (this process drives every active one). */
  activeOn(endpointName: string): RolloutRecord | undefined {
    return this.driven.get(endpointName)?.rec;
  }

  /** The rollout in progress or paused, else the latest, as the API shows it. */
  async latest(endpointName: string): Promise<Rollout | undefined> {
    const d = this.driven.get(endpointName);
    if (d) return this.toRollout(d.rec);
    const rec = await this.rollouts.latest(endpointName);
    return rec && this.toRollout(rec);
  }

  /**
   * Starts rolling `v` out beside the endpoint's current version. The
   * candidate is loaded first: a version that cannot load starts nothing
   * (and `alsoInTransaction`, the approval, is not written).
   */
  async start(
    resources: MlopsResources,
    v: VersionRecord,
    strategy: DeploymentStrategy,
    actor: EngineActor,
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ): Promise<Rollout> {
    const { endpointName } = resources;
    const current = this.host.loaded(endpointName);
    if (!current) {
      throw new ConflictError(
        `endpoint ${endpointName} serves nothing to roll out beside`,
      );
    }
    this.assertIdle(endpointName);
    const model = await this.host.loadModel(v);
    const now = Date.now();
    const rec: RolloutRecord = {
      rolloutId: randomUUID(),
      endpointName,
      groupName: v.modelPackageGroupName,
      resources,
      fromVersion: current.version,
      toVersion: v.version,
      strategy,
      status: 'InProgress',
      step: 1,
      stepStartedMs: now,
      startedAt: new Date(now).toISOString(),
      startedBy: actor.ref,
      updatedAt: new Date(now).toISOString(),
      alarms: [],
      counters: emptyCounters(),
    };
    rec.alarms = evaluateAlarms(
      strategy.autoRollback,
      rec.counters,
      undefined,
    ).alarms;
    // Checked again: another approval may have started one while loading.
    this.assertIdle(endpointName);
    await this.store.db.transaction(async trx => {
      if (alsoInTransaction) await alsoInTransaction(trx);
      await this.rollouts.insert(rec, trx);
    });
    await this.drive(rec, v, model);
    const rollout = this.toRollout(rec);
    this.emit(rec, actor);
    return rollout;
  }

  /** An owner's action on the endpoint's active rollout. */
  async control(
    resources: MlopsResources,
    options: RolloutActionOptions,
  ): Promise<Rollout> {
    const d = this.driven.get(resources.endpointName);
    if (!d) {
      throw new ConflictError(
        `endpoint ${resources.endpointName} has no rollout in progress or paused`,
      );
    }
    return this.exclusive(d, async () => {
      const { rec } = d;
      if (ENDED.has(rec.status)) {
        throw new ConflictError(`rollout ${rec.rolloutId} is ${rec.status}`);
      }
      const by = options.actor.ref;
      switch (options.action) {
        case 'pause':
          if (rec.status !== 'InProgress')
            throw new ConflictError(
              `rollout ${rec.rolloutId} is ${rec.status}; only InProgress can be paused`,
            );
          rec.status = 'Paused';
          rec.pausedElapsedMs = Date.now() - rec.stepStartedMs;
          await this.save(d);
          break;
        case 'resume':
          if (rec.status !== 'Paused')
            throw new ConflictError(
              `rollout ${rec.rolloutId} is ${rec.status}; only Paused can be resumed`,
            );
          rec.status = 'InProgress';
          rec.stepStartedMs = Date.now() - (rec.pausedElapsedMs ?? 0);
          rec.pausedElapsedMs = undefined;
          await this.save(d);
          break;
        case 'rollback':
          await this.rollBack(
            d,
            `rolled back by ${by}${
              options.comment ? `: ${options.comment}` : ''
            }`,
            by,
          );
          break;
        case 'promote':
          await this.complete(d, by);
          break;
        default:
          throw new ConflictError(
            `unknown rollout action ${String(options.action)}`,
          );
      }
      this.emit(rec, options.actor);
      return this.toRollout(rec);
    });
  }

  /**
   * Rolls the endpoint's active rollout back (its candidate was rejected);
   * `alsoInTransaction` commits with the rollback's rows.
   */
  async rollBackFor(
    endpointName: string,
    reason: string,
    actor: EngineActor,
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ): Promise<void> {
    const d = this.driven.get(endpointName);
    if (!d)
      throw new ConflictError(`endpoint ${endpointName} has no active rollout`);
    return this.exclusive(d, async () => {
      await this.rollBack(d, reason, actor.ref, alsoInTransaction);
      this.emit(d.rec, actor);
    });
  }

  /**
   * After a restart (the host has loaded current versions): each active
   * rollout resumes when both its versions load and the serving one is the
   * rollout's `fromVersion`; otherwise it is rolled back (or, with no
   * serving version to go back to, Failed), never left half-known.
   */
  async resumeAll(): Promise<void> {
    for (const rec of await this.rollouts.allActive()) {
      const current = this.host.loaded(rec.endpointName);
      const restarted = (why: string) => `restarted mid-rollout: ${why}`;
      if (!current || current.version !== rec.fromVersion) {
        rec.status = 'Failed';
        rec.reason = restarted(
          `the serving version ${
            rec.fromVersion
          } could not be loaded, so the endpoint serves ${
            current ? `version ${current.version}` : 'nothing'
          }`,
        );
        rec.endedAt = rec.updatedAt = iso();
        await this.rollouts.save(rec);
        this.logger.error(`MLOps rollout ${rec.rolloutId}: ${rec.reason}`);
        this.emit(rec);
        continue;
      }
      const v = await this.store.getVersion(rec.groupName, rec.toVersion);
      let model: ServedModel | undefined;
      let why = v
        ? undefined
        : `version ${rec.toVersion} is no longer registered`;
      if (v) {
        try {
          model = await this.host.loadModel(v);
        } catch (e) {
          why = errorMessage(e);
        }
      }
      if (!v || !model) {
        await this.rollBackRecord(rec, restarted(why!), 'mlops:restart');
        this.logger.warn(`MLOps rollout ${rec.rolloutId}: ${rec.reason}`);
        this.emit(rec);
        continue;
      }
      await this.drive(rec, v, model);
      this.logger.info(
        `MLOps rollout ${rec.rolloutId} of version ${rec.toVersion} on ${rec.endpointName} resumed at step ${rec.step} (${rec.status})`,
      );
    }
  }

  /** Stops the timers; counters are written so a restart continues from them. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.driven.values()];
    for (const d of all) clearInterval(d.timer);
    await Promise.all(
      all.map(d =>
        d.chain.then(() => (d.dirty ? this.rollouts.save(d.rec) : undefined)),
      ),
    );
    this.driven.clear();
  }

  /** The API's view of a rollout. */
  toRollout(rec: RolloutRecord): Rollout {
    const steps = trafficSteps(rec.strategy);
    const percent = this.percentOf(rec, steps);
    let nextStepAt: string | undefined;
    if (rec.status === 'InProgress') {
      nextStepAt = new Date(
        rec.stepStartedMs + this.waitMs(rec, steps),
      ).toISOString();
    }
    return {
      rolloutId: rec.rolloutId,
      endpointName: rec.endpointName,
      strategy: rec.strategy,
      fromVersion: rec.fromVersion,
      toVersion: rec.toVersion,
      status: rec.status,
      trafficPercent: percent,
      step: rec.step,
      totalSteps: steps.length,
      ...(nextStepAt ? { nextStepAt } : {}),
      startedAt: rec.startedAt,
      startedBy: rec.startedBy,
      updatedAt: rec.updatedAt,
      endedAt: rec.endedAt,
      alarms: rec.alarms,
      reason: rec.reason,
      variants: variantTraffic(
        rec.counters,
        { current: rec.fromVersion, candidate: rec.toVersion },
        percent,
      ),
    };
  }

  // --- internals --------------------------------------------------------------

  private assertIdle(endpointName: string) {
    const active = this.driven.get(endpointName)?.rec;
    if (active) {
      throw new ConflictError(
        `rollout ${active.rolloutId} of version ${active.toVersion} is ${active.status} on endpoint ${endpointName}; promote or roll it back first`,
      );
    }
  }

  private percentOf(rec: RolloutRecord, steps = trafficSteps(rec.strategy)) {
    if (rec.status === 'Completed') return 100;
    if (ENDED.has(rec.status)) return 0;
    return steps[Math.min(rec.step, steps.length) - 1];
  }

  /** The bake of the current step; the last one adds the termination wait. */
  private waitMs(rec: RolloutRecord, steps = trafficSteps(rec.strategy)) {
    const bake = rec.strategy.trafficRouting.waitIntervalInSeconds * 1000;
    return rec.step >= steps.length
      ? bake + (rec.strategy.terminationWaitInSeconds ?? 0) * 1000
      : bake;
  }

  /** Serves the candidate beside the current version and starts its timer. */
  private async drive(
    rec: RolloutRecord,
    v: VersionRecord,
    model: ServedModel,
  ) {
    const baseline = await readPredictionBaseline(
      this.layout.modelPackageDir(v.modelPackageGroupName, v.version),
    );
    const candidate: LoadedModel = {
      deploymentId: rec.rolloutId,
      modelPackageGroupName: v.modelPackageGroupName,
      version: v.version,
      modelPackageArn: v.modelPackageArn,
      model,
    };
    const split = new TrafficSplit(this.percentOf(rec));
    const d: Driven = {
      rec,
      candidate,
      split,
      baseline,
      dirty: false,
      chain: Promise.resolve(),
      timer: setInterval(() => {
        void this.exclusive(d, () => this.tick(d)).catch(e =>
          this.logger.error(
            `MLOps rollout ${rec.rolloutId}: ${errorMessage(e)}`,
          ),
        );
      }, this.tickMs),
    };
    d.timer.unref();
    this.driven.set(rec.endpointName, d);
    this.host.setCandidate(rec.endpointName, {
      model: candidate,
      split,
      observe: (role, outcome) => {
        countServed(d.rec.counters, role, {
          status: outcome.status,
          latencyMs: outcome.latencyMs,
          buckets:
            role === 'candidate' && d.baseline && outcome.predictions
              ? outcome.predictions.map(p => bucketOf(d.baseline!, p))
              : undefined,
        });
        d.dirty = true;
      },
    });
  }

  /** Alarms first (also while paused), then the time limit, then the clock. */
  private async tick(d: Driven) {
    const { rec } = d;
    if (this.closed || ENDED.has(rec.status)) return;
    const judged = evaluateAlarms(
      rec.strategy.autoRollback,
      rec.counters,
      d.baseline,
    );
    const changed =
      JSON.stringify(judged.alarms) !== JSON.stringify(rec.alarms);
    rec.alarms = judged.alarms;
    if (judged.breach) {
      await this.rollBack(d, judged.breach, undefined);
      this.emit(rec);
      return;
    }
    const limit = rec.strategy.maximumExecutionTimeoutInSeconds;
    if (limit && Date.now() - Date.parse(rec.startedAt) > limit * 1000) {
      await this.rollBack(
        d,
        `maximumExecutionTimeoutInSeconds ${limit} exceeded`,
        undefined,
      );
      this.emit(rec);
      return;
    }
    if (rec.status === 'InProgress') {
      const steps = trafficSteps(rec.strategy);
      if (Date.now() - rec.stepStartedMs >= this.waitMs(rec, steps)) {
        if (rec.step >= steps.length) {
          await this.complete(d, undefined);
        } else {
          rec.step++;
          rec.stepStartedMs = Date.now();
          rec.counters = nextStepCounters(rec.counters);
          rec.alarms = evaluateAlarms(
            rec.strategy.autoRollback,
            rec.counters,
            d.baseline,
          ).alarms;
          d.split.setPercent(this.percentOf(rec, steps));
          await this.save(d);
        }
        this.emit(rec);
        return;
      }
    }
    if (changed || d.dirty) await this.save(d);
  }

  /** All traffic to the candidate; it becomes the current deployment. */
  private async complete(d: Driven, by: string | undefined) {
    const { rec } = d;
    const v = await this.store.getVersion(rec.groupName, rec.toVersion);
    if (!v) {
      await this.rollBack(
        d,
        `version ${rec.toVersion} is no longer registered`,
        by,
      );
      return;
    }
    rec.status = 'Completed';
    rec.endedAt = rec.updatedAt = iso();
    rec.pausedElapsedMs = undefined;
    await this.host.deploy(
      rec.endpointName,
      v,
      by ?? rec.startedBy ?? 'mlops:rollout',
      'approval',
      trx => this.rollouts.save(rec, trx),
      { model: d.candidate.model, rolloutId: rec.rolloutId },
    );
    this.release(d);
    this.events.emit({
      type: 'deployment',
      resources: rec.resources,
      version: v.version,
    });
    await this.onLive?.(rec.resources, v).catch(e =>
      this.logger.warn(
        `MLOps rollout ${
          rec.rolloutId
        }: recording the deploy failed: ${errorMessage(e)}`,
      ),
    );
  }

  private async rollBack(
    d: Driven,
    reason: string,
    by: string | undefined,
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ) {
    // Traffic leaves the candidate before anything is written.
    this.release(d);
    await this.rollBackRecord(d.rec, reason, by, alsoInTransaction);
  }

  /**
   * Marks the rollout RolledBack and writes a deployment row for the
   * serving version carrying the reason (the version keeps serving).
   */
  private async rollBackRecord(
    rec: RolloutRecord,
    reason: string,
    by: string | undefined,
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ) {
    rec.status = 'RolledBack';
    rec.reason = reason;
    rec.endedAt = rec.updatedAt = iso();
    rec.pausedElapsedMs = undefined;
    const current = this.host.loaded(rec.endpointName);
    const from =
      rec.fromVersion !== undefined
        ? await this.store.getVersion(rec.groupName, rec.fromVersion)
        : undefined;
    const write = async (trx: Knex.Transaction) => {
      if (alsoInTransaction) await alsoInTransaction(trx);
      await this.rollouts.save(rec, trx);
    };
    if (current && from && current.version === from.version) {
      await this.host.deploy(
        rec.endpointName,
        from,
        by ?? 'mlops:rollout',
        'rollback',
        write,
        {
          model: current.model,
          rolloutId: rec.rolloutId,
          rollbackReason: reason,
        },
      );
    } else {
      await this.store.db.transaction(write);
    }
  }

  /** The candidate is unloaded and the timer stops. */
  private release(d: Driven) {
    clearInterval(d.timer);
    this.host.dropCandidate(d.rec.endpointName);
    if (this.driven.get(d.rec.endpointName) === d) {
      this.driven.delete(d.rec.endpointName);
    }
  }

  private async save(d: Driven) {
    d.rec.updatedAt = iso();
    d.dirty = false;
    await this.rollouts.save(d.rec);
  }

  private exclusive<T>(d: Driven, fn: () => Promise<T>): Promise<T> {
    const next = d.chain.catch(() => undefined).then(fn);
    d.chain = next.catch(() => undefined);
    return next;
  }

  private emit(rec: RolloutRecord, actor?: EngineActor) {
    this.events.emit({
      type: 'rollout',
      resources: rec.resources,
      rollout: this.toRollout(rec),
      ...(actor ? { actor } : {}),
    });
  }
}
