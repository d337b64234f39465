import { CsvError, parse } from 'csv-parse/sync';
import type { Options } from 'csv-parse/sync';
import { readFile } from 'fs/promises';
import {
  ABALONE_COLUMNS,
  NUMERIC_FEATURES,
  SEX_VALUES,
} from '@mlops-portal/abalone-schema';
import type { Sex } from '@mlops-portal/abalone-schema';

export type { Sex } from '@mlops-portal/abalone-schema';
// Column names, order and Sex values come from the shared schema package.
export { ABALONE_COLUMNS, SEX_VALUES };

/** Numeric fields may be NaN for a missing value. */
export interface AbaloneRecord {
  sex: string;
  length: number;
  diameter: number;
  height: number;
  wholeWeight: number;
  shuckedWeight: number;
  visceraWeight: number;
  shellWeight: number;
}

export interface LabeledRecord extends AbaloneRecord {
  rings: number;
}

export interface CsvRowError {
  /** 1-based line number in the file */
  row: number;
  column: string;
  value?: string;
  reason: string;
}

export interface ParseResult {
  records: LabeledRecord[];
  errors: CsvRowError[];
  hasHeader: boolean;
  skippedRows: number;
}

/** The 7 measurements in file order (after Sex). */
export const NUMERIC_COLUMNS = NUMERIC_FEATURES;

export type NumericColumn = (typeof NUMERIC_COLUMNS)[number];

export const ABALONE_UCI_URL =
  'https://archive.ics.uci.edu/ml/machine-learning-databases/abalone/abalone.data';

const DEFAULT_MAX_ERRORS = 1000;

/** Empty cell or '?' (the UCI convention) means "missing". */
function isMissingCell(cell: string): boolean {
  return cell === '' || cell === '?';
}

function parseNumberCell(cell: string): number | undefined {
  if (isMissingCell(cell)) return NaN;
  // Number('') is 0 and Number('0x1') is 1: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell)) return undefined;
  const n = Number(cell);
  // 1e999 is Infinity: refused here, not at Train.
  return Number.isFinite(n) ? n : undefined;
}

function looksLikeHeader(cells: string[]): boolean {
  // A data row's numeric columns are numbers or missing; a header has words there.
  const numericCells = cells.slice(1, 9);
  return (
    numericCells.length > 0 &&
    numericCells.every(
      c => !isMissingCell(c) && parseNumberCell(c) === undefined,
    )
  );
}

/** Longest record (line) read, in characters: a longer one is a row error, not a memory spike. */
export const MAX_RECORD_CHARS = 1 << 20;
/** Longest cell value quoted back in a row error. */
export const MAX_ECHOED_CHARS = 64;

/** A user's value as it may be echoed (errors, logs): short, with its length when cut. */
export function clipValue(value: string, max = MAX_ECHOED_CHARS): string {
  return value.length <= max
    ? value
    : `${value.slice(0, max)}… (${value.length} characters)`;
}

/** The csv-parse options both readers use (one grammar for sync and stream). */
export const CSV_GRAMMAR = {
  relax_column_count: true,
  skip_empty_lines: true,
  trim: true,
  skip_records_with_error: true,
  max_record_size: MAX_RECORD_CHARS,
} as const;

/** A CSV grammar error (stray quote, binary bytes) as a row error. */
export function grammarRowError(
  e: CsvError,
  lastRecordLine: number,
): CsvRowError {
  // An unclosed quote runs to the end of the file: name the line it opened on.
  const unclosed = e.code === 'CSV_QUOTE_NOT_CLOSED';
  return {
    row: unclosed ? lastRecordLine + 1 : Number(e.lines ?? 0),
    column: '*',
    // csv-parse quotes the offending field in some messages: clip it.
    reason: unclosed
      ? 'not valid CSV: a quoted field opened on this line is never closed'
      : `not valid CSV: ${clipValue(e.message, 200)}`,
  };
}

export { looksLikeHeader };

/**
 * Checks one record's cells (Sex, 7 measurements, Rings). Returns the
 * upper-cased Sex and the 8 numbers (NaN = missing), or undefined after
 * reporting every bad cell of the row through `addError`.
 */
export function checkAbaloneCells(
  cells: string[],
  line: number,
  options: { labelOptional?: boolean } | undefined,
  addError: (e: CsvRowError) => void,
): { sex: string; values: number[] } | undefined {
  const unlabeled =
    options?.labelOptional && cells.length === ABALONE_COLUMNS.length - 1;
  if (cells.length !== ABALONE_COLUMNS.length && !unlabeled) {
    addError({
      row: line,
      column: '*',
      // The start of the row only: a wrong row may be huge.
      value: clipValue(cells.slice(0, 10).join(',')),
      reason: `expected ${ABALONE_COLUMNS.length} columns, got ${cells.length}`,
    });
    return undefined;
  }
  let ok = true;
  const sex = cells[0].toUpperCase();
  if (!SEX_VALUES.includes(sex as Sex)) {
    addError({
      row: line,
      column: 'sex',
      value: clipValue(cells[0]),
      reason: `must be one of ${SEX_VALUES.join(', ')}`,
    });
    ok = false;
  }
  const values: number[] = [];
  for (let c = 1; c < cells.length; c++) {
    const column = ABALONE_COLUMNS[c];
    const v = parseNumberCell(cells[c]);
    let reason: string | undefined;
    if (v === undefined) reason = 'not a number';
    else if (v < 0) reason = 'must not be negative';
    // The label cannot be imputed.
    else if (column === 'rings' && Number.isNaN(v) && !options?.labelOptional)
      reason = 'label is missing';
    if (reason) {
      addError({ row: line, column, value: clipValue(cells[c]), reason });
      ok = false;
    }
    values.push(v ?? NaN);
  }
  return ok ? { sex, values } : undefined;
}

/**
 * Parses and validates Abalone CSV text (9 columns: Sex, 7 measurements, Rings;
 * with or without a header row).
 *
 * policy 'reject' (default): any error → records = [] and all errors listed;
 * 'skip': bad rows dropped, errors still listed.
 */
export function parseAbaloneCsv(
  text: string,
  options?: {
    policy?: 'reject' | 'skip';
    maxErrors?: number;
    /** Accept 8-column rows without Rings (for scoring); rings is then NaN. */
    labelOptional?: boolean;
  },
): ParseResult {
  const policy = options?.policy ?? 'reject';
  const maxErrors = options?.maxErrors ?? DEFAULT_MAX_ERRORS;
  const records: LabeledRecord[] = [];
  const errors: CsvRowError[] = [];
  let skippedRows = 0;
  let hasHeader = false;
  const addError = (e: CsvRowError) => {
    if (errors.length < maxErrors) errors.push(e);
  };
  // A record the CSV grammar rejects (stray quote, binary bytes) is a row
  // error like any other, not an exception: the parser skips it and goes on.
  const grammarErrors: CsvError[] = [];
  const onSkip = (e: CsvError | undefined) => {
    if (e) grammarErrors.push(e);
  };
  let rows: Array<{ record: string[]; info: { lines: number } }> = [];
  try {
    // csv-parse 5 supports on_skip but its typings do not list it.
    const parseOptions: Options & { on_skip: typeof onSkip } = {
      ...CSV_GRAMMAR,
      info: true,
      on_skip: onSkip,
    };
    rows = parse(text, parseOptions);
  } catch (e) {
    // An error the parser cannot skip past ends the file at that line.
    if (!(e instanceof CsvError)) throw e;
    grammarErrors.push(e);
  }
  const lastRecordLine = rows.length > 0 ? rows[rows.length - 1].info.lines : 0;
  // An over-long line errs once per MiB read: report it once.
  const reported = new Set<string>();
  for (const e of grammarErrors) {
    const error = grammarRowError(e, lastRecordLine);
    if (reported.has(`${e.code}:${error.row}`)) continue;
    reported.add(`${e.code}:${error.row}`);
    skippedRows++;
    addError(error);
  }

  rows.forEach(({ record: cells, info }, index) => {
    if (index === 0 && looksLikeHeader(cells)) {
      hasHeader = true;
      return;
    }
    const row = checkAbaloneCells(cells, info.lines, options, addError);
    if (!row) {
      skippedRows++;
      return;
    }
    const { sex, values } = row;
    records.push({
      sex,
      length: values[0],
      diameter: values[1],
      height: values[2],
      wholeWeight: values[3],
      shuckedWeight: values[4],
      visceraWeight: values[5],
      shellWeight: values[6],
      rings: values.length > 7 ? values[7] : NaN,
    });
  });

  // Grammar errors were found while parsing, before the rows were checked.
  errors.sort((a, b) => a.row - b.row);
  if (policy === 'reject' && skippedRows > 0) {
    return { records: [], errors, hasHeader, skippedRows };
  }
  return { records, errors, hasHeader, skippedRows };
}

/** Reads a local path or fetches an http(s) URL; returns the CSV text. */
export async function loadAbaloneSource(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source);
    if (!res.ok) {
      throw new Error(
        `Failed to fetch ${source}: HTTP ${res.status} ${res.statusText}`,
      );
    }
    return await res.text();
  }
  return await readFile(source, 'utf8');
}
