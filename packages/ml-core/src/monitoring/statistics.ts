import {
  NUMERIC_FEATURES,
  SEX_VALUES,
  type NumericFeature,
} from '@mlops-portal/abalone-schema';
import type { AbaloneRecord } from '../csv';
import {
  type AbaloneColumns,
  NO_SEX,
  columnsFromRecords,
  numericColumn,
  sortedPresent,
} from '../columns';
import { equalWidthHistogram } from './histogram';
import type { DatasetSchema, Table } from '../spec/types';
import { columnOf } from '../dataset/records';
import { sortedPresentAt } from '../dataset/sortedValues';

/*
 * Training-data statistics in SageMaker Model Monitor's statistics.json shape
 * (see "Schema for Statistics (statistics.json file)" in the SageMaker
 * developer guide), so the portal reads one baseline format from both engines.
 */

export interface CommonStatistics {
  num_present: number;
  num_missing: number;
}

export interface KllBucket {
  lower_bound: number;
  upper_bound: number;
  count: number;
}

export interface NumericalStatistics {
  common: CommonStatistics;
  mean: number;
  sum: number;
  std_dev: number;
  min: number;
  max: number;
  distribution: {
    kll: {
      buckets: KllBucket[];
      sketch: {
        parameters: { c: number; k: number };
        /**
         * One compactor level, ascending: every present value when there are
         * at most k of them, otherwise k evenly spaced order statistics (each
         * standing for n/k values). drift() reads the baseline's quantiles
         * (PSI bins, KS reference distribution) from here.
         */
        data: number[][];
      };
    };
  };
}

export interface StringStatistics {
  common: CommonStatistics;
  distinct_count: number;
  distribution: {
    categorical: { buckets: Array<{ value: string; count: number }> };
  };
}

export type FeatureStatistics =
  | {
      name: string;
      inferred_type: 'Fractional';
      numerical_statistics: NumericalStatistics;
    }
  | {
      name: string;
      inferred_type: 'String';
      string_statistics: StringStatistics;
    };

export interface BaselineStatistics {
  version: number;
  dataset: { item_count: number };
  features: FeatureStatistics[];
}

/** Model Monitor materialises the distribution in 10 equal-width buckets. */
export const KLL_BUCKETS = 10;
/** Sketch parameters written with the data (Deequ's KLL defaults). */
export const KLL_PARAMETERS = { c: 0.64, k: 2048 } as const;

/** Ascending present (finite) values of one numeric column. */
export function presentValues(
  rows: readonly AbaloneRecord[],
  name: NumericFeature,
): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][name];
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return sortedPresent(out);
}

function sketchLevel(sorted: Float64Array): number[] {
  const n = sorted.length;
  const k = KLL_PARAMETERS.k;
  if (n <= k) return Array.from(sorted);
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++)
    out[i] = sorted[Math.round((i * (n - 1)) / (k - 1))];
  return out;
}

function numericFeature(
  table: AbaloneColumns,
  name: NumericFeature,
): FeatureStatistics {
  return numericalStatistics(
    name,
    sortedPresent(numericColumn(table, name)),
    table.rows,
  );
}

/** Fractional statistics of one column from its ascending present values. */
function numericalStatistics(
  name: string,
  sorted: Float64Array,
  rows: number,
): FeatureStatistics {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (sorted[i] - mean) ** 2;
  return {
    name,
    inferred_type: 'Fractional',
    numerical_statistics: {
      common: { num_present: n, num_missing: rows - n },
      mean,
      sum,
      // Population standard deviation, as Deequ (Model Monitor) computes it.
      std_dev: n > 0 ? Math.sqrt(sq / n) : 0,
      // JSON has no NaN: an all-missing column reports 0 and no buckets.
      min: n > 0 ? sorted[0] : 0,
      max: n > 0 ? sorted[n - 1] : 0,
      distribution: {
        kll: {
          buckets: equalWidthHistogram(sorted, KLL_BUCKETS).map(h => ({
            lower_bound: h.lower,
            upper_bound: h.upper,
            count: h.count,
          })),
          sketch: {
            parameters: { ...KLL_PARAMETERS },
            data: [sketchLevel(sorted)],
          },
        },
      },
    },
  };
}

function sexFeature(table: AbaloneColumns): FeatureStatistics {
  const counts = SEX_VALUES.map(() => 0);
  let missing = 0;
  for (let i = 0; i < table.rows; i++) {
    const s = table.sex[i];
    if (s === NO_SEX) missing++;
    else counts[s]++;
  }
  const buckets = SEX_VALUES.map((value, i) => ({ value, count: counts[i] }));
  return {
    name: 'sex',
    inferred_type: 'String',
    string_statistics: {
      common: { num_present: table.rows - missing, num_missing: missing },
      distinct_count: buckets.filter(b => b.count > 0).length,
      distribution: { categorical: { buckets } },
    },
  };
}

/**
 * Per-feature statistics of the training records (the drift baseline), in
 * the schema's column order: Sex (String), then the 7 measurements
 * (Fractional). The label is not a model input, so it is left out.
 */
export function baselineStatistics(
  data: readonly AbaloneRecord[] | AbaloneColumns,
): BaselineStatistics {
  const table = Array.isArray(data)
    ? columnsFromRecords(data)
    : (data as AbaloneColumns);
  if (table.rows === 0) {
    throw new Error('baselineStatistics: no rows');
  }
  return {
    version: 0,
    dataset: { item_count: table.rows },
    features: [
      sexFeature(table),
      ...NUMERIC_FEATURES.map(name => numericFeature(table, name)),
    ],
  };
}

/** Categories a baseline lists per feature (the most frequent; the rest are counted in distinct_count). */
export const MAX_BASELINE_CATEGORIES = 1000;

/**
 * Per-feature statistics of a table's training rows (all rows when left out),
 * in schema order without the target: numeric columns as Fractional
 * (numerical_statistics with a KLL sketch), categorical and boolean columns
 * as String (string_statistics with category frequencies), the shape Model
 * Monitor writes.
 */
export function tableBaselineStatistics(
  table: Table,
  schema: DatasetSchema,
  rows?: ArrayLike<number>,
): BaselineStatistics {
  const picks =
    rows ?? Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const n = picks.length;
  if (n === 0) throw new Error('baselineStatistics: no rows');
  const features: FeatureStatistics[] = [];
  for (const col of schema.columns) {
    if (col.name === schema.target) continue;
    const data = columnOf(table, col.name);
    if (data.type === 'numeric') {
      features.push(
        numericalStatistics(col.name, sortedPresentAt(data.values, rows), n),
      );
      continue;
    }
    const counts = new Float64Array(data.levels.length);
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const c = data.codes[picks[i]];
      if (c < 0) missing++;
      else counts[c]++;
    }
    const buckets = data.levels
      .map((value, i) => ({ value, count: counts[i] }))
      .filter(b => b.count > 0)
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    features.push({
      name: col.name,
      inferred_type: 'String',
      string_statistics: {
        common: { num_present: n - missing, num_missing: missing },
        distinct_count: buckets.length,
        distribution: {
          categorical: { buckets: buckets.slice(0, MAX_BASELINE_CATEGORIES) },
        },
      },
    });
  }
  return { version: 0, dataset: { item_count: n }, features };
}
