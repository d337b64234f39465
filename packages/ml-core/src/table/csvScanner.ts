/**
 * A byte-level RFC 4180 record scanner.
 *
 * Why hand-written rather than csv-parse (the project's usual choice): the
 * upload path parses hundreds of MB, and csv-parse builds a JS string per
 * cell and an array per record (~11 MB/s on the 1,000× Abalone file). This
 * scanner only records where each cell starts and ends in the input bytes;
 * the table reader converts cells straight from those bytes (numbers without
 * a string, categories by a byte hash), so a row costs no allocation.
 * csv-parse stays the reference: a property test compares both on generated
 * files with quotes, CRLF and empty cells.
 *
 * Grammar (the csv-parse options the Abalone reader used: trim,
 * skip_empty_lines, relaxed column count): cells separated by `,`, records
 * by LF, CRLF or a lone CR; a cell may be quoted with `"` (commas, line breaks
 * and `""` inside); spaces/tabs around a cell are dropped; blank lines are
 * skipped; a UTF-8 BOM at the start is ignored. A quote inside an unquoted
 * cell, text after a closing quote, an unclosed quote and a record longer
 * than `maxRecordBytes` are errors: the record is dropped and scanning goes
 * on after it, so one bad line never ends the file and memory stays bounded.
 */

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Bytes that end an unquoted cell (one table load per byte in the hot loop). */
const ENDS_CELL = new Uint8Array(256);
ENDS_CELL[COMMA] = 1;
ENDS_CELL[LF] = 1;
ENDS_CELL[CR] = 1;
ENDS_CELL[QUOTE] = 1;

/** Cell flags: the cell was quoted / holds `""` escapes to undo. */
export const CELL_QUOTED = 1;
export const CELL_ESCAPED = 2;
/** The cell was read as a number while scanning; its value is in `values`. */
export const CELL_NUMBER = 4;

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

export interface ScannerSink {
  /**
   * One record: its cells are `scanner.starts/ends/flags[0..count)`, byte
   * offsets into `buf`; `line` is the 1-based line the record starts on.
   */
  record(buf: Uint8Array, count: number, line: number): void;
  /** A record the grammar refuses (it is not passed to `record`). */
  grammarError(line: number, reason: string): void;
}

/** What to do with the bytes after an error, until the bad record ends. */
const enum Skip {
  None,
  /** To the end of the physical line (stray or closing-quote errors). */
  Line,
  /** To the end of the record, tracking quotes (a record over the cap). */
  Record,
}

export const INVALID_OPENING_QUOTE =
  'Invalid Opening Quote: a quote inside an unquoted cell (quote the whole cell and double the quotes inside it)';
export const INVALID_CLOSING_QUOTE =
  'Invalid Closing Quote: text after the closing quote of a cell';
export const UNCLOSED_QUOTE =
  'a quoted field opened on this line is never closed';

function tooLongReason(max: number): string {
  const size = max >= 1 << 20 ? `${max / (1 << 20)} MiB` : `${max} bytes`;
  return `a record longer than ${size} (not a CSV table, or an unclosed quote?)`;
}

export class CsvScanner {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  flags = new Uint8Array(64);
  /** Values of CELL_NUMBER cells. */
  values = new Float64Array(64);
  /**
   * Cell index → 1 when that cell is a numeric column's: a plain decimal
   * there (sign, up to 15 digits, a point) is read during the scan, so the
   * bytes are walked once. Anything else is left to the table reader.
   */
  numeric = new Uint8Array(0);
  /** 1-based line of the next record. */
  line = 1;
  private skip: Skip = Skip.None;
  private skipInQuote = false;
  private atStart = true;

  constructor(
    private readonly sink: ScannerSink,
    private readonly maxRecordBytes: number,
  ) {}

  /**
   * Scans `buf[pos, end)` and returns the offset of the first byte not
   * consumed: the start of an incomplete record, to be passed again with
   * more bytes after it. With `final`, everything is consumed.
   */
  scan(buf: Uint8Array, from: number, end: number, final: boolean): number {
    let pos = from;
    if (this.atStart) {
      if (end - pos < 3 && !final) return pos;
      this.atStart = false;
      if (buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf)
        pos += 3;
    }
    while (pos < end) {
      if (this.skip !== Skip.None) {
        pos = this.skipBytes(buf, pos, end);
        continue;
      }
      const next = this.scanRecord(buf, pos, end, final);
      if (next < 0) {
        // Incomplete: wait for more bytes unless the record is already too long.
        if (end - pos > this.maxRecordBytes) {
          this.tooLong(buf, pos, end);
          return end;
        }
        return pos;
      }
      pos = next;
    }
    return pos;
  }

  /** One record from `pos`; the offset after it, or -1 when incomplete. */
  private scanRecord(
    buf: Uint8Array,
    from: number,
    end: number,
    final: boolean,
  ): number {
    let pos = from;
    const recordStart = from;
    let newlines = 0;
    let n = 0;
    for (;;) {
      let p = pos;
      while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;
      let cellStart: number;
      let cellEnd: number;
      let flag = 0;
      let number = 0;
      let q: number;
      if (p < end && buf[p] === QUOTE) {
        q = p + 1;
        for (;;) {
          while (q < end && buf[q] !== QUOTE) {
            if (buf[q] === LF) newlines++;
            q++;
          }
          if (q >= end) {
            if (!final) return -1;
            this.sink.grammarError(this.line, UNCLOSED_QUOTE);
            this.line += newlines + 1;
            return end;
          }
          if (q + 1 >= end && !final) return -1;
          if (buf[q + 1] === QUOTE) {
            flag = CELL_ESCAPED;
            q += 2;
            continue;
          }
          break;
        }
        cellStart = p + 1;
        cellEnd = q;
        flag |= CELL_QUOTED;
        q++;
        while (q < end && (buf[q] === SPACE || buf[q] === TAB)) q++;
        if (q < end) {
          const c = buf[q];
          if (c !== COMMA && c !== LF && c !== CR) {
            return this.badLine(q, newlines, INVALID_CLOSING_QUOTE);
          }
        } else if (!final) return -1;
      } else {
        q = p;
        if (n < this.numeric.length && this.numeric[n] === 1) {
          // Fast path: [+-]digits[.digits] ending at a delimiter.
          let r = p;
          let negative = false;
          if (r < end && (buf[r] === 0x2d || buf[r] === 0x2b)) {
            negative = buf[r] === 0x2d;
            r++;
          }
          let mantissa = 0;
          let digits = 0;
          let fraction = -1;
          for (; r < end; r++) {
            const d = buf[r] - 0x30;
            if (d >= 0 && d <= 9) {
              mantissa = mantissa * 10 + d;
              digits++;
              if (fraction >= 0) fraction++;
            } else if (d === -2 && fraction < 0) fraction = 0;
            else break;
          }
          if (
            digits > 0 &&
            digits <= 15 &&
            r < end &&
            (buf[r] === COMMA || buf[r] === LF || buf[r] === CR)
          ) {
            const v = fraction > 0 ? mantissa / POW10[fraction] : mantissa;
            number = negative ? -v : v;
            flag = CELL_NUMBER;
            q = r;
          }
        }
        if (flag === 0) while (q < end && ENDS_CELL[buf[q]] === 0) q++;
        if (q >= end && !final) return -1;
        if (q < end && buf[q] === QUOTE) {
          return this.badLine(q, newlines, INVALID_OPENING_QUOTE);
        }
        cellStart = p;
        cellEnd = q;
        while (
          cellEnd > cellStart &&
          (buf[cellEnd - 1] === SPACE || buf[cellEnd - 1] === TAB)
        )
          cellEnd--;
      }
      if (n === this.starts.length) this.growCells();
      this.starts[n] = cellStart;
      this.ends[n] = cellEnd;
      this.flags[n] = flag;
      if (flag === CELL_NUMBER) this.values[n] = number;
      n++;
      if (q < end && buf[q] === COMMA) {
        pos = q + 1;
        continue;
      }
      // End of the record: a line break or the end of the input.
      let after = q;
      if (q < end) {
        if (buf[q] === CR) {
          if (q + 1 >= end && !final) return -1;
          after = q + 1 < end && buf[q + 1] === LF ? q + 2 : q + 1;
        } else after = q + 1;
        newlines++;
      }
      if (after - recordStart > this.maxRecordBytes) {
        this.sink.grammarError(this.line, tooLongReason(this.maxRecordBytes));
      } else if (!(n === 1 && cellEnd === cellStart && flag === 0)) {
        // (a single empty unquoted cell is a blank line: skipped)
        this.sink.record(buf, n, this.line);
      }
      this.line += newlines;
      return after;
    }
  }

  /** A grammar error at `at`: report it and skip the rest of the line. */
  private badLine(at: number, newlines: number, reason: string): number {
    this.sink.grammarError(this.line, reason);
    this.line += newlines;
    this.skip = Skip.Line;
    return at;
  }

  /** The record from `start` is over the cap: report it, skip to its end. */
  private tooLong(buf: Uint8Array, start: number, end: number) {
    this.sink.grammarError(this.line, tooLongReason(this.maxRecordBytes));
    // Quote parity tells whether a line break is inside a quoted cell.
    let inQuote = false;
    for (let p = start; p < end; p++) {
      const c = buf[p];
      if (c === QUOTE) inQuote = !inQuote;
      else if (c === LF) this.line++;
    }
    this.skip = Skip.Record;
    this.skipInQuote = inQuote;
    // The newlines just counted belong to the bad record; its end adds one more.
  }

  private skipBytes(buf: Uint8Array, from: number, end: number): number {
    let pos = from;
    if (this.skip === Skip.Line) {
      while (pos < end) {
        const c = buf[pos++];
        if (c === LF || c === CR) {
          if (c === CR && pos < end && buf[pos] === LF) pos++;
          this.line++;
          this.skip = Skip.None;
          return pos;
        }
      }
      return pos;
    }
    let inQuote = this.skipInQuote;
    while (pos < end) {
      const c = buf[pos++];
      if (c === QUOTE) inQuote = !inQuote;
      else if (c === LF) {
        this.line++;
        if (!inQuote) {
          this.skip = Skip.None;
          return pos;
        }
      }
    }
    this.skipInQuote = inQuote;
    return pos;
  }

  private growCells() {
    const size = this.starts.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(
      a: T,
      b: T,
    ) => {
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts, new Int32Array(size));
    this.ends = grow(this.ends, new Int32Array(size));
    this.flags = grow(this.flags, new Uint8Array(size));
    this.values = grow(this.values, new Float64Array(size));
  }
}
