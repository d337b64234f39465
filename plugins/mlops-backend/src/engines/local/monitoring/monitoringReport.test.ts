import { baselineStatistics } from '@mlops-portal/ml-core';
import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import { emptyHistogram, latencyBucket } from './latencyHistogram';
import {
  distributionOf,
  predictionSharesOf,
  trafficOf,
} from './monitoringReport';
import type { MinuteRollup } from './monitoringStore';

const rollup = (minute: number, p: Partial<MinuteRollup>): MinuteRollup => {
  const hist = emptyHistogram();
  hist[latencyBucket(3)] = p.invocations ?? 0;
  return {
    endpointName: 'ep',
    minute,
    modelVersion: 1,
    invocations: 0,
    errors4xx: 0,
    errors5xx: 0,
    latencyHistogram: hist,
    ...p,
  };
};

describe('trafficOf', () => {
  const now = Date.parse('2026-12-01T12:34:56Z');
  const minute = Math.floor(now / 60_000);

  it('fills every 1-minute bucket of the last hour and totals them', () => {
    const { traffic, totals } = trafficOf(
      [
        rollup(minute, { invocations: 10, errors4xx: 1 }),
        rollup(minute - 5, { invocations: 5, errors5xx: 2 }),
        rollup(minute - 90, { invocations: 99 }),
      ],
      '1h',
      now,
    );
    expect(traffic).toHaveLength(60);
    expect(traffic[59]).toMatchObject({
      time: '2026-12-01T12:34:00.000Z',
      invocations: 10,
      errors4xx: 1,
    });
    expect(traffic[54].invocations).toBe(5);
    expect(traffic[0].p50Ms).toBeUndefined();
    expect(totals).toMatchObject({
      invocations: 15,
      errors4xx: 1,
      errors5xx: 2,
    });
    expect(totals.p50Ms! / 3).toBeCloseTo(1, 0);
  });

  it('groups 24h into 15-minute buckets and 7d into hours', () => {
    const day = trafficOf(
      [rollup(minute - 20, { invocations: 4 })],
      '24h',
      now,
    );
    expect(day.traffic).toHaveLength(96);
    expect(day.traffic[93]).toMatchObject({
      time: '2026-12-01T12:00:00.000Z',
      invocations: 4,
    });
    expect(trafficOf([], '7d', now).traffic).toHaveLength(168);
  });
});

describe('distributionOf', () => {
  const rows = (n: number, sex: 'M' | 'F', length: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        ({
          sex,
          length: length + (i % 10) / 100,
          diameter: 0.3,
          height: 0.1,
          wholeWeight: 0.5,
          shuckedWeight: 0.2,
          visceraWeight: 0.1,
          shellWeight: 0.15,
        } as FeatureRecord),
    );
  const baseline = baselineStatistics([
    ...rows(50, 'M', 0.3),
    ...rows(50, 'F', 0.5),
  ] as any);

  it('compares shares on the baseline buckets; out-of-range values land in the outer ones', () => {
    const length = baseline.features.find(f => f.name === 'length')!;
    const d = distributionOf(length, rows(20, 'M', 2));
    expect(d).toHaveLength(10);
    expect(d[9].recent).toBe(1);
    expect(d.reduce((s, b) => s + b.baseline, 0)).toBeCloseTo(1, 9);
    expect(d[0].label).toBe('0.3–0.329');
  });

  it('adds an "other" bucket for categories the baseline never saw', () => {
    const sex = baseline.features.find(f => f.name === 'sex')!;
    const d = distributionOf(sex, [
      ...rows(3, 'M', 0.3),
      { ...rows(1, 'M', 0.3)[0], sex: 'X' as any },
    ]);
    expect(d).toHaveLength(
      sex.inferred_type === 'String'
        ? sex.string_statistics.distribution.categorical.buckets.length + 1
        : -1,
    );
    expect(d[d.length - 1]).toEqual({
      label: 'other',
      baseline: 0,
      recent: 0.25,
    });
    expect(d.find(b => b.label === 'M')).toEqual({
      label: 'M',
      baseline: 0.5,
      recent: 0.75,
    });
  });
});

describe('predictionSharesOf', () => {
  it('gives each class its share now and at training; unknown labels as "other"', () => {
    const shares = predictionSharesOf(
      ['a', 'b', 'c'],
      new Map([
        ['a', 6],
        ['b', 3],
        ['c', 1],
      ]),
      ['a', 'a', 'c', 'zz', undefined],
    );
    expect(shares).toEqual([
      { label: 'a', baseline: 0.6, recent: 0.5 },
      { label: 'b', baseline: 0.3, recent: 0 },
      { label: 'c', baseline: 0.1, recent: 0.25 },
      { label: 'other', baseline: 0, recent: 0.25 },
    ]);
    // No plots at training (an older version): baseline shares are 0.
    expect(predictionSharesOf(['a'], undefined, [])).toEqual([
      { label: 'a', baseline: 0, recent: 0 },
    ]);
  });
});
