import { parse } from 'csv-parse/sync';
import type { ColumnType } from '../spec/types';
import { DEFAULT_MISSING_VALUES } from '../spec/constants';
import { clip, parseBooleanText, parseNumberText, sortLabels } from './cells';

/** Rows read by default when inferring a schema. */
export const DEFAULT_SAMPLE_ROWS = 10_000;
/** Distinct values a profile lists per column; beyond it only the count grows. */
export const MAX_PROFILE_CATEGORIES = 1000;
/** Column count beyond which a file is refused (memory and message bounds). */
export const MAX_COLUMNS = 5000;

export interface InferOptions {
  /** true (default): the first row names the columns. */
  header?: boolean;
  /** Column names in file order when the file has no header. */
  names?: string[];
  /** Cells read as missing. Default: empty, `NA`, `?`. */
  missingValues?: readonly string[];
  /** Data rows to read (default 10,000). */
  maxRows?: number;
  /**
   * The text is the start of a longer file: its last line may be cut, so it
   * is dropped.
   */
  truncated?: boolean;
}

/** What the sample shows about one column. */
export interface ColumnProfile {
  name: string;
  /** numeric when every present cell is a number; boolean when every one is true/false; else categorical. */
  type: ColumnType;
  present: number;
  missing: number;
  /** numeric: the observed range. */
  min?: number;
  max?: number;
  /** numeric: every present value is an integer. */
  integer?: boolean;
  /** Distinct present values (at most MAX_PROFILE_CATEGORIES counted exactly). */
  distinct: number;
  /** categorical/boolean, and numeric with few values: the distinct values, sorted. */
  values?: string[];
  /** true when there were more distinct values than `values` lists. */
  moreValues?: boolean;
  /** The first cell that is not a number (row is the 1-based file line). */
  firstText?: { row: number; value: string };
}

/** The inferred schema of a CSV sample (MLflow's infer_signature, for a table). */
export interface InferredSchema {
  header: boolean;
  /** Column names in file order. */
  names: string[];
  /** Data rows read. */
  rows: number;
  columns: ColumnProfile[];
}

/** A data set (or spec) that does not fit: every problem, by column. */
export class SchemaError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    const shown = problems.slice(0, 50);
    super(
      problems.length === 1
        ? problems[0]
        : `${problems.length} schema problems:\n${shown
            .map(p => `  - ${p}`)
            .join('\n')}`,
    );
    this.name = 'SchemaError';
    this.problems = shown;
  }
}

class ColumnScan {
  present = 0;
  missing = 0;
  min = Infinity;
  max = -Infinity;
  numeric = true;
  boolean = true;
  integer = true;
  values = new Set<string>();
  moreValues = false;
  firstText?: { row: number; value: string };

  constructor(readonly name: string) {}

  add(cell: string, row: number) {
    this.present++;
    if (!this.values.has(cell)) {
      if (this.values.size < MAX_PROFILE_CATEGORIES) this.values.add(cell);
      else this.moreValues = true;
    }
    if (this.numeric) {
      const v = parseNumberText(cell);
      if (v === undefined) {
        this.numeric = false;
        this.firstText = { row, value: clip(cell) };
      } else {
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
        if (!Number.isInteger(v)) this.integer = false;
      }
    }
    if (this.boolean && parseBooleanText(cell) === undefined)
      this.boolean = false;
  }

  profile(): ColumnProfile {
    const base = {
      name: this.name,
      present: this.present,
      missing: this.missing,
      distinct: this.values.size,
      ...(this.moreValues ? { moreValues: true } : {}),
      ...(this.firstText ? { firstText: this.firstText } : {}),
    };
    if (this.present === 0) return { ...base, type: 'numeric' };
    if (this.numeric)
      return {
        ...base,
        type: 'numeric',
        min: this.min,
        max: this.max,
        integer: this.integer,
        ...(this.moreValues ? {} : { values: sortLabels(this.values) }),
      };
    // Values as written (True, no): a classification target keeps them as labels.
    if (this.boolean)
      return { ...base, type: 'boolean', values: sortLabels(this.values) };
    return { ...base, type: 'categorical', values: sortLabels(this.values) };
  }
}

/**
 * Infers each column's type, missing count, range and categories from the
 * first rows of a CSV (like MLflow's infer_signature). A column with no
 * present value in the sample is reported as numeric with `present: 0`;
 * resolveSchema decides what that means.
 */
export function inferSchema(
  text: string,
  options: InferOptions = {},
): InferredSchema {
  const header = options.header ?? true;
  const missing = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const maxRows = options.maxRows ?? DEFAULT_SAMPLE_ROWS;
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (options.truncated) {
    const nl = body.lastIndexOf('\n');
    body = nl >= 0 ? body.slice(0, nl + 1) : '';
  }
  let records: string[][];
  try {
    records = parse(body, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      to: maxRows + (header ? 1 : 0),
    });
  } catch (e) {
    throw new SchemaError([
      `not valid CSV: ${clip((e as Error).message, 200)}`,
    ]);
  }
  if (records.length === 0) throw new SchemaError(['the file has no rows']);
  let names: string[];
  if (header) {
    names = records[0];
    records = records.slice(1);
    const problems: string[] = [];
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (n === '') problems.push(`header column ${i + 1} has no name`);
      else if (seen.has(n))
        problems.push(`header names column '${clip(n)}' twice`);
      seen.add(n);
    });
    if (problems.length) throw new SchemaError(problems);
  } else {
    if (!options.names?.length)
      throw new SchemaError([
        'the file has no header: give the column names (spec.dataset.columns)',
      ]);
    names = options.names;
  }
  if (names.length > MAX_COLUMNS)
    throw new SchemaError([
      `${names.length} columns; at most ${MAX_COLUMNS} are supported`,
    ]);
  const scans = names.map(n => new ColumnScan(n));
  const firstLine = header ? 2 : 1;
  const problems: string[] = [];
  records.forEach((cells, r) => {
    if (cells.length !== names.length) {
      // The row number is a record index here: quoted newlines are rare in a sample.
      if (problems.length < 20)
        problems.push(
          `row ${r + firstLine}: expected ${names.length} columns, got ${
            cells.length
          }`,
        );
      return;
    }
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      if (missing.has(cell)) scans[c].missing++;
      else scans[c].add(cell, r + firstLine);
    }
  });
  if (problems.length) throw new SchemaError(problems);
  return {
    header,
    names: [...names],
    rows: records.length,
    columns: scans.map(s => s.profile()),
  };
}
