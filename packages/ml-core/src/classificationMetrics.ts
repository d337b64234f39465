/**
 * Classification metrics in SageMaker Model Monitor's model quality shapes
 * (`binary_classification_metrics`, `multiclass_classification_metrics`):
 * each metric `{ value, standard_deviation }`, the confusion matrix keyed
 * actual → predicted. Standard deviations follow Model Monitor: the metric
 * on 5 seeded random 80 % samples, given only from 200 rows on ("NaN" below).
 */
import { thin, thresholdPoints } from './curves';
import { mulberry32 } from './random';
import { rocAuc } from './xgboost/objectives';

/** A metric as the report writes it. */
export interface MetricValue {
  value: number;
  /** "NaN" (as Model Monitor writes it) when fewer than 200 rows were scored. */
  standard_deviation?: number | 'NaN';
}

/** confusion_matrix[actual label][predicted label] = rows. */
export type ConfusionMatrix = Record<string, Record<string, number>>;

export interface BinaryClassificationMetrics {
  confusion_matrix: ConfusionMatrix;
  accuracy: MetricValue;
  precision: MetricValue;
  recall: MetricValue;
  f1: MetricValue;
  /** ROC AUC. */
  auc: MetricValue;
  true_positive_rate: MetricValue;
  true_negative_rate: MetricValue;
  false_positive_rate: MetricValue;
  false_negative_rate: MetricValue;
  f0_5: MetricValue;
  f2: MetricValue;
  /**
   * The classifier that always predicts the positive class (Model Monitor's
   * baseline for binary problems: recall 1, precision = accuracy = the
   * positive share).
   */
  accuracy_best_constant_classifier: MetricValue;
  precision_best_constant_classifier: MetricValue;
  recall_best_constant_classifier: MetricValue;
  f0_5_best_constant_classifier: MetricValue;
  f1_best_constant_classifier: MetricValue;
  f2_best_constant_classifier: MetricValue;
  /** At every distinct score (thinned to ≤ 100 points), from (0, 0). */
  receiver_operating_characteristic_curve: {
    false_positive_rates: number[];
    true_positive_rates: number[];
  };
  precision_recall_curve: { precisions: number[]; recalls: number[] };
  /** Added to Model Monitor's set: area under the precision-recall curve (average precision). */
  pr_auc: MetricValue;
  /** Added: mean log loss of the probabilities. */
  logloss: MetricValue;
}

export interface PerClassMetrics {
  precision: MetricValue;
  recall: MetricValue;
  f1: MetricValue;
  /** Test rows of the class. */
  support: { value: number };
}

export interface MulticlassClassificationMetrics {
  confusion_matrix: ConfusionMatrix;
  accuracy: MetricValue;
  weighted_precision: MetricValue;
  weighted_recall: MetricValue;
  weighted_f1: MetricValue;
  weighted_f0_5: MetricValue;
  weighted_f2: MetricValue;
  /** The classifier that always predicts the most frequent class. */
  accuracy_best_constant_classifier: MetricValue;
  weighted_precision_best_constant_classifier: MetricValue;
  weighted_recall_best_constant_classifier: MetricValue;
  weighted_f1_best_constant_classifier: MetricValue;
  /** Added to Model Monitor's set: unweighted mean of the per-class F1. */
  macro_f1: MetricValue;
  /** Added: mean log loss of the true class's probability. */
  logloss: MetricValue;
  /** Added: precision, recall, F1 and support of each class, keyed by label. */
  per_class: Record<string, PerClassMetrics>;
}

/** Model Monitor gives standard deviations only from this many rows on. */
const MIN_ROWS_FOR_STD = 200;
const STD_SAMPLES = 5;
const STD_FRACTION = 0.8;
/** Points per curve in the report (the evaluation plots carry finer ones). */
const CURVE_POINTS = 100;
/** Probabilities are clipped to [eps, 1 − eps] for log loss (XGBoost's eps). */
const EPS = 1e-16;

/** 0 when the denominator is 0 (scikit-learn's zero_division=0). */
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

function f1Of(precision: number, recall: number): number {
  return ratio(2 * precision * recall, precision + recall);
}

/** F-beta: (1 + β²)PR / (β²P + R). */
function fBeta(precision: number, recall: number, beta: number): number {
  const b2 = beta * beta;
  return ratio((1 + b2) * precision * recall, b2 * precision + recall);
}

/** A value with no spread (a constant classifier's metric). */
function constant(value: number, n: number): MetricValue {
  return { value, standard_deviation: n < MIN_ROWS_FOR_STD ? 'NaN' : 0 };
}

/** ROC and precision-recall points at every distinct score, highest first. */
function binaryCurves(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const points = thresholdPoints(scores, labels);
  const keep = (a: number[]) => thin(a, CURVE_POINTS);
  return {
    receiver_operating_characteristic_curve: {
      false_positive_rates: keep([0, ...points.map(p => p.falsePositiveRate)]),
      true_positive_rates: keep([0, ...points.map(p => p.truePositiveRate)]),
    },
    precision_recall_curve: {
      precisions: keep([1, ...points.map(p => p.precision)]),
      recalls: keep([0, ...points.map(p => p.truePositiveRate)]),
    },
  };
}

/**
 * The standard deviation of `metric` over 5 seeded 80 % samples of the row
 * indices (Model Monitor's method), or "NaN" below 200 rows.
 */
function bootstrapStd(
  n: number,
  metric: (rows: Uint32Array) => number,
): number | 'NaN' {
  if (n < MIN_ROWS_FOR_STD) return 'NaN';
  const rng = mulberry32(20260);
  const take = Math.floor(n * STD_FRACTION);
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const values: number[] = [];
  for (let s = 0; s < STD_SAMPLES; s++) {
    // Partial Fisher–Yates: the first `take` entries are the sample.
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rng() * (n - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    values.push(metric(all.subarray(0, take)));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(
    values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length,
  );
}

function metricOf(
  n: number,
  fn: (rows: Uint32Array) => number,
  all: Uint32Array,
): MetricValue {
  return { value: fn(all), standard_deviation: bootstrapStd(n, fn) };
}

function checkInputs(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classes: string[],
  perRow: number,
  what: string,
): void {
  const n = labels.length;
  if (n === 0) throw new Error(`${what}: no rows`);
  if (predictions.length !== n * perRow) {
    throw new Error(
      `${what}: ${n} labels need ${n * perRow} probabilities, got ${
        predictions.length
      }`,
    );
  }
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < classes.length)) {
      throw new Error(
        `${what}: label of row ${i + 1} is ${y}, not a class index below ${
          classes.length
        }`,
      );
    }
  }
}

/** Area under the precision-recall curve as average precision (Σ ΔRecall · precision over thresholds). */
export function averagePrecision(
  scores: ArrayLike<number>,
  positive: ArrayLike<number>,
): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a],
  );
  let pos = 0;
  for (let i = 0; i < n; i++) pos += positive[i] ? 1 : 0;
  if (pos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < n; ) {
    const s = scores[idx[i]];
    let dTp = 0;
    for (; i < n && scores[idx[i]] === s; i++) {
      dTp += positive[idx[i]] ? 1 : 0;
      seen++;
    }
    tp += dTp;
    ap += (dTp / pos) * (tp / seen);
  }
  return ap;
}

/**
 * Binary metrics of P(class 1) against class indices 0/1 at threshold 0.5
 * (predicted class 1 when p ≥ 0.5); `classes` = [negative, positive] labels.
 */
export function binaryClassificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: string[],
): BinaryClassificationMetrics {
  if (classes.length !== 2) {
    throw new Error(`binary metrics: need 2 classes, got ${classes.length}`);
  }
  checkInputs(labels, probabilities, classes, 1, 'binary metrics');
  const n = labels.length;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const counts = (rows: Uint32Array) => {
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    for (const r of rows) {
      const predicted = probabilities[r] >= 0.5;
      if (labels[r] === 1) {
        if (predicted) tp++;
        else fn++;
      } else if (predicted) fp++;
      else tn++;
    }
    return { tp, fp, tn, fn, total: rows.length };
  };
  const precision = (rows: Uint32Array) => {
    const c = counts(rows);
    return ratio(c.tp, c.tp + c.fp);
  };
  const recall = (rows: Uint32Array) => {
    const c = counts(rows);
    return ratio(c.tp, c.tp + c.fn);
  };
  const pick = (rows: Uint32Array) => ({
    s: Array.from(rows, r => probabilities[r]),
    y: Array.from(rows, r => labels[r]),
  });
  const c = counts(all);
  const [neg, posLabel] = classes;
  const positives = c.tp + c.fn;
  // Always "positive": precision = accuracy = the positive share, recall 1.
  const share = positives / n;
  const constRecall = positives > 0 ? 1 : 0;
  return {
    confusion_matrix: {
      [neg]: { [neg]: c.tn, [posLabel]: c.fp },
      [posLabel]: { [neg]: c.fn, [posLabel]: c.tp },
    },
    accuracy: metricOf(
      n,
      rows => {
        const k = counts(rows);
        return ratio(k.tp + k.tn, k.total);
      },
      all,
    ),
    precision: metricOf(n, precision, all),
    recall: metricOf(n, recall, all),
    f1: metricOf(n, rows => f1Of(precision(rows), recall(rows)), all),
    auc: metricOf(
      n,
      rows => {
        const { s, y } = pick(rows);
        return rocAuc(s, y);
      },
      all,
    ),
    true_positive_rate: metricOf(n, recall, all),
    true_negative_rate: metricOf(
      n,
      rows => {
        const k = counts(rows);
        return ratio(k.tn, k.tn + k.fp);
      },
      all,
    ),
    false_positive_rate: metricOf(
      n,
      rows => {
        const k = counts(rows);
        return ratio(k.fp, k.tn + k.fp);
      },
      all,
    ),
    false_negative_rate: metricOf(
      n,
      rows => {
        const k = counts(rows);
        return ratio(k.fn, k.tp + k.fn);
      },
      all,
    ),
    f0_5: metricOf(n, rows => fBeta(precision(rows), recall(rows), 0.5), all),
    f2: metricOf(n, rows => fBeta(precision(rows), recall(rows), 2), all),
    accuracy_best_constant_classifier: constant(share, n),
    precision_best_constant_classifier: constant(share, n),
    recall_best_constant_classifier: constant(constRecall, n),
    f0_5_best_constant_classifier: constant(fBeta(share, constRecall, 0.5), n),
    f1_best_constant_classifier: constant(f1Of(share, constRecall), n),
    f2_best_constant_classifier: constant(fBeta(share, constRecall, 2), n),
    ...binaryCurves(probabilities, labels),
    pr_auc: metricOf(
      n,
      rows => {
        const { s, y } = pick(rows);
        return averagePrecision(s, y);
      },
      all,
    ),
    logloss: metricOf(
      n,
      rows => {
        let sum = 0;
        for (const r of rows) {
          const p = Math.min(Math.max(probabilities[r], EPS), 1 - EPS);
          sum -= labels[r] === 1 ? Math.log(p) : Math.log(1 - p);
        }
        return sum / rows.length;
      },
      all,
    ),
  };
}

/** Index of the largest probability of row r (the first on ties). */
function argmax(probabilities: ArrayLike<number>, r: number, k: number) {
  let best = 0;
  for (let c = 1; c < k; c++) {
    if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
  }
  return best;
}

/**
 * Multiclass metrics of row-major class probabilities (row r, class c at
 * r·K + c) against class indices; the predicted class is the most probable.
 */
export function multiclassClassificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: string[],
): MulticlassClassificationMetrics {
  const k = classes.length;
  if (k < 2) {
    throw new Error(`multiclass metrics: need 2 or more classes, got ${k}`);
  }
  checkInputs(labels, probabilities, classes, k, 'multiclass metrics');
  const n = labels.length;
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const predicted = Int32Array.from({ length: n }, (_, r) =>
    argmax(probabilities, r, k),
  );
  /** Per class: true positives, predicted count, actual count. */
  const tally = (rows: Uint32Array) => {
    const tp = new Float64Array(k);
    const pred = new Float64Array(k);
    const act = new Float64Array(k);
    for (const r of rows) {
      const y = labels[r];
      const p = predicted[r];
      act[y]++;
      pred[p]++;
      if (p === y) tp[y]++;
    }
    return { tp, pred, act, total: rows.length };
  };
  const perClass = (rows: Uint32Array) => {
    const t = tally(rows);
    return Array.from({ length: k }, (_, c) => {
      const precision = ratio(t.tp[c], t.pred[c]);
      const recall = ratio(t.tp[c], t.act[c]);
      return {
        precision,
        recall,
        f1: f1Of(precision, recall),
        f0_5: fBeta(precision, recall, 0.5),
        f2: fBeta(precision, recall, 2),
        support: t.act[c],
      };
    });
  };
  const weighted =
    (key: 'precision' | 'recall' | 'f1' | 'f0_5' | 'f2') =>
    (rows: Uint32Array) => {
      const pc = perClass(rows);
      return pc.reduce((s, m) => s + m[key] * m.support, 0) / rows.length;
    };
  const confusion: ConfusionMatrix = {};
  for (const a of classes) {
    confusion[a] = {};
    for (const p of classes) confusion[a][p] = 0;
  }
  for (let r = 0; r < n; r++) {
    confusion[classes[labels[r]]][classes[predicted[r]]]++;
  }
  const whole = perClass(all);
  const majority = Math.max(...whole.map(m => m.support)) / n;
  const per_class: Record<string, PerClassMetrics> = {};
  classes.forEach((label, c) => {
    const one = (key: 'precision' | 'recall' | 'f1') =>
      metricOf(n, rows => perClass(rows)[c][key], all);
    per_class[label] = {
      precision: one('precision'),
      recall: one('recall'),
      f1: one('f1'),
      support: { value: whole[c].support },
    };
  });
  return {
    confusion_matrix: confusion,
    accuracy: metricOf(
      n,
      rows => {
        const t = tally(rows);
        return t.tp.reduce((a, b) => a + b, 0) / t.total;
      },
      all,
    ),
    weighted_precision: metricOf(n, weighted('precision'), all),
    weighted_recall: metricOf(n, weighted('recall'), all),
    weighted_f1: metricOf(n, weighted('f1'), all),
    weighted_f0_5: metricOf(n, weighted('f0_5'), all),
    weighted_f2: metricOf(n, weighted('f2'), all),
    // Always the most frequent class: only that class has precision (its
    // share) and recall (1), so the weights leave share·share and share.
    accuracy_best_constant_classifier: constant(majority, n),
    weighted_precision_best_constant_classifier: constant(
      majority * majority,
      n,
    ),
    weighted_recall_best_constant_classifier: constant(majority, n),
    weighted_f1_best_constant_classifier: constant(
      majority * f1Of(majority, 1),
      n,
    ),
    macro_f1: metricOf(
      n,
      rows => perClass(rows).reduce((s, m) => s + m.f1, 0) / k,
      all,
    ),
    logloss: metricOf(
      n,
      rows => {
        let sum = 0;
        for (const r of rows) {
          sum -= Math.log(Math.max(probabilities[r * k + labels[r]], EPS));
        }
        return sum / rows.length;
      },
      all,
    ),
    per_class,
  };
}
