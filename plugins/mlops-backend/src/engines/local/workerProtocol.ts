/** Messages between the engine and its ML step child process (see worker.ts). */

import type {
  DatasetSchema,
  MlSystemSpec,
  Task,
} from '@mlops-portal/ml-core';
import type { ModelMetrics } from '@mlops-portal/plugin-mlops-common';
import type { DataFile, UploadCheck } from './tableLoader';

export interface ValidateArgs {
  files: DataFile[];
  /** Fewer rows cannot fill a train/validation/test split meaningfully. */
  minRows: number;
  spec: MlSystemSpec;
}

export interface PreprocessArgs {
  files: DataFile[];
  outDir: string;
  seed: number;
  spec: MlSystemSpec;
  /** The schema Validate resolved, so both steps read the data alike. */
  schema: DatasetSchema;
}

export interface TrainArgs {
  trainCsv: string;
  validationCsv: string;
  /** Float32 twins of the CSVs (Preprocess writes them). */
  trainMatrix?: string;
  validationMatrix?: string;
  outDir: string;
  /** XGBoost parameters, objective (and num_class) included. */
  hyperparameters: Record<string, number | string>;
  /** nthread when the hyperparameters set none (the engine's `training.threads`). */
  threads?: number;
}

export interface EvaluateArgs {
  testCsv: string;
  testMatrix?: string;
  modelPath: string;
  outDir: string;
  task: Task;
  /** Classification: labels in class-index order. */
  classes?: string[];
  /** For the feature names of the evaluation plots. */
  preprocessorPath?: string;
}

/** A large upload, staged outside the bucket, checked before it is kept. */
export interface CheckUploadArgs {
  path: string;
  maxErrors: number;
  spec: MlSystemSpec;
  /** Where a good file's parsed table is kept for the run's steps. */
  cachePath?: string;
}

export interface ValidateResult {
  rowCount: number;
  /** One line per passed check, in the order they ran. */
  checks: string[];
  missingCells: number;
  schema: DatasetSchema;
}

export interface PreprocessResult {
  artifacts: {
    preprocessor: string;
    train: string;
    validation: string;
    test: string;
    statistics: string;
    signature: string;
    schema: string;
  };
  matrices: { train: string; validation: string; test: string };
  rows: { train: number; validation: number; test: number };
  features: number;
}

export interface TrainResult {
  artifacts: { model: string };
  roundsCompleted: number;
  bestIteration: number;
  bestScore?: number;
  /** The evaluation metric the scores are in (rmse, logloss, mlogloss). */
  evalMetric: string;
  trainScore?: number;
  validationScore?: number;
  seconds: number;
}

export interface EvaluateResult {
  artifacts: { evaluation: string; plots: string };
  metrics: ModelMetrics;
}

/** What each step replies with. */
export interface WorkerResults {
  checkUpload: UploadCheck;
  validate: ValidateResult;
  preprocess: PreprocessResult;
  train: TrainResult;
  evaluate: EvaluateResult;
}

export type WorkerStep = keyof WorkerResults;

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
  | {
      type: 'result';
      id: number;
      outputs: WorkerResults[WorkerStep];
    }
  | { type: 'error'; id: number; message: string };
