import { ABALONE_SCALE, AGE_OFFSET_YEARS } from './features';

/**
 * Drops binary floating-point noise (e.g. 0.22450000000000003) so the request
 * carries the same numbers a person would write in the data set.
 */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** Millimetres or grams as measured → the data set's scaled units. */
export function toScaled(realValue: number): number {
  return clean(realValue / ABALONE_SCALE);
}

/** The data set's scaled units → millimetres or grams. */
export function fromScaled(scaledValue: number): number {
  return clean(scaledValue * ABALONE_SCALE);
}

/** Age in years from the ring count (the usual rings + 1.5 rule). */
export function ageFromRings(rings: number): number {
  return clean(rings + AGE_OFFSET_YEARS);
}

/**
 * Parses what a person typed as a number: trims spaces and accepts a comma
 * as decimal separator (common on European keyboards). Returns undefined for
 * anything that is not a plain finite decimal number, so "12abc", "1e3" or
 * "Infinity" are refused rather than half-read the way parseFloat would.
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed)) {
    return undefined;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
