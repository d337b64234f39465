/** Histogram tree growing (tree_method hist): histograms, row partitioning, split search. */
import type { HistData } from './bins';
import { GrowParams, NodeStore } from './nodes';
import * as split from './split';
import { RT_EPS } from './split';
import type { TreeArrays } from './tree';

// Module-local binding: transpiled cross-module calls go through export
// getters, which is measurable in the split-search loops.
const calcGain = split.calcGain;
const calcWeight = split.calcWeight;

/** Reusable per-training buffers for the histogram grower. */
export class HistWorkspace {
  /**
   * Sampled rows of the current tree, ascending (set by the caller). growHist
   * partitions it in place: every node owns the slice
   * [store.begin[node], store.end[node]), still ascending.
   */
  readonly order: Uint32Array;
  /**
   * Rows left out by subsample, ascending (set by the caller). They get no
   * histogram, but are partitioned alongside (slices
   * [store.restBegin[node], store.restEnd[node])) so that their predictions
   * come from the leaf slices too: cheaper than walking the tree per row.
   */
  readonly rest: Uint32Array;
  /** Right-hand rows while a slice is being partitioned. */
  readonly scratch: Uint32Array;
  private readonly pool: Float64Array[] = [];
  constructor(readonly data: HistData) {
    this.order = new Uint32Array(data.rows);
    this.rest = new Uint32Array(data.rows);
    this.scratch = new Uint32Array(data.rows);
  }
  take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(2 * (this.data.missingBin + 1));
  }
  give(h: Float64Array): void {
    this.pool.push(h);
  }
}

/**
 * Histogram of order[begin, end): interleaved (Σgrad, Σhess) per global bin.
 * Rows are added in ascending order, so the float sums do not depend on how
 * the rows reached this node.
 */
function buildHist(
  ws: HistWorkspace,
  hist: Float64Array,
  begin: number,
  end: number,
  grad: Float32Array,
  hess: Float32Array,
  features: Int32Array,
): void {
  hist.fill(0);
  const { bins, cols } = ws.data;
  const order = ws.order;
  const nf = features.length;
  if (nf === cols) {
    // Two cells per step: about a quarter faster in V8 (fewer loop checks,
    // more independent adds in flight).
    const odd = cols & 1;
    for (let k = begin; k < end; k++) {
      const r = order[k];
      const g = grad[r];
      const h = hess[r];
      const base = r * cols;
      const pairsEnd = base + cols - odd;
      for (let i = base; i < pairsEnd; i += 2) {
        const q = bins[i] << 1;
        const q2 = bins[i + 1] << 1;
        hist[q] += g;
        hist[q + 1] += h;
        hist[q2] += g;
        hist[q2 + 1] += h;
      }
      if (odd) {
        const q = bins[pairsEnd] << 1;
        hist[q] += g;
        hist[q + 1] += h;
      }
    }
  } else {
    for (let k = begin; k < end; k++) {
      const r = order[k];
      const g = grad[r];
      const h = hess[r];
      const base = r * cols;
      for (let j = 0; j < nf; j++) {
        const q = bins[base + features[j]] << 1;
        hist[q] += g;
        hist[q + 1] += h;
      }
    }
  }
}

/**
 * Stable in-place partition of order[begin, end) by one split; returns the
 * index where the right child's rows start. Branch-free, because the
 * direction of consecutive rows is close to random.
 */
function partitionRows(
  data: HistData,
  order: Uint32Array,
  scratch: Uint32Array,
  begin: number,
  end: number,
  feature: number,
  splitBin: number,
  missingLeft: number,
): number {
  const { binsByColumn, rows, missingBin } = data;
  const colBase = feature * rows;
  let nl = begin;
  let nr = 0;
  for (let k = begin; k < end; k++) {
    const row = order[k];
    const bin = binsByColumn[colBase + row];
    // bin ≤ splitBin, or missing with a left default (bins are < 2^16).
    const left =
      (((splitBin - bin) >>> 31) ^ 1) |
      (missingLeft & (((bin ^ missingBin) - 1) >>> 31));
    order[nl] = row;
    scratch[nr] = row;
    nl += left;
    nr += left ^ 1;
  }
  order.set(scratch.subarray(0, nr), nl);
  return nl;
}

/**
 * Histogram method, depth-wise (XGBoost's grow_quantile_histmaker). Each node
 * owns a contiguous, ascending slice of `ws.order`; a split partitions the
 * slice in place and builds the histogram of the smaller child only — the
 * larger one is parent − smaller. Nodes whose best loss change is below gamma
 * are not expanded (hist does not run the pruner). On return each leaf's rows
 * are order[store.begin[leaf], store.end[leaf]) and its unsampled rows
 * rest[store.restBegin[leaf], store.restEnd[leaf]).
 */
export function growHist(
  ws: HistWorkspace,
  n: number,
  nRest: number,
  grad: Float32Array,
  hess: Float32Array,
  features: Int32Array,
  p: GrowParams,
): { tree: TreeArrays; store: NodeStore } {
  const data = ws.data;
  const { offsets, cuts, minCuts } = data;
  const order = ws.order;
  const mcw = p.min_child_weight;
  const nf = features.length;
  const store = new NodeStore();
  let g0 = 0;
  let h0 = 0;
  for (let k = 0; k < n; k++) {
    const r = order[k];
    g0 += grad[r];
    h0 += hess[r];
  }
  store.add(-1, g0, h0, 0);
  store.begin[0] = 0;
  store.end[0] = n;
  store.restBegin[0] = 0;
  store.restEnd[0] = nRest;
  const hists: Array<Float64Array | undefined> = [];
  hists[0] = ws.take();
  buildHist(ws, hists[0], 0, n, grad, hess, features);
  let frontier = [0];
  for (let depth = 0; depth < p.max_depth && frontier.length > 0; depth++) {
    const buildChildren = depth + 1 < p.max_depth;
    const next: number[] = [];
    for (const node of frontier) {
      const hist = hists[node]!;
      hists[node] = undefined;
      const G = store.g[node];
      const H = store.h[node];
      const rootGain = calcGain(p, G, H);
      let bestLoss = -Infinity;
      let bestBin = 0;
      let bestFeat = -1;
      let bestCond = 0;
      let bestDef = 0;
      let bestGL = 0;
      let bestHL = 0;
      for (let fi = 0; fi < nf; fi++) {
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
          if (loss > bestLoss) {
            bestLoss = loss;
            bestBin = b;
            bestFeat = f;
            bestCond = cuts[b];
            bestDef = 0;
            bestGL = gl;
            bestHL = hl;
          }
        }
        if (missing) {
          // Backward: right = bins ≥ b, left = the rest including missing.
          let gr = 0;
          let hr = 0;
          for (let b = e - 1; b >= o; b--) {
            gr += hist[2 * b];
            hr += hist[2 * b + 1];
            if (hr < mcw) continue;
            const hl2 = H - hr;
            if (hl2 < mcw) break;
            const loss =
              calcGain(p, G - gr, hl2) + calcGain(p, gr, hr) - rootGain;
            if (loss > bestLoss) {
              bestLoss = loss;
              bestBin = b - 1;
              bestFeat = f;
              bestCond = b > o ? cuts[b - 1] : minCuts[f];
              bestDef = 1;
              bestGL = G - gr;
              bestHL = hl2;
            }
          }
        }
      }
      if (bestFeat < 0 || !(bestLoss > RT_EPS) || bestLoss < p.gamma) {
        ws.give(hist);
        continue;
      }
      const [l, r] = store.split(node, bestFeat, bestCond, bestDef, bestLoss);
      store.g[l] = bestGL;
      store.h[l] = bestHL;
      store.g[r] = G - bestGL;
      store.h[r] = H - bestHL;
      const begin = store.begin[node];
      const end = store.end[node];
      const { scratch, rest } = ws;
      const mid = partitionRows(
        data,
        order,
        scratch,
        begin,
        end,
        bestFeat,
        bestBin,
        bestDef,
      );
      store.begin[l] = begin;
      store.end[l] = mid;
      store.begin[r] = mid;
      store.end[r] = end;
      const restBegin = store.restBegin[node];
      const restEnd = store.restEnd[node];
      const restMid = partitionRows(
        data,
        rest,
        scratch,
        restBegin,
        restEnd,
        bestFeat,
        bestBin,
        bestDef,
      );
      store.restBegin[l] = restBegin;
      store.restEnd[l] = restMid;
      store.restBegin[r] = restMid;
      store.restEnd[r] = restEnd;
      if (buildChildren) {
        const smallIsLeft = bestHL <= H - bestHL;
        const small = ws.take();
        if (smallIsLeft) buildHist(ws, small, begin, mid, grad, hess, features);
        else buildHist(ws, small, mid, end, grad, hess, features);
        for (let k = 0; k < hist.length; k++) hist[k] -= small[k];
        hists[smallIsLeft ? l : r] = small;
        hists[smallIsLeft ? r : l] = hist;
        next.push(l, r);
      } else {
        ws.give(hist);
      }
    }
    frontier = next;
  }
  for (const h of hists) if (h) ws.give(h);
  return { tree: store.toTree(p), store };
}

/**
 * Adds each leaf's value (weight·eta, in float32 like the tree) to the
 * predictions of its sampled and unsampled rows, after growHist.
 */
export function addLeafValues(
  ws: HistWorkspace,
  store: NodeStore,
  p: GrowParams,
  pred: Float32Array,
): void {
  const { order, rest } = ws;
  for (let nd = 0; nd < store.left.length; nd++) {
    if (store.left[nd] !== -1) continue;
    const v = Math.fround(calcWeight(p, store.g[nd], store.h[nd]) * p.eta);
    for (let k = store.begin[nd]; k < store.end[nd]; k++) pred[order[k]] += v;
    const restEnd = store.restEnd[nd];
    for (let k = store.restBegin[nd]; k < restEnd; k++) pred[rest[k]] += v;
  }
}
