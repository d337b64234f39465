import type {
  DatasetSchema,
  MlSystemSpec,
  ModelSignature,
  SignatureInput,
  Table,
} from '../spec/types';
import type { TablePreprocessorArtifact } from '../dataset/preprocessor';
import { cellValue, columnOf } from '../dataset/records';
import { clip, parseBooleanText, parseNumberText } from './cells';
import { sortedPresentAt } from '../dataset/sortedValues';

/** Example rows a signature carries. */
const EXAMPLE_ROWS = 3;

const DATATYPE = {
  numeric: 'FP64',
  categorical: 'BYTES',
  boolean: 'BOOL',
} as const;

/**
 * The model's signature: each input column with its type, what the training
 * rows showed (range, categories, missing rate) and the spec's display fields;
 * the output (task, target, classes in index order, display); a few real rows.
 * `rows` are the training rows (all rows when left out).
 */
export function buildSignature(
  table: Table,
  schema: DatasetSchema,
  preprocessor: TablePreprocessorArtifact,
  spec?: MlSystemSpec,
  rows?: ArrayLike<number>,
): ModelSignature {
  const picks =
    rows ?? Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const n = picks.length;
  const inputs: SignatureInput[] = [];
  for (const col of schema.columns) {
    if (col.name === schema.target) continue;
    const data = columnOf(table, col.name);
    const input: SignatureInput = {
      name: col.name,
      type: col.type,
      datatype: DATATYPE[col.type],
      missingRate: 0,
    };
    for (const key of [
      'label',
      'description',
      'unit',
      'scale',
      'min',
      'max',
    ] as const)
      if (col[key] !== undefined) (input as any)[key] = col[key];
    let missing = 0;
    if (data.type === 'numeric') {
      // The training rows' present values, sorted: the preprocessor's fit
      // has them cached (no second pass over millions of shuffled rows).
      const present = sortedPresentAt(data.values, rows);
      missing = n - present.length;
      if (present.length > 0) {
        input.observedMin = present[0];
        input.observedMax = present[present.length - 1];
      }
    } else {
      for (let i = 0; i < n; i++) if (data.codes[picks[i]] < 0) missing++;
    }
    if (col.type === 'categorical') {
      // The categories the model knows, in one-hot order.
      const enc = preprocessor.features.find(f => f.name === col.name);
      input.categories =
        col.categories ??
        (enc?.type === 'categorical' ? [...enc.categories] : []);
      if (col.categories) input.fixedCategories = true;
      if (col.categoryLabels) input.categoryLabels = { ...col.categoryLabels };
    }
    // Last, so signature.json reads type → display → range → missing rate.
    delete (input as Partial<SignatureInput>).missingRate;
    input.missingRate = n > 0 ? missing / n : 0;
    inputs.push(input);
  }
  const display = spec?.spec.prediction?.output;
  const examples: ModelSignature['examples'] = [];
  for (let i = 0; i < Math.min(EXAMPLE_ROWS, n); i++) {
    const row: Record<string, number | string | boolean | null> = {};
    for (const input of inputs)
      row[input.name] = cellValue(columnOf(table, input.name), picks[i]);
    examples.push(row);
  }
  return {
    format: 'mlops-portal/signature',
    version: 1,
    inputs,
    outputs: {
      task: schema.task,
      target: schema.target,
      ...(schema.classes ? { classes: [...schema.classes] } : {}),
      ...(display ? { display: { ...display } } : {}),
    },
    examples,
  };
}

/** One problem with one field of one record. */
export interface RecordFieldError {
  /** 0-based index of the record. */
  record: number;
  field: string;
  reason: string;
}

/** How many field errors validateRecords lists at most. */
const MAX_RECORD_ERRORS = 100;

/**
 * Checks prediction records against a signature: every input present (null
 * means missing and is imputed as in training), numbers for numeric
 * inputs within the accepted range, true/false for booleans, and a known
 * category where the spec fixes them. Unknown fields are errors too (a typo
 * would otherwise be silently imputed). Returns the errors, at most 100.
 */
export function validateRecords(
  signature: ModelSignature,
  records: ReadonlyArray<Record<string, unknown>>,
): RecordFieldError[] {
  const errors: RecordFieldError[] = [];
  const known = new Set(signature.inputs.map(i => i.name));
  const add = (record: number, field: string, reason: string) => {
    if (errors.length < MAX_RECORD_ERRORS)
      errors.push({ record, field: clip(field), reason });
  };
  records.forEach((rec, r) => {
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) {
      add(r, '*', 'must be an object of input fields');
      return;
    }
    for (const key of Object.keys(rec))
      if (!known.has(key) && key !== signature.outputs.target)
        add(r, key, 'is not an input of this model');
    for (const input of signature.inputs) {
      const v = rec[input.name];
      if (v === undefined) {
        add(r, input.name, 'is missing');
        continue;
      }
      // null: missing, imputed as in training.
      if (v === null) continue;
      if (input.type === 'numeric') {
        let x: number | undefined;
        if (typeof v === 'number') x = v;
        else if (typeof v === 'string') x = parseNumberText(v.trim());
        if (x === undefined || !Number.isFinite(x)) {
          add(r, input.name, 'must be a number');
        } else if (
          (input.min !== undefined && x < input.min) ||
          (input.max !== undefined && x > input.max)
        ) {
          add(
            r,
            input.name,
            `must be in [${input.min ?? '-∞'}, ${input.max ?? '∞'}], got ${x}`,
          );
        }
      } else if (input.type === 'boolean') {
        if (
          typeof v !== 'boolean' &&
          !(typeof v === 'string' && parseBooleanText(v.trim()) !== undefined)
        )
          add(r, input.name, 'must be true or false');
      } else if (typeof v !== 'string' && typeof v !== 'number') {
        add(r, input.name, 'must be a category (text)');
      } else if (
        input.fixedCategories &&
        !input.categories?.includes(String(v).trim())
      ) {
        add(
          r,
          input.name,
          `'${clip(String(v), 32)}' is not one of ${(input.categories ?? [])
            .slice(0, 20)
            .join(', ')}`,
        );
      }
    }
  });
  return errors;
}
