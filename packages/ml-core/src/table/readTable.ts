import type { Readable } from 'stream';
import type {
  ColumnData,
  ColumnSchema,
  DatasetSchema,
  Table,
  TableRowError,
} from '../spec/types';
import {
  CELL_ESCAPED,
  CELL_NUMBER,
  CsvScanner,
  type ScannerSink,
} from './csvScanner';
import { parseDecimal as parseDecimalImport } from './decimal';
import { LevelIndex } from './levels';

// Module-local copies: transpilers turn imports into getter calls, which
// the per-cell loops would otherwise pay for.
const ESCAPED = CELL_ESCAPED;
const NUMBER = CELL_NUMBER;
const parseDecimal = parseDecimalImport;

/** How parseTableCsv / readTableCsv treat errors, limits and headers. */
export interface ReadTableOptions {
  /** 'reject' (default): any bad row empties the table; 'skip': bad rows are dropped. Errors are listed either way. */
  policy?: 'reject' | 'skip';
  /** Errors kept in `errors` (the rest are only counted in `errorCount`). Default 100. */
  maxErrors?: number;
  /** A record longer than this is an error, never buffered further. Default 1 MiB. */
  maxRecordBytes?: number;
  /** Distinct values a categorical column may have (an identifier column is refused, not kept). Default 100,000. */
  maxLevels?: number;
  /**
   * Schemas without a header row: a first record whose numeric-column cells
   * are all words is taken as a header and skipped (files exported with one).
   */
  detectHeader?: boolean;
  /** Rows may lack the target (scoring): a missing cell, or (without a header) a last target column left off. */
  labelOptional?: boolean;
  /** The input's size when known: columns are sized once from it instead of doubling. */
  expectedBytes?: number;
}

/** The table read, and what was refused. */
export interface ReadTableResult {
  /** Good rows; empty under policy 'reject' when any row is bad. */
  table: Table;
  /** The first `maxErrors` errors, in file order. */
  errors: TableRowError[];
  /** All errors found (cells and records). */
  errorCount: number;
  /** Data records read, good and bad (header and blank lines excluded). */
  rows: number;
  /** Records dropped for an error. */
  skippedRows: number;
  /** `detectHeader` found and skipped a header row. */
  headerSkipped: boolean;
  /** Header columns the schema does not name: not read (kept out of the table). */
  ignoredColumns: string[];
}

const DEFAULTS = {
  maxErrors: 100,
  maxRecordBytes: 1 << 20,
  maxLevels: 100_000,
};
/** Input is scanned in windows of this size, so one huge line stays bounded. */
const WINDOW = 1 << 20;
/** Longest new category kept (levels live for the whole read). */
const MAX_LEVEL_BYTES = 1024;
/** A cell's text in an error is cut to this many characters. */
const VALUE_CHARS = 64;

const NUMERIC = 0;
const CATEGORICAL = 1;
const BOOLEAN = 2;

interface ColumnState {
  schema: ColumnSchema;
  kind: number;
  isTarget: boolean;
  values?: Float64Array;
  codes?: Int32Array;
  levels?: LevelIndex;
  /** Fixed categories, lower-cased → code (a cell differing only in case matches). */
  fixedLower?: Map<string, number>;
  fixed: boolean;
  min: number;
  max: number;
}

/**
 * Reads a CSV table into typed columns by a schema. Used through
 * `parseTableCsv` / `readTableCsv`; holds the state between chunks.
 */
class TableReader implements ScannerSink {
  private readonly scanner: CsvScanner;
  private readonly opts: Required<Omit<ReadTableOptions, 'expectedBytes'>> & {
    expectedBytes?: number;
  };
  private readonly cols: ColumnState[];
  /** File cell index → column index (-1: ignored). Set by the header, or identity. */
  private plan: Int32Array;
  private expectedCells: number;
  private readonly missing: Uint8Array[];
  /** Bit n set: some missing token is n bytes long (n < 31). */
  private readonly missingLengths: number;
  private readonly emptyIsMissing: boolean;
  private capacity = 0;
  private kept = 0;
  private rows = 0;
  private skippedRows = 0;
  private errorCount = 0;
  private readonly errors: TableRowError[] = [];
  private needHeader: boolean;
  private headerSkipped = false;
  private firstRecord = true;
  private ignoredColumns: string[] = [];
  /** A header error: nothing more can be read. */
  stopped = false;
  private pending?: Buffer;
  private queue: Buffer[] = [];
  private queued = 0;
  private consumed = 0;
  private scratch = Buffer.alloc(256);
  private rowBad = false;
  private pendingLevels: Array<{ col: number; text: string }> = [];
  private targetIndex: number;
  /** labelOptional and the header has no target column. */
  private missingTarget = false;

  constructor(
    private readonly schema: DatasetSchema,
    options: ReadTableOptions,
  ) {
    this.opts = {
      policy: options.policy ?? 'reject',
      maxErrors: options.maxErrors ?? DEFAULTS.maxErrors,
      maxRecordBytes: options.maxRecordBytes ?? DEFAULTS.maxRecordBytes,
      maxLevels: options.maxLevels ?? DEFAULTS.maxLevels,
      detectHeader: options.detectHeader ?? false,
      labelOptional: options.labelOptional ?? false,
      expectedBytes: options.expectedBytes,
    };
    this.scanner = new CsvScanner(this, this.opts.maxRecordBytes);
    this.targetIndex = schema.columns.findIndex(c => c.name === schema.target);
    this.cols = schema.columns.map((c, i) => this.columnState(c, i));
    this.plan = Int32Array.from(schema.columns, (_, i) => i);
    this.expectedCells = schema.columns.length;
    this.needHeader = schema.header;
    const tokens = schema.missingValues ?? [];
    this.emptyIsMissing = tokens.includes('');
    this.missing = tokens.filter(t => t !== '').map(t => Buffer.from(t));
    this.missingLengths = this.missing.reduce(
      (m, t) => (t.length < 31 ? m | (1 << t.length) : m | (1 << 31)),
      0,
    );
    this.markNumericCells();
    this.grow(1024);
  }

  private columnState(c: ColumnSchema, i: number): ColumnState {
    const isTarget = i === this.targetIndex;
    let kind = CATEGORICAL;
    if (c.type === 'numeric') kind = NUMERIC;
    else if (c.type === 'boolean') kind = BOOLEAN;
    const state: ColumnState = {
      schema: c,
      kind,
      isTarget,
      fixed: false,
      // Finite bounds: the per-cell fast path's range test also refuses ±Infinity.
      min: c.min ?? -Number.MAX_VALUE,
      max: c.max ?? Number.MAX_VALUE,
      // Every field set up front: one object shape for all columns keeps the
      // per-cell property loads monomorphic.
      values: undefined,
      codes: undefined,
      levels: undefined,
      fixedLower: undefined,
    };
    if (kind === CATEGORICAL) {
      state.levels = new LevelIndex();
      // A classification target's classes fix its categories too.
      const fixed =
        c.categories ?? (isTarget ? this.schema.classes : undefined);
      if (fixed) {
        state.fixed = true;
        state.fixedLower = new Map();
        for (const cat of fixed) {
          const code = state.levels.addLevel(cat);
          state.fixedLower.set(cat.toLowerCase(), code);
        }
      }
    }
    return state;
  }

  /** Feeds bytes; records are handled as they complete. */
  push(chunk: Buffer): void {
    for (let i = 0; i < chunk.length && !this.stopped; i += WINDOW)
      this.pushWindow(
        i === 0 && chunk.length <= WINDOW
          ? chunk
          : chunk.subarray(i, i + WINDOW),
      );
  }

  private pushWindow(chunk: Buffer) {
    let buf = chunk;
    if (this.pending) {
      this.queue.push(chunk);
      this.queued += chunk.length;
      // A long incomplete record is rescanned only once the bytes after it
      // have doubled, so rescanning stays linear overall.
      if (this.queued < this.pending.length) return;
      buf = Buffer.concat([this.pending, ...this.queue]);
      this.queue = [];
      this.queued = 0;
    }
    const used = this.scanner.scan(buf, 0, buf.length, false);
    this.consumed += used;
    this.pending = used < buf.length ? buf.subarray(used) : undefined;
  }

  finish(): ReadTableResult {
    if (!this.stopped) {
      const rest = Buffer.concat([
        ...(this.pending ? [this.pending] : []),
        ...this.queue,
      ]);
      this.pending = undefined;
      this.queue = [];
      this.scanner.scan(rest, 0, rest.length, true);
    }
    this.errors.sort((a, b) => a.row - b.row);
    const rejected = this.opts.policy === 'reject' && this.skippedRows > 0;
    const n = rejected || this.stopped ? 0 : this.kept;
    const columns: ColumnData[] = this.cols.map(c => {
      if (c.kind === NUMERIC)
        return { type: 'numeric', values: trim(c.values!, n) };
      const type = c.kind === BOOLEAN ? 'boolean' : 'categorical';
      const levels = c.kind === BOOLEAN ? ['false', 'true'] : c.levels!.levels;
      return { type, codes: trim(c.codes!, n), levels: [...levels] };
    });
    return {
      table: {
        rowCount: n,
        names: this.schema.columns.map(c => c.name),
        columns,
      },
      errors: this.errors,
      errorCount: this.errorCount,
      rows: this.rows,
      skippedRows: this.skippedRows,
      headerSkipped: this.headerSkipped,
      ignoredColumns: this.ignoredColumns,
    };
  }

  grammarError(line: number, reason: string): void {
    // A header the grammar refuses leaves nothing to match columns by.
    if (this.needHeader) {
      this.needHeader = false;
      this.stopped = true;
    }
    this.firstRecord = false;
    this.rows++;
    this.skippedRows++;
    this.addError({ row: line, reason: `not valid CSV: ${reason}` });
  }

  record(buf: Uint8Array, count: number, line: number): void {
    if (this.stopped) return;
    const b = buf as Buffer;
    if (this.needHeader) {
      this.needHeader = false;
      this.readHeader(b, count, line);
      return;
    }
    if (this.firstRecord) {
      this.firstRecord = false;
      if (
        this.opts.detectHeader &&
        !this.schema.header &&
        this.looksLikeHeader(b, count)
      ) {
        this.headerSkipped = true;
        return;
      }
    }
    this.rows++;
    if (count !== this.expectedCells) {
      const shortOfTarget =
        this.opts.labelOptional &&
        !this.schema.header &&
        count === this.expectedCells - 1 &&
        this.targetIndex === this.expectedCells - 1;
      if (!shortOfTarget) {
        this.skippedRows++;
        this.addError({
          row: line,
          value: this.text(
            b,
            this.scanner.starts[0],
            this.scanner.ends[count - 1],
          ),
          reason: `expected ${this.expectedCells} columns, got ${count}`,
        });
        return;
      }
    }
    if (this.kept === this.capacity) this.grow(this.nextCapacity());
    const row = this.kept;
    this.rowBad = false;
    const { starts, ends, flags, values: numbers } = this.scanner;
    const plan = this.plan;
    const cols = this.cols;
    for (let k = 0; k < count; k++) {
      const ci = plan[k];
      if (ci < 0) continue;
      const col = cols[ci];
      let s = starts[k];
      let e = ends[k];
      const flag = flags[k];
      if (flag === NUMBER) {
        // Read during the scan (only numeric columns' cells are).
        const v = numbers[k];
        if (v >= col.min && v <= col.max) {
          col.values![row] = v;
          continue;
        }
        this.numericCell(col, b, s, e, row, line);
        continue;
      }
      if ((flag & ESCAPED) === 0) {
        if (col.kind === NUMERIC) {
          // The common cell: a plain number, read in place.
          const len = e - s;
          const maybeMissing =
            len === 0 ||
            (len < 31 &&
              (this.missingLengths & (1 << len)) !== 0 &&
              this.isMissing(b, s, e));
          const v = maybeMissing ? NaN : parseDecimal(b, s, e);
          if (v >= col.min && v <= col.max) {
            col.values![row] = v;
            continue;
          }
          this.numericCell(col, b, s, e, row, line);
        } else if (col.kind === CATEGORICAL)
          this.categoricalCell(col, ci, b, s, e, row, line);
        else this.booleanCell(col, b, s, e, row, line);
        continue;
      }
      e = this.unescape(b, s, e);
      s = 0;
      const src = this.scratch;
      if (col.kind === NUMERIC) this.numericCell(col, src, s, e, row, line);
      else if (col.kind === CATEGORICAL)
        this.categoricalCell(col, ci, src, s, e, row, line);
      else this.booleanCell(col, src, s, e, row, line);
    }
    if (count < this.expectedCells || this.missingTarget) {
      // The target column was left off (labelOptional).
      const col = this.cols[this.targetIndex];
      if (col.kind === NUMERIC) col.values![row] = NaN;
      else col.codes![row] = -1;
    }
    if (this.rowBad) {
      this.skippedRows++;
      this.pendingLevels.length = 0;
      return;
    }
    for (const p of this.pendingLevels) {
      const col = this.cols[p.col];
      if (col.levels!.size >= this.opts.maxLevels) {
        this.cellError(
          line,
          col,
          p.text,
          `more than ${this.opts.maxLevels} distinct values (an identifier, not a feature? drop the column or declare it numeric)`,
        );
        this.skippedRows++;
        this.pendingLevels.length = 0;
        return;
      }
      col.codes![row] = col.levels!.addLevel(p.text);
    }
    this.pendingLevels.length = 0;
    // Under 'reject' one bad row voids the file: stop keeping rows.
    if (this.opts.policy === 'skip' || this.skippedRows === 0) this.kept++;
  }

  private numericCell(
    col: ColumnState,
    b: Buffer,
    s: number,
    e: number,
    row: number,
    line: number,
  ) {
    if (this.isMissing(b, s, e)) {
      col.values![row] = NaN;
      if (col.isTarget && !this.opts.labelOptional)
        this.cellError(line, col, this.text(b, s, e), 'label is missing');
      return;
    }
    const v = parseDecimal(b, s, e);
    let reason: string | undefined;
    if (Number.isNaN(v)) reason = 'not a number';
    else if (v === Infinity || v === -Infinity) reason = 'not a finite number';
    else if (v < col.min)
      reason = col.min === 0 ? 'must not be negative' : `must be ≥ ${col.min}`;
    else if (v > col.max) reason = `must be ≤ ${col.max}`;
    if (reason) this.cellError(line, col, this.text(b, s, e), reason);
    col.values![row] = v;
  }

  private categoricalCell(
    col: ColumnState,
    ci: number,
    b: Buffer,
    s: number,
    e: number,
    row: number,
    line: number,
  ) {
    if (this.isMissing(b, s, e)) {
      col.codes![row] = -1;
      if (col.isTarget && !this.opts.labelOptional)
        this.cellError(line, col, this.text(b, s, e), 'label is missing');
      return;
    }
    let code = col.levels!.find(b, s, e);
    if (code < 0) {
      const text = b.toString('utf8', s, e);
      if (col.fixed) {
        code = col.fixedLower!.get(text.toLowerCase()) ?? -1;
        if (code < 0) {
          this.cellError(line, col, text, `must be one of ${listOf(col)}`);
          return;
        }
        // Remember this spelling: the next one is a byte lookup.
        col.levels!.alias(b, s, e, code);
      } else {
        if (e - s > MAX_LEVEL_BYTES) {
          this.cellError(
            line,
            col,
            text,
            `a category longer than ${MAX_LEVEL_BYTES} bytes (free text is not a category)`,
          );
          return;
        }
        // New levels are added once the whole row is good.
        this.pendingLevels.push({ col: ci, text });
        return;
      }
    }
    col.codes![row] = code;
  }

  private booleanCell(
    col: ColumnState,
    b: Buffer,
    s: number,
    e: number,
    row: number,
    line: number,
  ) {
    if (this.isMissing(b, s, e)) {
      col.codes![row] = -1;
      if (col.isTarget && !this.opts.labelOptional)
        this.cellError(line, col, this.text(b, s, e), 'label is missing');
      return;
    }
    const v = booleanOf(b, s, e);
    if (v < 0)
      this.cellError(
        line,
        col,
        this.text(b, s, e),
        'not a boolean (true/false, yes/no, 1/0)',
      );
    col.codes![row] = v;
  }

  private isMissing(b: Buffer, s: number, e: number): boolean {
    const len = e - s;
    if (len === 0) return this.emptyIsMissing;
    if (len < 31 && (this.missingLengths & (1 << len)) === 0) return false;
    for (const t of this.missing) {
      if (t.length !== len) continue;
      let k = 0;
      while (k < len && t[k] === b[s + k]) k++;
      if (k === len) return true;
    }
    return false;
  }

  private readHeader(b: Buffer, count: number, line: number) {
    const { starts, ends, flags } = this.scanner;
    const names: string[] = [];
    for (let k = 0; k < count; k++) {
      let text = b.toString('utf8', starts[k], ends[k]);
      if (flags[k] & ESCAPED) text = text.replace(/""/g, '"');
      names.push(text);
    }
    const plan = new Int32Array(count).fill(-1);
    const exact = new Map<string, number>();
    const lower = new Map<string, number>();
    names.forEach((n, k) => {
      if (!exact.has(n)) exact.set(n, k);
      if (!lower.has(n.toLowerCase())) lower.set(n.toLowerCase(), k);
    });
    const fatal: TableRowError[] = [];
    this.cols.forEach((c, ci) => {
      const name = c.schema.name;
      const k = exact.get(name) ?? lower.get(name.toLowerCase());
      if (k === undefined) {
        if (!(c.isTarget && this.opts.labelOptional))
          fatal.push({
            row: line,
            column: name,
            reason: 'column missing from the header',
          });
        return;
      }
      if (plan[k] >= 0) {
        fatal.push({
          row: line,
          column: name,
          reason: `header cell ${k + 1} matches two columns`,
        });
        return;
      }
      plan[k] = ci;
    });
    const seen = new Set<number>();
    names.forEach((n, k) => {
      if (plan[k] >= 0) {
        if (seen.has(plan[k]))
          fatal.push({
            row: line,
            column: n,
            reason: 'appears twice in the header',
          });
        seen.add(plan[k]);
      } else this.ignoredColumns.push(cut(n));
    });
    if (fatal.length > 0) {
      for (const f of fatal) this.addError(f);
      this.stopped = true;
      return;
    }
    this.plan = plan;
    this.markNumericCells();
    this.expectedCells = count;
    // A target absent from the header (labelOptional) is missing in every row.
    if (this.targetIndex >= 0 && !seen.has(this.targetIndex))
      this.missingTarget = true;
  }

  /** Tells the scanner which cells to read as numbers while scanning. */
  private markNumericCells() {
    // A number-like missing token (e.g. -999) must be seen as text first.
    const numericToken = this.missing.some(
      t => !Number.isNaN(parseDecimal(t, 0, t.length)),
    );
    const marks = new Uint8Array(this.plan.length);
    if (!numericToken)
      this.plan.forEach((ci, k) => {
        if (ci >= 0 && this.cols[ci].kind === NUMERIC) marks[k] = 1;
      });
    this.scanner.numeric = marks;
  }

  private looksLikeHeader(b: Buffer, count: number): boolean {
    const { starts, ends } = this.scanner;
    let numericCells = 0;
    for (let k = 0; k < count && k < this.cols.length; k++) {
      if (this.cols[k].kind !== NUMERIC) continue;
      const s = starts[k];
      const e = ends[k];
      if (this.isMissing(b, s, e) || !Number.isNaN(parseDecimal(b, s, e)))
        return false;
      numericCells++;
    }
    return numericCells > 0;
  }

  private cellError(
    line: number,
    col: ColumnState,
    value: string,
    reason: string,
  ) {
    this.rowBad = true;
    this.addError({
      row: line,
      column: col.schema.name,
      value: cut(value),
      reason,
    });
  }

  private addError(e: TableRowError) {
    this.errorCount++;
    if (this.errors.length < this.opts.maxErrors) this.errors.push(e);
  }

  /** A cell's text for an error, decoded from a bounded prefix. */
  private text(b: Buffer, s: number, e: number): string {
    return cut(b.toString('utf8', s, Math.min(e, s + VALUE_CHARS * 4)));
  }

  /** `""` → `"` into the scratch buffer; returns the end offset there. */
  private unescape(b: Buffer, s: number, e: number): number {
    if (this.scratch.length < e - s) this.scratch = Buffer.alloc(2 * (e - s));
    let o = 0;
    for (let i = s; i < e; i++) {
      const c = b[i];
      this.scratch[o++] = c;
      if (c === 0x22) i++;
    }
    return o;
  }

  private nextCapacity(): number {
    const expected = this.opts.expectedBytes;
    if (expected && this.kept > 0) {
      // Bytes per row so far → rows the whole input holds (+5 %).
      const seen = this.consumed + this.scanner.starts[0];
      const estimate = Math.ceil(
        (expected / Math.max(1, seen)) * this.kept * 1.05,
      );
      if (estimate > this.capacity)
        return Math.max(estimate, this.capacity + 1024);
      return Math.ceil(this.capacity * 1.25);
    }
    return this.capacity * 2;
  }

  private grow(capacity: number) {
    for (const c of this.cols) {
      if (c.kind === NUMERIC)
        c.values = resize(c.values, new Float64Array(capacity));
      else c.codes = resize(c.codes, new Int32Array(capacity));
    }
    this.capacity = capacity;
  }
}

function resize<T extends Float64Array | Int32Array>(
  old: T | undefined,
  next: T,
): T {
  if (old) next.set(old.subarray(0, Math.min(old.length, next.length)));
  return next;
}

function trim<T extends Float64Array | Int32Array>(a: T, n: number): T {
  return (a.length === n ? a : a.slice(0, n)) as T;
}

/** The fixed categories for an error message (the first 20 of a long list). */
function listOf(col: ColumnState): string {
  const levels = col.levels!.levels;
  return levels.length <= 20
    ? levels.join(', ')
    : `${levels.slice(0, 20).join(', ')}, … (${levels.length} in all)`;
}

function cut(s: string): string {
  return s.length > VALUE_CHARS ? s.slice(0, VALUE_CHARS) : s;
}

/** 1 / 0 for true/false, yes/no, 1/0 (any case); -1 otherwise. */
function booleanOf(b: Uint8Array, s: number, e: number): number {
  const len = e - s;
  const lc = (k: number) => b[s + k] | 0x20;
  if (len === 1) {
    if (b[s] === 0x31) return 1;
    return b[s] === 0x30 ? 0 : -1;
  }
  if (len === 2) return lc(0) === 0x6e && lc(1) === 0x6f ? 0 : -1; // no
  if (len === 3)
    return lc(0) === 0x79 && lc(1) === 0x65 && lc(2) === 0x73 ? 1 : -1; // yes
  if (len === 4)
    return lc(0) === 0x74 && lc(1) === 0x72 && lc(2) === 0x75 && lc(3) === 0x65
      ? 1
      : -1;
  if (len === 5)
    return lc(0) === 0x66 &&
      lc(1) === 0x61 &&
      lc(2) === 0x6c &&
      lc(3) === 0x73 &&
      lc(4) === 0x65
      ? 0
      : -1;
  return -1;
}

/**
 * Parses CSV text into a typed table by `schema` (RFC 4180; see
 * csvScanner.ts for the grammar). With a header row, columns are matched by
 * name (exactly, else ignoring case) in any order; a schema column missing
 * from the header is an error naming it (nothing is read); header columns
 * the schema does not name are ignored and listed in `ignoredColumns`.
 * Without one, cells are the schema's columns in order. Cells equal to a
 * `missingValues` token are missing (NaN / code -1). Bad cells and records
 * are `{ row, column, value, reason }` errors (the first `maxErrors` kept,
 * all counted).
 */
export function parseTableCsv(
  text: string | Buffer,
  schema: DatasetSchema,
  opts: ReadTableOptions = {},
): ReadTableResult {
  const reader = new TableReader(schema, opts);
  reader.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return reader.finish();
}

/**
 * The streaming form of `parseTableCsv`: memory is the typed columns (a few
 * bytes a cell) plus one chunk and one record, never the text.
 */
export async function readTableCsv(
  input: Readable | AsyncIterable<Buffer | Uint8Array | string>,
  schema: DatasetSchema,
  opts: ReadTableOptions = {},
): Promise<ReadTableResult> {
  const reader = new TableReader(schema, opts);
  for await (const chunk of input as AsyncIterable<
    Buffer | Uint8Array | string
  >) {
    if (reader.stopped) break;
    if (typeof chunk === 'string') reader.push(Buffer.from(chunk, 'utf8'));
    else if (Buffer.isBuffer(chunk)) reader.push(chunk);
    else
      reader.push(
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
  }
  return reader.finish();
}
