import type {
  RolloutAlarm,
  RolloutAlarmThresholds,
  VariantTraffic,
} from '@mlops-portal/plugin-mlops-common';
import { percentileMs } from '../monitoring/latencyHistogram';
import {
  countInvocation,
  emptyVariantCounters,
  readVariantCounters,
  toVariantTraffic,
  type VariantCounters,
} from '../monitoring/variantCounters';
import { predictionPsi } from './predictionBaseline';
import type { PredictionBaseline } from './predictionBaseline';
import type { VariantRole } from './trafficSplit';

/**
 * What the alarms judge: the candidate's traffic since its current step
 * started, and both sides' since the rollout started (for the UI).
 */
export interface RolloutCounters {
  step: VariantCounters & { predictions: number[] };
  variants: Record<VariantRole, VariantCounters>;
}

/** Default of `autoRollback.minInvocations`. */
export const DEFAULT_MIN_INVOCATIONS = 10;

export function emptyCounters(): RolloutCounters {
  return {
    step: { ...emptyVariantCounters(), predictions: [] },
    variants: {
      current: emptyVariantCounters(),
      candidate: emptyVariantCounters(),
    },
  };
}

/** A fresh step window, the rollout's totals kept. */
export function nextStepCounters(c: RolloutCounters): RolloutCounters {
  return { ...c, step: { ...emptyVariantCounters(), predictions: [] } };
}

/** Stored counters (JSON), tolerant of a missing or older shape. */
export function countersFrom(json: unknown): RolloutCounters {
  const c = emptyCounters();
  const raw = json as Partial<RolloutCounters> | undefined;
  Object.assign(c.step, readVariantCounters(raw?.step));
  if (Array.isArray(raw?.step?.predictions))
    c.step.predictions = raw.step.predictions.map(n => Number(n) || 0);
  c.variants.current = readVariantCounters(raw?.variants?.current);
  c.variants.candidate = readVariantCounters(raw?.variants?.candidate);
  return c;
}

/** One served request of either side. */
export interface ServedOutcome {
  /** 200, or 500 when the model failed. */
  status: number;
  latencyMs: number;
  /** Prediction buckets of the answer's rows (candidate only, for drift). */
  buckets?: number[];
}

export function countServed(
  c: RolloutCounters,
  role: VariantRole,
  outcome: ServedOutcome,
) {
  const add = (v: VariantCounters) =>
    countInvocation(v, outcome.latencyMs, outcome.status >= 500);
  add(c.variants[role]);
  if (role !== 'candidate') return;
  add(c.step);
  for (const b of outcome.buckets ?? []) {
    while (c.step.predictions.length <= b) c.step.predictions.push(0);
    c.step.predictions[b]++;
  }
}

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

/**
 * The alarms over the candidate's current step. Each is INSUFFICIENT_DATA
 * until `minInvocations` requests reached the candidate in this step; a
 * breach names the first alarm in ALARM, e.g.
 * `errorRate 0.35 > 0.05 over 24 invocations`.
 */
export function evaluateAlarms(
  thresholds: RolloutAlarmThresholds | undefined,
  c: RolloutCounters,
  baseline: PredictionBaseline | undefined,
): { alarms: RolloutAlarm[]; breach?: string } {
  const t = thresholds ?? {};
  const min = t.minInvocations ?? DEFAULT_MIN_INVOCATIONS;
  const n = c.step.invocations;
  const enough = n >= min;
  const alarms: RolloutAlarm[] = [];
  let breach: string | undefined;
  const judge = (
    name: RolloutAlarm['name'],
    threshold: number | undefined,
    value: number | undefined,
  ) => {
    if (threshold === undefined) return;
    if (!enough || value === undefined) {
      alarms.push({ name, threshold, value, state: 'INSUFFICIENT_DATA' });
      return;
    }
    const state = value > threshold ? 'ALARM' : 'OK';
    alarms.push({ name, threshold, value, state });
    if (state === 'ALARM' && !breach) {
      breach = `${name} ${value} > ${threshold} over ${n} invocations`;
    }
  };
  judge('errorRate', t.errorRate, n ? round(c.step.errors / n) : undefined);
  const p99 = percentileMs(c.step.latency, 0.99);
  judge(
    'p99LatencyMs',
    t.p99LatencyMs,
    p99 === undefined ? undefined : round(p99, 2),
  );
  const psi = baseline
    ? predictionPsi(baseline, c.step.predictions)
    : undefined;
  judge(
    'predictionDrift',
    t.predictionDrift,
    psi === undefined ? undefined : round(psi),
  );
  return { alarms, breach };
}

/** Both sides' numbers for the API. */
export function variantTraffic(
  c: RolloutCounters,
  versions: { current?: number; candidate: number },
  candidatePercent: number,
): VariantTraffic[] {
  const of = (
    role: VariantRole,
    modelVersion: number,
    weight: number,
  ): VariantTraffic =>
    toVariantTraffic(c.variants[role], { modelVersion, role, weight }, 2);
  return [
    ...(versions.current !== undefined
      ? [of('current', versions.current, 100 - candidatePercent)]
      : []),
    of('candidate', versions.candidate, candidatePercent),
  ];
}
