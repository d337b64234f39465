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
    for (let i = 0; i < n; i++) {
      const v = values[rows ? rows[i] : i];
      if (!Number.isNaN(v)) present[p++] = v;
    }
    // Typed-array sort: numeric, no comparator calls.
    sorted = present.subarray(0, p).sort();
    byColumn.set(values, sorted);
  }
  return sorted;
}
