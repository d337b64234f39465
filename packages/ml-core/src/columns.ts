import { NUMERIC_COLUMNS, SEX_VALUES } from './csv';
import type { LabeledRecord, NumericColumn } from './csv';

/**
 * The Abalone table column by column in typed arrays: 4.2 M rows take ~300 MB
 * here, where the same rows as objects take several GB.
 */
export interface AbaloneColumns {
  rows: number;
  /** Index into SEX_VALUES; NO_SEX when unknown. */
  sex: Uint8Array;
  /** One column per NUMERIC_COLUMNS entry, in that order; NaN = missing. */
  numeric: Float64Array[];
  /** NaN when the row has no label. */
  rings: Float64Array;
}

/** `sex` value of a row whose Sex is not one of SEX_VALUES. */
export const NO_SEX = 255;

const SEX_INDEX = new Map<string, number>(SEX_VALUES.map((s, i) => [s, i]));

/** SEX_VALUES index of a Sex cell (any case), or NO_SEX. */
export function sexIndexOf(sex: unknown): number {
  return typeof sex === 'string'
    ? SEX_INDEX.get(sex.trim().toUpperCase()) ?? NO_SEX
    : NO_SEX;
}

/** Appends rows into growing typed arrays (doubling), then trims once. */
export class ColumnsBuilder {
  private capacity: number;
  private rows = 0;
  private sex: Uint8Array;
  private numeric: Float64Array[];
  private rings: Float64Array;

  constructor(initialCapacity = 4096) {
    this.capacity = Math.max(1, initialCapacity);
    this.sex = new Uint8Array(this.capacity);
    this.numeric = NUMERIC_COLUMNS.map(() => new Float64Array(this.capacity));
    this.rings = new Float64Array(this.capacity);
  }

  get length(): number {
    return this.rows;
  }

  /** One row: Sex index, the 7 measurements in NUMERIC_COLUMNS order, rings. */
  push(sex: number, values: ArrayLike<number>, rings: number): void {
    if (this.rows === this.capacity) this.grow(this.capacity * 2);
    const i = this.rows++;
    this.sex[i] = sex;
    for (let c = 0; c < this.numeric.length; c++)
      this.numeric[c][i] = values[c];
    this.rings[i] = rings;
  }

  /** Appends every row of another table (multi-file manifests). */
  append(cols: AbaloneColumns): void {
    if (this.rows + cols.rows > this.capacity)
      this.grow(Math.max(this.capacity * 2, this.rows + cols.rows));
    this.sex.set(cols.sex, this.rows);
    for (let c = 0; c < this.numeric.length; c++)
      this.numeric[c].set(cols.numeric[c], this.rows);
    this.rings.set(cols.rings, this.rows);
    this.rows += cols.rows;
  }

  /** The table; the builder must not be used afterwards. */
  build(): AbaloneColumns {
    // slice copies: the doubled capacity would otherwise stay allocated.
    return {
      rows: this.rows,
      sex: this.sex.slice(0, this.rows),
      numeric: this.numeric.map(c => c.slice(0, this.rows)),
      rings: this.rings.slice(0, this.rows),
    };
  }

  private grow(capacity: number) {
    const copy = <T extends Uint8Array | Float64Array>(a: T, make: () => T) => {
      const b = make();
      b.set(a);
      return b;
    };
    this.sex = copy(this.sex, () => new Uint8Array(capacity));
    this.numeric = this.numeric.map(c =>
      copy(c, () => new Float64Array(capacity)),
    );
    this.rings = copy(this.rings, () => new Float64Array(capacity));
    this.capacity = capacity;
  }
}

/** Records → columns (small data sets, tests, callers holding records). */
export function columnsFromRecords(
  records: ReadonlyArray<Partial<LabeledRecord>>,
): AbaloneColumns {
  const b = new ColumnsBuilder(records.length);
  const values = new Float64Array(NUMERIC_COLUMNS.length);
  for (const r of records) {
    NUMERIC_COLUMNS.forEach((c, j) => {
      const v = (r as Record<NumericColumn, unknown>)[c];
      values[j] = typeof v === 'number' ? v : NaN;
    });
    b.push(
      sexIndexOf(r.sex),
      values,
      typeof r.rings === 'number' ? r.rings : NaN,
    );
  }
  return b.build();
}

/** The rows at `indices`, in that order (a split's part). */
export function selectRows(
  cols: AbaloneColumns,
  indices: ArrayLike<number>,
): AbaloneColumns {
  const n = indices.length;
  const pick = <T extends Uint8Array | Float64Array>(src: T, out: T): T => {
    for (let i = 0; i < n; i++) out[i] = src[indices[i]];
    return out;
  };
  return {
    rows: n,
    sex: pick(cols.sex, new Uint8Array(n)),
    numeric: cols.numeric.map(c => pick(c, new Float64Array(n))),
    rings: pick(cols.rings, new Float64Array(n)),
  };
}

/** A column by name. */
export function numericColumn(
  cols: AbaloneColumns,
  name: NumericColumn,
): Float64Array {
  return cols.numeric[NUMERIC_COLUMNS.indexOf(name)];
}

const MAGIC = 'MLOPSCOL1';

/**
 * Binary form of a table (a parse cache): a JSON header line, then the
 * arrays back to back. Chunks, so callers can stream them to a file.
 */
export function encodeColumns(cols: AbaloneColumns): Buffer[] {
  const header = Buffer.from(
    `${JSON.stringify({ format: MAGIC, rows: cols.rows })}\n`,
  );
  // 8-byte alignment for the Float64 arrays that follow the header + sex.
  const pad = (8 - ((header.length + cols.rows) % 8)) % 8;
  const view = (a: Uint8Array | Float64Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return [
    header,
    view(cols.sex),
    Buffer.alloc(pad),
    ...cols.numeric.map(view),
    view(cols.rings),
  ];
}

/** Inverse of encodeColumns; throws on a file of another shape. */
export function decodeColumns(buf: Buffer): AbaloneColumns {
  const nl = buf.indexOf(10);
  const header = nl > 0 ? safeJson(buf.subarray(0, nl).toString()) : undefined;
  const rows = header?.rows;
  if (header?.format !== MAGIC || !Number.isInteger(rows) || rows < 0) {
    throw new Error('not an Abalone columns file');
  }
  const start = nl + 1;
  const pad = (8 - ((start + rows) % 8)) % 8;
  const expected = start + rows + pad + (NUMERIC_COLUMNS.length + 1) * rows * 8;
  if (buf.length !== expected) {
    throw new Error(
      `Abalone columns file is ${buf.length} bytes, expected ${expected}`,
    );
  }
  // Copies, so the table does not depend on the alignment of `buf`.
  const f64 = (k: number) => {
    const off = start + rows + pad + k * rows * 8;
    const out = new Float64Array(rows);
    new Uint8Array(out.buffer).set(buf.subarray(off, off + rows * 8));
    return out;
  };
  return {
    rows,
    sex: Uint8Array.from(buf.subarray(start, start + rows)),
    numeric: NUMERIC_COLUMNS.map((_, k) => f64(k)),
    rings: f64(NUMERIC_COLUMNS.length),
  };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Sorting a column is the costly part of both the median imputer and the
// baseline statistics; both read the training split's columns, so each is
// sorted once. Keyed weakly: the copy goes when the column does.
const sortedColumns = new WeakMap<Float64Array, Float64Array>();

/** The finite values of a column, ascending (computed once per column array). */
export function sortedPresent(column: Float64Array): Float64Array {
  let sorted = sortedColumns.get(column);
  if (!sorted) {
    // Typed-array sort: numeric, no comparator calls.
    sorted = column.filter(v => Number.isFinite(v)).sort();
    sortedColumns.set(column, sorted);
  }
  return sorted;
}
