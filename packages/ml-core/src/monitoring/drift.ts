import type { NumericFeature } from '@mlops-portal/abalone-schema';
import type { AbaloneRecord } from '../csv';
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
  status: DriftStatus;
}

export interface DriftReport {
  /** The worst feature status. */
  status: DriftStatus;
  itemCount: number;
  thresholds: DriftThresholds;
  features: FeatureDrift[];
}

/** Number of PSI bins for numerics: the baseline's deciles. */
export const PSI_BINS = 10;
/** Floor for empty bins, so PSI stays finite. */
const PSI_EPSILON = 1e-4;

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

function psiOf(expected: number[], actual: number[]): number {
  let psi = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(expected[b], PSI_EPSILON);
    const a = Math.max(actual[b], PSI_EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Interior decile edges of the baseline sample, duplicates dropped (ties). */
function decileEdges(sample: number[]): number[] {
  const edges: number[] = [];
  for (let b = 1; b < PSI_BINS; b++) {
    const v = sample[Math.floor((b * sample.length) / PSI_BINS)];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
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
  rows: readonly AbaloneRecord[],
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
  const recent = presentValues(rows, feature.name as NumericFeature);
  const m = recent.length;
  const base = { name: feature.name, kind: 'numerical' as const, samples: m };
  const missing = rows.length - m;
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
  const psi = psiOf(binShares(sample, edges), binShares(recent, edges));
  const ks = ksDistance(sample, recent);
  const inv = 1 / m + 1 / Math.max(n, sample.length);
  const status = worst([
    statusOf(psi, t.psiWarn, t.psiDrift, chiSquare99(edges.length) * inv),
    statusOf(ks, t.ksWarn, t.ksDrift, KS_C_99 * Math.sqrt(inv)),
  ]);
  return { ...base, missing, psi, ks, status };
}

function categoricalDrift(
  feature: Extract<FeatureStatistics, { inferred_type: 'String' }>,
  rows: readonly AbaloneRecord[],
  t: DriftThresholds,
): FeatureDrift {
  const buckets = feature.string_statistics.distribution.categorical.buckets;
  const index = new Map(buckets.map((b, i) => [b.value, i]));
  // One extra bin for categories the baseline never saw.
  const counts = new Array<number>(buckets.length + 1).fill(0);
  let present = 0;
  for (const r of rows) {
    const raw = (r as unknown as Record<string, unknown>)[feature.name];
    const v = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
    if (v === '') continue;
    present++;
    counts[index.get(v) ?? buckets.length]++;
  }
  const base = { name: feature.name, kind: 'categorical' as const, ks: null };
  const missing = rows.length - present;
  if (present < t.minSamples) {
    return {
      ...base,
      samples: present,
      missing,
      psi: null,
      status: 'insufficient_data',
    };
  }
  const n = feature.string_statistics.common.num_present;
  const expected = [...buckets.map(b => b.count / n), 0];
  const psi = psiOf(
    expected,
    counts.map(c => c / present),
  );
  const noise = chiSquare99(buckets.length) * (1 / present + 1 / n);
  const status = statusOf(psi, t.psiWarn, t.psiDrift, noise);
  return { ...base, samples: present, missing, psi, status };
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
  const features = baseline.features.map(f => {
    if (f.inferred_type === 'String') return categoricalDrift(f, recentRows, t);
    if (f.inferred_type === 'Fractional')
      return numericalDrift(f, recentRows, t);
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
