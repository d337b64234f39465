/** Histogram tree growing (tree_method hist): histograms, row sets, split search. */
import {
  type CodedRows,
  codeRows,
  type HistData,
  validationDirections,
} from './bins';
import { addRowsToHist, addRowsToHistUnitHess } from './hist-kernel';

import { findBestSplit, SplitChoice } from './hist-split';
import {
  HistThreads,
  MIN_PARALLEL_PARTITION_ROWS,
  MIN_PARALLEL_ROWS,
  MIN_THREADED_TRAINING_ROWS,
} from './hist-threads';
import { GrowParams, NodeStore } from './nodes';
import { copyRows, RowSet, setDirections } from './rows';
import * as split from './split';
import { RT_EPS } from './split';
import type { TreeArrays } from './tree';

// Module-local binding (transpiled cross-module calls go through getters).
const calcWeight = split.calcWeight;

function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4 * n));
}

function sharedCopy(a: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(4 * a.length));
  copy.set(a);
  return copy;
}

/** Reusable per-training buffers for the histogram grower. */
export class HistWorkspace {
  /**
   * Sampled rows of the current tree (the caller fills sampled.order
   * ascending). They build the histograms; staying ascending in every slice
   * keeps the float sums independent of how rows reached a node.
   */
  readonly sampled: RowSet;
  /** Rows left out by subsample (filled by the caller): no histogram, same splits. */
  readonly rest: RowSet;
  /** Right-hand rows while a slice is being partitioned. */
  readonly scratch: Uint32Array;
  /** The current split's direction per bin (see setDirections). */
  readonly directions: Uint8Array;
  /** Gradients and hessians of the current round (set by the caller). */
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  /**
   * Every hessian is 1 for the whole training (reg:squarederror): histograms
   * then count rows instead of reading hess (the same sums).
   */
  unitHessians = false;
  /** Helpers for large histograms, when training with nthread > 1. */
  readonly threads?: HistThreads;
  /**
   * The validation rows, following each tree's splits like `rest` (their
   * leaf values reach the validation predictions from the leaf slices):
   * cheaper than walking every tree for every validation row. Without
   * worker threads only (with them, the helpers walk the tree).
   */
  private readonly validation?: {
    rows: RowSet;
    coded: CodedRows;
    identity: Uint32Array;
    scratch: Uint32Array;
    directions: Uint8Array;
  };
  private readonly pool: Float64Array[] = [];

  /**
   * @param pred - SharedArrayBuffer-backed when nthread > 1 (helpers add leaf values to it)
   * @param validation - validation rows (row-major) and their predictions
   *   (SharedArrayBuffer-backed), for addTreeToValidation
   */
  constructor(
    readonly data: HistData,
    pred: Float32Array,
    nthread = 1,
    validation?: { x: Float32Array; pred: Float32Array },
  ) {
    const { rows, binsByColumn, missingBin } = data;
    // Shared memory so that worker threads can read and move the rows.
    const u32 = () => new Uint32Array(new SharedArrayBuffer(4 * rows));
    const f32 = () => new Float32Array(new SharedArrayBuffer(4 * rows));
    this.directions = new Uint8Array(new SharedArrayBuffer(missingBin + 1));
    this.grad = f32();
    this.hess = f32();
    this.sampled = new RowSet(u32(), binsByColumn, rows, pred);
    this.rest = new RowSet(u32(), binsByColumn, rows, pred);
    this.scratch = u32();
    if (nthread > 1 && rows >= MIN_THREADED_TRAINING_ROWS) {
      if (!(pred.buffer instanceof SharedArrayBuffer)) {
        throw new Error(
          'nthread > 1 needs SharedArrayBuffer-backed predictions',
        );
      }
      this.threads = new HistThreads(
        data,
        {
          orders: [this.sampled.order, this.rest.order],
          scratchLeft: this.scratch,
          scratchRight: u32(),
          directions: this.directions,
          pred,
          grad: this.grad,
          hess: this.hess,
          validation: validation && {
            x: sharedCopy(validation.x),
            pred: validation.pred,
          },
        },
        nthread,
      );
    }
    const valRows = validation ? validation.pred.length : 0;
    const coded =
      validation && !this.threads
        ? codeRows(data, validation.x, valRows)
        : undefined;
    if (validation && coded) {
      this.validation = {
        // Shared memory like the training rows' arrays: the row kernels
        // then see one kind of typed array (no second compile of them).
        rows: new RowSet(
          sharedU32(valRows),
          coded.byColumn,
          valRows,
          validation.pred,
        ),
        coded,
        identity: sharedU32(valRows).map((_, i) => i),
        scratch: sharedU32(valRows),
        directions: new Uint8Array(coded.missingCode + 1),
      };
    }
  }

  /** The split's directions for the validation rows (after setDirections for the training rows). */
  setValidationDirections(best: {
    feature: number;
    bin: number;
    defaultLeft: number;
  }): void {
    const v = this.validation;
    if (!v) return;
    validationDirections(
      v.directions,
      v.coded,
      this.data,
      best.feature,
      best.bin,
      best.defaultLeft,
    );
  }

  /** Partitions every row set's slice of `node` into l and r (RowSet.split). */
  splitRows(node: number, l: number, r: number, feature: number): void {
    const v = this.validation;
    v?.rows.split(node, l, r, feature, v.directions, v.scratch);
    this.forSets((set, i, begin, end) => {
      if (this.threads && end - begin >= MIN_PARALLEL_PARTITION_ROWS) {
        const mid = this.threads.partition(i, begin, end, feature * set.stride);
        set.begin[l] = begin;
        set.end[l] = mid;
        set.begin[r] = mid;
        set.end[r] = end;
      } else {
        set.split(node, l, r, feature, this.directions, this.scratch);
      }
    }, node);
  }

  /** RowSet.addSplitLeafValues for every row set. */
  addSplitLeafValues(
    node: number,
    feature: number,
    values: Float32Array,
  ): void {
    const v = this.validation;
    v?.rows.addSplitLeafValues(node, feature, v.directions, values);
    this.forSets((set, i, begin, end) => {
      if (this.threads && end - begin >= MIN_PARALLEL_PARTITION_ROWS) {
        const colBase = feature * set.stride;
        this.threads.addSplitLeafValues(i, begin, end, colBase, values);
      } else {
        set.addSplitLeafValues(node, feature, this.directions, values);
      }
    }, node);
  }

  /** RowSet.addLeafValue for every row set. */
  addLeafValue(node: number, value: number): void {
    this.validation?.rows.addLeafValue(node, value);
    this.forSets((set, i, begin, end) => {
      if (this.threads && end - begin >= MIN_PARALLEL_PARTITION_ROWS) {
        this.threads.addLeafValue(i, begin, end, value);
      } else {
        set.addLeafValue(node, value);
      }
    }, node);
  }

  private forSets(
    fn: (set: RowSet, i: 0 | 1, begin: number, end: number) => void,
    node: number,
  ): void {
    const { sampled, rest } = this;
    fn(sampled, 0, sampled.begin[node], sampled.end[node]);
    fn(rest, 1, rest.begin[node], rest.end[node]);
  }

  /**
   * Adds a finished tree's leaf values to the validation predictions with
   * the worker threads; false when there are none (the caller adds it).
   */
  addTreeToValidation(tree: TreeArrays): boolean {
    // The validation row set got the tree's leaf values while it grew.
    if (this.validation) return true;
    return this.threads?.addTreeToValidation(tree) ?? false;
  }

  /** Stops the worker threads, if any. */
  close(): void {
    this.threads?.close();
  }

  /** Puts every row set's rows at the root of a new tree. */
  resetRows(nSampled: number, nRest: number): void {
    this.sampled.reset(nSampled);
    this.rest.reset(nRest);
    const v = this.validation;
    if (v) {
      // Every validation row at the root, in order (splits permute them).
      copyRows(v.identity, 0, v.identity.length, v.rows.order, 0);
      v.rows.reset(v.identity.length);
    }
  }

  take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(2 * (this.data.missingBin + 1));
  }

  give(h: Float64Array): void {
    this.pool.push(h);
  }
}

/**
 * Histogram of the sampled rows order[begin, end): interleaved
 * (Σgrad, Σhess) per global bin, over all columns (shared with worker threads
 * for large nodes) or over the columns sampled for this tree.
 */
function buildHist(
  ws: HistWorkspace,
  hist: Float64Array,
  begin: number,
  end: number,
  features: Int32Array,
): void {
  const { bins, cols } = ws.data;
  const { grad, hess } = ws;
  const order = ws.sampled.order;
  const nf = features.length;
  if (nf === cols) {
    if (ws.threads && end - begin >= MIN_PARALLEL_ROWS) {
      ws.threads.build(hist, begin, end);
      return;
    }
    hist.fill(0);
    if (ws.unitHessians)
      addRowsToHistUnitHess(hist, bins, cols, order, begin, end, grad, 0, cols);
    else
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

/** Leaf value as the tree stores it: weight·eta in float32. */
function leafValue(p: GrowParams, g: number, h: number): number {
  return Math.fround(calcWeight(p, g, h) * p.eta);
}

/**
 * Histogram method, depth-wise (XGBoost's grow_quantile_histmaker), for the
 * rows the caller put in ws.sampled / ws.rest (see resetRows). A split
 * partitions every row set's slice in place and builds the histogram of the
 * smaller child only — the larger one is parent − smaller. Nodes whose best
 * loss change is below gamma are not expanded (hist does not run the
 * pruner). Adds the tree's leaf values to the row sets' predictions from the
 * leaf slices (children at max_depth get theirs while their parent's rows
 * are scanned, without a last partition).
 */
export function growHist(
  ws: HistWorkspace,
  features: Int32Array,
  p: GrowParams,
): TreeArrays {
  const { data, grad, hess } = ws;
  const order = ws.sampled.order;
  const store = new NodeStore();
  const best = new SplitChoice();
  const values = new Float32Array(2);
  const dirs = ws.directions;
  let g0 = 0;
  let h0 = 0;
  for (let k = 0; k < ws.sampled.end[0]; k++) {
    const r = order[k];
    g0 += grad[r];
    h0 += hess[r];
  }
  store.add(-1, g0, h0, 0);
  const hists: Array<Float64Array | undefined> = [];
  hists[0] = ws.take();
  buildHist(ws, hists[0], 0, ws.sampled.end[0], features);
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
      setDirections(dirs, data, best);
      ws.setValidationDirections(best);
      if (childrenAreLeaves) {
        // Index 1 = left (the direction bit), 0 = right.
        values[1] = leafValue(p, best.gl, best.hl);
        values[0] = leafValue(p, G - best.gl, H - best.hl);
        ws.addSplitLeafValues(node, best.feature, values);
        ws.give(hist);
        continue;
      }
      ws.splitRows(node, l, r, best.feature);
      const smallIsLeft = best.hl <= H - best.hl;
      const small = smallIsLeft ? l : r;
      const smallHist = ws.take();
      buildHist(
        ws,
        smallHist,
        ws.sampled.begin[small],
        ws.sampled.end[small],
        features,
      );
      for (let k = 0; k < hist.length; k++) hist[k] -= smallHist[k];
      hists[small] = smallHist;
      hists[smallIsLeft ? r : l] = hist;
      next.push(l, r);
    }
    frontier = next;
  }
  for (const h of hists) if (h) ws.give(h);
  // Leaves above max_depth (not expanded) still own their slices.
  for (let nd = 0; nd < store.size; nd++) {
    if (store.left[nd] !== -1 || store.depth[nd] === p.max_depth) continue;
    const v = leafValue(p, store.g[nd], store.h[nd]);
    ws.addLeafValue(nd, v);
  }
  return store.toTree(p);
}
