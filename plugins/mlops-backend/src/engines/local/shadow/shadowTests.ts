import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  MlopsResources,
  ModelTask,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type {
  EngineActor,
  StartShadowTestOptions,
} from '@mlops-portal/plugin-mlops-node';
import { randomUUID } from 'crypto';
import type { DataLayout } from '../dataLayout';
import { ServedModel, loadServedModel } from '../endpoint';
import type { EngineEventBus } from '../engineEvents';
import { errorMessage, iso } from '../format';
import type { Invocation } from '../monitoring/captureRecorder';
import type { DeployedVersion } from '../monitoring/localMonitoring';
import type { VersionRecord } from '../store';
import {
  ShadowStats,
  emptyStats,
  recordComparison,
  recordServingError,
  takeSample,
  toComparison,
} from './shadowStats';
import { ShadowStore, ShadowTestRecord } from './shadowStore';

export interface ShadowTestsOptions {
  store: ShadowStore;
  layout: DataLayout;
  events: EngineEventBus;
  logger: LoggerService;
  /** A registered version of a model package group. */
  getVersion(
    group: string,
    version: number,
  ): Promise<VersionRecord | undefined>;
  /**
   * Why the endpoint cannot take a shadow test now (e.g. a rollout is in
   * progress), else undefined; the start is refused with that reason.
   */
  blockedBy?(endpointName: string): string | undefined;
  /** Loads a model package directory (default: the endpoint's own loader). */
  loadModel?: (dir: string) => Promise<ServedModel>;
  /** How often running tests' numbers are written (default 10 s). */
  persistIntervalMs?: number;
  /** Copies waiting for the candidate at most; more are dropped, not queued (default 256). */
  maxPending?: number;
}

interface ActiveTest {
  rec: ShadowTestRecord;
  model: ServedModel;
  task: ModelTask;
  dirty: boolean;
  ended: boolean;
}

/**
 * Shadow tests of the local endpoints (SageMaker `ShadowProductionVariants`):
 * a candidate version gets a deterministic share of an endpoint's answered
 * requests after they were answered, and its predictions and latency are
 * compared with the serving version's. The serving path only calls
 * `observe` (O(1), never throws); the candidate runs later on the event
 * loop, so clients never wait for it or see its failures.
 */
export class ShadowTests {
  private readonly active = new Map<string, ActiveTest>();
  /** Endpoints whose start is in flight (a second start is refused at once). */
  private readonly starting = new Set<string>();
  private pending = 0;
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private readonly loadModel: (dir: string) => Promise<ServedModel>;
  private readonly maxPending: number;
  private unsubscribe?: () => void;
  private current: (endpointName: string) => DeployedVersion | undefined = () =>
    undefined;

  constructor(private readonly options: ShadowTestsOptions) {
    this.loadModel = options.loadModel ?? loadServedModel;
    this.maxPending = options.maxPending ?? 256;
  }

  /**
   * Resumes tests left running by the last process (after the endpoints'
   * deployments are loaded), starts the periodic save, and follows
   * deployments: the candidate deployed ends the test `Promoted`, any other
   * change of the serving version ends it `Stopped`. `current` tells what
   * an endpoint serves now (the endpoint host's view).
   */
  async start(
    current: (endpointName: string) => DeployedVersion | undefined,
  ): Promise<void> {
    this.current = current;
    for (const rec of await this.options.store.running()) {
      await this.resume(rec);
    }
    this.unsubscribe = this.options.events.subscribe(e => {
      if (e.type === 'deployment' || e.type === 'rollout') {
        void this.reconcile(e.resources.endpointName).catch(err =>
          this.options.logger.warn(
            `MLOps shadow test of ${e.resources.endpointName}: ${errorMessage(
              err,
            )}`,
          ),
        );
      }
    });
    const interval = this.options.persistIntervalMs ?? 10_000;
    this.timer = setInterval(() => void this.saveDirty(), interval);
    this.timer.unref?.();
  }

  private async resume(rec: ShadowTestRecord) {
    const cur = this.current(rec.endpointName);
    const serves = (v: number) =>
      !!cur &&
      cur.modelPackageGroupName === rec.modelPackageGroupName &&
      cur.version === v;
    if (serves(rec.candidateVersion)) {
      await this.finish(rec, 'Promoted');
      return;
    }
    if (!serves(rec.servingVersion)) {
      await this.finish(
        rec,
        'Stopped',
        cur
          ? `the endpoint served version ${cur.version} instead of ${rec.servingVersion} after a restart`
          : `the endpoint served no model after a restart`,
      );
      return;
    }
    let model: ServedModel;
    try {
      model = await this.load(rec.modelPackageGroupName, rec.candidateVersion);
    } catch (e) {
      await this.finish(
        rec,
        'Stopped',
        `candidate version ${
          rec.candidateVersion
        } could not be loaded after a restart: ${errorMessage(e)}`,
      );
      return;
    }
    this.active.set(rec.endpointName, {
      rec,
      model,
      task: cur!.signature?.outputs.task ?? model.signature.outputs.task,
      dirty: false,
      ended: false,
    });
    this.options.logger.info(
      `MLOps shadow test ${rec.shadowTestId} of ${rec.endpointName} resumed (candidate version ${rec.candidateVersion})`,
    );
  }

  private load(group: string, version: number) {
    return this.loadModel(this.options.layout.modelPackageDir(group, version));
  }

  async startTest(
    resources: MlopsResources,
    options: StartShadowTestOptions,
  ): Promise<ShadowTest> {
    const { endpointName, modelPackageGroupName: group } = resources;
    const { modelVersion, samplePercent } = options;
    if (
      !Number.isInteger(samplePercent) ||
      samplePercent < 1 ||
      samplePercent > 100
    ) {
      throw new InputError(
        'samplePercent must be a whole number from 1 to 100',
      );
    }
    if (!Number.isInteger(modelVersion) || modelVersion < 1) {
      throw new InputError('modelVersion must be a positive whole number');
    }
    const running = this.active.get(endpointName);
    if (running || this.starting.has(endpointName)) {
      throw new ConflictError(
        `a shadow test${
          running ? ` of version ${running.rec.candidateVersion}` : ''
        } already runs on endpoint ${endpointName}; stop it first`,
      );
    }
    this.starting.add(endpointName);
    try {
      const blocked = this.options.blockedBy?.(endpointName);
      if (blocked) {
        throw new ConflictError(
          `endpoint ${endpointName} cannot start a shadow test now: ${blocked}`,
        );
      }
      const cur = this.current(endpointName);
      if (!cur || cur.modelPackageGroupName !== group) {
        throw new ConflictError(
          `endpoint ${endpointName} serves no version of ${group}; deploy one before shadow testing another`,
        );
      }
      const v = await this.options.getVersion(group, modelVersion);
      if (!v) {
        throw new NotFoundError(
          `version ${modelVersion} of model package group ${group} not found`,
        );
      }
      if (modelVersion === cur.version) {
        throw new ConflictError(
          `version ${modelVersion} is the version endpoint ${endpointName} serves; shadow test another one`,
        );
      }
      let model: ServedModel;
      try {
        model = await this.load(group, modelVersion);
      } catch (e) {
        throw new ConflictError(
          `cannot load the artifacts of version ${modelVersion}: ${errorMessage(
            e,
          )}`,
        );
      }
      const task = cur.signature?.outputs.task ?? model.signature.outputs.task;
      if (model.signature.outputs.task !== task) {
        throw new ConflictError(
          `version ${modelVersion} is a ${model.signature.outputs.task} model but version ${cur.version} is ${task}; their predictions cannot be compared`,
        );
      }
      const rec: ShadowTestRecord = {
        shadowTestId: randomUUID(),
        endpointName,
        modelPackageGroupName: group,
        servingVersion: cur.version,
        candidateVersion: modelVersion,
        status: 'Running',
        samplePercent,
        resources,
        startedAt: iso(),
        startedBy: options.actor.ref,
        stats: emptyStats(),
      };
      await this.options.store.insert(rec);
      this.active.set(endpointName, {
        rec,
        model,
        task,
        dirty: false,
        ended: false,
      });
      const out = this.toPublic(rec, task);
      this.emit(rec, out, options.actor);
      return out;
    } finally {
      this.starting.delete(endpointName);
    }
  }

  async stopTest(
    resources: MlopsResources,
    options: { actor: EngineActor },
  ): Promise<ShadowTest> {
    const a = this.active.get(resources.endpointName);
    if (!a) {
      throw new ConflictError(
        `no shadow test runs on endpoint ${resources.endpointName}`,
      );
    }
    return this.end(a, 'Stopped', undefined, options.actor);
  }

  /** The endpoint's running test (live numbers), else its most recent one. */
  async latest(endpointName: string): Promise<ShadowTest | undefined> {
    const a = this.active.get(endpointName);
    if (a) return this.toPublic(a.rec, a.task);
    const rec = await this.options.store.latest(endpointName);
    if (!rec) return undefined;
    const task =
      this.current(endpointName)?.signature?.outputs.task ??
      (
        await this.options.getVersion(
          rec.modelPackageGroupName,
          rec.candidateVersion,
        )
      )?.task ??
      'regression';
    return this.toPublic(rec, task);
  }

  /**
   * The serving path's hook, called once per answered request. Decides
   * whether to copy it and queues the copy; never throws, never waits.
   */
  observe(inv: Invocation): void {
    try {
      const a = this.active.get(inv.endpointName);
      if (!a || a.ended || inv.modelVersion !== a.rec.servingVersion) return;
      // A refused request (bad input) is the client's error, not traffic to compare.
      if (inv.status >= 400 && inv.status < 500) return;
      if (!takeSample(a.rec.stats, a.rec.samplePercent)) return;
      a.dirty = true;
      if (inv.status >= 500 || !inv.instances || !inv.predictions) {
        recordServingError(a.rec.stats, inv.latencyMs);
        return;
      }
      if (this.pending >= this.maxPending) {
        a.rec.stats.dropped += 1;
        return;
      }
      const { instances, predictions, latencyMs } = inv;
      this.pending += 1;
      setImmediate(() => {
        this.pending -= 1;
        if (a.ended) return;
        const t0 = process.hrtime.bigint();
        let candidate;
        try {
          candidate = a.model.predict(instances).predictions;
        } catch {
          candidate = undefined; // counted as a candidate error below
        }
        recordComparison(
          a.rec.stats,
          a.task,
          { predictions, latencyMs },
          {
            predictions: candidate,
            latencyMs: Number(process.hrtime.bigint() - t0) / 1e6,
          },
        );
      });
    } catch (e) {
      this.options.logger.warn(
        `MLOps shadow copy on ${inv.endpointName} failed: ${errorMessage(e)}`,
      );
    }
  }

  /** After a deployment change: promoted or stopped when the serving version moved. */
  private async reconcile(endpointName: string) {
    const a = this.active.get(endpointName);
    if (!a || a.ended) return;
    const cur = this.current(endpointName);
    const same = cur?.modelPackageGroupName === a.rec.modelPackageGroupName;
    if (same && cur!.version === a.rec.servingVersion) return;
    if (same && cur!.version === a.rec.candidateVersion) {
      await this.end(a, 'Promoted');
      return;
    }
    await this.end(
      a,
      'Stopped',
      cur
        ? `the endpoint now serves version ${cur.version}`
        : 'the endpoint no longer serves a model',
    );
  }

  private async end(
    a: ActiveTest,
    status: 'Stopped' | 'Promoted',
    reason?: string,
    actor?: EngineActor,
  ): Promise<ShadowTest> {
    a.ended = true;
    this.active.delete(a.rec.endpointName);
    return this.finish(a.rec, status, reason, actor, a.task);
  }

  private async finish(
    rec: ShadowTestRecord,
    status: 'Stopped' | 'Promoted',
    reason?: string,
    actor?: EngineActor,
    task?: ModelTask,
  ): Promise<ShadowTest> {
    rec.status = status;
    rec.endedAt = iso();
    if (reason) rec.reason = reason;
    await this.options.store.end(rec);
    const t =
      task ??
      (
        await this.options.getVersion(
          rec.modelPackageGroupName,
          rec.candidateVersion,
        )
      )?.task ??
      'regression';
    const out = this.toPublic(rec, t);
    this.emit(rec, out, actor);
    if (reason) {
      this.options.logger.info(
        `MLOps shadow test ${rec.shadowTestId} of ${rec.endpointName} ${status}: ${reason}`,
      );
    }
    return out;
  }

  private emit(
    rec: ShadowTestRecord,
    shadowTest: ShadowTest,
    actor?: EngineActor,
  ) {
    this.options.events.emit({
      type: 'shadow-test',
      resources: rec.resources,
      shadowTest,
      ...(actor ? { actor } : {}),
    });
  }

  private toPublic(rec: ShadowTestRecord, task: ModelTask): ShadowTest {
    const { modelPackageGroupName, resources, stats, ...pub } = rec;
    return {
      ...pub,
      comparison: toComparison(
        stats,
        task,
        rec.servingVersion,
        rec.candidateVersion,
      ),
    };
  }

  /** Writes the numbers of running tests that changed (one save at a time). */
  saveDirty(): Promise<void> {
    this.saving = this.saving.then(async () => {
      for (const a of [...this.active.values()]) {
        if (!a.dirty || a.ended) continue;
        a.dirty = false;
        const snapshot: ShadowStats = JSON.parse(JSON.stringify(a.rec.stats));
        try {
          await this.options.store.saveStats(a.rec.shadowTestId, snapshot);
        } catch (e) {
          a.dirty = true;
          this.options.logger.warn(
            `MLOps shadow test ${
              a.rec.shadowTestId
            }: saving its numbers failed: ${errorMessage(e)}`,
          );
        }
      }
    });
    return this.saving;
  }

  /** Writes the numbers and leaves running tests Running, to resume at the next start. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    // Copies already queued finish first, so their numbers are kept.
    await new Promise(r => setImmediate(r));
    await this.saveDirty();
    for (const a of this.active.values()) a.ended = true;
    this.active.clear();
  }
}
