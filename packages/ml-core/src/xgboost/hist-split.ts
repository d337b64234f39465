// Split search over one node's histogram (XGBoost's hist split evaluator).
import type { HistData } from './bins';
import type { GrowParams } from './nodes';
import * as split from './split';

// Module-local binding: transpiled cross-module calls go through export
// getters, which is measurable in the split-search loops.
const calcGain = split.calcGain;

/** The best split found for a node; reused across nodes (no allocation per node). */
export class SplitChoice {
  loss = -Infinity;
  /** -1 when no split satisfies min_child_weight. */
  feature = -1;
  /** Rows with bin ≤ bin go left (missing ones follow defaultLeft). */
  bin = 0;
  /** The same threshold as a value: left if x < condition. */
  condition = 0;
  defaultLeft = 0;
  /** Gradient and hessian sums of the left child. */
  gl = 0;
  hl = 0;
}

/**
 * Scans every feature's bins of `hist` (interleaved Σgrad, Σhess) for the
 * split of a node with sums (G, H) with the largest loss change. Forward
 * (missing values right) always, backward (missing left) only for features
 * with missing values; both need min_child_weight on each side.
 */
export function findBestSplit(
  data: HistData,
  hist: Float64Array,
  G: number,
  H: number,
  features: Int32Array,
  p: GrowParams,
  best: SplitChoice,
): void {
  const { offsets, cuts, minCuts } = data;
  const mcw = p.min_child_weight;
  const rootGain = calcGain(p, G, H);
  best.loss = -Infinity;
  best.feature = -1;
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const o = offsets[f];
    const e = offsets[f + 1];
    const missing = data.hasMissing[f] === 1;
    // Forward: left = bins ≤ b, missing right.
    let gl = 0;
    let hl = 0;
    const stop = missing ? e : e - 1;
    for (let b = o; b < stop; b++) {
      gl += hist[2 * b];
      hl += hist[2 * b + 1];
      if (hl < mcw) continue;
      const hr = H - hl;
      if (hr < mcw) break;
      const loss = calcGain(p, gl, hl) + calcGain(p, G - gl, hr) - rootGain;
      if (loss > best.loss) {
        best.loss = loss;
        best.bin = b;
        best.feature = f;
        best.condition = cuts[b];
        best.defaultLeft = 0;
        best.gl = gl;
        best.hl = hl;
      }
    }
    if (!missing) continue;
    // Backward: right = bins ≥ b, left = the rest including missing.
    let gr = 0;
    let hr = 0;
    for (let b = e - 1; b >= o; b--) {
      gr += hist[2 * b];
      hr += hist[2 * b + 1];
      if (hr < mcw) continue;
      const hl2 = H - hr;
      if (hl2 < mcw) break;
      const loss = calcGain(p, G - gr, hl2) + calcGain(p, gr, hr) - rootGain;
      if (loss > best.loss) {
        best.loss = loss;
        best.bin = b - 1;
        best.feature = f;
        best.condition = b > o ? cuts[b - 1] : minCuts[f];
        best.defaultLeft = 1;
        best.gl = G - gr;
        best.hl = hl2;
      }
    }
  }
}
