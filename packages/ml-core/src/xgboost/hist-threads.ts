// Work shared with worker threads (nthread > 1): histograms, partitions and
// leaf values of large slices.
import { Worker } from 'worker_threads';
import type { HistData } from './bins';
import { addRowsToHist } from './hist-kernel';
import { addTree, TreeArrays } from './tree';
import {
  ADD_TREE,
  AT,
  BEGIN,
  COL,
  CONTROL_SLOTS,
  DONE,
  END,
  FAILED,
  HIST,
  JOB,
  JOB_MS_BYTE,
  JOB_TYPES,
  LEAF_VALUE,
  PARTITION,
  RESULT,
  SEQ,
  SET,
  SPLIT_LEAF_VALUES,
  STOP,
  VALUE0,
  workerSource,
} from './hist-worker';
import { copyRows } from './rows';
import {
  addSplitLeafValueRows,
  addValueRows,
  partitionRows,
} from './rows-kernel';

/** Below this many rows a node's histogram is cheaper to build alone than to hand out. */
export const MIN_PARALLEL_ROWS = 4096;
/** Partitions and leaf values cost less per row than histograms: larger slices only. */
export const MIN_PARALLEL_PARTITION_ROWS = 8192;
/** Trees with more nodes are added to the validation predictions by the caller alone. */
const TREE_CAPACITY = 1023;
/** Smaller row jobs are too short to time. */
const MIN_REBALANCE_ROWS = 32768;
/** Smaller trainings take less time than starting the worker threads (tens of ms). */
export const MIN_THREADED_TRAINING_ROWS = 50_000;

/** A worker that does not answer in this time is treated as failed. */
const WAIT_LIMIT_MS = 60_000;
/**
 * Both sides poll for this long before sleeping in Atomics.wait: a wake-up
 * from it takes tens of µs, as long as a small job, and jobs come every
 * fraction of a millisecond while a tree grows (OpenMP spins the same way).
 */
const SPIN_MS = 2;

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

/** What the helpers read and write; every array SharedArrayBuffer-backed. */
export interface SharedRows {
  /** Sampled rows (they also build the histograms), rows left out by subsample. */
  orders: [Uint32Array, Uint32Array];
  /** Lefts and rights of a slice's parts while it is partitioned. */
  scratchLeft: Uint32Array;
  scratchRight: Uint32Array;
  directions: Uint8Array;
  pred: Float32Array;
  grad: Float32Array;
  hess: Float32Array;
  /** Validation rows (row-major, same columns) and their predictions. */
  validation?: { x: Float32Array; pred: Float32Array };
}

interface Helper {
  worker: Worker;
  control: Int32Array;
  values: Float32Array;
  jobMs: Float64Array;
  out: Float64Array;
  /** Its columns, and their slots in the interleaved histogram. */
  c0: number;
  c1: number;
  from: number;
  to: number;
}

/**
 * Splits each histogram build by columns: the calling thread adds the first
 * columns, each worker the next ones into its own buffer, which is then
 * copied in. Every bin is still summed by one thread in row order, so the
 * model does not depend on the thread count. Row jobs (partition, leaf
 * values, a tree's validation predictions) split the rows into consecutive
 * parts, one per thread; per-row results and a stable reassembly keep them
 * independent of the thread count too. The calling thread blocks (polls,
 * then Atomics.wait) until the workers are done, keeping training
 * synchronous.
 */
export class HistThreads {
  private readonly helpers: Helper[] = [];
  /** Column ranges this thread adds itself. */
  private readonly ownColumns: Array<[number, number]>;
  private seq = 0;
  /**
   * The caller's share of a row job's rows, per job type: it follows the
   * measured speeds (rows the caller just moved are in its cache, a helper
   * may share its core with other processes), so that no side waits long.
   * The split point never changes a result.
   */
  private readonly shares: number[];
  /** The current tree, for the validation rows' predictions. */
  private readonly tree = {
    left: new Int32Array(shared(4 * TREE_CAPACITY)),
    right: new Int32Array(shared(4 * TREE_CAPACITY)),
    feature: new Int32Array(shared(4 * TREE_CAPACITY)),
    condition: new Float32Array(shared(4 * TREE_CAPACITY)),
    defaultLeft: new Uint8Array(shared(TREE_CAPACITY)),
  };

  constructor(
    private readonly data: HistData,
    private readonly rows: SharedRows,
    threads: number,
  ) {
    const { cols, offsets } = data;
    const n = Math.min(threads, cols);
    const bounds = Array.from({ length: n + 1 }, (_, i) =>
      Math.round((i * cols) / n),
    );
    this.ownColumns = [[0, bounds[1]]];
    const histLength = 2 * (data.missingBin + 1);
    const source = workerSource();
    for (let t = 1; t < n; t++) {
      const control = new Int32Array(shared(4 * CONTROL_SLOTS));
      const out = new Float64Array(shared(8 * histLength));
      const from = 2 * offsets[bounds[t]];
      const to = 2 * offsets[bounds[t + 1]];
      const worker = new Worker(source, {
        eval: true,
        workerData: {
          control: control.buffer,
          out: out.buffer,
          bins: data.bins.buffer,
          binsByColumn: data.binsByColumn.buffer,
          order: rows.orders[0].buffer,
          rest: rows.orders[1].buffer,
          scratchLeft: rows.scratchLeft.buffer,
          scratchRight: rows.scratchRight.buffer,
          dirs: rows.directions.buffer,
          pred: rows.pred.buffer,
          grad: rows.grad.buffer,
          hess: rows.hess.buffer,
          valX: rows.validation?.x.buffer,
          valPred: rows.validation?.pred.buffer,
          tree: {
            left: this.tree.left.buffer,
            right: this.tree.right.buffer,
            feature: this.tree.feature.buffer,
            condition: this.tree.condition.buffer,
            defaultLeft: this.tree.defaultLeft.buffer,
          },
          cols,
          spinMs: SPIN_MS,
          c0: bounds[t],
          c1: bounds[t + 1],
          from,
          to,
        },
      });
      // Never keep the process alive for a helper.
      worker.unref();
      this.helpers.push({
        worker,
        control,
        values: new Float32Array(control.buffer, VALUE0 * 4, 2),
        jobMs: new Float64Array(control.buffer, JOB_MS_BYTE, 1),
        out,
        c0: bounds[t],
        c1: bounds[t + 1],
        from,
        to,
      });
    }
    this.shares = new Array(JOB_TYPES).fill(1 / n);
  }

  /** hist ← the histogram of sampled rows order[begin, end) over all columns. */
  build(hist: Float64Array, begin: number, end: number): void {
    const seq = this.post(HIST, [begin, end], () => {});
    hist.fill(0);
    for (const [c0, c1] of this.ownColumns) this.add(hist, begin, end, c0, c1);
    for (const h of [...this.helpers]) {
      if (this.wait(h, seq)) {
        hist.set(h.out.subarray(h.from, h.to), h.from);
        continue;
      }
      this.drop(h);
      this.add(hist, begin, end, h.c0, h.c1);
    }
  }

  /**
   * Stable partition of row set `set`'s slice order[begin, end) by the
   * current directions on the column at `colBase`: each thread partitions
   * its part into the scratch arrays, then the parts' lefts and rights are
   * copied back in part order — the order of the serial partition. Returns
   * the end of the lefts.
   */
  partition(set: 0 | 1, begin: number, end: number, colBase: number): number {
    const { binsByColumn } = this.data;
    const { directions, scratchLeft, scratchRight } = this.rows;
    const order = this.rows.orders[set];
    const [lefts, bounds] = this.runRows(
      PARTITION,
      set,
      begin,
      end,
      colBase,
      0,
      (b, e) =>
        partitionRows(
          order,
          binsByColumn,
          colBase,
          directions,
          b,
          e,
          scratchLeft,
          scratchRight,
          b - begin,
        ),
    );
    let at = begin;
    for (let i = 0; i < lefts.length; i++) {
      const from = bounds[i] - begin;
      copyRows(scratchLeft, from, from + lefts[i], order, at);
      at += lefts[i];
    }
    const mid = at;
    for (let i = 0; i < lefts.length; i++) {
      const from = bounds[i] - begin;
      const rights = bounds[i + 1] - bounds[i] - lefts[i];
      copyRows(scratchRight, from, from + rights, order, at);
      at += rights;
    }
    return mid;
  }

  /** RowSet.addSplitLeafValues for a slice, by parts. */
  addSplitLeafValues(
    set: 0 | 1,
    begin: number,
    end: number,
    colBase: number,
    values: Float32Array,
  ): void {
    const { binsByColumn } = this.data;
    const { directions, pred } = this.rows;
    const order = this.rows.orders[set];
    this.runRows(
      SPLIT_LEAF_VALUES,
      set,
      begin,
      end,
      colBase,
      values,
      (b, e) => {
        addSplitLeafValueRows(
          order,
          binsByColumn,
          colBase,
          directions,
          values,
          pred,
          b,
          e,
        );
        return 0;
      },
    );
  }

  /** RowSet.addLeafValue for a slice, by parts. */
  addLeafValue(set: 0 | 1, begin: number, end: number, value: number): void {
    const order = this.rows.orders[set];
    const { pred } = this.rows;
    this.runRows(LEAF_VALUE, set, begin, end, 0, value, (b, e) => {
      addValueRows(order, pred, b, e, value);
      return 0;
    });
  }

  /**
   * Adds the tree's leaf values to the validation predictions, by parts.
   * False when there are no validation rows or the tree is too large for
   * the shared copy: the caller adds it alone then.
   */
  addTreeToValidation(tree: TreeArrays): boolean {
    const { validation } = this.rows;
    if (!validation || tree.left.length > TREE_CAPACITY) return false;
    const t = this.tree;
    t.left.set(tree.left);
    t.right.set(tree.right);
    t.feature.set(tree.feature);
    t.condition.set(tree.condition);
    t.defaultLeft.set(tree.defaultLeft);
    const { x, pred } = validation;
    const { cols } = this.data;
    this.runRows(ADD_TREE, 0, 0, pred.length, 0, 0, (b, e) => {
      addTree(tree, x, cols, pred, b, e);
      return 0;
    });
    return true;
  }

  /** Consecutive part bounds of [begin, end): the caller's share, then equal parts. */
  private parts(
    job: number,
    begin: number,
    end: number,
    helpers: number,
  ): number[] {
    const first = begin + Math.round(this.shares[job] * (end - begin));
    return [begin].concat(
      Array.from(
        { length: helpers + 1 },
        (_, i) => first + Math.round((i * (end - first)) / helpers),
      ),
    );
  }

  /** Moves the caller's share towards equal finishing times (row jobs only). */
  private rebalance(
    job: number,
    bounds: number[],
    ms: number,
    helpers: Helper[],
  ): void {
    if (bounds[bounds.length - 1] - bounds[0] < MIN_REBALANCE_ROWS) return;
    const own = (bounds[1] - bounds[0]) / ms;
    let others = 0;
    helpers.forEach((h, i) => {
      others += (bounds[i + 2] - bounds[i + 1]) / h.jobMs[0];
    });
    const target = own / (own + others);
    if (!Number.isFinite(target)) return;
    const next = this.shares[job] + 0.1 * (target - this.shares[job]);
    this.shares[job] = Math.min(0.9, Math.max(0.1, next));
  }

  /**
   * Runs a row job by parts: part 0 here, part i on helper i − 1; a failed
   * helper's part is run here. Returns each part's result (in part order).
   */
  private runRows(
    job: number,
    set: 0 | 1,
    begin: number,
    end: number,
    colBase: number,
    values: Float32Array | number,
    local: (b: number, e: number) => number,
  ): [number[], number[]] {
    const helpers = [...this.helpers];
    if (helpers.length === 0) {
      return [[local(begin, end)], [begin, end]];
    }
    const bounds = this.parts(job, begin, end, helpers.length);
    const seq = this.post(job, bounds, h => {
      h.control[SET] = set;
      h.control[COL] = colBase;
      if (typeof values === 'number') h.values[0] = values;
      else h.values.set(values);
    });
    const started = performance.now();
    const results = [local(bounds[0], bounds[1])];
    const ms = performance.now() - started;
    let failed = false;
    helpers.forEach((h, i) => {
      if (this.wait(h, seq)) {
        results.push(h.control[RESULT]);
        return;
      }
      failed = true;
      this.drop(h);
      results.push(local(bounds[i + 1], bounds[i + 2]));
    });
    if (!failed) this.rebalance(job, bounds, ms, helpers);
    return [results, bounds];
  }

  /**
   * Hands job `job` to every helper: helper i gets rows [bounds[i + 1],
   * bounds[i + 2]) (all helpers get [bounds[0], bounds[1]) when there are
   * only two bounds: histograms split by columns). Returns the job number.
   */
  private post(job: number, bounds: number[], setup: (h: Helper) => void) {
    const seq = ++this.seq;
    this.helpers.forEach((h, i) => {
      const part = bounds.length === 2 ? 0 : i + 1;
      h.control[JOB] = job;
      h.control[BEGIN] = bounds[part];
      h.control[END] = bounds[part + 1];
      // Where the part's lefts and rights start in the scratch arrays.
      h.control[AT] = bounds[part] - bounds[0];
      setup(h);
      Atomics.store(h.control, SEQ, seq);
      Atomics.notify(h.control, SEQ);
    });
    return seq;
  }

  /**
   * A helper that failed to start or run (e.g. its source was changed by a
   * code-coverage tool): its work is done here from now on, which gives the
   * same results.
   */
  private drop(h: Helper): void {
    void h.worker.terminate();
    this.helpers.splice(this.helpers.indexOf(h), 1);
    this.ownColumns.push([h.c0, h.c1]);
  }

  private add(
    hist: Float64Array,
    begin: number,
    end: number,
    c0: number,
    c1: number,
  ): void {
    const { bins, cols } = this.data;
    const { orders, grad, hess } = this.rows;
    addRowsToHist(hist, bins, cols, orders[0], begin, end, grad, hess, c0, c1);
  }

  /** True when the helper finished job `seq`; false when it failed or hangs. */
  private wait(h: Helper, seq: number): boolean {
    const spinUntil = performance.now() + SPIN_MS;
    while (
      Atomics.load(h.control, DONE) !== seq &&
      Atomics.load(h.control, FAILED) !== 1 &&
      performance.now() < spinUntil
    );
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const done = Atomics.load(h.control, DONE);
      if (done === seq) return true;
      if (Atomics.load(h.control, FAILED) === 1 || Date.now() > deadline) {
        return false;
      }
      Atomics.wait(h.control, DONE, done, 1000);
    }
  }

  /** Stops the workers (they exit at their next wait). */
  close(): void {
    for (const h of this.helpers) {
      Atomics.store(h.control, STOP, 1);
      Atomics.store(h.control, SEQ, ++this.seq);
      Atomics.notify(h.control, SEQ);
    }
    this.helpers.length = 0;
  }
}
