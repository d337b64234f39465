/**
 * Learning objectives and evaluation metrics with XGBoost 1.7's semantics:
 * gradients and hessians from the margins, the link from margin to
 * prediction, base_score's margin, and the metrics early stopping watches.
 */
import type { Objective } from '../spec/types';

/** Evaluation metrics XGBoost names this way (`eval_metric`). */
export type EvalMetric =
  | 'rmse'
  | 'mae'
  | 'logloss'
  | 'error'
  | 'auc'
  | 'mlogloss'
  | 'merror';

export const OBJECTIVES: readonly Objective[] = [
  'reg:squarederror',
  'binary:logistic',
  'multi:softprob',
];

/** The metrics each objective can be evaluated with; the first is XGBoost 1.7's default. */
export const OBJECTIVE_METRICS: Record<Objective, readonly EvalMetric[]> = {
  'reg:squarederror': ['rmse', 'mae'],
  'binary:logistic': ['logloss', 'error', 'auc'],
  'multi:softprob': ['mlogloss', 'merror', 'auc'],
};

/** Metrics where larger is better (early stopping maximises them). */
export function maximizes(metric: EvalMetric): boolean {
  return metric === 'auc';
}

/** XGBoost's eps for hessians and probabilities (1e-16f). */
const EPS = 1e-16;
/** XGBoost's Softmax gradient starts its running maximum at FLT_MIN (not −∞). */
const FLT_MIN = 1.1754943508222875e-38;

/** XGBoost 1.7's sigmoid, in float32 like `1.0f / (1.0f + expf(-x))`. */
export function sigmoid(x: number): number {
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-x))));
}

/** base_score (output space) → starting margin: logit for binary:logistic (XGBoost's ProbToMargin). */
export function baseMargin(objective: Objective, baseScore: number): number {
  if (objective === 'binary:logistic') {
    if (!(baseScore > 0 && baseScore < 1)) {
      throw new Error(
        `Invalid hyperparameter base_score=${baseScore}: must be in (0, 1) for binary:logistic`,
      );
    }
    // "|| 0": logit(0.5) is -0, which would print as "-0".
    return Math.fround(-Math.log(Math.fround(1 / baseScore - 1))) || 0;
  }
  return Math.fround(baseScore);
}

/**
 * Checks the labels an objective accepts: any finite number (regression),
 * 0 or 1 (binary), a class index 0…numClass−1 (multiclass). Names the row.
 */
export function checkLabels(
  objective: Objective,
  labels: Float32Array,
  numClass: number,
  what: string,
): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isFinite(y)) {
      throw new Error(`${what}: label of row ${i + 1} is not a finite number`);
    }
    if (objective === 'binary:logistic' && y !== 0 && y !== 1) {
      throw new Error(
        `${what}: label of row ${
          i + 1
        } is ${y}; binary:logistic needs 0 or 1 (the class index)`,
      );
    }
    if (
      objective === 'multi:softprob' &&
      !(Number.isInteger(y) && y >= 0 && y < numClass)
    ) {
      throw new Error(
        `${what}: label of row ${
          i + 1
        } is ${y}; multi:softprob needs a class index in [0, ${
          numClass - 1
        }] (num_class ${numClass})`,
      );
    }
  }
}

/**
 * binary:logistic: p = sigmoid(margin), gradient p − y, hessian
 * max(p(1 − p), eps), in float32 as XGBoost computes them. Returns the mean
 * log loss of these margins (the training logloss, from the same pass).
 */
export function logisticGradient(
  margin: Float32Array,
  labels: Float32Array,
  grad: Float32Array,
  hess: Float32Array,
): number {
  let loss = 0;
  for (let r = 0; r < grad.length; r++) {
    const p = Math.fround(
      1 / Math.fround(1 + Math.fround(Math.exp(-margin[r]))),
    );
    const y = labels[r];
    grad[r] = p - y;
    const h = Math.fround(p * Math.fround(1 - p));
    hess[r] = h > EPS ? h : EPS;
    // The label's probability, clipped like XGBoost's logloss.
    const q = y * p + (1 - y) * (1 - p);
    loss -= Math.log(q > EPS ? q : EPS);
  }
  return loss / grad.length;
}

/**
 * multi:softprob, first part: the softmax probabilities of every row
 * (prob[r·K + k]) from the per-class margins, with XGBoost 1.7's running
 * maximum (which starts at FLT_MIN). With labels, returns the mean mlogloss
 * (the training metric, from the same pass); else NaN.
 */
export function softmaxRows(
  margins: Float32Array[],
  rows: number,
  prob: Float32Array,
  labels?: Float32Array,
): number {
  let loss = 0;
  const k = margins.length;
  for (let r = 0; r < rows; r++) {
    let wmax = FLT_MIN;
    for (let c = 0; c < k; c++) {
      const m = margins[c][r];
      if (m > wmax) wmax = m;
    }
    let wsum = 0;
    const base = r * k;
    for (let c = 0; c < k; c++) {
      const e = Math.fround(Math.exp(margins[c][r] - wmax));
      prob[base + c] = e;
      wsum += e;
    }
    const s = Math.fround(wsum);
    for (let c = 0; c < k; c++) {
      prob[base + c] = Math.fround(prob[base + c] / s);
    }
    if (labels) {
      const q = prob[base + labels[r]];
      loss -= Math.log(q > EPS ? q : EPS);
    }
  }
  return labels ? loss / rows : NaN;
}

/**
 * multi:softprob, second part: class `c`'s gradient p − [y = c] and hessian
 * max(2p(1 − p), eps) — XGBoost 1.7 doubles the softmax hessian.
 */
export function softmaxGradient(
  prob: Float32Array,
  k: number,
  c: number,
  labels: Float32Array,
  grad: Float32Array,
  hess: Float32Array,
): void {
  for (let r = 0; r < grad.length; r++) {
    const p = prob[r * k + c];
    const h = Math.fround(2 * Math.fround(p * Math.fround(1 - p)));
    hess[r] = h > EPS ? h : EPS;
    grad[r] = labels[r] === c ? p - 1 : p;
  }
}

/** Probabilities from margins: sigmoid (binary) or softmax per row (multiclass, row-major r·K + k). */
export function marginsToProbabilities(
  objective: Objective,
  margins: Float32Array[],
  rows: number,
): Float32Array {
  if (objective === 'binary:logistic') {
    const out = new Float32Array(rows);
    const m = margins[0];
    for (let r = 0; r < rows; r++) out[r] = sigmoid(m[r]);
    return out;
  }
  const out = new Float32Array(rows * margins.length);
  softmaxRows(margins, rows, out);
  return out;
}

/** ROC AUC of scores against 0/1 labels; tied scores count half (trapezoids). NaN with one class only. */
export function rocAuc(
  scores: ArrayLike<number>,
  positive: ArrayLike<number>,
): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a],
  );
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < n; i++) {
    if (positive[i]) pos++;
    else neg++;
  }
  if (pos === 0 || neg === 0) return NaN;
  let area = 0;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    let dTp = 0;
    let dFp = 0;
    const s = scores[idx[i]];
    for (; i < n && scores[idx[i]] === s; i++) {
      if (positive[idx[i]]) dTp++;
      else dFp++;
    }
    area += dFp * (tp + dTp / 2);
    tp += dTp;
    fp += dFp;
  }
  return area / (pos * neg);
}

/**
 * An evaluation metric of the margins (one array per class or output) against
 * the labels, as XGBoost computes it: `logloss`/`mlogloss` clip probabilities
 * to [eps, 1 − eps]; `error` counts p above 0.5 as class 1; multiclass `auc` is
 * the class-prevalence-weighted one-vs-rest mean (XGBoost 1.7).
 */
export function evalMetric(
  metric: EvalMetric,
  objective: Objective,
  margins: Float32Array[],
  labels: Float32Array,
): number {
  const n = labels.length;
  if (n === 0) return NaN;
  if (objective === 'reg:squarederror') {
    const m = margins[0];
    let s = 0;
    for (let r = 0; r < n; r++) {
      const d = m[r] - labels[r];
      s += metric === 'mae' ? Math.abs(d) : d * d;
    }
    return metric === 'mae' ? s / n : Math.sqrt(s / n);
  }
  const prob = marginsToProbabilities(objective, margins, n);
  const k = margins.length;
  let s = 0;
  switch (metric) {
    case 'logloss':
      for (let r = 0; r < n; r++) {
        const p = Math.min(Math.max(prob[r], EPS), 1 - EPS);
        s -= labels[r] ? Math.log(p) : Math.log(1 - p);
      }
      return s / n;
    case 'error':
      for (let r = 0; r < n; r++)
        s += (prob[r] > 0.5 ? 1 : 0) !== labels[r] ? 1 : 0;
      return s / n;
    case 'mlogloss':
      for (let r = 0; r < n; r++) {
        s -= Math.log(Math.max(prob[r * k + labels[r]], EPS));
      }
      return s / n;
    case 'merror':
      for (let r = 0; r < n; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) {
          if (prob[r * k + c] > prob[r * k + best]) best = c;
        }
        s += best !== labels[r] ? 1 : 0;
      }
      return s / n;
    case 'auc': {
      if (objective === 'binary:logistic') return rocAuc(prob, labels);
      let total = 0;
      let weight = 0;
      const scores = new Float32Array(n);
      const positive = new Uint8Array(n);
      for (let c = 0; c < k; c++) {
        let count = 0;
        for (let r = 0; r < n; r++) {
          scores[r] = prob[r * k + c];
          positive[r] = labels[r] === c ? 1 : 0;
          count += positive[r];
        }
        const auc = rocAuc(scores, positive);
        if (Number.isFinite(auc)) {
          total += count * auc;
          weight += count;
        }
      }
      return weight > 0 ? total / weight : NaN;
    }
    default:
      throw new Error(
        `Metric ${metric} does not apply to objective ${objective}`,
      );
  }
}
