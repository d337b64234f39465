import type { Objective, SplitSpec, Task } from './types';
import { OBJECTIVE_METRICS } from '../xgboost/objectives';

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
  // Which of them fits is checked against the objective (OBJECTIVE_METRICS).
  eval_metric: [...new Set(Object.values(OBJECTIVE_METRICS).flat())],
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
