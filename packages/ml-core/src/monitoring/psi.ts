/**
 * Population stability index and the decile bins it is computed over — the
 * one definition the feature drift report, the local engine's prediction-
 * drift alarm and infra's drift publisher share (no imports, so the Lambda
 * bundle takes just this file).
 */

/** Bins of a numeric PSI (deciles of the baseline). */
export const PSI_BINS = 10;
/** Floor of a bucket's share, so an empty bucket does not make the index infinite. */
export const PSI_EPSILON = 1e-4;

/** PSI of `actual` shares against `expected` shares, bucket by bucket (same length). */
export function populationStabilityIndex(
  expected: readonly number[],
  actual: readonly number[],
): number {
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(expected[b], PSI_EPSILON);
    const a = Math.max(actual[b], PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Interior decile edges of an ascending sample, duplicates dropped (ties). */
export function decileEdges(sorted: ArrayLike<number>): number[] {
  const edges: number[] = [];
  for (let b = 1; b < PSI_BINS; b++) {
    const v = sorted[Math.floor((b * sorted.length) / PSI_BINS)];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/** The bin of `v` among ascending edges; a value on an edge counts in the bin above it. */
export function binOf(edges: readonly number[], v: number): number {
  let b = 0;
  while (b < edges.length && v >= edges[b]) b++;
  return b;
}
