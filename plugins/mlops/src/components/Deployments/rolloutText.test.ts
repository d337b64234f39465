import {
  alarmReading,
  countdown,
  describeStrategy,
  formatShare,
  rolloutHeadline,
} from './rolloutText';
import {
  canaryInProgress,
  canaryStrategy,
  rolledBack,
} from '../../__fixtures__';

describe('rollout words', () => {
  it('describes strategies as people read them', () => {
    expect(describeStrategy(canaryStrategy)).toBe(
      'Canary 20 % for 60 s, then all; rolls back on errors > 5 %, p99 > 500 ms',
    );
    expect(
      describeStrategy({
        trafficRouting: {
          type: 'LINEAR',
          waitIntervalInSeconds: 30,
          linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
        },
      }),
    ).toBe('Linear: 25 % more every 30 s; no automatic rollback');
    expect(
      describeStrategy({
        trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      }),
    ).toBe('All at once');
  });

  it('reads alarms as measured / threshold with units', () => {
    expect(
      alarmReading({
        name: 'errorRate',
        value: 0.02,
        threshold: 0.05,
        state: 'OK',
      }),
    ).toBe('2 % / 5 %');
    expect(
      alarmReading({
        name: 'p99LatencyMs',
        value: 619.6,
        threshold: 500,
        state: 'ALARM',
      }),
    ).toBe('620 ms / 500 ms');
    expect(
      alarmReading({
        name: 'predictionDrift',
        threshold: 0.2,
        state: 'INSUFFICIENT_DATA',
      }),
    ).toBe('— / 0.2');
    expect(formatShare(0.005)).toBe('0.5 %');
  });

  it('counts down to the next step', () => {
    const now = Date.parse('2026-11-27T10:00:00.000Z');
    expect(countdown('2026-11-27T10:00:45.000Z', now)).toBe('45 s');
    expect(countdown('2026-11-27T10:01:05.000Z', now)).toBe('1 min 05 s');
    expect(countdown('2026-11-27T09:59:00.000Z', now)).toBe('due');
    expect(countdown(undefined, now)).toBe('—');
  });

  it('heads the strip with the rollout in progress or its rollback', () => {
    expect(rolloutHeadline(canaryInProgress())).toBe('Canary: v3 at 20 %');
    expect(rolloutHeadline(rolledBack)).toBe(
      'Rolled back v3: errorRate 0.35 > 0.05 over 24 invocations',
    );
  });
});
