import { predictionBaselineOf, bucketOf } from './predictionBaseline';
import {
  countServed,
  emptyCounters,
  evaluateAlarms,
  nextStepCounters,
} from './rolloutAlarms';
import { TrafficSplit } from './trafficSplit';

describe('TrafficSplit', () => {
  it.each([1, 10, 25, 33, 50, 90, 100])(
    'keeps the candidate within one request of %p % at every count',
    percent => {
      const split = new TrafficSplit(percent);
      let toCandidate = 0;
      for (let n = 1; n <= 1000; n++) {
        if (split.next() === 'candidate') toCandidate++;
        expect(Math.abs(toCandidate - (n * percent) / 100)).toBeLessThan(1);
      }
    },
  );

  it('sends nothing to a 0 % candidate and refuses a share outside 0–100', () => {
    const split = new TrafficSplit(0);
    for (let i = 0; i < 50; i++) expect(split.next()).toBe('current');
    expect(() => split.setPercent(101)).toThrow(/0–100/);
  });
});

describe('rollout alarms', () => {
  const baseline = predictionBaselineOf({
    format: 'mlops-portal/evaluation-plots',
    version: 2,
    task: 'multiclass',
    classes: ['a', 'b'],
    total: 100,
    confusionMatrix: {
      labels: ['a', 'b'],
      counts: [
        [45, 5],
        [5, 45],
      ],
    },
    perClass: [],
    featureImportance: { importanceType: 'gain', features: [] },
  })!;

  it('judges nothing before minInvocations, then names the breach', () => {
    const c = emptyCounters();
    const t = { errorRate: 0.05, minInvocations: 4 };
    for (let i = 0; i < 3; i++)
      countServed(c, 'candidate', { status: 500, latencyMs: 1 });
    expect(evaluateAlarms(t, c, undefined)).toEqual({
      alarms: [
        {
          name: 'errorRate',
          threshold: 0.05,
          value: 1,
          state: 'INSUFFICIENT_DATA',
        },
      ],
      breach: undefined,
    });
    countServed(c, 'candidate', { status: 200, latencyMs: 1 });
    // The serving version's failures are not the candidate's.
    countServed(c, 'current', { status: 500, latencyMs: 1 });
    expect(evaluateAlarms(t, c, undefined).breach).toBe(
      'errorRate 0.75 > 0.05 over 4 invocations',
    );
    expect(c.variants.current).toMatchObject({ invocations: 1, errors: 1 });
    // A new step judges only its own traffic; totals stay.
    const next = nextStepCounters(c);
    expect(evaluateAlarms(t, next, undefined).alarms[0].state).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(next.variants.candidate.invocations).toBe(4);
  });

  it('measures p99 latency and the PSI of the predicted classes against the test split', () => {
    const t = { p99LatencyMs: 50, predictionDrift: 0.2, minInvocations: 10 };
    const like = emptyCounters();
    for (let i = 0; i < 20; i++)
      countServed(like, 'candidate', {
        status: 200,
        latencyMs: 2,
        buckets: [bucketOf(baseline, { value: i % 2 ? 'a' : 'b' })],
      });
    const ok = evaluateAlarms(t, like, baseline);
    expect(ok.breach).toBeUndefined();
    expect(ok.alarms.map(a => a.state)).toEqual(['OK', 'OK']);

    const off = emptyCounters();
    for (let i = 0; i < 20; i++)
      countServed(off, 'candidate', {
        status: 200,
        latencyMs: 200,
        buckets: [bucketOf(baseline, { value: 'a' })],
      });
    const bad = evaluateAlarms(t, off, baseline);
    expect(bad.alarms.map(a => [a.name, a.state])).toEqual([
      ['p99LatencyMs', 'ALARM'],
      ['predictionDrift', 'ALARM'],
    ]);
    expect(bad.breach).toMatch(
      /^p99LatencyMs [\d.]+ > 50 over 20 invocations$/,
    );
    expect(bad.alarms[1].value).toBeGreaterThan(2);
  });

  it('bins a regression baseline by deciles of its predicted values', () => {
    const b = predictionBaselineOf({
      format: 'mlops-portal/evaluation-plots',
      version: 1,
      predictedVsActual: {
        total: 100,
        points: Array.from({ length: 100 }, (_, i) => ({
          actual: i,
          predicted: i,
        })),
      },
      residualHistogram: { bins: [] },
      featureImportance: { importanceType: 'gain', features: [] },
    })!;
    expect(b.kind).toBe('bins');
    expect(b.shares).toHaveLength(10);
    expect(bucketOf(b, { value: 5 })).toBe(0);
    expect(bucketOf(b, { value: 1e6 })).toBe(9);
  });
});
