import type { Matrix } from '../preprocess';
import type { ColumnData, DatasetSchema, Table, Task } from '../spec/types';
import { sortLabels } from '../schema/cells';
import { columnOf } from './records';
import { sortedPresentAt } from './sortedValues';

/** How one input column becomes model features. */
export type FeatureEncoder =
  | {
      name: string;
      type: 'numeric';
      /** Training median, used for missing cells. */
      median: number;
      /** Mean and scale (population std, 1 when constant) of the imputed training values. */
      mean: number;
      scale: number;
    }
  | {
      name: string;
      type: 'boolean';
      /** The more frequent training value (0 or 1), used for missing cells. */
      mode: 0 | 1;
    }
  | {
      name: string;
      type: 'categorical';
      /** One output column per category, in this order. */
      categories: string[];
      /**
       * true: the column had more categories than maxCategories; the rarer
       * ones (and any unseen one) share one extra `other` column.
       */
      other: boolean;
      /** The most frequent training category, used for missing cells (null: none seen). */
      mostFrequent: string | null;
    };

/** preprocessor.json of a model trained on any table. */
export interface TablePreprocessorArtifact {
  format: 'mlops-portal/table-preprocessor';
  version: 1;
  task: Task;
  target: string;
  /** Classification: labels in class-index order (label encoding). */
  classes?: string[];
  /** Input columns in schema order, the target left out. */
  features: FeatureEncoder[];
  /** Names of the model's input columns (after one-hot), in order. */
  featureNames: string[];
}

export const TABLE_PREPROCESSOR_FORMAT = 'mlops-portal/table-preprocessor';

/** Name of the shared column of a capped categorical feature. */
export function otherColumnName(feature: string): string {
  return `${feature}__other`;
}

function allRows(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

function fitNumeric(
  name: string,
  values: Float64Array,
  rows: ArrayLike<number>,
): FeatureEncoder {
  const n = rows.length;
  // Sorted once for the baseline statistics too.
  const sorted = sortedPresentAt(values, rows);
  const p = sorted.length;
  const mid = p >> 1;
  let median = 0;
  if (p > 0)
    median = p % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let sum = median * (n - p);
  for (let i = 0; i < p; i++) sum += sorted[i];
  const mean = sum / n;
  let sq = (median - mean) ** 2 * (n - p);
  for (let i = 0; i < p; i++) sq += (sorted[i] - mean) ** 2;
  const std = Math.sqrt(sq / n);
  // A constant column would divide by zero; scikit-learn uses scale 1 then.
  return { name, type: 'numeric', median, mean, scale: std > 0 ? std : 1 };
}

function levelCounts(
  column: Extract<ColumnData, { codes: Int32Array }>,
  rows: ArrayLike<number>,
): Float64Array {
  const counts = new Float64Array(column.levels.length);
  for (let i = 0; i < rows.length; i++) {
    const c = column.codes[rows[i]];
    if (c >= 0) counts[c]++;
  }
  return counts;
}

function fitCategorical(
  name: string,
  column: Extract<ColumnData, { codes: Int32Array }>,
  rows: ArrayLike<number>,
  fixed: string[] | undefined,
  maxCategories: number,
): FeatureEncoder {
  const counts = levelCounts(column, rows);
  const countOf = new Map<string, number>();
  column.levels.forEach((l, i) => {
    if (counts[i] > 0) countOf.set(l, (countOf.get(l) ?? 0) + counts[i]);
  });
  // Fixed categories all get a column (a later upload may hold the rare ones).
  const candidates = fixed ? [...fixed] : sortLabels(countOf.keys());
  let mostFrequent: string | null = null;
  for (const c of sortLabels(countOf.keys()))
    if (mostFrequent === null || countOf.get(c)! > countOf.get(mostFrequent)!)
      mostFrequent = c;
  let kept = candidates;
  const other = candidates.length > maxCategories;
  if (other) {
    // The most frequent keep their own column; ties go to the earlier label.
    const byCount = sortLabels(candidates).sort(
      (a, b) => (countOf.get(b) ?? 0) - (countOf.get(a) ?? 0),
    );
    kept = byCount.slice(0, maxCategories);
  }
  return {
    name,
    type: 'categorical',
    categories: sortLabels(kept),
    other,
    mostFrequent,
  };
}

/**
 * Fits the generic preprocessing on the training rows (indices into the
 * table; all rows when left out): numeric median impute + standard scale,
 * boolean most-frequent impute as 0/1, categorical most-frequent impute +
 * one-hot (at most `maxCategories` columns, the rarer categories sharing an
 * `other` column), and the classes of a classification target.
 */
export function fitTablePreprocessor(
  table: Table,
  schema: DatasetSchema,
  rows: ArrayLike<number> = allRows(table.rowCount),
): TablePreprocessorArtifact {
  if (rows.length === 0)
    throw new Error('Cannot fit a preprocessor on zero rows');
  const features: FeatureEncoder[] = [];
  const featureNames: string[] = [];
  for (const col of schema.columns) {
    if (col.name === schema.target) continue;
    const data = columnOf(table, col.name);
    if (data.type !== col.type)
      throw new Error(
        `column '${col.name}': the table holds ${data.type} cells, the schema says ${col.type}`,
      );
    if (data.type === 'numeric') {
      features.push(fitNumeric(col.name, data.values, rows));
      featureNames.push(col.name);
    } else if (data.type === 'boolean') {
      const counts = levelCounts(data, rows);
      const trues = counts[data.levels.indexOf('true')] ?? 0;
      const falses = counts[data.levels.indexOf('false')] ?? 0;
      features.push({
        name: col.name,
        type: 'boolean',
        mode: trues > falses ? 1 : 0,
      });
      featureNames.push(col.name);
    } else {
      const enc = fitCategorical(
        col.name,
        data,
        rows,
        col.categories,
        schema.maxCategories,
      );
      features.push(enc);
      if (enc.type === 'categorical') {
        featureNames.push(...enc.categories.map(c => `${col.name}_${c}`));
        if (enc.other) featureNames.push(otherColumnName(col.name));
      }
    }
  }
  if (features.length === 0)
    throw new Error('the schema has no feature column');
  return {
    format: TABLE_PREPROCESSOR_FORMAT,
    version: 1,
    task: schema.task,
    target: schema.target,
    ...(schema.classes ? { classes: [...schema.classes] } : {}),
    features,
    featureNames,
  };
}

/** Checks a preprocessor.json read back from storage. */
export function checkTablePreprocessor(
  pre: unknown,
): asserts pre is TablePreprocessorArtifact {
  const p = pre as TablePreprocessorArtifact;
  if (
    !p ||
    p.format !== TABLE_PREPROCESSOR_FORMAT ||
    p.version !== 1 ||
    !Array.isArray(p.features) ||
    !Array.isArray(p.featureNames)
  )
    throw new Error('Invalid preprocessor artifact (preprocessor.json)');
}

function width(f: FeatureEncoder): number {
  return f.type === 'categorical' ? f.categories.length + (f.other ? 1 : 0) : 1;
}

/**
 * The model's input matrix (row-major Float32) for the given rows of a table
 * (all rows when left out). Unknown categories become all zeros, or the
 * `other` column when the feature has one (scikit-learn's
 * handle_unknown='infrequent_if_exist').
 */
export function transformTable(
  pre: TablePreprocessorArtifact,
  table: Table,
  rows: ArrayLike<number> = allRows(table.rowCount),
): Matrix {
  checkTablePreprocessor(pre);
  const n = rows.length;
  const cols = pre.features.reduce((w, f) => w + width(f), 0);
  const out = new Float32Array(n * cols);
  // Per feature kind, parallel arrays: the row loop below stays monomorphic.
  const numValues: Float64Array[] = [];
  const numAt: number[] = [];
  const numMedian: number[] = [];
  const numMean: number[] = [];
  const numScale: number[] = [];
  const catCodes: Int32Array[] = [];
  const catTarget: Int32Array[] = [];
  let offset = 0;
  for (const f of pre.features) {
    const data = columnOf(table, f.name);
    if (f.type === 'numeric') {
      if (data.type !== 'numeric')
        throw new Error(
          `column '${f.name}': expected numeric cells, got ${data.type}`,
        );
      numValues.push(data.values);
      numAt.push(offset);
      numMedian.push(f.median);
      numMean.push(f.mean);
      numScale.push(f.scale);
    } else if (data.type === 'numeric') {
      throw new Error(
        `column '${f.name}': expected ${f.type} cells, got numeric`,
      );
    } else {
      // Table code → output column (or -1: all zeros); index 0 is "missing".
      const target = new Int32Array(data.levels.length + 1).fill(-1);
      if (f.type === 'boolean') {
        const t = data.levels.indexOf('true');
        if (t >= 0) target[t + 1] = offset;
        target[0] = f.mode === 1 ? offset : -1;
      } else {
        const first = offset;
        const at = new Map(f.categories.map((c, j) => [c, first + j]));
        const otherAt = f.other ? first + f.categories.length : -1;
        for (let j = 0; j < data.levels.length; j++)
          target[j + 1] = at.get(data.levels[j]) ?? otherAt;
        target[0] =
          f.mostFrequent === null ? -1 : at.get(f.mostFrequent) ?? otherAt;
      }
      catCodes.push(data.codes);
      catTarget.push(target);
    }
    offset += width(f);
  }
  const numCount = numValues.length;
  const catCount = catCodes.length;
  const writeRow = (r: number, base: number) => {
    for (let f = 0; f < numCount; f++) {
      const raw = numValues[f][r];
      out[base + numAt[f]] =
        ((Number.isNaN(raw) ? numMedian[f] : raw) - numMean[f]) / numScale[f];
    }
    for (let f = 0; f < catCount; f++) {
      const o = catTarget[f][catCodes[f][r] + 1];
      if (o >= 0) out[base + o] = 1;
    }
  };
  // A shuffled split read row by row misses the cache once per cell
  // (millions of rows): read the table in its own order instead and write
  // each row to its place. Not for a few rows, nor rows given twice.
  const total = table.rowCount;
  const dest = n * 8 >= total ? scatterOrder(rows, total) : undefined;
  if (dest) {
    for (let r = 0; r < total; r++) {
      const i = dest[r];
      if (i >= 0) writeRow(r, i * cols);
    }
  } else {
    for (let i = 0; i < n; i++) writeRow(rows[i], i * cols);
  }
  return { data: out, rows: n, cols };
}

/** Position of each table row in `rows` (-1: absent); undefined if a row repeats. */
function scatterOrder(
  rows: ArrayLike<number>,
  total: number,
): Int32Array | undefined {
  const dest = new Int32Array(total).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < total) || dest[r] >= 0) return undefined;
    dest[r] = i;
  }
  return dest;
}

/**
 * The label of each given row: the target's value (regression) or its class
 * index (classification). A missing or unknown label is an error naming the
 * data row (1-based).
 */
export function encodeLabels(
  pre: Pick<TablePreprocessorArtifact, 'task' | 'target' | 'classes'>,
  table: Table,
  rows: ArrayLike<number> = allRows(table.rowCount),
): Float32Array {
  const data = columnOf(table, pre.target);
  const n = rows.length;
  const labels = new Float32Array(n);
  if (pre.task === 'regression') {
    if (data.type !== 'numeric')
      throw new Error(
        `target '${pre.target}': a regression needs numeric labels`,
      );
    for (let i = 0; i < n; i++) {
      const v = data.values[rows[i]];
      if (Number.isNaN(v))
        throw new Error(
          `data row ${rows[i] + 1}: label '${pre.target}' is missing`,
        );
      labels[i] = v;
    }
    return labels;
  }
  if (data.type === 'numeric')
    throw new Error(
      `target '${pre.target}': class labels must be read as categories`,
    );
  const classes = pre.classes ?? [];
  const index = new Map(classes.map((c, i) => [c, i]));
  const classOf = data.levels.map(l => index.get(l) ?? -1);
  for (let i = 0; i < n; i++) {
    const code = data.codes[rows[i]];
    if (code < 0)
      throw new Error(
        `data row ${rows[i] + 1}: label '${pre.target}' is missing`,
      );
    const k = classOf[code];
    if (k < 0)
      throw new Error(
        `data row ${rows[i] + 1}: label '${data.levels[code].slice(
          0,
          64,
        )}' is not one of the classes (${classes.slice(0, 20).join(', ')})`,
      );
    labels[i] = k;
  }
  return labels;
}
