/** Histogram tree growing (tree_method hist): histograms, row partitioning, split search. */
import type { HistData } from './bins';
import { addRowsToHist } from './hist-kernel';
import { findBestSplit, SplitChoice } from './hist-split';
import {
  HistThreads,
  MIN_PARALLEL_ROWS,
  MIN_THREADED_TRAINING_ROWS,
} from './hist-threads';
import { GrowParams, NodeStore } from './nodes';
import * as split from './split';
import { RT_EPS } from './split';
import type { TreeArrays } from './tree';

// Module-local binding (transpiled cross-module calls go through getters).
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
  /** Gradients and hessians of the current round (set by the caller). */
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  /** Helpers for large histograms, when training with nthread > 1. */
  readonly threads?: HistThreads;
  private readonly pool: Float64Array[] = [];
  constructor(readonly data: HistData, nthread = 1) {
    const { rows } = data;
    // Shared memory so that worker threads can read the rows and gradients.
    this.order = new Uint32Array(new SharedArrayBuffer(4 * rows));
    this.grad = new Float32Array(new SharedArrayBuffer(4 * rows));
    this.hess = new Float32Array(new SharedArrayBuffer(4 * rows));
    this.rest = new Uint32Array(rows);
    this.scratch = new Uint32Array(rows);
    if (nthread > 1 && rows >= MIN_THREADED_TRAINING_ROWS) {
      this.threads = new HistThreads(
        data,
        this.order,
        this.grad,
        this.hess,
        nthread,
      );
    }
  }
  /** Stops the worker threads, if any. */
  close(): void {
    this.threads?.close();
  }
  take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(2 * (this.data.missingBin + 1));
  }
  give(h: Float64Array): void {
    this.pool.push(h);
  }
}

/**
 * Histogram of order[begin, end): interleaved (Σgrad, Σhess) per global bin,
 * over all columns (shared with worker threads for large nodes) or over the
 * columns sampled for this tree.
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
  const { bins, cols } = ws.data;
  const order = ws.order;
  const nf = features.length;
  if (nf === cols) {
    if (ws.threads && end - begin >= MIN_PARALLEL_ROWS) {
      ws.threads.build(hist, begin, end);
      return;
    }
    hist.fill(0);
    addRowsToHist(hist, bins, cols, order, begin, end, grad, hess, 0, cols);
  } else {
    hist.fill(0);
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

/** Leaf value as the tree stores it: weight·eta in float32. */
function leafValue(p: GrowParams, g: number, h: number): number {
  return Math.fround(calcWeight(p, g, h) * p.eta);
}

/**
 * For a split whose children are leaves: adds the left or right leaf value to
 * the predictions of order[begin, end) without partitioning them (the same
 * branch-free direction as partitionRows).
 */
function addSplitLeafValues(
  data: HistData,
  order: Uint32Array,
  begin: number,
  end: number,
  s: SplitChoice,
  values: Float32Array,
  pred: Float32Array,
): void {
  const { binsByColumn, rows, missingBin } = data;
  const colBase = s.feature * rows;
  const splitBin = s.bin;
  const missingLeft = s.defaultLeft;
  for (let k = begin; k < end; k++) {
    const row = order[k];
    const bin = binsByColumn[colBase + row];
    const left =
      (((splitBin - bin) >>> 31) ^ 1) |
      (missingLeft & (((bin ^ missingBin) - 1) >>> 31));
    pred[row] += values[left];
  }
}

/**
 * Histogram method, depth-wise (XGBoost's grow_quantile_histmaker). Each node
 * owns a contiguous, ascending slice of `ws.order` (and one of `ws.rest`); a
 * split partitions the slices in place and builds the histogram of the
 * smaller child only — the larger one is parent − smaller. Nodes whose best
 * loss change is below gamma are not expanded (hist does not run the
 * pruner). Adds the tree's leaf values to `pred` for all training rows, from
 * the leaf slices (children at max_depth get theirs while their parent's
 * rows are scanned, without a last partition).
 */
export function growHist(
  ws: HistWorkspace,
  n: number,
  nRest: number,
  grad: Float32Array,
  hess: Float32Array,
  features: Int32Array,
  p: GrowParams,
  pred: Float32Array,
): TreeArrays {
  const { data, order, rest, scratch } = ws;
  const store = new NodeStore();
  const best = new SplitChoice();
  const values = new Float32Array(2);
  let g0 = 0;
  let h0 = 0;
  for (let k = 0; k < n; k++) {
    const r = order[k];
    g0 += grad[r];
    h0 += hess[r];
  }
  store.add(-1, g0, h0, 0);
  store.end[0] = n;
  store.restEnd[0] = nRest;
  const hists: Array<Float64Array | undefined> = [];
  hists[0] = ws.take();
  buildHist(ws, hists[0], 0, n, grad, hess, features);
  let frontier = [0];
  for (let depth = 0; depth < p.max_depth && frontier.length > 0; depth++) {
    const childrenAreLeaves = depth + 1 === p.max_depth;
    const next: number[] = [];
    for (const node of frontier) {
      const hist = hists[node]!;
      hists[node] = undefined;
      const G = store.g[node];
      const H = store.h[node];
      findBestSplit(data, hist, G, H, features, p, best);
      if (best.feature < 0 || !(best.loss > RT_EPS) || best.loss < p.gamma) {
        ws.give(hist);
        continue;
      }
      const [l, r] = store.split(
        node,
        best.feature,
        best.condition,
        best.defaultLeft,
        best.loss,
      );
      store.g[l] = best.gl;
      store.h[l] = best.hl;
      store.g[r] = G - best.gl;
      store.h[r] = H - best.hl;
      const begin = store.begin[node];
      const end = store.end[node];
      const restBegin = store.restBegin[node];
      const restEnd = store.restEnd[node];
      if (childrenAreLeaves) {
        // Index 1 = left (the direction bit), 0 = right.
        values[1] = leafValue(p, best.gl, best.hl);
        values[0] = leafValue(p, G - best.gl, H - best.hl);
        addSplitLeafValues(data, order, begin, end, best, values, pred);
        addSplitLeafValues(data, rest, restBegin, restEnd, best, values, pred);
        ws.give(hist);
        continue;
      }
      const { feature, bin, defaultLeft } = best;
      const mid = partitionRows(
        data,
        order,
        scratch,
        begin,
        end,
        feature,
        bin,
        defaultLeft,
      );
      const restMid = partitionRows(
        data,
        rest,
        scratch,
        restBegin,
        restEnd,
        feature,
        bin,
        defaultLeft,
      );
      store.setRows(l, begin, mid, restBegin, restMid);
      store.setRows(r, mid, end, restMid, restEnd);
      const smallIsLeft = best.hl <= H - best.hl;
      const small = ws.take();
      if (smallIsLeft) buildHist(ws, small, begin, mid, grad, hess, features);
      else buildHist(ws, small, mid, end, grad, hess, features);
      for (let k = 0; k < hist.length; k++) hist[k] -= small[k];
      hists[smallIsLeft ? l : r] = small;
      hists[smallIsLeft ? r : l] = hist;
      next.push(l, r);
    }
    frontier = next;
  }
  for (const h of hists) if (h) ws.give(h);
  // Leaves above max_depth (not expanded) still own their slices.
  for (let nd = 0; nd < store.left.length; nd++) {
    if (store.left[nd] !== -1 || store.depth[nd] === p.max_depth) continue;
    const v = leafValue(p, store.g[nd], store.h[nd]);
    for (let k = store.begin[nd]; k < store.end[nd]; k++) pred[order[k]] += v;
    const e = store.restEnd[nd];
    for (let k = store.restBegin[nd]; k < e; k++) pred[rest[k]] += v;
  }
  return store.toTree(p);
}
