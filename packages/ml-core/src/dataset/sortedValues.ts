/**
 * The present (non-NaN) values of a numeric column at some rows, ascending.
 * Both the preprocessor (median) and the baseline statistics (quantile
 * sketch) need them for every numeric column of the training rows, so they
 * are sorted once per (rows, column) and cached weakly.
 *
 * Hand-written radix sort, for speed: Float64Array.prototype.sort takes ~1 s
 * for 3M values on a small machine, four 16-bit counting passes a fraction.
 */

const cache = new WeakMap<object, WeakMap<Float64Array, Float64Array>>();
const ALL_ROWS = {};

const RADIX = 1 << 16;

/** Sorts doubles (no NaN) ascending by their IEEE-754 bits, made order-preserving. */
export function radixSortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 2048) return values.slice().sort();
  // Own buffer: the input may be a view at an unaligned offset.
  const copy = values.slice();
  const words = new Uint32Array(copy.buffer);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = words[2 * i];
    const h = words[2 * i + 1];
    // Negative: flip every bit; positive: flip the sign bit.
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  const counts = new Uint32Array(RADIX);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = (pass % 2) * 16;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(key[i] >>> shift) & 0xffff]++;
    // A digit every value shares changes nothing: skip the scatter.
    if (counts[(key[0] >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = counts[(key[i] >>> shift) & 0xffff]++;
      hi2[at] = hi[i];
      lo2[at] = lo[i];
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = lo[i];
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~lo[i] >>> 0;
    }
  }
  return copy;
}

/** The present values of `values` at `rows` (all rows when left out), ascending. */
export function sortedPresentAt(
  values: Float64Array,
  rows?: ArrayLike<number>,
): Float64Array {
  const key = (rows as object | undefined) ?? ALL_ROWS;
  let byColumn = cache.get(key);
  if (!byColumn) {
    byColumn = new WeakMap();
    cache.set(key, byColumn);
  }
  let sorted = byColumn.get(values);
  if (!sorted) {
    const n = rows ? rows.length : values.length;
    const present = new Float64Array(n);
    let p = 0;
    for (let i = 0; i < n; i++) {
      const v = values[rows ? rows[i] : i];
      if (!Number.isNaN(v)) present[p++] = v;
    }
    sorted = radixSortFloat64(present.subarray(0, p));
    byColumn.set(values, sorted);
  }
  return sorted;
}
