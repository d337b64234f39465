import { percentileMs } from './latencyHistogram';
import {
  countInvocation,
  emptyVariantCounters,
  readVariantCounters,
  toVariantTraffic,
} from './variantCounters';

describe('variant counters', () => {
  it('count invocations and failures, survive a JSON round trip and read malformed cells as zero', () => {
    const c = emptyVariantCounters();
    countInvocation(c, 3, false);
    countInvocation(c, 40, true);
    expect([c.invocations, c.errors]).toEqual([2, 1]);
    expect(readVariantCounters(JSON.parse(JSON.stringify(c)))).toEqual(c);
    const bad = readVariantCounters({ invocations: 'x', latency: [1, null] });
    expect([
      bad.invocations,
      bad.errors,
      bad.latency[0],
      bad.latency[1],
    ]).toEqual([0, 0, 1, 0]);
    expect(readVariantCounters(undefined)).toEqual(emptyVariantCounters());
  });

  it('give the API view with p50/p99 rounded to the asked decimals, none when empty', () => {
    const c = emptyVariantCounters();
    for (const ms of [1, 2, 3, 70]) countInvocation(c, ms, false);
    const v = toVariantTraffic(
      c,
      { modelVersion: 3, role: 'candidate', weight: 20 },
      2,
    );
    expect(v).toMatchObject({
      modelVersion: 3,
      role: 'candidate',
      weight: 20,
      invocations: 4,
      errors: 0,
    });
    expect(v.p50LatencyMs).toBe(
      Number(percentileMs(c.latency, 0.5)!.toFixed(2)),
    );
    expect(v.p99LatencyMs).toBe(
      Number(percentileMs(c.latency, 0.99)!.toFixed(2)),
    );
    expect(
      toVariantTraffic(c, { modelVersion: 3, role: 'candidate', weight: 20 })
        .p99LatencyMs,
    ).toBe(percentileMs(c.latency, 0.99));
    const empty = toVariantTraffic(emptyVariantCounters(), {
      modelVersion: 1,
      role: 'current',
      weight: 100,
    });
    expect(empty).toEqual({
      modelVersion: 1,
      role: 'current',
      weight: 100,
      invocations: 0,
      errors: 0,
    });
  });
});
