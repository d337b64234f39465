/**
 * The classification demo tables (packages/demo-systems) as feature matrices
 * for the benchmarks, split 70/15/15 by a seeded shuffle (the same split for
 * ml-core and XGBoost: both read the CSVs written from these matrices).
 *
 * MINIMAL STEP, bench only: until the generic preprocessing (spec → Table →
 * LabeledMatrix) is on main, this file turns the two CSVs into numbers
 * itself: numeric cells as float32 (missing → NaN, which both trainers send
 * down the learnt default direction), categorical cells one-hot (missing or
 * unknown → all zeros), the target as the class index in the spec's class
 * order. Trees do not need scaling, so the generic step's standard scaling
 * changes no split; swap this for the generic preprocessor when it lands.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'fs';
import { resolve } from 'path';
import { LabeledMatrix, mulberry32, splitIndices } from '../src';

export interface ClassificationTable {
  name: string;
  task: 'binary' | 'multiclass';
  classes: string[];
  featureNames: string[];
  /** Row-major features and class indices of every row. */
  x: Float32Array;
  y: Float32Array;
  rows: number;
  cols: number;
}

const DEMO = resolve(__dirname, '../../demo-systems');
const MISSING = new Set(['', 'NA', '?', '.']);

function readRows(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true });
}

/**
 * Builds the matrix: `numeric` columns as numbers, `categorical` columns
 * one-hot over the given categories, `target` → index in `classes`.
 */
function encode(
  name: string,
  task: ClassificationTable['task'],
  rows: Record<string, string>[],
  numeric: string[],
  categorical: Record<string, string[]>,
  target: string,
  classes: string[],
): ClassificationTable {
  const featureNames = [
    ...numeric,
    ...Object.entries(categorical).flatMap(([c, cats]) =>
      cats.map(v => `${c}=${v}`),
    ),
  ];
  const cols = featureNames.length;
  const x = new Float32Array(rows.length * cols);
  const y = new Float32Array(rows.length);
  rows.forEach((row, r) => {
    let j = r * cols;
    for (const c of numeric) {
      const v = row[c];
      x[j++] = MISSING.has(v) ? NaN : Number(v);
      if (!MISSING.has(v) && !Number.isFinite(Number(v))) {
        throw new Error(`${name}: row ${r + 2}, ${c}: '${v}' is not a number`);
      }
    }
    for (const [c, cats] of Object.entries(categorical)) {
      for (const v of cats) x[j++] = row[c] === v ? 1 : 0;
    }
    const k = classes.indexOf(row[target]);
    if (k < 0)
      throw new Error(`${name}: row ${r + 2}: unknown class '${row[target]}'`);
    y[r] = k;
  });
  return { name, task, classes, featureNames, x, y, rows: rows.length, cols };
}

/** Wisconsin diagnostic breast cancer: 30 numeric features, benign (0) / malignant (1). */
export function loadBreastCancer(): ClassificationTable {
  const rows = readRows(join('breast-cancer', 'breast-cancer.csv'));
  const numeric = Object.keys(rows[0]).filter(c => c !== 'diagnosis');
  return encode('breast-cancer', 'binary', rows, numeric, {}, 'diagnosis', [
    'benign',
    'malignant',
  ]);
}

/** Palmer penguins: island and sex one-hot, 4 measurements with missing values; 3 species. */
export function loadPenguins(): ClassificationTable {
  const rows = readRows(join('penguins', 'penguins.csv'));
  return encode(
    'penguins',
    'multiclass',
    rows,
    ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'],
    { island: ['Biscoe', 'Dream', 'Torgersen'], sex: ['FEMALE', 'MALE'] },
    'species',
    ['Adelie', 'Chinstrap', 'Gentoo'],
  );
}

function join(folder: string, file: string): string {
  return resolve(DEMO, folder, file);
}

/** Every row `scale` times, numeric features ×(1 ± 1 %) jitter (like the 100× Abalone bench); one-hot cells unchanged. */
export function scaleTable(
  t: ClassificationTable,
  scale: number,
  seed = 42,
): ClassificationTable {
  if (scale === 1) return t;
  const rng = mulberry32(seed);
  const x = new Float32Array(t.x.length * scale);
  const y = new Float32Array(t.rows * scale);
  const oneHot = t.featureNames.map(n => n.includes('='));
  for (let s = 0; s < scale; s++) {
    for (let r = 0; r < t.rows; r++) {
      const to = (s * t.rows + r) * t.cols;
      for (let c = 0; c < t.cols; c++) {
        const v = t.x[r * t.cols + c];
        x[to + c] = oneHot[c] ? v : v * (1 + (rng() - 0.5) * 0.02);
      }
      y[s * t.rows + r] = t.y[r];
    }
  }
  return { ...t, x, y, rows: t.rows * scale };
}

/** The seeded 70/15/15 split (splitIndices, as the Abalone pipeline splits). */
export function splitTable(
  t: ClassificationTable,
  seed: number,
): { train: LabeledMatrix; validation: LabeledMatrix; test: LabeledMatrix } {
  const { order, trainEnd, validationEnd } = splitIndices(t.rows, seed);
  const part = (from: number, to: number): LabeledMatrix => {
    const n = to - from;
    const data = new Float32Array(n * t.cols);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const r = order[from + i];
      data.set(t.x.subarray(r * t.cols, (r + 1) * t.cols), i * t.cols);
      labels[i] = t.y[r];
    }
    return { data, labels, rows: n, cols: t.cols };
  };
  return {
    train: part(0, trainEnd),
    validation: part(trainEnd, validationEnd),
    test: part(validationEnd, t.rows),
  };
}
