import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EngineEventBus } from './engineEvents';
import { errorMessage } from './format';
import type { ExecutionRecord, LocalStore } from './store';
import type { StepWorker } from './workerClient';

const PROGRESS_PERSIST_MS = 250;

/** An execution this process is running. */
export interface ActiveRun {
  executionId: string;
  /** Loaded right after the run claimed its pipeline; undefined until then. */
  rec?: ExecutionRecord;
  worker?: StepWorker;
  stopRequested: boolean;
  /** Saves are chained so they land in order even on a pooled (PostgreSQL) connection. */
  saving: Promise<void>;
  progressTimer?: NodeJS.Timeout;
  done?: Promise<void>;
}

/** A run whose record is loaded (what the runner works on). */
export type LoadedRun = ActiveRun & { rec: ExecutionRecord };

const clone = (rec: ExecutionRecord): ExecutionRecord =>
  JSON.parse(JSON.stringify(rec));

/**
 * The running executions (at most one per pipeline) and how their in-memory
 * state reaches the database and the event bus.
 */
export class ActiveRuns {
  private readonly byPipeline = new Map<string, ActiveRun>();

  constructor(
    private readonly store: LocalStore,
    private readonly events: EngineEventBus,
    private readonly logger: LoggerService,
  ) {}

  /** Claims the pipeline synchronously, so concurrent triggers queue behind it. */
  claim(pipelineName: string, executionId: string): ActiveRun {
    const run: ActiveRun = {
      executionId,
      stopRequested: false,
      saving: Promise.resolve(),
    };
    this.byPipeline.set(pipelineName, run);
    return run;
  }

  release(pipelineName: string) {
    this.byPipeline.delete(pipelineName);
  }

  has(pipelineName: string): boolean {
    return this.byPipeline.has(pipelineName);
  }

  get(pipelineName: string): ActiveRun | undefined {
    return this.byPipeline.get(pipelineName);
  }

  all(): ActiveRun[] {
    return [...this.byPipeline.values()];
  }

  /** The loaded run of this execution, if it is the one running. */
  running(pipelineName: string, executionId: string): LoadedRun | undefined {
    const run = this.byPipeline.get(pipelineName);
    return run?.rec && run.executionId === executionId
      ? (run as LoadedRun)
      : undefined;
  }

  /** The freshest state of a stored execution (a running one's is in memory). */
  freshest(stored: ExecutionRecord): ExecutionRecord {
    const run = this.running(stored.pipelineName, stored.executionId);
    return run ? { ...clone(run.rec), seq: stored.seq } : stored;
  }

  /** Queues a save of the run's current state; `notify` also emits an event. */
  persist(run: LoadedRun, notify = true): Promise<void> {
    if (run.progressTimer) {
      clearTimeout(run.progressTimer);
      run.progressTimer = undefined;
    }
    const snapshot = clone(run.rec);
    run.saving = run.saving
      .then(() => this.store.saveExecution(snapshot))
      .then(() => {
        if (notify) this.events.emitExecution(snapshot);
      })
      .catch(e =>
        this.logger.error(
          `MLOps: saving execution ${
            snapshot.executionId
          } failed: ${errorMessage(e)}`,
        ),
      );
    return run.saving;
  }

  /** Progress/log changes are saved at most every PROGRESS_PERSIST_MS. */
  persistSoon(run: LoadedRun) {
    if (run.progressTimer) return;
    run.progressTimer = setTimeout(() => {
      run.progressTimer = undefined;
      void this.persist(run, false);
    }, PROGRESS_PERSIST_MS);
  }

  /** Changes an execution wherever it lives: the running copy or the stored row. */
  async update(
    executionId: string | undefined,
    mutate: (rec: ExecutionRecord) => void,
  ): Promise<void> {
    if (!executionId) return;
    const run = this.all().find(r => r.rec && r.executionId === executionId) as
      | LoadedRun
      | undefined;
    if (run) {
      mutate(run.rec);
      await this.persist(run);
      return;
    }
    const rec = await this.store.getExecution(executionId);
    if (!rec) return;
    mutate(rec);
    await this.store.saveExecution(rec);
    this.events.emitExecution(rec);
  }
}
