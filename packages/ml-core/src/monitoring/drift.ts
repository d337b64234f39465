import type { NumericFeature } from '@mlops-portal/abalone-schema';
import type { AbaloneRecord } from '../csv';
import type { Table } from '../spec/types';
import { sortedPresentAt } from '../dataset/sortedValues';
import { decileEdges, populationStabilityIndex } from './psi';
import {
  BaselineStatistics,
  FeatureStatistics,
  presentValues,
} from './statistics';

export type DriftStatus = 'ok' | 'insufficient_data' | 'warn' | 'drift';

export interface DriftThresholds {
  /** PSI at or above this is "warn" (default 0.1: a small shift). */
  psiWarn: number;
  /** PSI at or above this is "drift" (default 0.25: the usual "act now" level). */
  psiDrift: number;
  /** KS distance at or above this is "warn" (default 0.1, Model Monitor's comparison_threshold). */
  ksWarn: number;
  /** KS distance at or above this is "drift" (default 0.2). */
  ksDrift: number;
  /** Fewer present values than this → "insufficient_data" (default 100). */
  minSamples: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: Readonly<DriftThresholds> = {
  psiWarn: 0.1,
  psiDrift: 0.25,
  ksWarn: 0.1,
  ksDrift: 0.2,
  minSamples: 100,
};

export interface FeatureDrift {
  name: string;
  kind: 'numerical' | 'categorical';
  /** Present values in the recent rows. */
  samples: number;
  missing: number;
  /** Population stability index vs the baseline; null without enough data. */
  psi: number | null;
  /** Two-sample Kolmogorov–Smirnov distance (numerical only). */
  ks: number | null;
  /**
   * Categorical only: the L-infinity distance between the baseline's and the
   * recent category shares (Model Monitor's categorical distance), judged
   * against the KS thresholds as Model Monitor does.
   */
  linf?: number | null;
  /** Categorical only: recent categories the baseline never saw (at most 20). */
  unseen?: string[];
  status: DriftStatus;
}

export interface DriftReport {
  /** The worst feature status. */
  status: DriftStatus;
  itemCount: number;
  thresholds: DriftThresholds;
  features: FeatureDrift[];
}

/** Severity order; a report takes the most severe status of its features. */
const RANK: Record<DriftStatus, number> = {
  ok: 0,
  insufficient_data: 1,
  warn: 2,
  drift: 3,
};

/*
 * A statistic only counts when it is also beyond sampling noise at α = 0.01:
 * with few rows PSI and KS are large by chance alone (PSI ≈ χ²(B−1)·(1/m+1/n)
 * under no drift), and a monitor that cries wolf gets ignored.
 */
const Z_99 = 2.3263;
const KS_C_99 = 1.6276;

/** χ² quantile at 0.99 (Wilson–Hilferty approximation). */
function chiSquare99(dof: number): number {
  const a = 2 / (9 * dof);
  return dof * (1 - a + Z_99 * Math.sqrt(a)) ** 3;
}

function binShares(sorted: ArrayLike<number>, edges: number[]): number[] {
  // Both inputs are ascending, so bin counts come from edge positions.
  const shares: number[] = [];
  let prev = 0;
  for (let b = 0; b <= edges.length; b++) {
    const end = b < edges.length ? lowerBound(sorted, edges[b]) : sorted.length;
    shares.push((end - prev) / sorted.length);
    prev = end;
  }
  return shares;
}

/** Index of the first element ≥ x (so a value equal to an edge falls in the bin above it). */
function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** sup |F_a − F_b| over two ascending samples (ties advance together). */
function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function statusOf(
  value: number,
  warn: number,
  driftAt: number,
  noise: number,
): DriftStatus {
  if (value < warn || value <= noise) return 'ok';
  return value >= driftAt ? 'drift' : 'warn';
}

function worst(statuses: DriftStatus[]): DriftStatus {
  return statuses.reduce((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');
}

function numericalDrift(
  feature: Extract<FeatureStatistics, { inferred_type: 'Fractional' }>,
  recent: Float64Array,
  rowCount: number,
  t: DriftThresholds,
): FeatureDrift {
  const sample =
    feature.numerical_statistics.distribution.kll.sketch.data.flat();
  if (sample.length === 0) {
    throw new Error(
      `drift: baseline feature '${feature.name}' has no sketch data`,
    );
  }
  sample.sort((x, y) => x - y);
  const m = recent.length;
  const base = { name: feature.name, kind: 'numerical' as const, samples: m };
  const missing = rowCount - m;
  if (m < t.minSamples) {
    return {
      ...base,
      missing,
      psi: null,
      ks: null,
      status: 'insufficient_data',
    };
  }
  const n = feature.numerical_statistics.common.num_present;
  const edges = decileEdges(sample);
  const psi = populationStabilityIndex(
    binShares(sample, edges),
    binShares(recent, edges),
  );
  const ks = ksDistance(sample, recent);
  const inv = 1 / m + 1 / Math.max(n, sample.length);
  const status = worst([
    statusOf(psi, t.psiWarn, t.psiDrift, chiSquare99(edges.length) * inv),
    statusOf(ks, t.ksWarn, t.ksDrift, KS_C_99 * Math.sqrt(inv)),
  ]);
  return { ...base, missing, psi, ks, status };
}

/** Most unseen categories a feature's drift lists. */
const MAX_UNSEEN = 20;

function categoricalDrift(
  feature: Extract<FeatureStatistics, { inferred_type: 'String' }>,
  counts: Map<string, number>,
  rowCount: number,
  t: DriftThresholds,
): FeatureDrift {
  const buckets = feature.string_statistics.distribution.categorical.buckets;
  const index = new Map(buckets.map((b, i) => [b.value, i]));
  // One extra bin for categories the baseline does not list.
  const binCounts = new Array<number>(buckets.length + 1).fill(0);
  let present = 0;
  const unseen: string[] = [];
  let unseenShareMax = 0;
  for (const [value, count] of counts) {
    present += count;
    const b = index.get(value);
    if (b === undefined) {
      binCounts[buckets.length] += count;
      if (unseen.length < MAX_UNSEEN) unseen.push(value.slice(0, 64));
    } else binCounts[b] += count;
  }
  unseen.sort();
  const base = { name: feature.name, kind: 'categorical' as const, ks: null };
  const missing = rowCount - present;
  if (present < t.minSamples) {
    return {
      ...base,
      samples: present,
      missing,
      psi: null,
      linf: null,
      unseen,
      status: 'insufficient_data',
    };
  }
  const n = feature.string_statistics.common.num_present;
  const listed = buckets.reduce((sum, b) => sum + b.count, 0);
  // A baseline cut to its most frequent categories keeps the rest's share here.
  const expected = [...buckets.map(b => b.count / n), (n - listed) / n];
  const actual = binCounts.map(c => c / present);
  const psi = populationStabilityIndex(expected, actual);
  let linf = 0;
  for (let b = 0; b < buckets.length; b++)
    linf = Math.max(linf, Math.abs(expected[b] - actual[b]));
  // Each unseen category on its own has baseline share 0.
  for (const [value, count] of counts)
    if (!index.has(value))
      unseenShareMax = Math.max(unseenShareMax, count / present);
  linf = Math.max(linf, unseenShareMax);
  const inv = 1 / present + 1 / n;
  const status = worst([
    statusOf(psi, t.psiWarn, t.psiDrift, chiSquare99(buckets.length) * inv),
    statusOf(linf, t.ksWarn, t.ksDrift, KS_C_99 * Math.sqrt(inv)),
  ]);
  return { ...base, samples: present, missing, psi, linf, unseen, status };
}

function checkThresholds(t: DriftThresholds): void {
  for (const [key, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`drift: threshold ${key} must be a non-negative number`);
    }
  }
  if (t.psiWarn > t.psiDrift)
    throw new Error('drift: psiWarn must be ≤ psiDrift');
  if (t.ksWarn > t.ksDrift) throw new Error('drift: ksWarn must be ≤ ksDrift');
}

/**
 * Compares recent (captured) rows with the training baseline, per feature:
 * PSI on the baseline's decile bins (Sex on its categories) and the KS
 * distance to the baseline's distribution. A feature's status is the worse
 * of its two statistics; the report's status is the worst feature's.
 */
export function drift(
  baseline: BaselineStatistics,
  recentRows: readonly AbaloneRecord[],
  thresholds: Partial<DriftThresholds> = {},
): DriftReport {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  checkThresholds(t);
  if (!baseline || !Array.isArray(baseline.features)) {
    throw new Error('drift: baseline is not a statistics.json object');
  }
  const n = recentRows.length;
  const features = baseline.features.map(f => {
    if (f.inferred_type === 'String') {
      // Records hold Sex as typed; the baseline has it upper-cased.
      const counts = new Map<string, number>();
      for (const r of recentRows) {
        const raw = (r as unknown as Record<string, unknown>)[f.name];
        const v = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
        if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      return categoricalDrift(f, counts, n, t);
    }
    if (f.inferred_type === 'Fractional')
      return numericalDrift(
        f,
        presentValues(recentRows, f.name as NumericFeature),
        n,
        t,
      );
    throw new Error(
      `drift: baseline feature '${
        (f as { name?: string }).name
      }' has unsupported inferred_type`,
    );
  });
  return {
    status: worst(features.map(f => f.status)),
    itemCount: recentRows.length,
    thresholds: t,
    features,
  };
}

/**
 * drift() for recent rows held as a Table (any schema): each baseline
 * feature is read from the table's column of that name. Categorical and
 * boolean columns are compared on their categories (PSI and L-infinity
 * distance, unseen categories listed), numeric ones as in drift().
 */
export function tableDrift(
  baseline: BaselineStatistics,
  recent: Table,
  thresholds: Partial<DriftThresholds> = {},
): DriftReport {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  checkThresholds(t);
  if (!baseline || !Array.isArray(baseline.features)) {
    throw new Error('drift: baseline is not a statistics.json object');
  }
  const n = recent.rowCount;
  const features = baseline.features.map(f => {
    const j = recent.names.indexOf(f.name);
    if (j < 0)
      throw new Error(`drift: the recent rows have no column '${f.name}'`);
    const column = recent.columns[j];
    if (f.inferred_type === 'Fractional') {
      if (column.type !== 'numeric')
        throw new Error(`drift: column '${f.name}' is not numeric`);
      const present = sortedPresentAt(column.values);
      return numericalDrift(f, present, n, t);
    }
    if (f.inferred_type === 'String') {
      if (column.type === 'numeric')
        throw new Error(`drift: column '${f.name}' is not categorical`);
      const byCode = new Float64Array(column.levels.length);
      for (let i = 0; i < n; i++)
        if (column.codes[i] >= 0) byCode[column.codes[i]]++;
      const counts = new Map<string, number>();
      column.levels.forEach((l, i) => {
        if (byCode[i] > 0) counts.set(l, (counts.get(l) ?? 0) + byCode[i]);
      });
      return categoricalDrift(f, counts, n, t);
    }
    throw new Error(
      `drift: baseline feature '${
        (f as { name?: string }).name
      }' has unsupported inferred_type`,
    );
  });
  return {
    status: worst(features.map(f => f.status)),
    itemCount: n,
    thresholds: t,
    features,
  };
}
