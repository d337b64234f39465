import type {
  ModelTask,
  Prediction,
  ShadowComparison,
  VariantTraffic,
} from '@mlops-portal/plugin-mlops-common';
import {
  countInvocation,
  emptyVariantCounters,
  readVariantCounters,
  toVariantTraffic,
  type VariantCounters,
} from '../monitoring/variantCounters';

/**
 * Everything a shadow test accumulates. Bounded whatever the traffic:
 * counters, sums and two 64-bucket histograms, so it can be kept in memory
 * and stored as one JSON cell.
 */
export interface ShadowStats {
  /** Copied requests the serving version answered (the candidate answered or failed). */
  requests: number;
  /** Rows both versions predicted. */
  rows: number;
  /** Classification: rows where both gave the same class. */
  agreeRows: number;
  /** Regression: sum and max of |candidate − serving|. */
  absDiffSum: number;
  absDiffMax: number;
  serving: VariantCounters;
  candidate: VariantCounters;
  /** Sampler position, so a resumed test keeps the same share. */
  sampleCredit: number;
  /** Sampled copies dropped because the candidate fell behind (not compared). */
  dropped: number;
}

export function emptyStats(): ShadowStats {
  return {
    requests: 0,
    rows: 0,
    agreeRows: 0,
    absDiffSum: 0,
    absDiffMax: 0,
    serving: emptyVariantCounters(),
    candidate: emptyVariantCounters(),
    sampleCredit: 0,
    dropped: 0,
  };
}

const num = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) ? v : 0;

/** Stats from a stored cell; anything missing or malformed reads as zero. */
export function readStats(text: unknown): ShadowStats {
  let raw: Partial<ShadowStats> = {};
  if (typeof text === 'string' && text !== '') {
    try {
      raw = JSON.parse(text) ?? {};
    } catch {
      raw = {};
    }
  }
  return {
    requests: num(raw.requests),
    rows: num(raw.rows),
    agreeRows: num(raw.agreeRows),
    absDiffSum: num(raw.absDiffSum),
    absDiffMax: num(raw.absDiffMax),
    serving: readVariantCounters(raw.serving),
    candidate: readVariantCounters(raw.candidate),
    sampleCredit: num(raw.sampleCredit),
    dropped: num(raw.dropped),
  };
}

/**
 * Deterministic sampling: every request adds `percent` credit and one is
 * copied each time the credit reaches 100, so exactly ⌊n·p/100⌋ (±1) of n
 * requests are copied, spread evenly, with no randomness to explain.
 */
export function takeSample(stats: ShadowStats, percent: number): boolean {
  stats.sampleCredit += percent;
  if (stats.sampleCredit < 100) return false;
  stats.sampleCredit -= 100;
  return true;
}

/** A sampled request the serving version failed (5xx): nothing to copy. */
export function recordServingError(stats: ShadowStats, latencyMs: number) {
  countInvocation(stats.serving, latencyMs, true);
}

/**
 * One copied request: the serving answer, and the candidate's answer or
 * its failure (`candidate` undefined).
 */
export function recordComparison(
  stats: ShadowStats,
  task: ModelTask,
  served: { predictions: readonly Prediction[]; latencyMs: number },
  candidate: { predictions?: readonly Prediction[]; latencyMs: number },
) {
  stats.requests += 1;
  countInvocation(stats.serving, served.latencyMs, false);
  const preds = candidate.predictions;
  const failed = !preds || preds.length !== served.predictions.length;
  countInvocation(stats.candidate, candidate.latencyMs, failed);
  if (failed) return;
  for (let i = 0; i < preds.length; i++) {
    const a = served.predictions[i].value;
    const b = preds[i].value;
    if (task === 'regression') {
      const d = Math.abs(Number(b) - Number(a));
      if (!Number.isFinite(d)) continue;
      stats.rows += 1;
      stats.absDiffSum += d;
      if (d > stats.absDiffMax) stats.absDiffMax = d;
    } else {
      stats.rows += 1;
      if (a === b) stats.agreeRows += 1;
    }
  }
}

/** The candidate answers nobody: its weight is 0. */
function variant(
  s: VariantCounters,
  modelVersion: number,
  role: VariantTraffic['role'],
): VariantTraffic {
  return toVariantTraffic(s, {
    modelVersion,
    role,
    weight: role === 'current' ? 100 : 0,
  });
}

/** The public comparison of serving vs candidate. */
export function toComparison(
  stats: ShadowStats,
  task: ModelTask,
  servingVersion: number,
  candidateVersion: number,
): ShadowComparison {
  const out: ShadowComparison = {
    requests: stats.requests,
    variants: [
      variant(stats.serving, servingVersion, 'current'),
      variant(stats.candidate, candidateVersion, 'candidate'),
    ],
  };
  if (stats.rows > 0) {
    if (task === 'regression') {
      out.meanAbsDifference = stats.absDiffSum / stats.rows;
      out.maxAbsDifference = stats.absDiffMax;
    } else {
      out.agreement = stats.agreeRows / stats.rows;
    }
  }
  return out;
}
