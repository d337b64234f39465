import { InputError } from '@backstage/errors';
import { formatZodError } from '@mlops-portal/plugin-mlops-common';
import type { z } from 'zod/v3';

/** Parses a body with a shared zod schema; failures name each field. */
export function parseBody<S extends z.ZodTypeAny>(
  schema: S,
  body: unknown,
): z.infer<S> {
  if (
    body === undefined ||
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body)
  ) {
    throw new InputError(
      'Request body must be a JSON object (Content-Type: application/json)',
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new InputError(formatZodError(parsed.error));
  return parsed.data;
}
