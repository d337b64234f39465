import * as split from './split';
import { RegParams, RT_EPS } from './split';
import { ROOT_PARENT, TreeArrays } from './tree';

// Module-local bindings: transpiled cross-module calls go through export
// getters, which is measurable in the split-search loops.
const calcGain = split.calcGain;
const calcWeight = split.calcWeight;

export interface GrowParams extends RegParams {
  max_depth: number;
  eta: number;
  gamma: number;
}

/** Growable node list in XGBoost's numbering (children allocated in expansion order). */
export class NodeStore {
  left: number[] = [];
  right: number[] = [];
  parent: number[] = [];
  feature: number[] = [];
  cond: number[] = [];
  defLeft: number[] = [];
  g: number[] = [];
  h: number[] = [];
  loss: number[] = [];
  depth: number[] = [];
  begin: number[] = [];
  end: number[] = [];

  add(parent: number, g: number, h: number, depth: number): number {
    const id = this.left.length;
    this.left.push(-1);
    this.right.push(-1);
    this.parent.push(parent);
    this.feature.push(0);
    this.cond.push(0);
    this.defLeft.push(0);
    this.g.push(g);
    this.h.push(h);
    this.loss.push(0);
    this.depth.push(depth);
    this.begin.push(0);
    this.end.push(0);
    return id;
  }

  split(
    node: number,
    feature: number,
    cond: number,
    defLeft: number,
    loss: number,
  ): [number, number] {
    const d = this.depth[node] + 1;
    const l = this.add(node, 0, 0, d);
    const r = this.add(node, 0, 0, d);
    this.left[node] = l;
    this.right[node] = r;
    this.feature[node] = feature;
    this.cond[node] = cond;
    this.defLeft[node] = defLeft;
    this.loss[node] = loss;
    return [l, r];
  }

  /**
   * XGBoost's TreePruner: bottom-up, a split whose children are both leaves
   * is undone when its loss change is below gamma (min_split_loss).
   */
  prune(gamma: number): void {
    const isLeaf = (n: number) => this.left[n] === -1;
    const tryPrune = (leaf: number) => {
      let n = leaf;
      while (this.parent[n] !== -1) {
        const p = this.parent[n];
        if (
          isLeaf(this.left[p]) &&
          isLeaf(this.right[p]) &&
          this.loss[p] < gamma
        ) {
          this.left[p] = -1;
          this.right[p] = -1;
          this.loss[p] = 0;
          n = p;
        } else {
          return;
        }
      }
    };
    const n = this.left.length;
    for (let i = 0; i < n; i++) {
      if (isLeaf(i) && this.reachable(i)) tryPrune(i);
    }
  }

  private reachable(node: number): boolean {
    let n = node;
    while (this.parent[n] !== -1) {
      const p = this.parent[n];
      if (this.left[p] !== n && this.right[p] !== n) return false;
      n = p;
    }
    return true;
  }

  /** Renumbers reachable nodes breadth-first (drops pruned ones) and sets leaf values = weight·eta. */
  toTree(p: GrowParams): TreeArrays {
    const order: number[] = [0];
    const newId = new Map<number, number>([[0, 0]]);
    for (let k = 0; k < order.length; k++) {
      const n = order[k];
      if (this.left[n] !== -1) {
        newId.set(this.left[n], order.length);
        order.push(this.left[n]);
        newId.set(this.right[n], order.length);
        order.push(this.right[n]);
      }
    }
    const m = order.length;
    const t: TreeArrays = {
      left: new Int32Array(m),
      right: new Int32Array(m),
      parent: new Int32Array(m),
      feature: new Int32Array(m),
      condition: new Float32Array(m),
      defaultLeft: new Uint8Array(m),
      baseWeight: new Float32Array(m),
      lossChange: new Float32Array(m),
      sumHessian: new Float32Array(m),
    };
    order.forEach((n, i) => {
      const w = calcWeight(p, this.g[n], this.h[n]);
      t.parent[i] = i === 0 ? ROOT_PARENT : newId.get(this.parent[n])!;
      t.baseWeight[i] = w;
      t.sumHessian[i] = this.h[n];
      if (this.left[n] === -1) {
        t.left[i] = -1;
        t.right[i] = -1;
        t.condition[i] = w * p.eta;
        // XGBoost leaves carry split_indices 0 and default_left 0.
      } else {
        t.left[i] = newId.get(this.left[n])!;
        t.right[i] = newId.get(this.right[n])!;
        t.feature[i] = this.feature[n];
        t.condition[i] = this.cond[n];
        t.defaultLeft[i] = this.defLeft[n];
        t.lossChange[i] = this.loss[n];
      }
    });
    return t;
  }
}

/** Pre-sorted columns for exact greedy split finding (built once per training). */
export interface ExactData {
  rows: number;
  cols: number;
  x: Float32Array;
  sortedRows: Uint32Array[];
  sortedValues: Float32Array[];
  hasMissing: Uint8Array;
}

export function buildExactData(
  x: Float32Array,
  rows: number,
  cols: number,
): ExactData {
  const sortedRows: Uint32Array[] = [];
  const sortedValues: Float32Array[] = [];
  const hasMissing = new Uint8Array(cols);
  for (let f = 0; f < cols; f++) {
    const present: number[] = [];
    for (let r = 0; r < rows; r++) {
      if (!Number.isNaN(x[r * cols + f])) present.push(r);
      else hasMissing[f] = 1;
    }
    present.sort((a, b) => x[a * cols + f] - x[b * cols + f] || a - b);
    const idx = Uint32Array.from(present);
    sortedRows.push(idx);
    sortedValues.push(Float32Array.from(idx, r => x[r * cols + f]));
  }
  return { rows, cols, x, sortedRows, sortedValues, hasMissing };
}

/**
 * Exact greedy, depth-wise (XGBoost's grow_colmaker followed by prune):
 * each level scans every pre-sorted column once for all open nodes.
 * `pos[r]` is the row's open-node slot, or -1 for rows not sampled.
 */
export function growExact(
  data: ExactData,
  grad: Float32Array,
  hess: Float32Array,
  sampled: Uint8Array | undefined,
  features: Int32Array,
  p: GrowParams,
): TreeArrays {
  const { rows, cols, x } = data;
  const store = new NodeStore();
  const pos = new Int32Array(rows);
  let g0 = 0;
  let h0 = 0;
  for (let r = 0; r < rows; r++) {
    if (sampled && !sampled[r]) {
      pos[r] = -1;
    } else {
      g0 += grad[r];
      h0 += hess[r];
    }
  }
  store.add(-1, g0, h0, 0);
  let frontier = [0];
  const mcw = p.min_child_weight;

  for (let depth = 0; depth < p.max_depth && frontier.length > 0; depth++) {
    const s = frontier.length;
    const nodeG = Float64Array.from(frontier, n => store.g[n]);
    const nodeH = Float64Array.from(frontier, n => store.h[n]);
    const rootGain = Float64Array.from(frontier, (_, i) =>
      calcGain(p, nodeG[i], nodeH[i]),
    );
    const accG = new Float64Array(s);
    const accH = new Float64Array(s);
    const last = new Float64Array(s);
    const bestLoss = new Float64Array(s).fill(-Infinity);
    const bestFeat = new Int32Array(s).fill(-1);
    const bestCond = new Float32Array(s);
    const bestDef = new Uint8Array(s);

    const gainOf = (g: number, h: number) => calcGain(p, g, h);
    const consider = (
      slot: number,
      gl: number,
      hl: number,
      feat: number,
      cond: number,
      def: number,
    ) => {
      const gr = nodeG[slot] - gl;
      const hr = nodeH[slot] - hl;
      if (hl < mcw || hr < mcw) return;
      const loss = gainOf(gl, hl) + gainOf(gr, hr) - rootGain[slot];
      if (loss > bestLoss[slot]) {
        bestLoss[slot] = loss;
        bestFeat[slot] = feat;
        bestCond[slot] = cond;
        bestDef[slot] = def;
      }
    };

    for (let fi = 0; fi < features.length; fi++) {
      const f = features[fi];
      const idx = data.sortedRows[f];
      const val = data.sortedValues[f];
      const n = idx.length;
      const missing = data.hasMissing[f] === 1;
      // Forward (missing → right) is only needed when the column has missing values.
      if (missing) {
        accG.fill(0);
        accH.fill(0);
        last.fill(NaN);
        for (let k = 0; k < n; k++) {
          const r = idx[k];
          const slot = pos[r];
          if (slot < 0) continue;
          const v = val[k];
          const lv = last[slot];
          if (v !== lv && accH[slot] >= mcw) {
            consider(
              slot,
              accG[slot],
              accH[slot],
              f,
              Math.fround(Math.fround(v + lv) * 0.5),
              0,
            );
          }
          accG[slot] += grad[r];
          accH[slot] += hess[r];
          last[slot] = v;
        }
        // All present values left, missing ones right.
        for (let slot = 0; slot < s; slot++) {
          const lv = last[slot];
          if (!Number.isNaN(lv) && accH[slot] >= mcw) {
            consider(
              slot,
              accG[slot],
              accH[slot],
              f,
              Math.fround(lv + Math.abs(lv) + RT_EPS),
              0,
            );
          }
        }
      }
      // Backward: the accumulated side is the right child, missing goes left.
      accG.fill(0);
      accH.fill(0);
      last.fill(NaN);
      for (let k = n - 1; k >= 0; k--) {
        const r = idx[k];
        const slot = pos[r];
        if (slot < 0) continue;
        const v = val[k];
        const lv = last[slot];
        // `last` is NaN before a node's first row: no split before the first value.
        if (v !== lv && !Number.isNaN(lv) && accH[slot] >= mcw) {
          const hr = accH[slot];
          const hl = nodeH[slot] - hr;
          if (hl >= mcw) {
            const gr = accG[slot];
            const gl = nodeG[slot] - gr;
            const loss = gainOf(gl, hl) + gainOf(gr, hr) - rootGain[slot];
            if (loss > bestLoss[slot]) {
              bestLoss[slot] = loss;
              bestFeat[slot] = f;
              bestCond[slot] = Math.fround(Math.fround(v + lv) * 0.5);
              bestDef[slot] = 1;
            }
          }
        }
        accG[slot] += grad[r];
        accH[slot] += hess[r];
        last[slot] = v;
      }
      if (missing) {
        // All present values right, missing ones left.
        for (let slot = 0; slot < s; slot++) {
          const lv = last[slot];
          if (!Number.isNaN(lv) && accH[slot] >= mcw) {
            consider(
              slot,
              nodeG[slot] - accG[slot],
              nodeH[slot] - accH[slot],
              f,
              Math.fround(lv - (Math.abs(lv) + RT_EPS)),
              1,
            );
          }
        }
      }
    }

    // Apply the splits; children get fresh slots in the next frontier.
    const next: number[] = [];
    const childSlot = new Int32Array(s * 2).fill(-1);
    const splitSlots = new Uint8Array(s);
    for (let slot = 0; slot < s; slot++) {
      if (bestFeat[slot] < 0 || !(bestLoss[slot] > RT_EPS)) continue;
      const [l, r] = store.split(
        frontier[slot],
        bestFeat[slot],
        bestCond[slot],
        bestDef[slot],
        bestLoss[slot],
      );
      splitSlots[slot] = 1;
      childSlot[slot * 2] = next.length;
      next.push(l);
      childSlot[slot * 2 + 1] = next.length;
      next.push(r);
    }
    const childG = new Float64Array(next.length);
    const childH = new Float64Array(next.length);
    for (let r = 0; r < rows; r++) {
      const slot = pos[r];
      if (slot < 0) continue;
      if (!splitSlots[slot]) {
        pos[r] = -1;
        continue;
      }
      const node = frontier[slot];
      const v = x[r * cols + store.feature[node]];
      const goLeft = Number.isNaN(v)
        ? store.defLeft[node] === 1
        : v < store.cond[node];
      const c = childSlot[slot * 2 + (goLeft ? 0 : 1)];
      childG[c] += grad[r];
      childH[c] += hess[r];
      pos[r] = c;
    }
    next.forEach((n, i) => {
      store.g[n] = childG[i];
      store.h[n] = childH[i];
    });
    frontier = next;
  }
  store.prune(p.gamma);
  return store.toTree(p);
}

/** Quantile-binned columns for histogram split finding (built once per training). */
export interface HistData {
  rows: number;
  cols: number;
  x: Float32Array;
  /** Row-major global bin index per cell; `missingBin` for NaN. */
  bins: Uint16Array;
  /** The same bins column-major: partitioning reads one feature of many rows. */
  binsByColumn: Uint16Array;
  /** Feature f owns global bins [offsets[f], offsets[f+1]). */
  offsets: Int32Array;
  /** Upper bound of each global bin: bin b holds values < cuts[b]. */
  cuts: Float32Array;
  /** Split value that sends every present value right. */
  minCuts: Float32Array;
  missingBin: number;
  hasMissing: Uint8Array;
}

/** Cap on values sorted per feature to place the quantile cuts. */
const SKETCH_SAMPLE = 1 << 17;

/**
 * First index in a[from, to) whose value is > v (`to` if none). Branch-free
 * halving: the comparisons are data-dependent and mispredict a lot.
 */
function upperBound(
  a: Float32Array,
  from: number,
  to: number,
  v: number,
): number {
  let lo = from;
  let n = to - from;
  if (n <= 0) return from;
  while (n > 1) {
    const half = n >>> 1;
    lo = a[lo + half - 1] <= v ? lo + half : lo;
    n -= half;
  }
  return a[lo] <= v ? lo + 1 : lo;
}

/**
 * Ascending sort of float32 values (no NaN) by LSD radix on their bits, in
 * the same order as Float32Array#sort (−0 before +0), several times faster
 * on the ~100k-value column samples.
 */
function sortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  let src = new Uint32Array(n);
  let dst = new Uint32Array(n);
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  // Flip so that unsigned order is numeric order: negatives reversed.
  for (let i = 0; i < n; i++) {
    const u = bits[i];
    src[i] = u & 0x80000000 ? ~u : u | 0x80000000;
  }
  const count = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const u = src[i];
      dst[count[(u >>> shift) & 2047]++] = u;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) {
    const u = src[i];
    src[i] = u & 0x80000000 ? u & 0x7fffffff : ~u;
  }
  return new Float32Array(src.buffer, 0, n);
}

/**
 * Cuts like XGBoost's: with ≤ max_bin distinct values every distinct value
 * starts a bin; otherwise cuts sit at rank quantiles of (a strided sample of)
 * the column. The last cut lies above the maximum.
 */
export function buildHistData(
  x: Float32Array,
  rows: number,
  cols: number,
  maxBin: number,
): HistData {
  const cutLists: number[][] = [];
  const minCuts = new Float32Array(cols);
  const hasMissing = new Uint8Array(cols);
  const stride = Math.max(1, Math.ceil(rows / SKETCH_SAMPLE));
  const sample = new Float32Array(Math.ceil(rows / stride));
  for (let f = 0; f < cols; f++) {
    let m = 0;
    for (let r = 0; r < rows; r += stride) {
      const v = x[r * cols + f];
      if (!Number.isNaN(v)) sample[m++] = v;
    }
    const sorted = sortFloat32(sample.subarray(0, m));
    const distinct: number[] = [];
    for (let i = 0; i < m && distinct.length <= maxBin; i++) {
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    }
    const cuts: number[] = [];
    if (distinct.length === 0) {
      minCuts[f] = 0;
      cuts.push(1e-5);
    } else {
      const lo = distinct[0];
      const hi = sorted[m - 1];
      minCuts[f] = lo - (Math.abs(lo) + 1e-5);
      if (distinct.length <= maxBin) {
        for (let i = 1; i < distinct.length; i++) cuts.push(distinct[i]);
      } else {
        for (let b = 1; b < maxBin; b++) {
          const v = sorted[Math.floor((b * m) / maxBin)];
          if (v > lo && (cuts.length === 0 || v > cuts[cuts.length - 1])) {
            cuts.push(v);
          }
        }
      }
      cuts.push(Math.fround(hi + (Math.abs(hi) + 1e-5)));
    }
    cutLists.push(cuts);
  }
  const offsets = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++)
    offsets[f + 1] = offsets[f] + cutLists[f].length;
  const totalBins = offsets[cols];
  if (totalBins >= 65535) {
    throw new Error(`Too many histogram bins (${totalBins}); lower max_bin`);
  }
  const cuts = new Float32Array(totalBins);
  cutLists.forEach((c, f) => cuts.set(c, offsets[f]));
  const bins = new Uint16Array(rows * cols);
  const binsByColumn = new Uint16Array(rows * cols);
  // Row-major pass: reads x and writes `bins` sequentially.
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let f = 0; f < cols; f++) {
      const v = x[base + f];
      let b = totalBins;
      if (!Number.isNaN(v)) {
        const last = offsets[f + 1] - 1;
        b = Math.min(upperBound(cuts, offsets[f], last + 1, v), last);
      } else {
        hasMissing[f] = 1;
      }
      bins[base + f] = b;
      binsByColumn[f * rows + r] = b;
    }
  }
  return {
    rows,
    cols,
    x,
    bins,
    binsByColumn,
    offsets,
    cuts,
    minCuts,
    missingBin: totalBins,
    hasMissing,
  };
}

/** Reusable per-training buffers for the histogram grower. */
export class HistWorkspace {
  /**
   * Sampled rows of the current tree, ascending (set by the caller). growHist
   * partitions it in place: every node owns the slice
   * [store.begin[node], store.end[node]), still ascending.
   */
  readonly order: Uint32Array;
  /** Right-hand rows while a slice is being partitioned. */
  readonly scratch: Uint32Array;
  private readonly pool: Float64Array[] = [];
  constructor(readonly data: HistData) {
    this.order = new Uint32Array(data.rows);
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
    for (let k = begin; k < end; k++) {
      const r = order[k];
      const g = grad[r];
      const h = hess[r];
      const base = r * cols;
      for (let f = 0; f < cols; f++) {
        const q = bins[base + f] << 1;
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
  ws: HistWorkspace,
  begin: number,
  end: number,
  feature: number,
  splitBin: number,
  missingLeft: number,
): number {
  const { binsByColumn, rows, missingBin } = ws.data;
  const order = ws.order;
  const scratch = ws.scratch;
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
 * are order[store.begin[leaf], store.end[leaf]).
 */
export function growHist(
  ws: HistWorkspace,
  n: number,
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
      const mid = partitionRows(ws, begin, end, bestFeat, bestBin, bestDef);
      store.begin[l] = begin;
      store.end[l] = mid;
      store.begin[r] = mid;
      store.end[r] = end;
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
