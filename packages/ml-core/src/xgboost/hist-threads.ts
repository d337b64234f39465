// Histogram building shared with worker threads (nthread > 1).
import { Worker } from 'worker_threads';
import type { HistData } from './bins';
import { addRowsToHist } from './hist-kernel';

/** Below this many rows a node's histogram is cheaper to build alone than to hand out. */
export const MIN_PARALLEL_ROWS = 4096;
/** Smaller trainings take less time than starting the worker threads (tens of ms). */
export const MIN_THREADED_TRAINING_ROWS = 50_000;

// Control block slots (Int32, shared with each worker).
const SEQ = 0;
const DONE = 1;
const BEGIN = 2;
const END = 3;
const STOP = 4;
const FAILED = 5;
/** A worker that does not answer in this time is treated as failed. */
const WAIT_LIMIT_MS = 60_000;

/**
 * Worker side: waits for a job number in SEQ, adds the job's rows to its own
 * histogram `out` for its columns [c0, c1), publishes the number in DONE.
 * Self-contained: its source text runs in the worker (see HistThreads).
 */
function workerMain(kernel: typeof addRowsToHist, wd: any): void {
  // Slots 0..5 are SEQ, DONE, BEGIN, END, STOP, FAILED (no outer names here).
  const ctl = new Int32Array(wd.control);
  try {
    const out = new Float64Array(wd.out);
    const bins = new Uint16Array(wd.bins);
    const order = new Uint32Array(wd.order);
    const grad = new Float32Array(wd.grad);
    const hess = new Float32Array(wd.hess);
    let seen = 0;
    for (;;) {
      Atomics.wait(ctl, 0, seen);
      seen = Atomics.load(ctl, 0);
      if (Atomics.load(ctl, 4) === 1) return;
      out.fill(0, wd.from, wd.to);
      const begin = ctl[2];
      const end = ctl[3];
      kernel(out, bins, wd.cols, order, begin, end, grad, hess, wd.c0, wd.c1);
      Atomics.store(ctl, 1, seen);
      Atomics.notify(ctl, 1);
    }
  } catch {
    Atomics.store(ctl, 5, 1);
    Atomics.notify(ctl, 1);
  }
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

interface Helper {
  worker: Worker;
  control: Int32Array;
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
 * model does not depend on the thread count. The calling thread blocks
 * (Atomics.wait) until the workers are done, keeping training synchronous.
 * The bin matrix, row order and gradients must be SharedArrayBuffer-backed.
 */
export class HistThreads {
  private readonly helpers: Helper[] = [];
  /** Column ranges this thread adds itself. */
  private readonly ownColumns: Array<[number, number]>;
  private seq = 0;

  constructor(
    private readonly data: HistData,
    private readonly order: Uint32Array,
    private readonly grad: Float32Array,
    private readonly hess: Float32Array,
    threads: number,
  ) {
    const { cols, offsets } = data;
    const n = Math.min(threads, cols);
    const bounds = Array.from({ length: n + 1 }, (_, i) =>
      Math.round((i * cols) / n),
    );
    this.ownColumns = [[0, bounds[1]]];
    const histLength = 2 * (data.missingBin + 1);
    // Any failure, even before workerMain's own try, sets FAILED.
    const source = `const wd = require('worker_threads').workerData;
try {
  (${workerMain.toString()})((${addRowsToHist.toString()}), wd);
} catch (e) {
  const ctl = new Int32Array(wd.control);
  Atomics.store(ctl, ${FAILED}, 1);
  Atomics.notify(ctl, ${DONE});
}`;
    for (let t = 1; t < n; t++) {
      const control = new Int32Array(shared(4 * 8));
      const out = new Float64Array(shared(8 * histLength));
      const from = 2 * offsets[bounds[t]];
      const to = 2 * offsets[bounds[t + 1]];
      const worker = new Worker(source, {
        eval: true,
        workerData: {
          control: control.buffer,
          out: out.buffer,
          bins: data.bins.buffer,
          order: order.buffer,
          grad: grad.buffer,
          hess: hess.buffer,
          cols,
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
        out,
        c0: bounds[t],
        c1: bounds[t + 1],
        from,
        to,
      });
    }
  }

  /** hist ← the histogram of order[begin, end) over all columns. */
  build(hist: Float64Array, begin: number, end: number): void {
    const seq = ++this.seq;
    for (const h of this.helpers) {
      h.control[BEGIN] = begin;
      h.control[END] = end;
      Atomics.store(h.control, SEQ, seq);
      Atomics.notify(h.control, SEQ);
    }
    hist.fill(0);
    for (const [c0, c1] of this.ownColumns) this.add(hist, begin, end, c0, c1);
    for (const h of [...this.helpers]) {
      if (this.wait(h, seq)) {
        hist.set(h.out.subarray(h.from, h.to), h.from);
        continue;
      }
      // A helper that failed to start or run (e.g. its source was changed
      // by a code-coverage tool): its columns are added here from now on,
      // which gives the same sums.
      void h.worker.terminate();
      this.helpers.splice(this.helpers.indexOf(h), 1);
      this.ownColumns.push([h.c0, h.c1]);
      this.add(hist, begin, end, h.c0, h.c1);
    }
  }

  private add(
    hist: Float64Array,
    begin: number,
    end: number,
    c0: number,
    c1: number,
  ): void {
    const { bins, cols } = this.data;
    const { order, grad, hess } = this;
    addRowsToHist(hist, bins, cols, order, begin, end, grad, hess, c0, c1);
  }

  /** True when the helper finished job `seq`; false when it failed or hangs. */
  private wait(h: Helper, seq: number): boolean {
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
