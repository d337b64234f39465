import {
  AbaloneRecord,
  LabeledRecord,
  NUMERIC_COLUMNS,
  NumericColumn,
  SEX_VALUES,
} from './csv';
import { mulberry32, shuffleInPlace } from './random';
import {
  type AbaloneColumns,
  columnsFromRecords,
  numericColumn,
  selectRows,
  sortedPresent,
} from './columns';
import { SEX_CATEGORIES } from '@mlops-portal/abalone-schema';

export interface Matrix {
  /** row-major, NaN = missing */
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface LabeledMatrix extends Matrix {
  labels: Float32Array;
}

/** Categories of the one-hot Sex encoding, in output column order (from the shared schema). */
export { SEX_CATEGORIES };

/** JSON-serialisable preprocessing state: preprocessor.json */
export interface PreprocessorArtifact {
  format: 'mlops-portal/abalone-preprocessor';
  version: 1;
  numericFeatures: NumericColumn[];
  /** Median of each numeric feature, used for imputation. */
  medians: number[];
  /** Mean and scale (population std, 1 when constant) of the imputed features. */
  means: number[];
  scales: number[];
  sexCategories: string[];
  /** Names of the model's input columns, in order. */
  featureNames: string[];
}

export const FEATURE_COUNT = NUMERIC_COLUMNS.length + SEX_CATEGORIES.length;

/** Median of the finite values of a column. */
function medianOf(column: Float64Array): number {
  const present = sortedPresent(column);
  const n = present.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
}

/** Fits median imputation + standard scaling (the scikit-learn SimpleImputer/StandardScaler recipe). */
export function fitPreprocessor(
  data: readonly AbaloneRecord[] | AbaloneColumns,
): PreprocessorArtifact {
  const cols = asColumns(data);
  if (cols.rows === 0) {
    throw new Error('Cannot fit a preprocessor on zero records');
  }
  const n = cols.rows;
  const medians: number[] = [];
  const means: number[] = [];
  const scales: number[] = [];
  for (const col of NUMERIC_COLUMNS) {
    const column = numericColumn(cols, col);
    const med = medianOf(column);
    const values = column.slice();
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(values[i])) values[i] = med;
      sum += values[i];
    }
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
    const std = Math.sqrt(sq / n);
    medians.push(med);
    means.push(mean);
    // A constant column would divide by zero; scikit-learn uses scale 1 then.
    scales.push(std > 0 ? std : 1);
  }
  return {
    format: 'mlops-portal/abalone-preprocessor',
    version: 1,
    numericFeatures: [...NUMERIC_COLUMNS],
    medians,
    means,
    scales,
    sexCategories: [...SEX_CATEGORIES],
    featureNames: [...NUMERIC_COLUMNS, ...SEX_CATEGORIES.map(s => `sex_${s}`)],
  };
}

/** Records become columns; columns pass through. */
function asColumns(
  data: readonly AbaloneRecord[] | AbaloneColumns,
): AbaloneColumns {
  return Array.isArray(data)
    ? columnsFromRecords(data)
    : (data as AbaloneColumns);
}

function checkArtifact(pre: PreprocessorArtifact): void {
  if (
    !pre ||
    pre.format !== 'mlops-portal/abalone-preprocessor' ||
    !Array.isArray(pre.medians) ||
    pre.medians.length !== pre.numericFeatures?.length ||
    pre.means?.length !== pre.numericFeatures.length ||
    pre.scales?.length !== pre.numericFeatures.length ||
    !Array.isArray(pre.sexCategories)
  ) {
    throw new Error('Invalid preprocessor artifact (preprocessor.json)');
  }
}

/** 7 scaled numerics + one-hot F, I, M (unknown sex → zeros). */
export function transform(
  pre: PreprocessorArtifact,
  data: readonly AbaloneRecord[] | AbaloneColumns,
): Matrix {
  checkArtifact(pre);
  const table = asColumns(data);
  const rows = table.rows;
  const nNum = pre.numericFeatures.length;
  const cols = nNum + pre.sexCategories.length;
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < nNum; j++) {
    const column = numericColumn(table, pre.numericFeatures[j]);
    const { medians, means, scales } = pre;
    for (let i = 0; i < rows; i++) {
      const raw = column[i];
      const v = Number.isFinite(raw) ? raw : medians[j];
      out[i * cols + j] = (v - means[j]) / scales[j];
    }
  }
  // SEX_VALUES index → output column (or -1: all zeros).
  const sexColumn = SEX_VALUES.map(s => pre.sexCategories.indexOf(s));
  for (let i = 0; i < rows; i++) {
    const s = sexColumn[table.sex[i]] ?? -1;
    if (s >= 0) out[i * cols + nNum + s] = 1;
  }
  return { data: out, rows, cols };
}

/** The shuffled row order of splitDataset and where its parts end. */
export function splitIndices(
  n: number,
  seed: number,
  fractions: [number, number, number] = [0.7, 0.15, 0.15],
): { order: Uint32Array; trainEnd: number; validationEnd: number } {
  const total = fractions[0] + fractions[1] + fractions[2];
  if (fractions.some(f => f < 0 || !Number.isFinite(f)) || total <= 0) {
    throw new Error(`Invalid split fractions ${JSON.stringify(fractions)}`);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, mulberry32(seed));
  return {
    order,
    trainEnd: Math.floor((n * fractions[0]) / total),
    validationEnd: Math.floor((n * (fractions[0] + fractions[1])) / total),
  };
}

/**
 * Seeded shuffle then contiguous 70/15/15 cut (train gets the rounding slack
 * last, like numpy's split at int(.7n), int(.85n)).
 */
export function splitDataset<T>(
  rows: T[],
  seed: number,
  fractions: [number, number, number] = [0.7, 0.15, 0.15],
): { train: T[]; validation: T[]; test: T[] } {
  const { order, trainEnd, validationEnd } = splitIndices(
    rows.length,
    seed,
    fractions,
  );
  const pick = (from: number, to: number) =>
    Array.from(order.subarray(from, to), i => rows[i]);
  return {
    train: pick(0, trainEnd),
    validation: pick(trainEnd, validationEnd),
    test: pick(validationEnd, rows.length),
  };
}

function toLabeled(
  pre: PreprocessorArtifact,
  part: AbaloneColumns,
): LabeledMatrix {
  return { ...transform(pre, part), labels: Float32Array.from(part.rings) };
}

export interface PreprocessOutput {
  preprocessor: PreprocessorArtifact;
  train: LabeledMatrix;
  validation: LabeledMatrix;
  test: LabeledMatrix;
  /** The raw training rows (the drift baseline is computed on them). */
  trainRows: AbaloneColumns;
}

/**
 * Split first, then fit the preprocessor on the training part only so no
 * statistics leak from validation/test into the model.
 */
export function preprocess(
  data: readonly LabeledRecord[] | AbaloneColumns,
  options: { seed: number },
): PreprocessOutput {
  const table = asColumns(data);
  const { order, trainEnd, validationEnd } = splitIndices(
    table.rows,
    options.seed,
  );
  const part = (from: number, to: number) =>
    selectRows(table, order.subarray(from, to));
  const trainRows = part(0, trainEnd);
  const preprocessor = fitPreprocessor(trainRows);
  return {
    preprocessor,
    train: toLabeled(preprocessor, trainRows),
    validation: toLabeled(preprocessor, part(trainEnd, validationEnd)),
    test: toLabeled(preprocessor, part(validationEnd, table.rows)),
    trainRows,
  };
}

/** A Float32 cell of the labeled CSVs (empty when missing). */
export function formatCsvNumber(v: number): string {
  // Labels and one-hot cells are small integers: printed as is, the same
  // text as below, without the slow toPrecision round trip.
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  // Float32 values round-trip through 9 significant digits.
  return Number.isNaN(v) ? '' : String(Number(v.toPrecision(9)));
}

/** Label first, no header (SageMaker preprocessing output). */
export function toLabeledCsv(m: LabeledMatrix): string {
  const lines: string[] = new Array(m.rows);
  const cells: string[] = new Array(m.cols + 1);
  for (let i = 0; i < m.rows; i++) {
    cells[0] = formatCsvNumber(m.labels[i]);
    for (let j = 0; j < m.cols; j++) {
      cells[j + 1] = formatCsvNumber(m.data[i * m.cols + j]);
    }
    lines[i] = cells.join(',');
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Parses label-first, header-less numeric CSV (empty cell = missing). */
export function parseLabeledCsv(text: string): LabeledMatrix {
  const lines = text.split(/\r?\n/).filter(l => l.trim() !== '');
  if (lines.length === 0) {
    return {
      data: new Float32Array(0),
      rows: 0,
      cols: 0,
      labels: new Float32Array(0),
    };
  }
  const cols = lines[0].split(',').length - 1;
  if (cols < 1)
    throw new Error(
      'Labeled CSV row 1: needs a label and at least one feature',
    );
  const data = new Float32Array(lines.length * cols);
  const labels = new Float32Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== cols + 1) {
      throw new Error(
        `Labeled CSV row ${i + 1}: expected ${cols + 1} columns, got ${
          cells.length
        }`,
      );
    }
    for (let j = 0; j <= cols; j++) {
      const cell = cells[j].trim();
      const v = cell === '' || cell === '?' ? NaN : Number(cell);
      if (cell !== '' && cell !== '?' && Number.isNaN(v)) {
        throw new Error(
          `Labeled CSV row ${i + 1}, column ${
            j + 1
          }: '${cell}' is not a number`,
        );
      }
      if (j === 0) {
        if (Number.isNaN(v))
          throw new Error(`Labeled CSV row ${i + 1}: label is missing`);
        labels[i] = v;
      } else {
        data[i * cols + j - 1] = v;
      }
    }
  }
  return { data, rows: lines.length, cols, labels };
}
