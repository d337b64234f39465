import {
  AbaloneInstance,
  MEASUREMENTS,
  MEASUREMENT_INFO,
  Measurement,
  SEX_OPTIONS,
  Sex,
} from './features';
import { fromScaled, parseDecimal, toScaled } from './units';

export type FieldName = 'sex' | Measurement;

/** The form's raw state: what the user typed, in mm and g. */
export type FormValues = Record<FieldName, string>;

export type FieldErrors = Partial<Record<FieldName, string>>;

export const FIELD_ORDER: readonly FieldName[] = ['sex', ...MEASUREMENTS];

export const EMPTY_FORM: FormValues = {
  sex: '',
  length: '',
  diameter: '',
  height: '',
  wholeWeight: '',
  shuckedWeight: '',
  visceraWeight: '',
  shellWeight: '',
};

const UNIT_WORD = { mm: 'millimetres', g: 'grams' } as const;

/** Largest accepted value in the user's unit (mm or g). */
export function realMax(key: Measurement): number {
  return fromScaled(MEASUREMENT_INFO[key].scaledMax);
}

function isSex(value: string): value is Sex {
  return SEX_OPTIONS.some(o => o.value === value);
}

/** Returns a friendly message for one field, or undefined when it is fine. */
export function validateField(
  field: FieldName,
  text: string,
): string | undefined {
  if (field === 'sex') {
    return isSex(text) ? undefined : 'Choose male, female or infant.';
  }
  const info = MEASUREMENT_INFO[field];
  const unitWord = UNIT_WORD[info.unit];
  if (text.trim() === '') {
    return `Enter the ${info.label.toLowerCase()} in ${unitWord}.`;
  }
  const value = parseDecimal(text);
  if (value === undefined) {
    return `${info.label} must be a number in ${unitWord}, for example 91 or 91.5.`;
  }
  // The accepted scaled minimum is 0, but nothing measured can be 0 mm or 0 g.
  if (value <= 0) {
    return `${info.label} must be more than 0 ${info.unit}.`;
  }
  const max = realMax(field);
  if (value > max) {
    return `${info.label} can be at most ${max} ${info.unit}, larger than any abalone in the data set. Check the value and that it is in ${unitWord}.`;
  }
  return undefined;
}

/**
 * The subset of checks worth showing while the user is still typing: text
 * that can no longer become a number, or a value already above the maximum
 * (more digits only make it bigger). Empty fields, "0." on the way to "0.5"
 * and other unfinished input are left alone until submit.
 *
 * Nothing is validated on blur on purpose: a message appearing on blur
 * shifts the layout between mouse-down and mouse-up, and the click on
 * "Predict age" that caused the blur would be lost.
 */
export function validateWhileTyping(
  field: FieldName,
  text: string,
): string | undefined {
  if (field === 'sex') {
    return undefined;
  }
  const unfinished = /^[+-]?(\d+[.,]?\d*|[.,]\d*)?$/.test(text.trim());
  if (!unfinished) {
    return validateField(field, text);
  }
  const value = parseDecimal(text);
  if (value !== undefined && value > realMax(field)) {
    return validateField(field, text);
  }
  return undefined;
}

export type ValidationResult =
  | { ok: true; instance: AbaloneInstance }
  | { ok: false; errors: FieldErrors };

/** Validates the whole form and, when valid, builds the API instance. */
export function validateForm(values: FormValues): ValidationResult {
  const errors: FieldErrors = {};
  for (const field of FIELD_ORDER) {
    const message = validateField(field, values[field]);
    if (message) {
      errors[field] = message;
    }
  }
  if (Object.keys(errors).length > 0 || !isSex(values.sex)) {
    return { ok: false, errors };
  }
  const instance: AbaloneInstance = {
    sex: values.sex,
    length: 0,
    diameter: 0,
    height: 0,
    wholeWeight: 0,
    shuckedWeight: 0,
    visceraWeight: 0,
    shellWeight: 0,
  };
  for (const key of MEASUREMENTS) {
    // Safe: validateField accepted it above.
    instance[key] = toScaled(parseDecimal(values[key]) as number);
  }
  return { ok: true, instance };
}
