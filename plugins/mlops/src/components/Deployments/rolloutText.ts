import type {
  DeploymentStrategy,
  Rollout,
  RolloutAlarm,
  RolloutAlarmThresholds,
} from '@mlops-portal/plugin-mlops-common';

/** Statuses in which a rollout still moves (or waits for an owner). */
export function isRolloutActive(rollout?: Rollout): boolean {
  return (
    rollout?.status === 'InProgress' ||
    rollout?.status === 'Paused' ||
    rollout?.status === 'RollingBack'
  );
}

/** `5 %`, `0.5 %`: shares are stored 0–1. */
export function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

const seconds = (s: number) => `${s} s`;

/** The alarms an automatic rollback watches, in words; undefined when none. */
export function describeAlarms(
  alarms?: RolloutAlarmThresholds,
): string | undefined {
  const parts: string[] = [];
  if (alarms?.errorRate !== undefined)
    parts.push(`errors > ${formatShare(alarms.errorRate)}`);
  if (alarms?.p99LatencyMs !== undefined)
    parts.push(`p99 > ${alarms.p99LatencyMs} ms`);
  if (alarms?.predictionDrift !== undefined)
    parts.push(`prediction drift (PSI) > ${alarms.predictionDrift}`);
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * A strategy as people read it: "Canary 20 % for 60 s, then all; rolls back
 * on errors > 5 %, p99 > 500 ms".
 */
export function describeStrategy(strategy: DeploymentStrategy): string {
  const t = strategy.trafficRouting;
  let routing = 'All at once';
  if (t.type === 'CANARY' && t.canarySize)
    routing = `Canary ${t.canarySize.value} % for ${seconds(
      t.waitIntervalInSeconds,
    )}, then all`;
  else if (t.type === 'LINEAR' && t.linearStepSize)
    routing = `Linear: ${t.linearStepSize.value} % more every ${seconds(
      t.waitIntervalInSeconds,
    )}`;
  const alarms = describeAlarms(strategy.autoRollback);
  if (alarms) return `${routing}; rolls back on ${alarms}`;
  return t.type === 'ALL_AT_ONCE'
    ? routing
    : `${routing}; no automatic rollback`;
}

/** `Canary`, `Linear`, `All at once`. */
export function routingName(strategy: DeploymentStrategy): string {
  switch (strategy.trafficRouting.type) {
    case 'CANARY':
      return 'Canary';
    case 'LINEAR':
      return 'Linear';
    default:
      return 'All at once';
  }
}

/** The strip's words for a rollout: "Canary: v3 at 20 %", "Rolled back v3: …". */
export function rolloutHeadline(rollout: Rollout): string {
  const v = `v${rollout.toVersion}`;
  switch (rollout.status) {
    case 'InProgress':
      return `${routingName(rollout.strategy)}: ${v} at ${
        rollout.trafficPercent
      } %`;
    case 'Paused':
      return `Paused: ${v} at ${rollout.trafficPercent} %`;
    case 'RollingBack':
      return `Rolling back ${v}`;
    case 'RolledBack':
      return `Rolled back ${v}${rollout.reason ? `: ${rollout.reason}` : ''}`;
    case 'Failed':
      return `Rollout of ${v} failed${
        rollout.reason ? `: ${rollout.reason}` : ''
      }`;
    default:
      return `${v} rolled out`;
  }
}

const ALARM_NAMES: Record<RolloutAlarm['name'], string> = {
  errorRate: 'Error rate',
  p99LatencyMs: 'p99 latency',
  predictionDrift: 'Prediction drift (PSI)',
  manual: 'Manual',
};

export const alarmName = (name: RolloutAlarm['name']) =>
  ALARM_NAMES[name] ?? name;

function alarmValue(name: RolloutAlarm['name'], value?: number): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (name === 'errorRate') return formatShare(value);
  // Local models answer in well under a millisecond: keep two decimals there.
  if (name === 'p99LatencyMs')
    return `${value < 10 ? Number(value.toFixed(2)) : Math.round(value)} ms`;
  return String(Number(value.toFixed(3)));
}

/** Measured / threshold: `2 % / 5 %`, `310 ms / 500 ms`. */
export function alarmReading(alarm: RolloutAlarm): string {
  const value = alarmValue(alarm.name, alarm.value);
  if (alarm.threshold === undefined) return value;
  return `${value} / ${alarmValue(alarm.name, alarm.threshold)}`;
}

const ALARM_STATES: Record<RolloutAlarm['state'], string> = {
  OK: 'OK',
  ALARM: 'In alarm',
  INSUFFICIENT_DATA: 'Not enough data yet',
};

export const alarmStateLabel = (state: RolloutAlarm['state']) =>
  ALARM_STATES[state] ?? state;

/** Time left until `at`: `1 min 05 s`, `12 s`, `due` once passed. */
export function countdown(at: string | undefined, now: number): string {
  if (!at) return '—';
  const ms = Date.parse(at) - now;
  if (!Number.isFinite(ms)) return '—';
  if (ms <= 0) return 'due';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}
