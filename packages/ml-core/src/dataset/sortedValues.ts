/**
 * The present (non-NaN) values of a numeric column at some rows, ascending.
 * Both the preprocessor (median) and the baseline statistics (quantile
 * sketch) need them for every numeric column of the training rows, so they
 * are sorted once per (rows, column) and cached weakly.
 */

const cache = new WeakMap<object, WeakMap<Float64Array, Float64Array>>();
const ALL_ROWS = {};

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
    // Order does not matter (sorted next): read many rows in table order,
    // not by shuffled index (a cache miss per value at millions of rows).
    const mask = rows ? rowMask(rows, values.length) : undefined;
    if (rows && !mask) {
      for (let i = 0; i < n; i++) {
        const v = values[rows[i]];
        if (!Number.isNaN(v)) present[p++] = v;
      }
    } else {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if ((!mask || mask[i] === 1) && !Number.isNaN(v)) present[p++] = v;
      }
    }
    sorted = sortValues(present.subarray(0, p));
    byColumn.set(values, sorted);
  }
  return sorted;
}

const masks = new WeakMap<object, Uint8Array | null>();

/**
 * 1 for each row in `rows`, cached per rows object; undefined when the rows
 * are few (gathering is cheaper) or one repeats (a mask cannot count it).
 */
function rowMask(
  rows: ArrayLike<number>,
  total: number,
): Uint8Array | undefined {
  if (rows.length * 8 < total) return undefined;
  let mask = masks.get(rows as object);
  if (mask === undefined) {
    mask = new Uint8Array(total);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!(r >= 0 && r < total) || mask[r] === 1) {
        mask = null;
        break;
      }
      mask[r] = 1;
    }
    masks.set(rows as object, mask);
  }
  return mask ?? undefined;
}

/** Below this many values a plain sort is already cheap. */
const MIN_COUNTED = 1 << 16;
/** Counting pays while at most 1 value in 8 is new. */
const MAX_DISTINCT_SHARE = 8;

/**
 * Sorts `values` in place, ascending (no NaN), the same order as
 * Float64Array#sort. Parsed CSV columns repeat values a lot (a file's few
 * decimals, integer counts): sorting the distinct values and writing each
 * as often as it occurs is several times faster than sorting millions.
 */
export function sortValues(values: Float64Array): Float64Array {
  if (values.length < MIN_COUNTED || !sortByCounting(values)) values.sort();
  return values;
}

const imul = Math.imul;

/** Home slot of a double's bits in a table of mask + 1 slots. */
function slotOf(lo: number, hi: number, mask: number): number {
  let h = imul(lo ^ imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & mask;
}

/** false (values untouched) when too many values are distinct to pay. */
function sortByCounting(values: Float64Array): boolean {
  const n = values.length;
  const maxDistinct = Math.floor(n / MAX_DISTINCT_SHARE);
  let size = 16;
  while (size < 2 * maxDistinct) size *= 2;
  const mask = size - 1;
  // The bits of each double (little-endian words): -0 and 0 stay apart,
  // as the typed-array sort orders them.
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const keyLo = new Uint32Array(size);
  const keyHi = new Uint32Array(size);
  const counts = new Uint32Array(size); // 0: empty slot
  const unique = new Float64Array(maxDistinct);
  const uniqueWords = new Uint32Array(unique.buffer);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i];
    const hi = words[2 * i + 1];
    let s = slotOf(lo, hi, mask);
    for (;;) {
      if (counts[s] === 0) {
        if (distinct === maxDistinct) return false;
        keyLo[s] = lo;
        keyHi[s] = hi;
        counts[s] = 1;
        uniqueWords[2 * distinct] = lo;
        uniqueWords[2 * distinct + 1] = hi;
        distinct++;
        break;
      }
      if (keyLo[s] === lo && keyHi[s] === hi) {
        counts[s]++;
        break;
      }
      s = (s + 1) & mask;
    }
  }
  const sorted = unique.subarray(0, distinct).sort();
  // Each distinct value, as often as it occurs, in order.
  let at = 0;
  for (let j = 0; j < distinct; j++) {
    const lo = uniqueWords[2 * j];
    const hi = uniqueWords[2 * j + 1];
    let s = slotOf(lo, hi, mask);
    while (keyLo[s] !== lo || keyHi[s] !== hi) s = (s + 1) & mask;
    values.fill(sorted[j], at, at + counts[s]);
    at += counts[s];
  }
  return true;
}
