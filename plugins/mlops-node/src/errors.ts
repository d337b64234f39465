import { InputError, isError } from '@backstage/errors';
import type { DatasetRowError } from '@mlops-portal/plugin-mlops-common';

/**
 * At most this many row errors go back over HTTP (the message says how many there were).
 * @public
 */
export const MAX_REPORTED_ROW_ERRORS = 100;

/**
 * A CSV that failed validation. It is an InputError (→ 400), and its
 * `rowErrors` property is serialised by Backstage's error handler as
 * `error.rowErrors`, which is what the API contract promises clients.
 *
 * @public
 */
export class DatasetValidationError extends InputError {
  readonly rowErrors: DatasetRowError[];

  constructor(message: string, rowErrors: DatasetRowError[]) {
    super(message);
    this.rowErrors = rowErrors.slice(0, MAX_REPORTED_ROW_ERRORS);
  }
}

/**
 * Row errors an engine attached to an InputError, in any of the agreed places.
 * @public
 */
export function extractRowErrors(
  error: unknown,
): DatasetRowError[] | undefined {
  if (!isError(error)) return undefined;
  const candidates: unknown[] = [
    (error as any).rowErrors,
    (error as any).errors,
    (error as any).details?.errors,
    (error as any).cause?.errors,
    (error as any).cause?.rowErrors,
  ];
  for (const c of candidates) {
    if (Array.isArray(c) && c.every(isRowError)) return c;
  }
  return undefined;
}

function isRowError(value: unknown): value is DatasetRowError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DatasetRowError).row === 'number' &&
    typeof (value as DatasetRowError).reason === 'string'
  );
}
