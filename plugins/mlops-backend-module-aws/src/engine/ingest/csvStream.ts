import { createHash } from 'crypto';
import {
  parseTableCsv,
  type CsvRowError,
  type TableRowError,
} from '@mlops-portal/ml-core';
import {
  UploadSchemaError,
  resolveUploadSchema,
  type ResolvedUploadSchema,
  type UploadSchema,
} from './uploadSchema';

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
/** No data row is near this long; past it the file is not CSV rows and is not parsed on. */
const MAX_LINE_CHARS = 4 * BATCH_CHARS;

/**
 * Validates a CSV against the ML system's schema (see UploadSchema), fed in
 * chunks of any size. The first batch settles the schema (a spec's column
 * types are inferred from it, as training does); then complete records are
 * read in ~1 MB batches with ml-core's table reader, and row numbers stay
 * those of the whole file. A batch ends at a newline outside quotes, so a
 * quoted cell with a line break is never cut; later batches of a file with
 * a header are read under that header again.
 */
export class CsvStreamValidator {
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private linesBefore = 0;
  private rowCount = 0;
  private sizeBytes = 0;
  private readonly errors: CsvRowError[] = [];
  private resolved?: ResolvedUploadSchema;
  /** The file's header line (schemas with a header), put before each later batch. */
  private headerLine = '';
  /** Set once the file cannot be read on: the rest is only hashed. */
  private broken = false;

  constructor(private readonly source: UploadSchema) {}

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.sizeBytes += chunk.byteLength;
    if (this.broken) return;
    this.pending += this.decoder.decode(chunk, { stream: true });
    if (this.pending.length < BATCH_CHARS) return;
    const cut = lastRecordEnd(this.pending);
    if (cut < 0) {
      if (this.pending.length > MAX_LINE_CHARS) this.giveUp();
      return;
    }
    const batch = this.pending.slice(0, cut + 1);
    this.pending = this.pending.slice(cut + 1);
    if (!this.resolved && !this.resolve(batch, true)) return;
    this.parse(batch);
  }

  end(): CsvValidationResult {
    if (!this.broken) {
      this.pending += this.decoder.decode();
      if (this.pending.length > 0 || !this.resolved) {
        if (this.resolved || this.resolve(this.pending, false))
          this.parse(this.pending);
      }
    }
    this.pending = '';
    return {
      rowCount: this.rowCount,
      errors: this.errors,
      sizeBytes: this.sizeBytes,
      sha256Hex: this.hash.digest('hex'),
    };
  }

  /** Settles the schema from the first batch; false (and the file's error) when it cannot be. */
  private resolve(sample: string, truncated: boolean): boolean {
    try {
      this.resolved = resolveUploadSchema(this.source, sample, truncated);
    } catch (e) {
      if (!(e instanceof UploadSchemaError)) throw e;
      this.broken = true;
      this.pending = '';
      this.addError({ row: 1, column: '*', reason: e.message });
      return false;
    }
    if (this.resolved.schema.header) {
      const nl = lastRecordEnd(sample, true);
      this.headerLine = nl < 0 ? sample : sample.slice(0, nl);
    }
    return true;
  }

  private parse(text: string): void {
    const { schema, detectHeader } = this.resolved!;
    const first = this.linesBefore === 0;
    const again = !first && schema.header;
    const parsed = parseTableCsv(
      again ? `${this.headerLine}\n${text}` : text,
      schema,
      {
        policy: 'skip',
        maxErrors: Math.max(1, MAX_ERRORS - this.errors.length),
        detectHeader: first && detectHeader,
      },
    );
    // The repeated header is line 1 of the batch, its first row line 2.
    const offset = again ? this.linesBefore - 1 : this.linesBefore;
    for (const e of parsed.errors) this.addError(rowError(e, offset));
    this.rowCount += parsed.rows - parsed.skippedRows;
    this.linesBefore += countLines(text);
    // A header the reader refused (missing columns) stops it for good.
    if (first && schema.header && parsed.rows === 0 && parsed.errorCount > 0)
      this.broken = true;
  }

  private giveUp(): void {
    this.broken = true;
    this.pending = '';
    this.addError({
      row: this.linesBefore + 1,
      column: '*',
      reason: `line is longer than ${MAX_LINE_CHARS} characters: not CSV rows`,
    });
  }

  private addError(e: CsvRowError): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(e);
  }
}

function rowError(e: TableRowError, offset: number): CsvRowError {
  return {
    row: e.row + offset,
    column: e.column ?? '*',
    ...(e.value !== undefined ? { value: e.value } : {}),
    reason: e.reason,
  };
}

/**
 * Index of the last newline outside quotes (`first`: the first one), or -1.
 * Quotes toggle the state; an escaped `""` toggles twice, so it changes nothing.
 */
function lastRecordEnd(text: string, first = false): number {
  let quoted = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) quoted = !quoted;
    else if (ch === 10 && !quoted) {
      if (first) return i;
      last = i;
    }
  }
  return last;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
