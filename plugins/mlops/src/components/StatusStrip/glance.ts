/*
 * What the entity page answers at a glance, computed from the loaded
 * resources: which version serves, what waits for a decision, what a decision
 * would replace or restore, and how two versions differ. Pure functions, so
 * the strip, the review panel and the compare view agree on every answer.
 * Nothing here knows a data set or a metric name: metrics are the task's
 * flat `ModelMetrics`, judged by `higherIsBetter`.
 */
import {
  higherIsBetter,
  passesGate,
  type DeploymentsResponse,
  type ModelVersion,
  type QualityGate,
  type TrafficTotals,
} from '@mlops-portal/plugin-mlops-common';

/**
 * The version the endpoint serves now. The endpoint is the truth (it is what
 * answers predictions); the registry's `deployed` marker is the fallback
 * when the endpoint does not say.
 */
export function servingVersionNumber(
  deployments: DeploymentsResponse | undefined,
  versions: ModelVersion[] | undefined,
): number | undefined {
  const fromEndpoint = deployments?.endpoint?.modelVersion;
  if (fromEndpoint !== undefined) return fromEndpoint;
  const current = deployments?.deployments.find(d => d.current);
  if (current) return current.modelVersion;
  return versions?.find(v => v.deployed)?.version;
}

/** Versions waiting for a person's decision, newest first. */
export function pendingVersions(versions: ModelVersion[] | undefined) {
  return (versions ?? [])
    .filter(v => v.approvalStatus === 'PendingManualApproval')
    .sort((a, b) => b.version - a.version);
}

/** What approving or rejecting a version does to the endpoint. */
export type DecisionEffect =
  | { kind: 'replaces'; version: number }
  | { kind: 'first' }
  | { kind: 'already-serving' }
  | { kind: 'restores'; version: number }
  | { kind: 'clears' }
  | { kind: 'none' };

/**
 * The endpoint's next state after a decision, as the engines implement it:
 * approve deploys the version (replacing what serves); rejecting the serving
 * version rolls back to the newest other approved version, or leaves the
 * endpoint without a model; rejecting anything else changes nothing served.
 */
export function decisionEffect(
  decision: 'Approved' | 'Rejected',
  version: number,
  serving: number | undefined,
  versions: ModelVersion[],
): DecisionEffect {
  if (decision === 'Approved') {
    if (serving === version) return { kind: 'already-serving' };
    return serving === undefined
      ? { kind: 'first' }
      : { kind: 'replaces', version: serving };
  }
  if (serving !== version) return { kind: 'none' };
  const fallback = versions
    .filter(v => v.version !== version && v.approvalStatus === 'Approved')
    .sort((a, b) => b.version - a.version)[0];
  return fallback
    ? { kind: 'restores', version: fallback.version }
    : { kind: 'clears' };
}

/** One sentence naming the version a decision replaces or restores. */
export function describeEffect(
  decision: 'Approved' | 'Rejected',
  version: number,
  effect: DecisionEffect,
): string {
  const verb = decision === 'Approved' ? 'Approving' : 'Rejecting';
  switch (effect.kind) {
    case 'replaces':
      return `${verb} version ${version} deploys it, replacing version ${effect.version} now serving.`;
    case 'first':
      return `${verb} version ${version} deploys it; nothing serves yet.`;
    case 'already-serving':
      return `Version ${version} already serves; approving changes nothing served.`;
    case 'restores':
      return `${verb} version ${version} takes it off the endpoint and restores version ${effect.version}.`;
    case 'clears':
      return `${verb} version ${version} takes it off the endpoint; no other approved version exists, so nothing will serve.`;
    default:
      return `${verb} version ${version} changes nothing served.`;
  }
}

export interface MetricDelta {
  metric: string;
  candidate?: number;
  baseline?: number;
  /** candidate − baseline, when both exist. */
  delta?: number;
  /** true: the candidate is better; false: worse; undefined: equal or unknown. */
  better?: boolean;
  /** The quality gate's metric (listed first). */
  gate: boolean;
}

/**
 * Every metric either version has, the gate's first, with the delta judged
 * by whether a higher value of that metric is better.
 */
export function metricDeltas(
  candidate: ModelVersion['metrics'],
  baseline: ModelVersion['metrics'],
  gate?: Pick<QualityGate, 'metric'>,
): MetricDelta[] {
  const names = [
    ...new Set([
      ...Object.keys(candidate ?? {}),
      ...Object.keys(baseline ?? {}),
    ]),
  ].sort((a, b) => {
    if (a === gate?.metric) return -1;
    if (b === gate?.metric) return 1;
    return 0;
  });
  return names.map(metric => {
    const c = candidate?.[metric];
    const b = baseline?.[metric];
    const both = Number.isFinite(c) && Number.isFinite(b);
    const delta = both ? c! - b! : undefined;
    let better: boolean | undefined;
    if (delta !== undefined && delta !== 0) {
      better = higherIsBetter(metric) ? delta > 0 : delta < 0;
    }
    return {
      metric,
      candidate: c,
      baseline: b,
      delta,
      better,
      gate: metric === gate?.metric,
    };
  });
}

/** Index of the best value per metric across versions (undefined: none). */
export function bestIndex(values: Array<number | undefined>, metric: string) {
  let best: number | undefined;
  values.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) return;
    if (best === undefined) best = i;
    else if (higherIsBetter(metric) ? v > values[best]! : v < values[best]!)
      best = i;
  });
  return best;
}

export interface ParameterRow {
  name: string;
  values: Array<string | number | undefined>;
  /** The versions do not all agree. */
  differs: boolean;
}

/** Hyperparameters of several versions side by side, differing ones first. */
export function parameterRows(versions: ModelVersion[]): ParameterRow[] {
  const names = [
    ...new Set(versions.flatMap(v => Object.keys(v.hyperparameters ?? {}))),
  ].sort();
  const rows = names.map(name => {
    const values = versions.map(v => v.hyperparameters?.[name]);
    const differs = new Set(values.map(v => String(v))).size > 1;
    return { name, values, differs };
  });
  return [...rows.filter(r => r.differs), ...rows.filter(r => !r.differs)];
}

/** The gate's verdict on a version, undefined without a gate or the metric. */
export function gateVerdict(
  gate: QualityGate | undefined,
  metrics: ModelVersion['metrics'],
): boolean | undefined {
  if (!gate?.metric) return undefined;
  const value = metrics?.[gate.metric];
  return value === undefined ? undefined : passesGate(gate, value);
}

/** Errors (4xx + 5xx) as a share of invocations; undefined without traffic. */
export function errorRate(totals: TrafficTotals | undefined) {
  if (!totals || totals.invocations === 0) return undefined;
  return (totals.errors4xx + totals.errors5xx) / totals.invocations;
}
