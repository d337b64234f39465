import {
  LATENCY_BUCKETS,
  bucketUpperMs,
  emptyHistogram,
  latencyBucket,
  mergeHistogram,
  percentileMs,
} from './latencyHistogram';

describe('latency histogram', () => {
  it('puts a latency in the bucket whose upper bound covers it', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.05)).toBe(0);
    for (const ms of [0.3, 1, 7.5, 120, 2500]) {
      const b = latencyBucket(ms);
      expect(b).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(bucketUpperMs(b) * (1 + 1e-9));
      expect(ms).toBeGreaterThan(bucketUpperMs(b - 1));
    }
    expect(latencyBucket(1e9)).toBe(LATENCY_BUCKETS - 1);
  });

  it('gives percentiles within one bucket (±12 %) and merges minutes by adding', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    // 98 fast requests at 2 ms in one minute, 2 slow ones at 80 ms in the next.
    for (let i = 0; i < 98; i++) a[latencyBucket(2)]++;
    for (let i = 0; i < 2; i++) b[latencyBucket(80)]++;
    mergeHistogram(a, b);
    expect(percentileMs(a, 0.5)! / 2).toBeGreaterThan(0.88);
    expect(percentileMs(a, 0.5)! / 2).toBeLessThan(1.12);
    expect(percentileMs(a, 0.99)! / 80).toBeGreaterThan(0.88);
    expect(percentileMs(a, 0.99)! / 80).toBeLessThan(1.12);
    expect(percentileMs(emptyHistogram(), 0.5)).toBeUndefined();
  });
});
