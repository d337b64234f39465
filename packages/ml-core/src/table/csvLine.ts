import { parse } from 'csv-parse/sync';

/**
 * One CSV line's cells (RFC 4180: double quotes may wrap a cell, `""` is a
 * quote), each trimmed. For the few places that read a single line — a
 * header test, an endpoint's CSV request — rather than a whole table.
 * Throws csv-parse's error (e.g. an unclosed quote) on a malformed line.
 */
export function splitCsvLine(line: string): string[] {
  const rows = parse(line.replace(/\r?\n$/, ''), {
    trim: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
  }) as string[][];
  return rows[0] ?? [''];
}
