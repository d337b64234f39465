import type { Objective, SplitSpec, Task } from './types';

/**
 * The metric names each task's Model Quality report carries (keys of
 * `regression_metrics`, `binary_classification_metrics`,
 * `multiclass_classification_metrics`). A spec's quality gate must name one of
 * them; the evaluation writer, the portal and the gate step read this list.
 */
export const TASK_METRIC_NAMES = {
  regression: ['mse', 'rmse', 'mae', 'r2'],
  binary: ['accuracy', 'precision', 'recall', 'f1', 'auc', 'pr_auc', 'logloss'],
  multiclass: ['accuracy', 'weighted_f1', 'macro_f1', 'logloss'],
} as const satisfies Record<Task, readonly string[]>;

/** A metric name of a task's report. */
export type TaskMetric = (typeof TASK_METRIC_NAMES)[Task][number];

/** The objectives that fit each task; the first is the default. */
export const TASK_OBJECTIVES: Readonly<Record<Task, readonly Objective[]>> = {
  regression: ['reg:squarederror'],
  binary: ['binary:logistic'],
  multiclass: ['multi:softprob'],
};

/** The default objective of a task. */
export function defaultObjective(task: Task): Objective {
  return TASK_OBJECTIVES[task][0];
}

/**
 * Hyperparameters the trainer reads (XGBoost's names), with the kind of value.
 * `num_class` follows from the classes and `objective` is `training.objective`,
 * so neither is set here.
 */
export const TRAINER_HYPERPARAMETERS: Readonly<
  Record<string, 'number' | readonly string[]>
> = {
  max_depth: 'number',
  eta: 'number',
  gamma: 'number',
  min_child_weight: 'number',
  subsample: 'number',
  colsample_bytree: 'number',
  lambda: 'number',
  alpha: 'number',
  base_score: 'number',
  num_round: 'number',
  early_stopping_rounds: 'number',
  seed: 'number',
  max_bin: 'number',
  nthread: 'number',
  tree_method: ['auto', 'exact', 'hist'],
  eval_metric: ['rmse', 'logloss', 'mlogloss', 'auc', 'error', 'merror'],
};

/** Cells read as missing when a spec does not say. */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', '?'];

/** One-hot width cap per categorical feature when a spec does not say. */
export const DEFAULT_MAX_CATEGORIES = 50;

/** The 70/15/15 split. */
export const DEFAULT_SPLIT: Readonly<SplitSpec> = {
  train: 0.7,
  validation: 0.15,
  test: 0.15,
};
