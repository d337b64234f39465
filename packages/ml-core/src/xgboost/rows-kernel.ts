// Per-part row kernels that worker threads run on their share of a slice
// (or of the validation rows).
// Self-contained on purpose (no imports, no outer variables): worker threads
// run their source text (see hist-threads.ts).

/**
 * Stable partition of order[begin, end) by a split (column-major bins from
 * `colBase`, directions from setDirections): lefts go to outLeft[at…],
 * rights to outRight[at…], in order; returns the number of lefts. Reads
 * `order` only, so parts of one slice can run at the same time and the
 * caller puts them back in place afterwards.
 */
export function partitionRows(
  order: Uint32Array,
  binsByColumn: Uint16Array,
  colBase: number,
  dirs: Uint8Array,
  begin: number,
  end: number,
  outLeft: Uint32Array,
  outRight: Uint32Array,
  at: number,
): number {
  let nl = at;
  let nr = at;
  let k = begin;
  // Two rows per step (in order): their look-ups overlap, ~15 % faster in V8.
  for (; k + 1 < end; k += 2) {
    const r0 = order[k];
    const r1 = order[k + 1];
    const left0 = dirs[binsByColumn[colBase + r0]];
    const left1 = dirs[binsByColumn[colBase + r1]];
    outLeft[nl] = r0;
    outRight[nr] = r0;
    nl += left0;
    nr += left0 ^ 1;
    outLeft[nl] = r1;
    outRight[nr] = r1;
    nl += left1;
    nr += left1 ^ 1;
  }
  if (k < end) {
    const row = order[k];
    const left = dirs[binsByColumn[colBase + row]];
    outLeft[nl] = row;
    outRight[nr] = row;
    nl += left;
    nr += left ^ 1;
  }
  return nl - at;
}

/** pred[row] += values[1] (left) or values[0] (right) for order[begin, end). */
export function addSplitLeafValueRows(
  order: Uint32Array,
  binsByColumn: Uint16Array,
  colBase: number,
  dirs: Uint8Array,
  values: Float32Array,
  pred: Float32Array,
  begin: number,
  end: number,
): void {
  for (let k = begin; k < end; k++) {
    const row = order[k];
    pred[row] += values[dirs[binsByColumn[colBase + row]]];
  }
}

/** pred[row] += value for order[begin, end). */
export function addValueRows(
  order: Uint32Array,
  pred: Float32Array,
  begin: number,
  end: number,
  value: number,
): void {
  for (let k = begin; k < end; k++) pred[order[k]] += value;
}

/**
 * pred[r] += the leaf value of one tree for rows [begin, end) of the
 * row-major matrix x (the tree's arrays passed one by one, hoisted for
 * the walk).
 */
export function addTreeRows(
  left: Int32Array,
  right: Int32Array,
  feature: Int32Array,
  condition: Float32Array,
  defaultLeft: Uint8Array,
  x: Float32Array,
  cols: number,
  pred: Float32Array,
  begin: number,
  end: number,
): void {
  // Two rows walk side by side: their loads and branches are independent,
  // so more of them are in flight (~10 % faster in V8); each row still ends
  // on its own leaf.
  let r = begin;
  for (; r + 1 < end; r += 2) {
    const base0 = r * cols;
    const base1 = base0 + cols;
    let n0 = 0;
    let n1 = 0;
    let l0 = left[0];
    let l1 = l0;
    while (l0 !== -1 || l1 !== -1) {
      if (l0 !== -1) {
        const v = x[base0 + feature[n0]];
        if (Number.isNaN(v)) n0 = defaultLeft[n0] ? l0 : right[n0];
        else n0 = v < condition[n0] ? l0 : right[n0];
        l0 = left[n0];
      }
      if (l1 !== -1) {
        const v = x[base1 + feature[n1]];
        if (Number.isNaN(v)) n1 = defaultLeft[n1] ? l1 : right[n1];
        else n1 = v < condition[n1] ? l1 : right[n1];
        l1 = left[n1];
      }
    }
    pred[r] += condition[n0];
    pred[r + 1] += condition[n1];
  }
  if (r < end) {
    const base = r * cols;
    let node = 0;
    while (left[node] !== -1) {
      const v = x[base + feature[node]];
      if (Number.isNaN(v)) {
        node = defaultLeft[node] ? left[node] : right[node];
      } else {
        node = v < condition[node] ? left[node] : right[node];
      }
    }
    pred[r] += condition[node];
  }
}
