/**
 * Threshold curves of a binary classifier, shared by the Model Quality report
 * (metric arrays) and the evaluation plots (points for charts).
 */

/** The classifier's rates when everything scoring at least `threshold` is called positive. */
export interface ThresholdPoint {
  threshold: number;
  falsePositiveRate: number;
  truePositiveRate: number;
  precision: number;
}

/** One point per distinct score, highest score first (rows tied on a score move together). */
export function thresholdPoints(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): ThresholdPoint[] {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a],
  );
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] === 1 ? 1 : 0;
  const neg = n - pos;
  const points: ThresholdPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; ) {
    const s = scores[idx[i]];
    for (; i < n && scores[idx[i]] === s; i++) {
      if (labels[idx[i]] === 1) tp++;
      else fp++;
    }
    points.push({
      threshold: s,
      falsePositiveRate: neg ? fp / neg : 0,
      truePositiveRate: pos ? tp / pos : 0,
      precision: tp / (tp + fp),
    });
  }
  return points;
}

/** At most `max` items, evenly spaced, always keeping the first and the last. */
export function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max < 2) return [items[items.length - 1]];
  return Array.from(
    { length: max },
    (_, k) => items[Math.round((k * (items.length - 1)) / (max - 1))],
  );
}
