/**
 * Data behind a classifier's evaluation charts (evaluation-plots.json,
 * version 2, with `task`): ROC and precision-recall curves, the confusion
 * matrix and calibration for binary models; the confusion matrix and
 * per-class metrics for multiclass ones; gain importance for both.
 */
import {
  binaryClassificationMetrics,
  multiclassClassificationMetrics,
} from '../classificationMetrics';
import type { Booster } from '../xgboost/booster';
import { rocAuc } from '../xgboost/objectives';
import type { Task } from '../spec/types';
import { thin, thresholdPoints } from '../curves';
import {
  EvaluationPlots,
  EvaluationPlotsInput,
  evaluationPlots,
  FeatureImportance,
  featureImportance,
} from './evaluationPlots';

export interface ClassificationPlotsInput {
  /** Class index per test row. */
  actual: ArrayLike<number>;
  /** P(class 1) (binary) or row-major class probabilities (multiclass), as Booster.predict returns. */
  predicted: ArrayLike<number>;
  /** Class labels in index order. */
  classes: string[];
  model: Booster;
  featureNames?: readonly string[];
  /** At most this many points per curve (default 200). */
  maxPoints?: number;
  /** Calibration bins over [0, 1] (default 10). */
  calibrationBins?: number;
}

/** Counts: rows = actual class, columns = predicted class, both in `labels` order. */
export interface ConfusionMatrixPlot {
  labels: string[];
  counts: number[][];
}

export interface ClassificationPlotsHeader {
  format: 'mlops-portal/evaluation-plots';
  version: 2;
  classes: string[];
  featureImportance: {
    importanceType: 'gain';
    features: FeatureImportance[];
  };
}

export interface BinaryEvaluationPlots extends ClassificationPlotsHeader {
  task: 'binary';
  /** Rows scored. */
  total: number;
  rocCurve: {
    auc: number;
    /** From (0, 0) to (1, 1); `threshold`: P(class 1) ≥ threshold counts as class 1 (absent at (0, 0)). */
    points: Array<{
      threshold?: number;
      falsePositiveRate: number;
      truePositiveRate: number;
    }>;
  };
  precisionRecallCurve: {
    /** Area as average precision. */
    averagePrecision: number;
    points: Array<{ threshold?: number; recall: number; precision: number }>;
  };
  /** At threshold 0.5. */
  confusionMatrix: ConfusionMatrixPlot & { threshold: number };
  /** Equal-width bins of P(class 1): mean predicted vs observed share of class 1 (non-empty bins). */
  calibration: {
    bins: Array<{
      lower: number;
      upper: number;
      count: number;
      meanPredicted: number;
      fractionPositive: number;
    }>;
  };
}

export interface MulticlassEvaluationPlots extends ClassificationPlotsHeader {
  task: 'multiclass';
  total: number;
  confusionMatrix: ConfusionMatrixPlot;
  perClass: Array<{
    label: string;
    precision: number;
    recall: number;
    f1: number;
    support: number;
  }>;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(`evaluationPlots: ${name} must be a positive integer`);
  }
  return v;
}

/** ROC and PR points at every distinct score, highest first. */
function curves(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const points = thresholdPoints(scores, labels);
  const roc: BinaryEvaluationPlots['rocCurve']['points'] = [
    { falsePositiveRate: 0, truePositiveRate: 0 },
    ...points.map(p => ({
      threshold: p.threshold,
      falsePositiveRate: p.falsePositiveRate,
      truePositiveRate: p.truePositiveRate,
    })),
  ];
  const pr: BinaryEvaluationPlots['precisionRecallCurve']['points'] = [
    { recall: 0, precision: 1 },
    ...points.map(p => ({
      threshold: p.threshold,
      recall: p.truePositiveRate,
      precision: p.precision,
    })),
  ];
  return { roc, pr };
}

function header(input: ClassificationPlotsInput) {
  return {
    format: 'mlops-portal/evaluation-plots' as const,
    version: 2 as const,
    classes: input.classes,
    featureImportance: {
      importanceType: 'gain' as const,
      features: featureImportance(input.model, input.featureNames),
    },
  };
}

function confusion(
  matrix: Record<string, Record<string, number>>,
  labels: string[],
) {
  return labels.map(a => labels.map(p => matrix[a][p]));
}

export function binaryEvaluationPlots(
  input: ClassificationPlotsInput,
): BinaryEvaluationPlots {
  const { actual, predicted, classes } = input;
  // Validates lengths, labels and classes (and names the bad row).
  const m = binaryClassificationMetrics(actual, predicted, classes);
  const maxPoints = positiveInt(input.maxPoints ?? 200, 'maxPoints');
  const nBins = positiveInt(input.calibrationBins ?? 10, 'calibrationBins');
  const n = actual.length;
  for (let i = 0; i < n; i++) {
    if (!(predicted[i] >= 0 && predicted[i] <= 1)) {
      throw new Error(
        `evaluationPlots: probability of row ${i + 1} is ${
          predicted[i]
        }, not in [0, 1]`,
      );
    }
  }
  const { roc, pr } = curves(predicted, actual);
  const sum = new Float64Array(nBins);
  const hits = new Float64Array(nBins);
  const count = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(nBins - 1, Math.floor(predicted[i] * nBins));
    count[b]++;
    sum[b] += predicted[i];
    hits[b] += actual[i] === 1 ? 1 : 0;
  }
  const bins = [];
  for (let b = 0; b < nBins; b++) {
    if (count[b] === 0) continue;
    bins.push({
      lower: b / nBins,
      upper: (b + 1) / nBins,
      count: count[b],
      meanPredicted: sum[b] / count[b],
      fractionPositive: hits[b] / count[b],
    });
  }
  return {
    ...header(input),
    task: 'binary',
    total: n,
    rocCurve: { auc: rocAuc(predicted, actual), points: thin(roc, maxPoints) },
    precisionRecallCurve: {
      averagePrecision: m.pr_auc.value,
      points: thin(pr, maxPoints),
    },
    confusionMatrix: {
      labels: classes,
      counts: confusion(m.confusion_matrix, classes),
      threshold: 0.5,
    },
    calibration: { bins },
  };
}

export function multiclassEvaluationPlots(
  input: ClassificationPlotsInput,
): MulticlassEvaluationPlots {
  const { actual, predicted, classes } = input;
  const m = multiclassClassificationMetrics(actual, predicted, classes);
  return {
    ...header(input),
    task: 'multiclass',
    total: actual.length,
    confusionMatrix: {
      labels: classes,
      counts: confusion(m.confusion_matrix, classes),
    },
    perClass: classes.map(label => {
      const c = m.per_class[label];
      return {
        label,
        precision: c.precision.value,
        recall: c.recall.value,
        f1: c.f1.value,
        support: c.support.value,
      };
    }),
  };
}

/** Any task's evaluation plots in one call. */
export type TaskEvaluationPlots =
  | EvaluationPlots
  | BinaryEvaluationPlots
  | MulticlassEvaluationPlots;

/**
 * The evaluation plots of a task: regression as before (version 1:
 * predicted vs actual, residuals, importance); classifiers as above (version
 * 2, with `task`). `predicted` is what Booster.predict returns.
 */
export function taskEvaluationPlots(
  task: Task,
  input: Omit<ClassificationPlotsInput, 'classes'> & {
    classes?: string[];
  } & Pick<EvaluationPlotsInput, 'residualBins'>,
): TaskEvaluationPlots {
  if (task === 'regression') return evaluationPlots(input);
  if (!input.classes) {
    throw new Error(`evaluationPlots: a ${task} task needs classes`);
  }
  const withClasses = { ...input, classes: input.classes };
  return task === 'binary'
    ? binaryEvaluationPlots(withClasses)
    : multiclassEvaluationPlots(withClasses);
}
