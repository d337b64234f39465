// Quantile cuts and bin matrices for the histogram method.

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

/** Columns sampled per pass over the rows (bounds the buffers: 16 × 512 KiB). */
const SAMPLE_GROUP = 16;

/**
 * The present values of columns [f0, f1) at rows 0, stride, 2·stride, …
 * in one row-major pass: column f0 + j's go to samples[j·per…], their
 * number to counts[j]. One pass per column would read the whole matrix
 * once per column (a cache miss per value on large tables).
 */
function gatherSamples(
  x: Float32Array,
  rows: number,
  cols: number,
  stride: number,
  f0: number,
  f1: number,
  samples: Float32Array,
  per: number,
  counts: Int32Array,
): void {
  counts.fill(0);
  for (let r = 0; r < rows; r += stride) {
    const base = r * cols;
    for (let f = f0; f < f1; f++) {
      const v = x[base + f];
      if (!Number.isNaN(v)) {
        const j = f - f0;
        samples[j * per + counts[j]++] = v;
      }
    }
  }
}

/** Cells per feature in BinGuess's table. */
const GUESS_CELLS = 4096;

/**
 * A first guess of a value's bin from a table over equal-width cells between
 * a feature's first and last cut: a binary search over 256 cuts mispredicts
 * most of its branches, while the guess is usually off by at most one bin.
 * Plain typed arrays (no class): the binning loop that reads them is
 * compiled once, with no field assumptions to invalidate later.
 */
interface BinGuess {
  lo: Float64Array;
  scale: Float64Array;
  table: Int32Array;
}

function binGuess(cuts: Float32Array, offsets: Int32Array): BinGuess {
  const cols = offsets.length - 1;
  const lo = new Float64Array(cols);
  const scale = new Float64Array(cols);
  const table = new Int32Array(cols * GUESS_CELLS);
  for (let f = 0; f < cols; f++) {
    const first = offsets[f];
    const last = offsets[f + 1] - 1;
    const low = cuts[first];
    const width = cuts[last] - low;
    // With one cut every value is in the feature's only bin (scale 0).
    const s = width > 0 ? GUESS_CELLS / width : 0;
    lo[f] = low;
    scale[f] = s;
    for (let j = 0; j < GUESS_CELLS; j++) {
      const v = s > 0 ? low + j / s : low;
      table[f * GUESS_CELLS + j] = Math.min(
        upperBound(cuts, first, last + 1, v),
        last,
      );
    }
  }
  return { lo, scale, table };
}

/**
 * Every cell's bin, row-major into `bins` and column-major into
 * `binsByColumn`: the b with cuts[b-1] <= v < cuts[b] for a present value
 * (the last bin also takes larger values), found by stepping from the guess;
 * `missingBin` for NaN. A kernel of its own (typed arrays in, nothing else):
 * V8 optimises it after a few rows, where the same loop inside
 * buildHistData was compiled mid-loop and thrown back more than once.
 */
function binRows(
  x: Float32Array,
  rows: number,
  cols: number,
  cuts: Float32Array,
  offsets: Int32Array,
  guessLo: Float64Array,
  guessScale: Float64Array,
  guessTable: Int32Array,
  missingBin: number,
  bins: Uint16Array,
  binsByColumn: Uint16Array,
  hasMissing: Uint8Array,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let f = 0; f < cols; f++) {
      const v = x[base + f];
      let b = missingBin;
      if (!Number.isNaN(v)) {
        const first = offsets[f];
        const last = offsets[f + 1] - 1;
        let j = Math.floor((v - guessLo[f]) * guessScale[f]);
        if (!(j >= 0)) j = 0;
        else if (j >= GUESS_CELLS) j = GUESS_CELLS - 1;
        b = guessTable[f * GUESS_CELLS + j];
        while (b < last && cuts[b] <= v) b++;
        while (b > first && cuts[b - 1] > v) b--;
      } else hasMissing[f] = 1;
      bins[base + f] = b;
      binsByColumn[f * rows + r] = b;
    }
  }
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
  // At most SKETCH_SAMPLE values are read (no division here: a fraction
  // the warm-up never produced would deopt this function on real data).
  const per = Math.min(rows, SKETCH_SAMPLE);
  const samples = new Float32Array(Math.min(cols, SAMPLE_GROUP) * per);
  const counts = new Int32Array(SAMPLE_GROUP);
  for (let f = 0; f < cols; f++) {
    const j = f % SAMPLE_GROUP;
    if (j === 0) {
      const f1 = Math.min(cols, f + SAMPLE_GROUP);
      gatherSamples(x, rows, cols, stride, f, f1, samples, per, counts);
    }
    const m = counts[j];
    const sorted = sortFloat32(samples.subarray(j * per, j * per + m));
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
  // Shared memory: histogram worker threads read it (nthread > 1).
  const bins = new Uint16Array(new SharedArrayBuffer(2 * rows * cols));
  // Shared too: worker threads partition rows by it (see hist-threads.ts).
  const binsByColumn = new Uint16Array(new SharedArrayBuffer(2 * rows * cols));
  const guess = binGuess(cuts, offsets);
  // Row-major pass: reads x and writes `bins` sequentially.
  binRows(
    x,
    rows,
    cols,
    cuts,
    offsets,
    guess.lo,
    guess.scale,
    guess.table,
    totalBins,
    bins,
    binsByColumn,
    hasMissing,
  );
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

/**
 * Rows outside the training data (the validation rows) coded against the
 * training cuts, column-major, so that they can follow a tree's splits like
 * the training rows (RowSet) instead of walking every tree. Feature f owns
 * codes [codeOffsets[f], codeOffsets[f] + nb + 2) for its nb bins: 0 for a
 * value below minCuts[f], 1..nb for bins offsets[f].., nb + 1 for a value at
 * or above the last cut; `missingCode` for NaN. With those two extra codes
 * "code ≤ split bin − offset + 1" is exactly the tree's `x < condition`,
 * also for values beyond the training range (validationDirections).
 */
export interface CodedRows {
  rows: number;
  byColumn: Uint16Array;
  codeOffsets: Int32Array;
  missingCode: number;
}

/** Codes `rows` rows of x (row-major, the training columns); undefined when the codes do not fit in 16 bits. */
export function codeRows(
  data: HistData,
  x: Float32Array,
  rows: number,
): CodedRows | undefined {
  const { cols, offsets, cuts, minCuts } = data;
  const codeOffsets = new Int32Array(cols + 1);
  for (let f = 0; f < cols; f++)
    codeOffsets[f + 1] = codeOffsets[f] + offsets[f + 1] - offsets[f] + 2;
  const missingCode = codeOffsets[cols];
  if (missingCode >= 65535) return undefined;
  // Shared memory, as the training rows' binsByColumn (one kind of typed
  // array for the row kernels).
  const byColumn = new Uint16Array(new SharedArrayBuffer(2 * rows * cols));
  const guess = binGuess(cuts, offsets);
  for (let f = 0; f < cols; f++) {
    const first = offsets[f];
    const end = offsets[f + 1];
    const nb = end - first;
    const base = codeOffsets[f];
    const lo = guess.lo[f];
    const scale = guess.scale[f];
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + f];
      let code = missingCode;
      if (!Number.isNaN(v)) {
        if (v < minCuts[f]) code = base;
        else if (v >= cuts[end - 1]) code = base + nb + 1;
        else {
          // The bin, as binRows finds it: from the guess, stepped.
          let j = Math.floor((v - lo) * scale);
          if (!(j >= 0)) j = 0;
          else if (j >= GUESS_CELLS) j = GUESS_CELLS - 1;
          let b = guess.table[f * GUESS_CELLS + j];
          while (b < end - 1 && cuts[b] <= v) b++;
          while (b > first && cuts[b - 1] > v) b--;
          code = base + b - first + 1;
        }
      }
      byColumn[f * rows + r] = code;
    }
  }
  return { rows, byColumn, codeOffsets, missingCode };
}

/**
 * The split's direction (1 = left) per code of its feature, for rows coded
 * by codeRows: left when code ≤ bin − offset + 1, missing by defaultLeft.
 */
export function validationDirections(
  dirs: Uint8Array,
  coded: CodedRows,
  data: HistData,
  feature: number,
  bin: number,
  defaultLeft: number,
): void {
  const base = coded.codeOffsets[feature];
  const end = coded.codeOffsets[feature + 1];
  const last = bin - data.offsets[feature] + 1;
  for (let c = base; c < end; c++) dirs[c] = c - base <= last ? 1 : 0;
  dirs[coded.missingCode] = defaultLeft;
}
