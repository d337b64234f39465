import { CsvError, parse } from 'csv-parse';
import type { Options } from 'csv-parse';
import { createHash } from 'crypto';
import { Readable, Transform, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import {
  CSV_GRAMMAR,
  checkAbaloneCells,
  grammarRowError,
  looksLikeHeader,
} from './csv';
import type { CsvRowError } from './csv';
import { ColumnsBuilder, type AbaloneColumns, sexIndexOf } from './columns';

export interface ColumnsParseResult {
  /** Good rows; empty under policy 'reject' when any row is bad. */
  columns: AbaloneColumns;
  /** Data rows read (good and bad, header excluded). */
  dataRows: number;
  errors: CsvRowError[];
  hasHeader: boolean;
  skippedRows: number;
  /** Bytes read and their sha256 (hex): what was validated, exactly (up to a fatal grammar error). */
  bytes: number;
  sha256: string;
}

export interface ReadCsvOptions {
  policy?: 'reject' | 'skip';
  maxErrors?: number;
}

/**
 * Streams Abalone CSV into columns with the same grammar and row checks as
 * parseAbaloneCsv. Memory is the columns (~72 B a row), never the text or
 * per-row objects, so a 4 M row file fits in a few hundred MB.
 */
export async function readAbaloneCsv(
  source: Readable | AsyncIterable<Uint8Array | string>,
  options: ReadCsvOptions = {},
): Promise<ColumnsParseResult> {
  const policy = options.policy ?? 'reject';
  const maxErrors = options.maxErrors ?? 1000;
  const errors: CsvRowError[] = [];
  const addError = (e: CsvRowError) => {
    if (errors.length < maxErrors) errors.push(e);
  };
  const out = new ColumnsBuilder(1 << 16);
  let dataRows = 0;
  let skippedRows = 0;
  let hasHeader = false;
  let first = true;
  let lastRecordLine = 0;
  const onRecord = (cells: string[], ctx: { lines: number }) => {
    lastRecordLine = ctx.lines;
    if (first) {
      first = false;
      if (looksLikeHeader(cells)) {
        hasHeader = true;
        return undefined;
      }
    }
    dataRows++;
    const row = checkAbaloneCells(cells, ctx.lines, undefined, addError);
    if (!row) skippedRows++;
    // Under 'reject' one bad row voids the file: stop keeping rows.
    else if (policy === 'skip' || skippedRows === 0)
      out.push(sexIndexOf(row.sex), row.values, row.values[7]);
    // Nothing is emitted downstream: the rows live in the builder.
    return undefined;
  };
  // An over-long line errs once per MiB read: report it once.
  let lastGrammarError = '';
  const onSkip = (e: CsvError | undefined) => {
    if (!e) return;
    const error = grammarRowError(e, lastRecordLine);
    const key = `${e.code}:${error.row}`;
    if (key === lastGrammarError) return;
    lastGrammarError = key;
    skippedRows++;
    addError(error);
  };
  const parserOptions: Options & { on_skip: typeof onSkip } = {
    ...CSV_GRAMMAR,
    on_record: onRecord,
    on_skip: onSkip,
  };
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer | string, _enc, done) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(buf);
      bytes += buf.length;
      done(null, buf);
    },
  });
  const sink = new Writable({ objectMode: true, write: (_r, _e, cb) => cb() });
  try {
    await pipeline(source, tap, parse(parserOptions), sink);
  } catch (e) {
    // An error the parser cannot skip past ends the file at that line.
    if (!(e instanceof CsvError)) throw e;
    skippedRows++;
    addError(grammarRowError(e, lastRecordLine));
  }
  errors.sort((a, b) => a.row - b.row);
  const rejected = policy === 'reject' && skippedRows > 0;
  return {
    columns: rejected ? new ColumnsBuilder(1).build() : out.build(),
    dataRows,
    errors,
    hasHeader,
    skippedRows,
    bytes,
    sha256: hash.digest('hex'),
  };
}
