import { MEASUREMENTS } from './features';
import type { FieldErrors, FieldName } from './validation';

const FIELDS: readonly FieldName[] = ['sex', ...MEASUREMENTS];

/**
 * The portal backend names the offending field in its 400 message, e.g.
 * "instances.0.length: length must be ≤ 1 (...); instances.0.sex: ...".
 * Pick those out so the form can mark the fields the server refused.
 */
export function fieldErrorsFromServerMessage(
  message: string | undefined,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!message) {
    return errors;
  }
  for (const part of message.split(';')) {
    const match = /instances\.0\.([A-Za-z]+)\s*:\s*(.+)$/.exec(part.trim());
    const field = match?.[1] as FieldName | undefined;
    if (match && field && FIELDS.includes(field)) {
      errors[
        field
      ] = `The prediction service refused this value: ${match[2].trim()}`;
    }
  }
  return errors;
}
