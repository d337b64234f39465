/*
 * The prediction form as data: fields, display units and validation, all
 * read from the deployed version's signature (no data set is known here).
 */
import type {
  FeatureRecord,
  FeatureValue,
  ModelSignature,
  SignatureColumn,
} from '@mlops-portal/plugin-mlops-common';

/** What the form holds per input: the text typed or the option picked ('' = missing). */
export type FormValues = Record<string, string>;

export const columnLabel = (c: SignatureColumn) => c.label ?? c.name;

/** Stored value → what a person reads (value × scale), without float noise. */
export function toDisplay(column: SignatureColumn, stored: number): number {
  return Number((stored * (column.scale ?? 1)).toPrecision(6));
}

/** Display value → stored units (÷ scale). */
export function toStored(column: SignatureColumn, shown: number): number {
  const scale = column.scale ?? 1;
  return scale === 1 ? shown : shown / scale;
}

/** Missing values are accepted where the training data had them. */
export const allowsMissing = (c: SignatureColumn) => c.missingRate > 0;

const withUnit = (n: number, unit?: string) => (unit ? `${n} ${unit}` : `${n}`);

/** Inline validation of one field in display units; undefined when valid. */
export function validateFeature(
  column: SignatureColumn,
  raw: string,
): string | undefined {
  const label = columnLabel(column);
  if (raw.trim() === '')
    return allowsMissing(column) ? undefined : `${label} is required`;
  if (column.type === 'categorical') {
    if (
      column.fixedCategories &&
      column.categories &&
      !column.categories.includes(raw)
    )
      return `${label} must be one of ${column.categories.join(', ')}`;
    return undefined;
  }
  if (column.type === 'boolean')
    return raw === 'true' || raw === 'false'
      ? undefined
      : `${label} must be true or false`;
  const n = Number(raw);
  if (!Number.isFinite(n)) return `${label} must be a number`;
  // the signature's min/max are hard limits (the API refuses beyond them)
  if (column.min !== undefined && n < toDisplay(column, column.min))
    return `${label} must be ≥ ${withUnit(
      toDisplay(column, column.min),
      column.unit,
    )}`;
  if (column.max !== undefined && n > toDisplay(column, column.max))
    return `${label} must be ≤ ${withUnit(
      toDisplay(column, column.max),
      column.unit,
    )}`;
  return undefined;
}

/** The hint under a numeric field: its description and the range seen in training. */
export function numericHint(column: SignatureColumn): string {
  const lo = column.observedMin ?? column.min;
  const hi = column.observedMax ?? column.max;
  const range =
    lo !== undefined && hi !== undefined
      ? `${
          column.observedMin !== undefined ? 'training data' : 'range'
        } ${toDisplay(column, lo)}–${withUnit(
          toDisplay(column, hi),
          column.unit,
        )}`
      : undefined;
  return [column.description, range].filter(Boolean).join('; ');
}

/** A record (stored units) as form values (display units). */
export function toForm(
  signature: ModelSignature,
  record?: FeatureRecord,
): FormValues {
  const values: FormValues = {};
  for (const c of signature.inputs) {
    const v = record?.[c.name];
    if (v === null || v === undefined) values[c.name] = '';
    else if (c.type === 'numeric' && typeof v === 'number')
      values[c.name] = String(toDisplay(c, v));
    else values[c.name] = String(v);
  }
  return values;
}

/** Form values (display units) as the record the API takes (stored units; '' → null). */
export function toRecord(
  signature: ModelSignature,
  values: FormValues,
): FeatureRecord {
  const record: FeatureRecord = {};
  for (const c of signature.inputs) {
    const raw = (values[c.name] ?? '').trim();
    let v: FeatureValue;
    if (raw === '') v = null;
    else if (c.type === 'numeric') v = toStored(c, Number(raw));
    else if (c.type === 'boolean') v = raw === 'true';
    else v = raw;
    record[c.name] = v;
  }
  return record;
}

/** `Example 2 (Gentoo)`: a preset's name, with the row's target when it has one. */
export function exampleLabel(
  signature: ModelSignature,
  example: FeatureRecord,
  i: number,
): string {
  const { target } = signature.outputs;
  const t = example[target];
  return t === undefined || t === null
    ? `Example ${i + 1}`
    : `Example ${i + 1} (${target} ${t})`;
}

/** The scales the form converts, as a sentence part (`Length, Height: ÷ 200`). */
export function scaledColumns(
  signature: ModelSignature,
): Array<{ scale: number; labels: string[] }> {
  const byScale = new Map<number, string[]>();
  for (const c of signature.inputs) {
    if (c.type !== 'numeric' || !c.scale || c.scale === 1) continue;
    byScale.set(c.scale, [...(byScale.get(c.scale) ?? []), columnLabel(c)]);
  }
  return [...byScale].map(([scale, labels]) => ({ scale, labels }));
}
