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
