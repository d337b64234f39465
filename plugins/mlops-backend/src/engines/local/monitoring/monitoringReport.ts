import type {
  BaselineStatistics,
  DriftReport,
  FeatureStatistics,
} from '@mlops-portal/ml-core';
import type {
  AbaloneFeatures,
  DistributionBucket,
  DriftSummary,
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

/** Baseline vs recent shares over the baseline's buckets (KLL buckets; Sex categories). */
export function distributionOf(
  feature: FeatureStatistics,
  rows: readonly AbaloneFeatures[],
): DistributionBucket[] {
  const key = feature.name as keyof AbaloneFeatures;
  if (feature.inferred_type === 'String') {
    const buckets = feature.string_statistics.distribution.categorical.buckets;
    const total = feature.string_statistics.common.num_present || 1;
    const counts = new Map<string, number>();
    let present = 0;
    for (const r of rows) {
      const v: unknown = r[key];
      if (typeof v !== 'string' || v === '') continue;
      present++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const known = new Set(buckets.map(b => b.value));
    const other = [...counts.entries()]
      .filter(([v]) => !known.has(v))
      .reduce((s, [, c]) => s + c, 0);
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
  const total = buckets.reduce((s, b) => s + b.count, 0) || 1;
  const recent = new Array<number>(buckets.length).fill(0);
  const uppers = buckets.map(b => b.upper_bound);
  const last = buckets.length - 1;
  let present = 0;
  for (const r of rows) {
    const v = r[key] as number;
    if (!Number.isFinite(v)) continue;
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

/** ml-core's drift report in the API's shape, with distributions for the UI. */
export function driftSummaryOf(
  report: DriftReport,
  baseline: BaselineStatistics,
  rows: readonly AbaloneFeatures[],
  baselineVersion: number,
  analyzedAt: string,
): DriftSummary {
  const byName = new Map(baseline.features.map(f => [f.name, f]));
  return {
    status: report.status,
    sampleCount: report.itemCount,
    baselineVersion,
    analyzedAt,
    features: report.features.map(f => {
      const stats = byName.get(f.name);
      return {
        feature: f.name,
        psi: f.psi,
        ks: f.ks,
        status: f.status,
        sampleCount: f.samples,
        distribution: stats ? distributionOf(stats, rows) : undefined,
      };
    }),
  };
}
