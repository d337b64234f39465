import type { LabeledMatrix } from '../preprocess';
import type { DatasetSchema, SplitSpec, Table } from '../spec/types';
import {
  type TablePreprocessorArtifact,
  encodeLabels,
  fitTablePreprocessor,
  transformTable,
} from './preprocessor';
import { columnOf } from './records';
import { type TableSplit, groupRows, splitTable } from './split';

export interface TablePreprocessOutput {
  preprocessor: TablePreprocessorArtifact;
  train: LabeledMatrix;
  validation: LabeledMatrix;
  test: LabeledMatrix;
  /** Row indices of each part (the baseline statistics read the training rows). */
  split: TableSplit;
}

/**
 * Split (duplicate-aware, seeded, stratified for classification), then fit
 * the preprocessor on the training rows only so no statistic leaks from
 * validation/test into the model, then encode every part.
 */
export function preprocessTable(
  table: Table,
  schema: DatasetSchema,
  split: Partial<SplitSpec> = {},
): TablePreprocessOutput {
  const parts = splitTable(table, schema, split);
  const preprocessor = fitTablePreprocessor(table, schema, parts.train);
  const encode = (rows: Uint32Array): LabeledMatrix => ({
    ...transformTable(preprocessor, table, rows),
    labels: encodeLabels(preprocessor, table, rows),
  });
  return {
    preprocessor,
    train: encode(parts.train),
    validation: encode(parts.validation),
    test: encode(parts.test),
    split: parts,
  };
}

export interface TableCheckResult {
  rowCount: number;
  /** One line per passed check, in the order they ran. */
  checks: string[];
  missingCells: number;
  /** Rows that repeat an earlier row exactly (kept on one side of the split). */
  duplicateRows: number;
  duplicateRate: number;
  /** Classification: rows per class, in class order. */
  classCounts?: number[];
}

/**
 * The Validate stage's data checks on a parsed table. Throws with the first
 * failed check: too few rows, a constant regression target, a classification
 * target with fewer than two classes present.
 */
export function checkTable(
  table: Table,
  schema: DatasetSchema,
  options: { minRows?: number } = {},
): TableCheckResult {
  const minRows = options.minRows ?? 20;
  const rows = table.rowCount;
  const checks = [
    `schema: ${schema.columns.length - 1} features + ${schema.target} (${
      schema.task
    })`,
  ];
  if (rows < minRows)
    throw new Error(
      `data check: ${rows} rows, at least ${minRows} are needed for a train/validation/test split`,
    );
  checks.push(`row count ${rows} ≥ ${minRows}`);
  let missingCells = 0;
  const allMissing: string[] = [];
  table.columns.forEach((c, j) => {
    if (table.names[j] === schema.target) return;
    let missing = 0;
    if (c.type === 'numeric') {
      for (let i = 0; i < rows; i++) if (Number.isNaN(c.values[i])) missing++;
    } else for (let i = 0; i < rows; i++) if (c.codes[i] < 0) missing++;
    missingCells += missing;
    if (missing === rows) allMissing.push(table.names[j]);
  });
  const target = columnOf(table, schema.target);
  let classCounts: number[] | undefined;
  if (schema.task === 'regression') {
    if (target.type !== 'numeric')
      throw new Error(`data check: target '${schema.target}' is not numeric`);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < rows; i++) {
      const v = target.values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo < hi))
      throw new Error(
        `data check: every row has the same ${schema.target} value; nothing to learn`,
      );
    checks.push(`label (${schema.target}) varies: ${lo} … ${hi}`);
  } else {
    if (target.type === 'numeric')
      throw new Error(
        `data check: target '${schema.target}' is not categorical`,
      );
    const classes = schema.classes ?? [];
    const index = new Map(classes.map((c, i) => [c, i]));
    const byLevel = target.levels.map(l => index.get(l) ?? -1);
    classCounts = classes.map(() => 0);
    for (let i = 0; i < rows; i++) {
      const c = target.codes[i];
      if (c >= 0 && byLevel[c] >= 0) classCounts[byLevel[c]]++;
    }
    const present = classCounts.filter(c => c > 0).length;
    if (present < 2)
      throw new Error(
        `data check: only ${present} of the classes (${classes.join(
          ', ',
        )}) occur; a classifier needs at least 2`,
      );
    checks.push(
      `classes: ${classes.map((c, i) => `${c} ${classCounts![i]}`).join(', ')}`,
    );
  }
  const { duplicateRows } = groupRows(table);
  const duplicateRate = rows > 0 ? duplicateRows / rows : 0;
  checks.push(`missing feature cells (to be imputed): ${missingCells}`);
  if (allMissing.length)
    checks.push(
      `no values at all (a constant feature, no information): ${allMissing
        .slice(0, 20)
        .join(', ')}${allMissing.length > 20 ? ', …' : ''}`,
    );
  checks.push(
    `duplicate rows: ${duplicateRows} (${(100 * duplicateRate).toFixed(
      1,
    )}%), kept on one side of the split`,
  );
  return {
    rowCount: rows,
    checks,
    missingCells,
    duplicateRows,
    duplicateRate,
    ...(classCounts ? { classCounts } : {}),
  };
}
