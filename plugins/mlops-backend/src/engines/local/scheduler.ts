import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type {
  DataManifest,
  ExecutionTrigger,
  MlopsResources,
  ParameterValues,
  QualityGate,
} from '@mlops-portal/plugin-mlops-common';
import type { EngineActor } from '@mlops-portal/plugin-mlops-node';
import type { ActiveRuns, LoadedRun } from './activeRuns';
import type { EngineEventBus } from './engineEvents';
import { errorMessage, iso, newExecutionId } from './format';
import { initialRelease, initialSteps } from './pipeline';
import { markFailed } from './pipelineRunner';
import { stageOf } from './releaseStages';
import type { ExecutionRecord, LocalStore } from './store';

export interface ExecutionRequest {
  trigger: ExecutionTrigger;
  actor: EngineActor;
  parameters: ParameterValues;
  manifest?: DataManifest;
  /** The spec's quality gate the run is judged by (recorded on its Check step). */
  gate: QualityGate;
  /** sha256 of the spec the run runs by. */
  specHash?: string;
  displayName?: string;
  retryOf?: string;
  clientRequestToken?: string;
}

/**
 * FIFO queue per pipeline, one execution per pipeline at a time. A trigger
 * for a busy pipeline is queued (its row says so in the Source stage); a
 * queued execution shows Executing with no step started (SageMaker has no
 * "queued" status) and survives a restart. Idempotency: one execution per
 * client request token.
 */
export class Scheduler {
  private readonly queues = new Map<string, string[]>();
  private closing = false;

  constructor(
    private readonly store: LocalStore,
    private readonly runs: ActiveRuns,
    private readonly events: EngineEventBus,
    private readonly logger: LoggerService,
    private readonly execute: (run: LoadedRun) => Promise<void>,
  ) {}

  /** The execution an earlier request with this token created, if any. */
  findByToken(pipelineName: string, token: string | undefined) {
    return token
      ? this.store.findExecutionByToken(pipelineName, token)
      : Promise.resolve(undefined);
  }

  /** Inserts a new execution and starts it, or queues it behind the running one. */
  async enqueue(
    resources: MlopsResources,
    o: ExecutionRequest,
  ): Promise<ExecutionRecord> {
    if (this.closing)
      throw new ServiceUnavailableError('the MLOps engine is shutting down');
    const rec: ExecutionRecord = {
      executionId: newExecutionId(),
      pipelineName: resources.pipelineName,
      displayName: o.displayName,
      status: 'Executing',
      trigger: o.trigger,
      triggeredBy: o.actor.ref,
      retryOf: o.retryOf,
      parameters: o.parameters,
      dataManifest: o.manifest,
      createdAt: iso(),
      release: initialRelease(),
      steps: initialSteps(o.gate),
      specHash: o.specHash,
      resources,
      clientRequestToken: o.clientRequestToken,
    };
    const running = this.runs.get(resources.pipelineName);
    if (running) {
      // Said before the insert: once queued, only the runner writes the row.
      stageOf(
        rec,
        'Source',
      ).summary = `queued behind execution ${running.executionId}`;
    }
    let saved: ExecutionRecord;
    try {
      saved = await this.store.insertExecution(rec);
    } catch (e) {
      // Two requests with one idempotency token: the loser returns the winner's execution.
      const existing = await this.findByToken(
        resources.pipelineName,
        o.clientRequestToken,
      );
      if (existing) return existing;
      throw e;
    }
    this.queueOf(resources.pipelineName).push(saved.executionId);
    this.events.emitExecution(saved);
    this.pump(resources.pipelineName);
    return saved;
  }

  /** Puts an execution found queued in the database back in line (start-up). */
  requeue(pipelineName: string, executionId: string) {
    this.queueOf(pipelineName).push(executionId);
  }

  /** Starts every pipeline's next execution (after start-up recovery). */
  start() {
    for (const pipelineName of this.queues.keys()) this.pump(pipelineName);
  }

  /** Removes a queued execution and marks it Stopped; false if it is not queued. */
  async stopQueued(rec: ExecutionRecord): Promise<boolean> {
    const queue = this.queues.get(rec.pipelineName) ?? [];
    const idx = queue.indexOf(rec.executionId);
    if (idx < 0) return false;
    queue.splice(idx, 1);
    rec.status = 'Stopped';
    rec.endTime = iso();
    stageOf(rec, 'Source').summary = 'stopped while queued';
    await this.store.saveExecution(rec);
    this.events.emitExecution(rec);
    return true;
  }

  private queueOf(pipelineName: string) {
    let q = this.queues.get(pipelineName);
    if (!q) {
      q = [];
      this.queues.set(pipelineName, q);
    }
    return q;
  }

  /** Starts the next queued execution of a pipeline if none is running. */
  private pump(pipelineName: string) {
    if (this.closing || this.runs.has(pipelineName)) return;
    const next = this.queues.get(pipelineName)?.shift();
    if (!next) return;
    const run = this.runs.claim(pipelineName, next);
    run.done = (async () => {
      try {
        const rec = await this.store.getExecution(next);
        if (!rec || rec.status !== 'Executing') return;
        run.rec = rec;
        await this.execute(run as LoadedRun);
      } catch (e) {
        this.logger.error(
          `MLOps execution ${next} crashed: ${errorMessage(e)}`,
        );
        await this.markCrashed(next, run.rec, e);
      } finally {
        this.runs.release(pipelineName);
        this.pump(pipelineName);
      }
    })();
  }

  /**
   * The runner threw past its own error handling (e.g. a store write failed):
   * the run ends Failed with the reason now, not Executing until a restart's
   * recovery. If even that write fails, recovery is what is left (logged).
   */
  private async markCrashed(
    executionId: string,
    loaded: ExecutionRecord | undefined,
    e: unknown,
  ) {
    try {
      const rec = loaded ?? (await this.store.getExecution(executionId));
      if (!rec || rec.status !== 'Executing') return;
      // the stage that was running when it crashed
      const where =
        rec.release?.find(s => s.status === 'InProgress')?.name ?? 'Source';
      markFailed(rec, where, new Error(`crashed: ${errorMessage(e)}`), {
        stopRequested: false,
        closing: false,
      });
      await this.store.saveExecution(rec);
      this.events.emitExecution(rec);
    } catch (saveError) {
      this.logger.error(
        `MLOps execution ${executionId} could not be marked Failed (${errorMessage(
          saveError,
        )}); start-up recovery will mark it interrupted`,
      );
    }
  }

  /** No new executions start; running ones are left to the caller to end. */
  close() {
    this.closing = true;
  }

  /** Resolves when no execution is running or queued (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const runs = this.runs.all();
      if (runs.length === 0) return;
      await Promise.all(runs.map(r => r.done));
    }
  }
}
