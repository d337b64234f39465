import type { StepWorker } from './workerClient';

/** What the pool needs of a worker (StepWorker; a stand-in in unit tests). */
export interface PoolableWorker {
  readonly reusable: boolean;
  warm(): this;
  dispose(): void;
}

/**
 * Keeps one pre-started child for the next execution: starting Node with the
 * TS loader takes ~0.5-2 s, which would otherwise sit between upload and
 * model. A healthy child goes back to the spare slot after a run.
 */
export class WorkerPool<W extends PoolableWorker = StepWorker> {
  private spare?: W;
  private closed = false;

  constructor(private readonly create: () => W) {}

  /** The spare child if there is one, else a new (cold) one. */
  take(): W {
    const worker = this.spare ?? this.create();
    this.spare = undefined;
    return worker;
  }

  /** Keeps a reusable worker as the spare; ends any other. */
  release(worker: W | undefined) {
    if (!worker) return;
    if (!this.closed && !this.spare && worker.reusable) {
      this.spare = worker;
    } else {
      worker.dispose();
    }
  }

  /** Starts a spare child unless one is ready (after a run killed its own). */
  ensureSpare() {
    if (!this.closed && !this.spare) this.spare = this.create().warm();
  }

  close() {
    this.closed = true;
    this.spare?.dispose();
    this.spare = undefined;
  }
}
