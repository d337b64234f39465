import { createHash } from 'crypto';
import { parseAbaloneCsv, type CsvRowError } from '@mlops-portal/ml-core';

/** What validating a whole CSV found; `errors` is capped at MAX_ERRORS. */
export interface CsvValidationResult {
  rowCount: number;
  errors: CsvRowError[];
  sizeBytes: number;
  sha256Hex: string;
}

const MAX_ERRORS = 1000;
/** Lines are parsed in batches of about this many characters: memory stays bounded. */
const BATCH_CHARS = 1 << 20;
/** No Abalone row is near this long; past it the file is not CSV and is not parsed on. */
const MAX_LINE_CHARS = 4 * BATCH_CHARS;

/**
 * Validates Abalone CSV fed in chunks of any size: complete lines are parsed
 * in ~1 MB batches with ml-core's parser, row numbers stay those of the whole
 * file. A data row's fields never span lines, so a batch boundary at a
 * newline changes nothing; only the first batch may have a header.
 */
export class CsvStreamValidator {
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private linesBefore = 0;
  private rowCount = 0;
  private sizeBytes = 0;
  private readonly errors: CsvRowError[] = [];
  /** Set once a line is too long to be a row: the rest is only hashed. */
  private broken = false;

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.sizeBytes += chunk.byteLength;
    if (this.broken) return;
    this.pending += this.decoder.decode(chunk, { stream: true });
    if (this.pending.length < BATCH_CHARS) return;
    const cut = this.pending.lastIndexOf('\n');
    if (cut < 0) {
      if (this.pending.length > MAX_LINE_CHARS) this.giveUp();
      return;
    }
    this.parse(this.pending.slice(0, cut + 1));
    this.pending = this.pending.slice(cut + 1);
  }

  end(): CsvValidationResult {
    if (!this.broken) this.pending += this.decoder.decode();
    if (this.pending.length > 0) this.parse(this.pending);
    this.pending = '';
    return {
      rowCount: this.rowCount,
      errors: this.errors,
      sizeBytes: this.sizeBytes,
      sha256Hex: this.hash.digest('hex'),
    };
  }

  private parse(text: string): void {
    const first = this.linesBefore === 0;
    const parsed = parseAbaloneCsv(text, {
      policy: 'skip',
      maxErrors: MAX_ERRORS - this.errors.length,
    });
    const offset = this.linesBefore;
    for (const e of parsed.errors)
      this.errors.push({ ...e, row: e.row + offset });
    if (parsed.hasHeader && !first) {
      this.addError({
        row: offset + 1,
        column: '*',
        reason: 'a header row is only allowed on the first line',
      });
    }
    this.rowCount += parsed.records.length;
    this.linesBefore += countLines(text);
  }

  private giveUp(): void {
    this.broken = true;
    this.pending = '';
    this.addError({
      row: this.linesBefore + 1,
      column: '*',
      reason: `line is longer than ${MAX_LINE_CHARS} characters: not Abalone CSV`,
    });
  }

  private addError(e: CsvRowError): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(e);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
