import {
  binaryClassificationMetrics,
  BinaryClassificationMetrics,
  MetricValue,
  multiclassClassificationMetrics,
  MulticlassClassificationMetrics,
} from './classificationMetrics';
import type { Task } from './spec/types';

export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
  /** Standard deviation of the residuals (SageMaker reports it next to MSE). */
  residualStd: number;
}

/** Constant labels make R² undefined: 1 for a perfect fit, else 0 (scikit-learn's convention). */
function rSquared(sse: number, sst: number): number {
  if (sst > 0) return 1 - sse / sst;
  return sse === 0 ? 1 : 0;
}

export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): RegressionMetrics {
  const n = yTrue.length;
  if (n !== yPred.length) {
    throw new Error(
      `regressionMetrics: ${n} labels but ${yPred.length} predictions`,
    );
  }
  if (n === 0) throw new Error('regressionMetrics: no rows');
  let sumY = 0;
  let sumRes = 0;
  for (let i = 0; i < n; i++) {
    sumY += yTrue[i];
    sumRes += yTrue[i] - yPred[i];
  }
  const meanY = sumY / n;
  const meanRes = sumRes / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  let resVar = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    sse += e * e;
    sae += Math.abs(e);
    sst += (yTrue[i] - meanY) ** 2;
    resVar += (e - meanRes) ** 2;
  }
  const mse = sse / n;
  return {
    mse,
    rmse: Math.sqrt(mse),
    mae: sae / n,
    r2: rSquared(sse, sst),
    residualStd: Math.sqrt(resVar / n),
  };
}

/** SageMaker's evaluation.json schema plus mae/r2 (same value/standard_deviation shape). */
export function toEvaluationJson(m: RegressionMetrics): object {
  return {
    regression_metrics: {
      mse: { value: m.mse, standard_deviation: m.residualStd },
      rmse: { value: m.rmse, standard_deviation: m.residualStd },
      mae: { value: m.mae, standard_deviation: m.residualStd },
      // A spread of R² over rows is not defined, so only its value is given.
      r2: { value: m.r2 },
    },
  };
}

/** The model quality report of one run (evaluation.json): one section, by task. */
export type ModelQualityReport =
  | { regression_metrics: Record<string, MetricValue> }
  | { binary_classification_metrics: BinaryClassificationMetrics }
  | { multiclass_classification_metrics: MulticlassClassificationMetrics };

/** A metric a task reports, as the UI and the quality gate name it. */
export interface TaskMetricInfo {
  /** Key in the report section (also a gate's `metric`). */
  name: string;
  label: string;
  higherIsBetter: boolean;
}

/**
 * Per task: the report section's key and its key metrics, the first being
 * the headline (a gate's usual metric). Data, so the UI and gates need no
 * per-task code.
 */
export const TASK_METRICS: Record<
  Task,
  { section: string; metrics: TaskMetricInfo[] }
> = {
  regression: {
    section: 'regression_metrics',
    metrics: [
      { name: 'mse', label: 'MSE', higherIsBetter: false },
      { name: 'rmse', label: 'RMSE', higherIsBetter: false },
      { name: 'mae', label: 'MAE', higherIsBetter: false },
      { name: 'r2', label: 'R²', higherIsBetter: true },
    ],
  },
  binary: {
    section: 'binary_classification_metrics',
    metrics: [
      { name: 'auc', label: 'ROC AUC', higherIsBetter: true },
      { name: 'accuracy', label: 'Accuracy', higherIsBetter: true },
      { name: 'f1', label: 'F1', higherIsBetter: true },
      { name: 'precision', label: 'Precision', higherIsBetter: true },
      { name: 'recall', label: 'Recall', higherIsBetter: true },
      { name: 'pr_auc', label: 'PR AUC', higherIsBetter: true },
      { name: 'logloss', label: 'Log loss', higherIsBetter: false },
    ],
  },
  multiclass: {
    section: 'multiclass_classification_metrics',
    metrics: [
      { name: 'accuracy', label: 'Accuracy', higherIsBetter: true },
      { name: 'weighted_f1', label: 'Weighted F1', higherIsBetter: true },
      { name: 'macro_f1', label: 'Macro F1', higherIsBetter: true },
      { name: 'logloss', label: 'Log loss', higherIsBetter: false },
    ],
  },
};

/**
 * The model quality report of a task. `labels`: regression targets or class
 * indices; `predictions`: regression values, P(class 1) (binary) or
 * row-major class probabilities (multiclass, what Booster.predict returns);
 * `classes`: class labels in index order (classification).
 */
export function taskMetrics(
  task: Task,
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classes?: string[],
): ModelQualityReport {
  if (task === 'regression') {
    return toEvaluationJson(
      regressionMetrics(labels, predictions),
    ) as ModelQualityReport;
  }
  if (!classes) throw new Error(`taskMetrics: a ${task} task needs classes`);
  if (task === 'binary') {
    return {
      binary_classification_metrics: binaryClassificationMetrics(
        labels,
        predictions,
        classes,
      ),
    };
  }
  if (task === 'multiclass') {
    return {
      multiclass_classification_metrics: multiclassClassificationMetrics(
        labels,
        predictions,
        classes,
      ),
    };
  }
  throw new Error(`taskMetrics: unknown task '${task}'`);
}

/** A metric's value in a report (e.g. for a quality gate); undefined when the report has no such metric. */
export function reportMetricValue(
  report: ModelQualityReport,
  metric: string,
): number | undefined {
  const section = Object.values(report)[0] as Record<string, unknown>;
  const m = section?.[metric] as { value?: unknown } | undefined;
  return typeof m?.value === 'number' ? m.value : undefined;
}

/** The flat metrics (`{ mse: 2.1 }`) versions and runs carry, per task: the keys of the portal's contract. */
export const FLAT_METRIC_KEYS: Record<Task, readonly string[]> = {
  regression: ['mse', 'rmse', 'mae', 'r2', 'residualStd'],
  binary: ['accuracy', 'precision', 'recall', 'f1', 'auc', 'pr_auc', 'logloss'],
  multiclass: [
    'accuracy',
    'weighted_f1',
    'macro_f1',
    'weighted_precision',
    'weighted_recall',
    'logloss',
  ],
};

/**
 * A Model Quality report (evaluation.json) as flat metrics: each of the
 * task's keys the report has, by value. Regression's residual spread is the
 * report's `mse.standard_deviation`.
 */
export function flatMetrics(
  task: Task,
  report: ModelQualityReport,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of FLAT_METRIC_KEYS[task]) {
    const v = reportMetricValue(report, key);
    if (v !== undefined) out[key] = v;
  }
  if (task === 'regression') {
    const section = Object.values(report)[0] as Record<
      string,
      { standard_deviation?: unknown }
    >;
    const sd = section?.mse?.standard_deviation;
    if (typeof sd === 'number') out.residualStd = sd;
  }
  return out;
}
