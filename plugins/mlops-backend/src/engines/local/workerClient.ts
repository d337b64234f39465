import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ChildProcess, fork } from 'child_process';
import type {
  WorkerMessage,
  WorkerRequest,
  WorkerResults,
  WorkerStep,
} from './workerProtocol';

/** Thrown for a step whose worker was killed on purpose (Stop / shutdown). */
export class WorkerKilledError extends Error {
  constructor() {
    super('worker stopped');
    this.name = 'WorkerKilledError';
  }
}

export interface StepListener {
  onLog?(level: 'info' | 'warn' | 'error', message: string): void;
  onProgress?(
    done: number,
    total: number,
    detail?: Record<string, number>,
  ): void;
}

/** The request of one step: its name and its arguments. */
export type RunRequest<S extends WorkerStep = WorkerStep> = S extends WorkerStep
  ? { step: S; args: Extract<WorkerRequest, { step: S }>['args'] }
  : never;

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

/**
 * The worker script and how to start it. Built code (dist/, or a backend
 * bundle) forks the bundled dist/worker.cjs.js with plain node; TypeScript
 * source (dev, jest) forks worker.ts through tsx's CommonJS hook.
 */
export function workerEntry(
  fromSource: boolean = __filename.endsWith('.ts'),
): WorkerEntry {
  const pkg = '@mlops-portal/plugin-mlops-backend';
  if (!fromSource) {
    return {
      file: resolvePackagePath(pkg, 'dist/worker.cjs.js'),
      execArgv: [],
    };
  }
  return {
    file: resolvePackagePath(pkg, 'src/engines/local/worker.ts'),
    execArgv: ['--require', require.resolve('tsx/cjs')],
  };
}

/** One child process that runs the ML steps of one execution, one at a time. */
export class StepWorker {
  private child?: ChildProcess;
  private nextId = 1;
  private pending?: {
    id: number;
    listener: StepListener;
    resolve(outputs: WorkerResults[WorkerStep]): void;
    reject(e: Error): void;
  };
  private killed = false;
  private stderrTail = '';

  constructor(private readonly entry: WorkerEntry = workerEntry()) {}

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.entry.file, [], {
      execArgv: this.entry.execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    child.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    child.on('exit', (code, signal) => {
      this.child = undefined;
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if (this.killed) {
        p.reject(new WorkerKilledError());
      } else {
        const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
        p.reject(
          new Error(
            `worker process exited unexpectedly (${signal ?? `code ${code}`})${
              tail ? `: ${tail}` : ''
            }`,
          ),
        );
      }
    });
    child.on('error', e => {
      const p = this.pending;
      this.pending = undefined;
      p?.reject(e);
    });
    this.child = child;
    return child;
  }

  private onMessage(msg: WorkerMessage) {
    const p = this.pending;
    if (!p || msg.type === 'ready' || msg.id !== p.id) return;
    switch (msg.type) {
      case 'log':
        p.listener.onLog?.(msg.level, msg.message);
        break;
      case 'progress':
        p.listener.onProgress?.(msg.done, msg.total, msg.detail);
        break;
      case 'result':
        this.pending = undefined;
        p.resolve(msg.outputs);
        break;
      case 'error':
        this.pending = undefined;
        p.reject(new Error(msg.message));
        break;
      default:
    }
  }

  /** Not killed and idle: may run another execution's steps. */
  get reusable(): boolean {
    return !this.killed && !this.pending;
  }

  /** Starts the child now, so the next run does not pay for process start-up. */
  warm(): this {
    this.ensureChild();
    return this;
  }

  /** Runs one step in the child; resolves with that step's typed reply. */
  run<S extends WorkerStep>(
    req: RunRequest<S>,
    listener: StepListener = {},
  ): Promise<WorkerResults[S]> {
    if (this.killed) return Promise.reject(new WorkerKilledError());
    if (this.pending) return Promise.reject(new Error('worker is busy'));
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<WorkerResults[S]>((resolve, reject) => {
      this.pending = {
        id,
        listener,
        // The child answers request `id` with the reply of the step it was sent.
        resolve: outputs => resolve(outputs as WorkerResults[S]),
        reject,
      };
      child.send({ type: 'run', id, ...req } as WorkerRequest);
    });
  }

  /** Kills the child (Stop): a running step rejects with WorkerKilledError. */
  kill() {
    this.killed = true;
    if (this.child) {
      this.child.kill('SIGKILL');
    } else if (this.pending) {
      const p = this.pending;
      this.pending = undefined;
      p.reject(new WorkerKilledError());
    }
  }

  /** Ends the child after a successful run. */
  dispose() {
    this.killed = true;
    if (this.child) {
      this.child.disconnect();
      this.child.kill();
      this.child = undefined;
    }
  }
}
