/** Messages between the engine and its ML step child process (see worker.ts). */

export interface ValidateArgs {
  files: Array<{ key: string; path: string; sha256?: string }>;
  /** Fewer rows cannot fill a 70/15/15 split meaningfully. */
  minRows: number;
}

export interface PreprocessArgs {
  files: Array<{ key: string; path: string }>;
  outDir: string;
  seed: number;
}

export interface TrainArgs {
  trainCsv: string;
  validationCsv: string;
  outDir: string;
  hyperparameters: Record<string, number>;
}

export interface EvaluateArgs {
  testCsv: string;
  modelPath: string;
  outDir: string;
  /** For the feature names of the evaluation plots. */
  preprocessorPath?: string;
}

/** A large upload, staged outside the bucket, checked before it is kept. */
export interface CheckUploadArgs {
  path: string;
  maxErrors: number;
}

export type WorkerRequest =
  | { type: 'run'; id: number; step: 'checkUpload'; args: CheckUploadArgs }
  | { type: 'run'; id: number; step: 'validate'; args: ValidateArgs }
  | { type: 'run'; id: number; step: 'preprocess'; args: PreprocessArgs }
  | { type: 'run'; id: number; step: 'train'; args: TrainArgs }
  | { type: 'run'; id: number; step: 'evaluate'; args: EvaluateArgs };

export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'log';
      id: number;
      level: 'info' | 'warn' | 'error';
      message: string;
    }
  | {
      type: 'progress';
      id: number;
      done: number;
      total: number;
      detail?: Record<string, number>;
    }
  | { type: 'result'; id: number; outputs: Record<string, unknown> }
  | { type: 'error'; id: number; message: string };
