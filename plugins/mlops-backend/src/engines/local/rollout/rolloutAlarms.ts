import type {
  RolloutAlarm,
  RolloutAlarmThresholds,
  VariantTraffic,
} from '@mlops-portal/plugin-mlops-common';
import {
  emptyHistogram,
  latencyBucket,
  mergeHistogram,
  percentileMs,
} from '../monitoring/latencyHistogram';
import { predictionPsi } from './predictionBaseline';
import type { PredictionBaseline } from './predictionBaseline';
import type { VariantRole } from './trafficSplit';

/** One side's traffic: counts and a latency histogram (JSON, persisted with the rollout). */
export interface VariantCounters {
  invocations: number;
  /** Failed invocations (5xx; bad input is the caller's, not the model's). */
  errors: number;
  latency: number[];
}

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

const emptyVariant = (): VariantCounters => ({
  invocations: 0,
  errors: 0,
  latency: emptyHistogram(),
});

export function emptyCounters(): RolloutCounters {
  return {
    step: { ...emptyVariant(), predictions: [] },
    variants: { current: emptyVariant(), candidate: emptyVariant() },
  };
}

/** A fresh step window, the rollout's totals kept. */
export function nextStepCounters(c: RolloutCounters): RolloutCounters {
  return { ...c, step: { ...emptyVariant(), predictions: [] } };
}

/** Stored counters (JSON), tolerant of a missing or older shape. */
export function countersFrom(json: unknown): RolloutCounters {
  const c = emptyCounters();
  const raw = json as Partial<RolloutCounters> | undefined;
  const copy = (into: VariantCounters, from?: Partial<VariantCounters>) => {
    into.invocations = Number(from?.invocations) || 0;
    into.errors = Number(from?.errors) || 0;
    if (Array.isArray(from?.latency))
      mergeHistogram(into.latency, from.latency);
  };
  copy(c.step, raw?.step);
  if (Array.isArray(raw?.step?.predictions))
    c.step.predictions = raw.step.predictions.map(n => Number(n) || 0);
  copy(c.variants.current, raw?.variants?.current);
  copy(c.variants.candidate, raw?.variants?.candidate);
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
  const add = (v: VariantCounters) => {
    v.invocations++;
    if (outcome.status >= 500) v.errors++;
    v.latency[latencyBucket(outcome.latencyMs)]++;
  };
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
  ): VariantTraffic => {
    const v = c.variants[role];
    const p50 = percentileMs(v.latency, 0.5);
    const p99 = percentileMs(v.latency, 0.99);
    return {
      modelVersion,
      role,
      weight,
      invocations: v.invocations,
      errors: v.errors,
      ...(p50 !== undefined ? { p50LatencyMs: round(p50, 2) } : {}),
      ...(p99 !== undefined ? { p99LatencyMs: round(p99, 2) } : {}),
    };
  };
  return [
    ...(versions.current !== undefined
      ? [of('current', versions.current, 100 - candidatePercent)]
      : []),
    of('candidate', versions.candidate, candidatePercent),
  ];
}
