/**
 * A fixed log-scale latency histogram: bucket i holds latencies up to
 * 0.05 ms × 1.25^i. Every minute uses the same buckets, so minutes merge by
 * adding counts and p50/p99 of any window stay within one bucket (±12 %).
 */
export const LATENCY_BUCKETS = 64;
const BASE_MS = 0.05;
const GROWTH = 1.25;
const LOG_GROWTH = Math.log(GROWTH);

/** Upper bound (ms) of bucket i; the last bucket is open-ended. */
export function bucketUpperMs(i: number): number {
  return BASE_MS * GROWTH ** i;
}

export function latencyBucket(ms: number): number {
  if (!(ms > BASE_MS)) return 0;
  const i = Math.ceil(Math.log(ms / BASE_MS) / LOG_GROWTH - 1e-9);
  return Math.min(LATENCY_BUCKETS - 1, i);
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS).fill(0);
}

/** Adds `from` into `into` (lengths may differ if an older row had fewer buckets). */
export function mergeHistogram(into: number[], from: readonly number[]) {
  const n = Math.min(into.length, from.length);
  for (let i = 0; i < n; i++) into[i] += from[i];
}

/**
 * The q-quantile (0..1) as the geometric middle of the bucket holding it;
 * undefined for an empty histogram.
 */
export function percentileMs(
  hist: readonly number[],
  q: number,
): number | undefined {
  let total = 0;
  for (const c of hist) total += c;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= rank) {
      const upper = bucketUpperMs(i);
      const lower = i === 0 ? upper / GROWTH : bucketUpperMs(i - 1);
      return Math.round(Math.sqrt(lower * upper) * 1000) / 1000;
    }
  }
  return undefined;
}
