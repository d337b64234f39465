import type { VariantTraffic } from '@mlops-portal/plugin-mlops-common';
import {
  emptyHistogram,
  latencyBucket,
  mergeHistogram,
  percentileMs,
} from './latencyHistogram';

/**
 * One model version's traffic as a rollout or a shadow test counts it:
 * invocations, failures and a fixed-size latency histogram (bounded, stored
 * as JSON with the rollout or the test).
 */
export interface VariantCounters {
  invocations: number;
  /** Failed invocations (5xx; bad input is the caller's, not the model's). */
  errors: number;
  latency: number[];
}

export function emptyVariantCounters(): VariantCounters {
  return { invocations: 0, errors: 0, latency: emptyHistogram() };
}

/** Counters from stored JSON; anything missing or malformed reads as zero. */
export function readVariantCounters(json: unknown): VariantCounters {
  const from = (json ?? {}) as Partial<VariantCounters>;
  const num = (v: unknown) => {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  };
  const c = emptyVariantCounters();
  c.invocations = num(from.invocations);
  c.errors = num(from.errors);
  if (Array.isArray(from.latency))
    mergeHistogram(c.latency, from.latency.map(num));
  return c;
}

/** Counts one invocation of `latencyMs`, failed or not. */
export function countInvocation(
  c: VariantCounters,
  latencyMs: number,
  failed: boolean,
): void {
  c.invocations += 1;
  if (failed) c.errors += 1;
  c.latency[latencyBucket(latencyMs)] += 1;
}

/** The API's view of the counters (p50/p99 rounded to `digits` decimals). */
export function toVariantTraffic(
  c: VariantCounters,
  variant: Pick<VariantTraffic, 'modelVersion' | 'role' | 'weight'>,
  digits = 3,
): VariantTraffic {
  const at = (q: number) => {
    const ms = percentileMs(c.latency, q);
    return ms === undefined ? undefined : Number(ms.toFixed(digits));
  };
  const p50 = at(0.5);
  const p99 = at(0.99);
  return {
    ...variant,
    invocations: c.invocations,
    errors: c.errors,
    ...(p50 !== undefined ? { p50LatencyMs: p50 } : {}),
    ...(p99 !== undefined ? { p99LatencyMs: p99 } : {}),
  };
}
