import { InputError } from '@backstage/errors';
import { randomBytes } from 'crypto';

/** Timestamps in records and logs. */
export const iso = () => new Date().toISOString();

export const errorMessage = (e: unknown) =>
  e instanceof Error ? e.message : String(e);

/** 7.1234 → "7.123", 6 → "6.0" (readable in failure reasons). */
export const fmt = (n: number) => {
  const s = String(Math.round(n * 1000) / 1000);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
};

/** SageMaker-like execution id: 12 lowercase alphanumerics. */
export const newExecutionId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(12), b => alphabet[b % alphabet.length]).join(
    '',
  );
};

/**
 * Page size and keyset position of a list call: `limit` clamped to 1..max,
 * the token a non-negative integer (the last seq/version shown).
 */
export function pageOptions(
  options: { limit?: number; nextToken?: string } | undefined,
  max: number,
): { limit: number; before?: number } {
  const limit = Math.min(Math.max(Math.floor(options?.limit ?? 50), 1), max);
  if (options?.nextToken === undefined || options.nextToken === '') {
    return { limit };
  }
  const before = Number(options.nextToken);
  if (!/^[0-9]+$/.test(options.nextToken) || !Number.isSafeInteger(before)) {
    throw new InputError('nextToken is not valid');
  }
  return { limit, before };
}
