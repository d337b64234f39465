// The worker side of HistThreads: control block layout, job types, and the
// loop that runs in each worker thread.
import { addRowsToHist } from './hist-kernel';
import {
  addSplitLeafValueRows,
  addTreeRows,
  addValueRows,
  partitionRows,
} from './rows-kernel';

// Control block slots (Int32, shared with each worker; VALUE0/1 are read as float32).
export const SEQ = 0;
export const DONE = 1;
export const BEGIN = 2;
export const END = 3;
export const STOP = 4;
export const FAILED = 5;
export const JOB = 6;
export const SET = 7;
export const COL = 8;
export const AT = 9;
export const RESULT = 10;
export const VALUE0 = 11;
/** Float64 slot (bytes 56-63): the worker's time for its last row job, in ms. */
export const JOB_MS_BYTE = 56;
export const CONTROL_SLOTS = 16;
// Job types.
export const HIST = 0;
export const PARTITION = 1;
export const SPLIT_LEAF_VALUES = 2;
export const LEAF_VALUE = 3;
export const ADD_TREE = 4;
export const JOB_TYPES = 5;

interface Kernels {
  hist: typeof addRowsToHist;
  partition: typeof partitionRows;
  splitLeafValues: typeof addSplitLeafValueRows;
  leafValue: typeof addValueRows;
  addTree: typeof addTreeRows;
}

/**
 * Worker side: waits for a job number in SEQ, runs the job on its part
 * (histogram: its columns [c0, c1) into its own `out`; row jobs: rows
 * [BEGIN, END) of one row set), publishes the number in DONE.
 * Self-contained: its source text runs in the worker (see HistThreads).
 */
function workerMain(k: Kernels, wd: any): void {
  // Slots as named above (no outer names here): 0 SEQ, 1 DONE, 2 BEGIN,
  // 3 END, 4 STOP, 5 FAILED, 6 JOB, 7 SET, 8 COL, 9 AT, 10 RESULT, 11-12
  // values (float32), bytes 56-63 the job's time (float64).
  const ctl = new Int32Array(wd.control);
  try {
    const values = new Float32Array(wd.control, 11 * 4, 2);
    const jobMs = new Float64Array(wd.control, 56, 1);
    const out = new Float64Array(wd.out);
    const bins = new Uint16Array(wd.bins);
    const byColumn = new Uint16Array(wd.binsByColumn);
    const orders = [new Uint32Array(wd.order), new Uint32Array(wd.rest)];
    const left = new Uint32Array(wd.scratchLeft);
    const right = new Uint32Array(wd.scratchRight);
    const dirs = new Uint8Array(wd.dirs);
    const pred = new Float32Array(wd.pred);
    const grad = new Float32Array(wd.grad);
    const hess = new Float32Array(wd.hess);
    // Validation rows and the tree to add to their predictions (if any).
    const valX = wd.valX ? new Float32Array(wd.valX) : new Float32Array(0);
    const valPred = wd.valX ? new Float32Array(wd.valPred) : valX;
    const tree = wd.tree;
    const tLeft = new Int32Array(tree.left);
    const tRight = new Int32Array(tree.right);
    const tFeature = new Int32Array(tree.feature);
    const tCondition = new Float32Array(tree.condition);
    const tDefaultLeft = new Uint8Array(tree.defaultLeft);
    let seen = 0;
    for (;;) {
      const spinUntil = performance.now() + wd.spinMs;
      while (Atomics.load(ctl, 0) === seen && performance.now() < spinUntil);
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (Atomics.load(ctl, 4) === 1) return;
      const job = ctl[6];
      const started = performance.now();
      const begin = ctl[2];
      const end = ctl[3];
      const order = orders[ctl[7]];
      if (job === 0) {
        out.fill(0, wd.from, wd.to);
        const { cols, c0, c1 } = wd;
        k.hist(out, bins, cols, orders[0], begin, end, grad, hess, c0, c1);
      } else if (job === 1) {
        const col = ctl[8];
        const at = ctl[9];
        ctl[10] = k.partition(
          order,
          byColumn,
          col,
          dirs,
          begin,
          end,
          left,
          right,
          at,
        );
      } else if (job === 2) {
        k.splitLeafValues(
          order,
          byColumn,
          ctl[8],
          dirs,
          values,
          pred,
          begin,
          end,
        );
      } else if (job === 3) {
        k.leafValue(order, pred, begin, end, values[0]);
      } else {
        k.addTree(
          tLeft,
          tRight,
          tFeature,
          tCondition,
          tDefaultLeft,
          valX,
          wd.cols,
          valPred,
          begin,
          end,
        );
      }
      jobMs[0] = performance.now() - started;
      Atomics.store(ctl, 1, seen);
      Atomics.notify(ctl, 1);
    }
  } catch {
    Atomics.store(ctl, 5, 1);
    Atomics.notify(ctl, 1);
  }
}

/** Source text of a worker thread (run with `eval: true`, data in workerData). */
export function workerSource(): string {
  // Any failure, even before workerMain's own try, sets FAILED.
  return `const wd = require('worker_threads').workerData;
try {
  (${workerMain.toString()})({
    hist: (${addRowsToHist.toString()}),
    partition: (${partitionRows.toString()}),
    splitLeafValues: (${addSplitLeafValueRows.toString()}),
    leafValue: (${addValueRows.toString()}),
    addTree: (${addTreeRows.toString()}),
  }, wd);
} catch (e) {
  const ctl = new Int32Array(wd.control);
  Atomics.store(ctl, ${FAILED}, 1);
  Atomics.notify(ctl, ${DONE});
}`;
}
