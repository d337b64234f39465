import type { Objective } from '../spec/types';
import { EvalMetric, OBJECTIVE_METRICS, OBJECTIVES } from './objectives';

export interface XGBoostParams {
  /** Default reg:squarederror. */
  objective?: Objective;
  /** Number of classes (multi:softprob only; at least 2). */
  num_class?: number;
  /**
   * The metric reported each round and watched by early stopping. Default:
   * the objective's, as in XGBoost 1.7 (rmse, logloss, mlogloss).
   */
  eval_metric?: EvalMetric;
  max_depth?: number;
  eta?: number;
  gamma?: number;
  min_child_weight?: number;
  subsample?: number;
  colsample_bytree?: number;
  lambda?: number;
  alpha?: number;
  base_score?: number;
  num_round?: number;
  early_stopping_rounds?: number;
  seed?: number;
  tree_method?: 'auto' | 'exact' | 'hist';
  max_bin?: number;
  /**
   * Threads for histogram building (tree_method hist, large data only). The
   * model does not depend on it.
   */
  nthread?: number;
}

/** The SageMaker Abalone example's hyperparameters. */
export const REFERENCE_HYPERPARAMETERS: XGBoostParams = {
  max_depth: 5,
  eta: 0.2,
  gamma: 4,
  min_child_weight: 6,
  subsample: 0.7,
  num_round: 50,
  early_stopping_rounds: 10,
};

/**
 * Up to this many training rows 'auto' uses exact greedy split finding (a
 * 256-bin histogram would be coarse there and exact is cheap); above it, the
 * histogram method. Unlike XGBoost 1.7 (exact below 4M rows) because on
 * Abalone (2,923 training rows) hist gives the same test MSE as exact
 * (bench/parity.ts) in about a quarter of the time.
 */
export const AUTO_EXACT_MAX_ROWS = 1024;

export interface ResolvedParams {
  objective: Objective;
  /** Classes (multi:softprob); 0 for the other objectives, as XGBoost writes it. */
  num_class: number;
  eval_metric: EvalMetric;
  max_depth: number;
  eta: number;
  gamma: number;
  min_child_weight: number;
  subsample: number;
  colsample_bytree: number;
  lambda: number;
  alpha: number;
  base_score: number;
  num_round: number;
  early_stopping_rounds?: number;
  seed: number;
  tree_method: 'auto' | 'exact' | 'hist';
  max_bin: number;
  nthread: number;
}

/** XGBoost's defaults; base_score 0.5 as in XGBoost 1.7 (2.x estimates it from the labels). */
export const DEFAULT_PARAMS: Omit<ResolvedParams, 'eval_metric'> = {
  objective: 'reg:squarederror',
  num_class: 0,
  max_depth: 6,
  eta: 0.3,
  gamma: 0,
  min_child_weight: 1,
  subsample: 1,
  colsample_bytree: 1,
  lambda: 1,
  alpha: 0,
  base_score: 0.5,
  num_round: 10,
  seed: 0,
  tree_method: 'auto',
  max_bin: 256,
  nthread: 1,
};

type Check = (v: number) => boolean;
const RULES: Array<[keyof ResolvedParams, Check, string]> = [
  [
    'max_depth',
    v => Number.isInteger(v) && v >= 1 && v <= 30,
    'an integer in [1, 30]',
  ],
  ['eta', v => v > 0 && v <= 1, 'in (0, 1]'],
  ['gamma', v => v >= 0, '>= 0'],
  ['min_child_weight', v => v >= 0, '>= 0'],
  ['subsample', v => v > 0 && v <= 1, 'in (0, 1]'],
  ['colsample_bytree', v => v > 0 && v <= 1, 'in (0, 1]'],
  ['lambda', v => v >= 0, '>= 0'],
  ['alpha', v => v >= 0, '>= 0'],
  ['base_score', v => Number.isFinite(v), 'a finite number'],
  ['num_class', v => Number.isInteger(v) && v >= 0, 'an integer >= 0'],
  ['num_round', v => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
  [
    'early_stopping_rounds',
    v => Number.isInteger(v) && v >= 1,
    'an integer >= 1',
  ],
  ['seed', v => Number.isInteger(v), 'an integer'],
  [
    'max_bin',
    v => Number.isInteger(v) && v >= 2 && v <= 65000,
    'an integer in [2, 65000]',
  ],
  [
    'nthread',
    v => Number.isInteger(v) && v >= 1 && v <= 64,
    'an integer in [1, 64]',
  ],
];

/** Fills defaults and rejects out-of-range hyperparameters with a message naming the field. */
export function resolveParams(params: XGBoostParams): ResolvedParams {
  const out: any = { ...DEFAULT_PARAMS };
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined) out[k] = v;
  }
  for (const [key, ok, what] of RULES) {
    const v = out[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || !ok(v)) {
      throw new Error(`Invalid hyperparameter ${key}=${v}: must be ${what}`);
    }
  }
  if (!OBJECTIVES.includes(out.objective)) {
    throw new Error(
      `Invalid hyperparameter objective=${
        out.objective
      }: must be one of ${OBJECTIVES.join(', ')}`,
    );
  }
  if (out.objective === 'multi:softprob') {
    if (!(Number.isInteger(out.num_class) && out.num_class >= 2)) {
      throw new Error(
        `Invalid hyperparameter num_class=${out.num_class}: multi:softprob needs an integer >= 2`,
      );
    }
  } else out.num_class = 0;
  const allowed = OBJECTIVE_METRICS[out.objective as Objective];
  if (out.eval_metric === undefined) out.eval_metric = allowed[0];
  if (!allowed.includes(out.eval_metric)) {
    throw new Error(
      `Invalid hyperparameter eval_metric=${out.eval_metric}: ${
        out.objective
      } supports ${allowed.join(', ')}`,
    );
  }
  if (!['auto', 'exact', 'hist'].includes(out.tree_method)) {
    throw new Error(
      `Invalid hyperparameter tree_method=${out.tree_method}: must be auto, exact or hist`,
    );
  }
  return out as ResolvedParams;
}
