import type {
  BaselineStatistics,
  DriftReport,
  FeatureStatistics,
} from '@mlops-portal/ml-core';
import type {
  DistributionBucket,
  DriftSummary,
  FeatureDriftResult,
  FeatureRecord,
  ModelSignature,
  MonitoringWindow,
  TrafficPoint,
  TrafficTotals,
} from '@mlops-portal/plugin-mlops-common';
import {
  emptyHistogram,
  mergeHistogram,
  percentileMs,
} from './latencyHistogram';
import type { MinuteRollup } from './monitoringStore';

/** Window length and traffic bucket size, in minutes (CloudWatch-like periods). */
export const WINDOWS: Record<
  MonitoringWindow,
  { minutes: number; bucket: number }
> = {
  '1h': { minutes: 60, bucket: 1 },
  '24h': { minutes: 24 * 60, bucket: 15 },
  '7d': { minutes: 7 * 24 * 60, bucket: 60 },
};

interface Acc {
  invocations: number;
  errors4xx: number;
  errors5xx: number;
  hist: number[];
}

const newAcc = (): Acc => ({
  invocations: 0,
  errors4xx: 0,
  errors5xx: 0,
  hist: emptyHistogram(),
});

function add(acc: Acc, r: MinuteRollup) {
  acc.invocations += r.invocations;
  acc.errors4xx += r.errors4xx;
  acc.errors5xx += r.errors5xx;
  mergeHistogram(acc.hist, r.latencyHistogram);
}

function totalsOf(acc: Acc): TrafficTotals {
  return {
    invocations: acc.invocations,
    errors4xx: acc.errors4xx,
    errors5xx: acc.errors5xx,
    p50Ms: percentileMs(acc.hist, 0.5),
    p99Ms: percentileMs(acc.hist, 0.99),
  };
}

/**
 * Every bucket of the window (zeros included, so charts have a time axis)
 * and the window's totals, from per-minute roll-ups.
 */
export function trafficOf(
  rollups: readonly MinuteRollup[],
  window: MonitoringWindow,
  nowMs: number,
): { traffic: TrafficPoint[]; totals: TrafficTotals } {
  const { minutes, bucket } = WINDOWS[window];
  const last = Math.floor(nowMs / 60_000 / bucket) * bucket;
  const first = last - (minutes / bucket - 1) * bucket;
  const buckets = new Map<number, Acc>();
  for (let m = first; m <= last; m += bucket) buckets.set(m, newAcc());
  const total = newAcc();
  for (const r of rollups) {
    const acc = buckets.get(Math.floor(r.minute / bucket) * bucket);
    if (!acc) continue;
    add(acc, r);
    add(total, r);
  }
  const traffic = [...buckets.entries()].map(([m, acc]) => ({
    time: new Date(m * 60_000).toISOString(),
    ...totalsOf(acc),
  }));
  return { traffic, totals: totalsOf(total) };
}

const fmtEdge = (v: number) => String(Number(v.toPrecision(3)));

/** Most unseen categories listed per feature, and their longest text. */
export const MAX_UNSEEN_CATEGORIES = 20;
export const MAX_UNSEEN_CATEGORY_CHARS = 64;

/** A record cell as category text (booleans as `true`/`false`); undefined when missing. */
function categoryOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number' && !Number.isFinite(v)) return undefined;
  const text = String(v).trim();
  return text === '' ? undefined : text;
}

/** Baseline vs recent shares over the baseline's buckets (KLL buckets; categories). */
export function distributionOf(
  feature: FeatureStatistics,
  rows: readonly FeatureRecord[],
): DistributionBucket[] {
  const key = feature.name;
  if (feature.inferred_type === 'String') {
    const buckets = feature.string_statistics.distribution.categorical.buckets;
    const total = feature.string_statistics.common.num_present || 1;
    const counts = new Map<string, number>();
    let present = 0;
    for (const r of rows) {
      const v = categoryOf(r[key]);
      if (v === undefined) continue;
      present++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const known = new Set(buckets.map(b => b.value));
    const other = [...counts.entries()]
      .filter(([v]) => !known.has(v))
      .reduce((sum, [, c]) => sum + c, 0);
    const out = buckets.map(b => ({
      label: b.value,
      baseline: b.count / total,
      recent: present ? (counts.get(b.value) ?? 0) / present : 0,
    }));
    if (other > 0)
      out.push({ label: 'other', baseline: 0, recent: other / present });
    return out;
  }
  const buckets = feature.numerical_statistics.distribution.kll.buckets;
  const total = buckets.reduce((sum, b) => sum + b.count, 0) || 1;
  const recent = new Array<number>(buckets.length).fill(0);
  const uppers = buckets.map(b => b.upper_bound);
  const last = buckets.length - 1;
  let present = 0;
  for (const r of rows) {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    present++;
    // Values outside the training range land in the outer buckets.
    let b = 0;
    while (b < last && v >= uppers[b]) b++;
    recent[b]++;
  }
  return buckets.map((b, i) => ({
    label: `${fmtEdge(b.lower_bound)}–${fmtEdge(b.upper_bound)}`,
    baseline: b.count / total,
    recent: present ? recent[i] / present : 0,
  }));
}

/**
 * The column type drift reads a baseline feature with: the signature's,
 * else the baseline's own (Fractional → numeric, String → categorical).
 */
export function featureTypeOf(
  feature: FeatureStatistics,
  signature: ModelSignature | undefined,
): 'numeric' | 'categorical' | 'boolean' {
  const input = signature?.inputs.find(i => i.name === feature.name);
  if (input) return input.type;
  return feature.inferred_type === 'Fractional' ? 'numeric' : 'categorical';
}

/**
 * Predicted-class shares of the captured rows against the shares the
 * version predicted on its test split at training (`baseline`: count per
 * class label). Labels outside the signature's classes read as `other`.
 */
export function predictionSharesOf(
  classes: readonly string[],
  baseline: ReadonlyMap<string, number> | undefined,
  predictions: ReadonlyArray<number | string | undefined>,
): DistributionBucket[] {
  const counts = new Map<string, number>();
  let present = 0;
  let other = 0;
  const known = new Set(classes);
  for (const p of predictions) {
    if (p === undefined) continue;
    const label = String(p);
    present++;
    if (known.has(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
    else other++;
  }
  const baselineTotal = baseline
    ? [...baseline.values()].reduce((a, b) => a + b, 0)
    : 0;
  const out = classes.map(label => ({
    label,
    baseline: baselineTotal ? (baseline?.get(label) ?? 0) / baselineTotal : 0,
    recent: present ? (counts.get(label) ?? 0) / present : 0,
  }));
  if (other > 0)
    out.push({ label: 'other', baseline: 0, recent: other / present });
  return out;
}

/** ml-core's drift report in the API's shape, with distributions for the UI. */
export function driftSummaryOf(
  report: DriftReport,
  baseline: BaselineStatistics,
  rows: readonly FeatureRecord[],
  baselineVersion: number,
  analyzedAt: string,
  signature?: ModelSignature,
): DriftSummary {
  const byName = new Map(baseline.features.map(f => [f.name, f]));
  return {
    status: report.status,
    sampleCount: report.itemCount,
    baselineVersion,
    analyzedAt,
    features: report.features.map(f => {
      const stats = byName.get(f.name);
      const result: FeatureDriftResult = {
        feature: f.name,
        type: stats ? featureTypeOf(stats, signature) : undefined,
        psi: f.psi,
        ks: f.ks,
        status: f.status,
        sampleCount: f.samples,
        distribution: stats ? distributionOf(stats, rows) : undefined,
      };
      if (f.kind === 'categorical') {
        result.linf = f.linf ?? null;
        result.unseenCategories = (f.unseen ?? [])
          .slice(0, MAX_UNSEEN_CATEGORIES)
          .map(c => c.slice(0, MAX_UNSEEN_CATEGORY_CHARS));
      }
      return result;
    }),
  };
}
