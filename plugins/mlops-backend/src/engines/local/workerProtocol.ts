/** Messages between the engine and its ML step child process (see worker.ts). */

import type { DataFile } from './tableLoader';

export interface ValidateArgs {
  files: DataFile[];
  /** Fewer rows cannot fill a 70/15/15 split meaningfully. */
  minRows: number;
}

export interface PreprocessArgs {
  files: DataFile[];
  outDir: string;
  seed: number;
}

export interface TrainArgs {
  trainCsv: string;
  validationCsv: string;
  /** Float32 twins of the CSVs (Preprocess writes them). */
  trainMatrix?: string;
  validationMatrix?: string;
  outDir: string;
  hyperparameters: Record<string, number>;
}

export interface EvaluateArgs {
  testCsv: string;
  testMatrix?: string;
  modelPath: string;
  outDir: string;
  /** For the feature names of the evaluation plots. */
  preprocessorPath?: string;
}

/** A large upload, staged outside the bucket, checked before it is kept. */
export interface CheckUploadArgs {
  path: string;
  maxErrors: number;
  /** Where a good file's parsed columns are kept for the run's steps. */
  cachePath?: string;
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
