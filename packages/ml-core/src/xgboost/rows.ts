// Row sets that follow a tree's splits in the histogram method.
import type { HistData } from './bins';
import type { SplitChoice } from './hist-split';
import {
  addSplitLeafValueRows,
  addValueRows,
  partitionRows,
} from './rows-kernel';

/**
 * Per-bin direction of a split (1 = left) for the split feature's bins and
 * the missing bin: one table look-up per row is cheaper than comparing.
 */
export function setDirections(
  dirs: Uint8Array,
  data: HistData,
  s: SplitChoice,
): void {
  const first = data.offsets[s.feature];
  const end = data.offsets[s.feature + 1];
  for (let b = first; b < end; b++) dirs[b] = b <= s.bin ? 1 : 0;
  dirs[data.missingBin] = s.defaultLeft;
}

/**
 * dest[at…] ← src[from, to). Buffer.copy is a memmove; TypedArray.set on
 * SharedArrayBuffer memory (the row orders) copies element by element,
 * about 15× slower.
 */
export function copyRows(
  src: Uint32Array,
  from: number,
  to: number,
  dest: Uint32Array,
  at: number,
): void {
  const s = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  const d = Buffer.from(dest.buffer, dest.byteOffset, dest.byteLength);
  s.copy(d, 4 * at, 4 * from, 4 * to);
}

/**
 * Rows that follow the tree's splits while it grows: every node owns the
 * contiguous, ascending slice order[begin[node], end[node]). Used for the
 * sampled rows (which also feed the histograms), the rows left out by
 * subsample and the validation rows: a leaf's value then reaches its rows'
 * predictions from the slice, which is cheaper than walking each tree per row.
 */
export class RowSet {
  readonly begin: number[] = [];
  readonly end: number[] = [];

  /**
   * @param order - row indices; the caller fills order[0, n) and calls reset(n)
   * @param binsByColumn - column-major bins of these rows (`stride` rows per column)
   * @param pred - the predictions that leaf values are added to
   */
  constructor(
    readonly order: Uint32Array,
    readonly binsByColumn: Uint16Array,
    readonly stride: number,
    readonly pred: Float32Array,
  ) {}

  /** The root owns order[0, n). */
  reset(n: number): void {
    this.begin.length = 0;
    this.end.length = 0;
    this.begin[0] = 0;
    this.end[0] = n;
  }

  /**
   * Stable in-place partition of the node's slice by a split on `feature`
   * (directions from setDirections) into the slices of l and r. Branch-free,
   * because the direction of consecutive rows is close to random.
   */
  split(
    node: number,
    l: number,
    r: number,
    feature: number,
    dirs: Uint8Array,
    scratch: Uint32Array,
  ): void {
    const { order, binsByColumn } = this;
    const colBase = feature * this.stride;
    const begin = this.begin[node];
    const end = this.end[node];
    // Lefts in place (a write never passes the read), rights to scratch.
    const nl =
      begin +
      partitionRows(
        order,
        binsByColumn,
        colBase,
        dirs,
        begin,
        end,
        order,
        scratch,
        begin,
      );
    copyRows(scratch, begin, begin + (end - nl), order, nl);
    this.begin[l] = begin;
    this.end[l] = nl;
    this.begin[r] = nl;
    this.end[r] = end;
  }

  /**
   * For a split whose children are leaves: adds values[1] (left) or
   * values[0] (right) to the predictions of the node's rows, without
   * moving them.
   */
  addSplitLeafValues(
    node: number,
    feature: number,
    dirs: Uint8Array,
    values: Float32Array,
  ): void {
    const { order, binsByColumn, pred } = this;
    addSplitLeafValueRows(
      order,
      binsByColumn,
      feature * this.stride,
      dirs,
      values,
      pred,
      this.begin[node],
      this.end[node],
    );
  }

  /** Adds a leaf's value to the predictions of its rows. */
  addLeafValue(node: number, value: number): void {
    addValueRows(
      this.order,
      this.pred,
      this.begin[node],
      this.end[node],
      value,
    );
  }
}
