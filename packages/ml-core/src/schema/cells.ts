/**
 * How one CSV cell or record field is read, shared by schema inference, record
 * building and record validation so the three agree.
 */

// Plain decimal notation only: Number('') is 0 and Number('0x1') is 1.
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a cell holds, or undefined when it is not plain decimal notation. */
export function parseNumberText(cell: string): number | undefined {
  if (!NUMBER_TEXT.test(cell)) return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** true / false (any case) as a boolean, otherwise undefined. */
export function parseBooleanText(cell: string): boolean | undefined {
  const lower = cell.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/** Levels of a boolean column (code 0 and 1). */
export const BOOLEAN_LEVELS: readonly string[] = ['false', 'true'];

/** A cell shortened for an error message (a cell is never echoed whole). */
export function clip(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * Sorts labels the way people expect: numerically when every label is a
 * number ('2' before '10'), otherwise by code point (stable across locales).
 */
export function sortLabels(labels: Iterable<string>): string[] {
  const list = [...labels];
  if (list.every(l => parseNumberText(l) !== undefined))
    return list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
  return list.sort((a, b) => Number(a > b) - Number(a < b));
}
