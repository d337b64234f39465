import {
  ABALONE_COLUMNS,
  LABEL_COLUMN,
  NUMERIC_FEATURE_SPECS,
  SEX_LABELS,
  SEX_VALUES,
} from '@mlops-portal/abalone-schema';
import type { NumericFeature } from '@mlops-portal/abalone-schema';
import { type AbaloneColumns, NO_SEX } from './columns';
import type { ColumnSchema, DatasetSchema, Table } from './spec/types';

/**
 * The Abalone data set as a DatasetSchema, built from the shared schema
 * package (the one place its columns are written down), for the engine's
 * Abalone pipeline until ML systems bring their own specs. Upload checks are
 * the ones the Abalone reader always made: Sex one of M, F, I (any case),
 * measurements and rings not negative; the accepted maxima apply to
 * prediction requests, not to training data.
 */
export function abaloneDatasetSchema(): DatasetSchema {
  return {
    header: false,
    target: LABEL_COLUMN,
    task: 'regression',
    missingValues: ['', '?'],
    maxCategories: SEX_VALUES.length,
    columns: ABALONE_COLUMNS.map(abaloneColumn),
  };
}

function abaloneColumn(name: string): ColumnSchema {
  if (name === 'sex')
    return {
      name,
      type: 'categorical',
      label: 'Sex',
      categories: [...SEX_VALUES],
      categoryLabels: { ...SEX_LABELS },
    };
  if (name === LABEL_COLUMN)
    return { name, type: 'numeric', label: 'Rings', min: 0 };
  const spec = NUMERIC_FEATURE_SPECS[name as NumericFeature];
  return { name, type: 'numeric', label: spec.label, unit: spec.unit, min: 0 };
}

/**
 * A table read with `abaloneDatasetSchema()` as the AbaloneColumns the
 * Abalone pipeline uses (the numeric arrays are shared, not copied).
 */
export function abaloneColumnsFromTable(table: Table): AbaloneColumns {
  const column = (name: string) => {
    const i = table.names.indexOf(name);
    if (i < 0) throw new Error(`the table has no column ${name}`);
    return table.columns[i];
  };
  const numeric = (name: string) => {
    const c = column(name);
    if (c.type !== 'numeric') throw new Error(`column ${name} is not numeric`);
    return c.values;
  };
  const sexColumn = column('sex');
  if (sexColumn.type === 'numeric')
    throw new Error('column sex is not categorical');
  const toSex = sexColumn.levels.map(l => {
    const i = SEX_VALUES.indexOf(l as (typeof SEX_VALUES)[number]);
    return i < 0 ? NO_SEX : i;
  });
  const sex = new Uint8Array(table.rowCount);
  for (let r = 0; r < table.rowCount; r++) {
    const code = sexColumn.codes[r];
    sex[r] = code < 0 ? NO_SEX : toSex[code];
  }
  return {
    rows: table.rowCount,
    sex,
    numeric: ABALONE_COLUMNS.slice(1, -1).map(numeric),
    rings: numeric(LABEL_COLUMN),
  };
}
