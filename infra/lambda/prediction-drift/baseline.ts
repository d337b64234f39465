/**
 * A version's prediction baseline (prediction-baseline.json, written by
 * infra/ml/prediction_baseline.py) and the PSI of live predictions against it.
 * Buckets, the PSI (ml-core's, the one the local engine's alarm uses) and the
 * extra "never seen" bucket follow the local engine, so a `predictionDrift`
 * threshold means the same on both engines.
 */

import {
  binOf,
  populationStabilityIndex,
} from '../../../packages/ml-core/src/monitoring/psi';

export const BASELINE_FORMAT = 'mlops-portal/prediction-baseline';

export type Task = 'regression' | 'binary' | 'multiclass';

export type PredictionBaseline =
  | { task: Task; kind: 'bins'; edges: number[]; shares: number[] }
  | { task: Task; kind: 'classes'; labels: string[]; shares: number[] }
  | { task: Task; kind: 'none'; reason: string };

export class BaselineError extends Error {}

const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every(x => typeof x === 'number' && Number.isFinite(x));

/** Checks the file's shape; throws BaselineError naming the field. */
export function parseBaseline(text: string): PredictionBaseline {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`not JSON (${(e as Error).message.slice(0, 120)})`);
  }
  if (doc?.format !== BASELINE_FORMAT)
    throw new BaselineError(`format: expected ${BASELINE_FORMAT}`);
  const task = doc.task;
  if (!['regression', 'binary', 'multiclass'].includes(task))
    throw new BaselineError('task: expected regression, binary or multiclass');
  if (doc.kind === 'none')
    return { task, kind: 'none', reason: String(doc.reason ?? '') };
  if (!isNumberArray(doc.shares) || doc.shares.length === 0)
    throw new BaselineError('shares: expected a non-empty list of numbers');
  if (doc.kind === 'bins' && task === 'regression') {
    if (!isNumberArray(doc.edges) || doc.edges.length + 1 !== doc.shares.length)
      throw new BaselineError('edges: expected one number fewer than shares');
    if (
      doc.edges.some((e: number, i: number) => i > 0 && e <= doc.edges[i - 1])
    )
      throw new BaselineError('edges: expected ascending distinct numbers');
    return { task, kind: 'bins', edges: doc.edges, shares: doc.shares };
  }
  if (doc.kind === 'classes' && task !== 'regression') {
    const labels = doc.labels;
    if (
      !Array.isArray(labels) ||
      !labels.every((l: unknown) => typeof l === 'string') ||
      labels.length !== doc.shares.length ||
      labels.length < 2
    )
      throw new BaselineError(
        'labels: expected one class label per share (at least two)',
      );
    return { task, kind: 'classes', labels, shares: doc.shares };
  }
  throw new BaselineError(
    `kind: ${String(doc.kind)} does not fit task ${task}`,
  );
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The endpoint's CSV answer as numbers. The XGBoost container separates
 * predictions by newlines or commas depending on its version and may bracket
 * a row of class probabilities (the prediction API normalises the same way).
 * undefined when a value is not a number (an error text, an empty answer).
 */
export function outputValues(csv: string): number[] | undefined {
  const text = csv.replace(/[[\]]/g, ' ').trim();
  if (text === '') return undefined;
  const values: number[] = [];
  for (const token of text.split(/[\s,]+/)) {
    // "nan" / "inf" are answers of the model (the extra bucket); anything else is not an answer.
    if (NUMBER.test(token)) values.push(Number(token));
    else if (/^[-+]?(nan|inf|infinity)$/i.test(token)) values.push(NaN);
    else return undefined;
  }
  return values;
}

/**
 * Bucket of each prediction in one answer; undefined when the answer does not
 * fit the task (e.g. a multiclass answer whose count is not a multiple of the
 * classes). A value that is not finite counts in the extra last bucket.
 */
export function bucketsOf(
  baseline: Exclude<PredictionBaseline, { kind: 'none' }>,
  values: number[],
): number[] | undefined {
  const extra = baseline.shares.length;
  if (baseline.kind === 'bins')
    return values.map(v =>
      Number.isFinite(v) ? binOf(baseline.edges, v) : extra,
    );
  if (baseline.task === 'binary')
    // p(classes[1]); a tie goes to classes[0], as the prediction API does.
    return values.map(p => (!Number.isFinite(p) ? extra : p > 0.5 ? 1 : 0));
  const k = baseline.labels.length;
  if (values.length % k !== 0) return undefined;
  const out: number[] = [];
  for (let r = 0; r < values.length; r += k) {
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < k; j++) {
      const x = values[r + j];
      if (Number.isFinite(x) && x > bestValue) {
        bestValue = x;
        best = j;
      }
    }
    out.push(best < 0 ? extra : best);
  }
  return out;
}

/** Population stability index of live bucket counts against the baseline shares. */
export function predictionPsi(
  shares: readonly number[],
  counts: readonly number[],
): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  // One bucket more than the baseline: labels it never predicted.
  const n = Math.max(shares.length + 1, counts.length);
  const expected = Array.from({ length: n }, (_, b) => shares[b] ?? 0);
  const actual = Array.from({ length: n }, (_, b) => (counts[b] ?? 0) / total);
  return populationStabilityIndex(expected, actual);
}
