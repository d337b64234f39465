import type { MonitoringExecutionSummary } from '@aws-sdk/client-sagemaker';
import { DEFAULT_DRIFT_THRESHOLDS } from '@mlops-portal/ml-core';
import type {
  DriftStatus,
  DriftSummary,
  FeatureDriftResult,
  SignatureColumn,
} from '@mlops-portal/plugin-mlops-common';
import { z } from 'zod';

/** Unseen categories reported per feature, and the length each is cut to (-common's bounds). */
const MAX_UNSEEN = 20;
const MAX_CATEGORY_CHARS = 64;

/** Fewer captured rows than this → insufficient_data, as the local engine decides. */
export const MIN_SAMPLES = DEFAULT_DRIFT_THRESHOLDS.minSamples;

/** Statuses of an execution whose statistics and violations were written. */
export const COMPLETED = new Set(['Completed', 'CompletedWithViolations']);

const common = z.object({ num_present: z.number(), num_missing: z.number() });
/** The parts of Model Monitor's statistics.json this reads. */
export const statisticsSchema = z.object({
  dataset: z.object({ item_count: z.number() }),
  features: z.array(
    z.object({
      name: z.string(),
      inferred_type: z.string().optional(),
      numerical_statistics: z.object({ common }).optional(),
      string_statistics: z
        .object({
          common,
          distribution: z
            .object({
              categorical: z
                .object({
                  buckets: z
                    .array(z.object({ value: z.unknown(), count: z.number() }))
                    .default([]),
                })
                .optional(),
            })
            .optional(),
        })
        .optional(),
    }),
  ),
});
export type MonitorStatistics = z.infer<typeof statisticsSchema>;

/** Model Monitor's constraint_violations.json. */
export const violationsSchema = z.object({
  violations: z
    .array(
      z.object({
        feature_name: z.string(),
        constraint_check_type: z.string(),
        description: z.string().optional(),
      }),
    )
    .default([]),
});
export type MonitorViolations = z.infer<typeof violationsSchema>;

/** Newest execution that produced a report; in-progress and failed runs are skipped. */
export function latestCompleted(
  summaries: readonly MonitoringExecutionSummary[],
): MonitoringExecutionSummary | undefined {
  return [...summaries]
    .filter(s => COMPLETED.has(s.MonitoringExecutionStatus ?? ''))
    .sort(
      (a, b) =>
        new Date(b.ScheduledTime ?? 0).getTime() -
        new Date(a.ScheduledTime ?? 0).getTime(),
    )[0];
}

export function insufficientData(): DriftSummary {
  return { status: 'insufficient_data', sampleCount: 0, features: [] };
}

/**
 * baseline_drift_check descriptions carry the distance Model Monitor
 * compared with its threshold ("… distance: 0.52 exceeds threshold: 0.1"):
 * the largest gap between the two CDFs, i.e. a KS distance.
 */
function driftDistance(description?: string): number | null {
  const m = /distance:?\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(
    description ?? '',
  );
  return m ? Number(m[1]) : null;
}

/**
 * The CDK app names a job definition per served version
 * (`<endpoint>-dq-v-<version>`, baselined on that version's training data),
 * so an execution's definition says whose baseline it compared with.
 */
export function baselineVersionOf(
  execution: MonitoringExecutionSummary,
): number | undefined {
  const m = /-dq-v-(\d+)$/.exec(execution.MonitoringJobDefinitionName ?? '');
  return m ? Number(m[1]) : undefined;
}

const RANK: Record<DriftStatus, number> = {
  ok: 0,
  insufficient_data: 1,
  warn: 2,
  drift: 3,
};

/** A monitored input: its name and, when the signature is known, its type and known categories. */
export type MonitoredInput = Pick<SignatureColumn, 'name'> &
  Partial<Pick<SignatureColumn, 'type' | 'categories'>>;

/**
 * The inputs a report is read for: the served version's signature inputs
 * (its order, types and categories); without one, every feature the
 * statistics name, typed by the statistics Model Monitor computed.
 */
export function monitoredInputs(
  statistics: MonitorStatistics,
  inputs?: readonly MonitoredInput[],
): MonitoredInput[] {
  if (inputs && inputs.length > 0) return [...inputs];
  return statistics.features.map(f => ({
    name: f.name,
    type: f.string_statistics ? 'categorical' : 'numeric',
  }));
}

/**
 * Categories a feature's window holds that the model was not trained on (the
 * signature's categories); bounded like -common asks.
 */
function unseenCategories(
  stats: MonitorStatistics['features'][number] | undefined,
  known: readonly string[] | undefined,
): string[] | undefined {
  const buckets = stats?.string_statistics?.distribution?.categorical?.buckets;
  if (!known || !buckets) return undefined;
  const knownSet = new Set(known);
  const unseen = buckets
    .filter(b => b.count > 0)
    .map(b => String(b.value))
    .filter(v => v !== '' && !knownSet.has(v));
  return unseen.slice(0, MAX_UNSEEN).map(v => v.slice(0, MAX_CATEGORY_CHARS));
}

/**
 * One execution's report as a DriftSummary: a feature with any violation is
 * "drift", the others "ok"; too few captured rows is insufficient_data for
 * every feature, whatever the violations say, so a quiet endpoint never alarms.
 * Model Monitor's baseline_drift_check distance is a KS distance for numeric
 * features and an L-infinity distance of the category shares for string
 * (categorical) ones. Prediction shares are not given: the data-quality job
 * reads the captured inputs only.
 */
export function toDriftSummary(
  execution: MonitoringExecutionSummary,
  statistics: MonitorStatistics,
  violations: MonitorViolations,
  inputs?: readonly MonitoredInput[],
): DriftSummary {
  const sampleCount = statistics.dataset.item_count;
  const byName = new Map(statistics.features.map(f => [f.name, f]));
  const features: FeatureDriftResult[] = monitoredInputs(
    statistics,
    inputs,
  ).map(input => {
    const name = input.name;
    const stats = byName.get(name);
    const type =
      input.type ?? (stats?.string_statistics ? 'categorical' : 'numeric');
    const present =
      (stats?.numerical_statistics ?? stats?.string_statistics)?.common
        .num_present ?? 0;
    const own = violations.violations.filter(v => v.feature_name === name);
    const drift = own.find(
      v => v.constraint_check_type === 'baseline_drift_check',
    );
    let status: DriftStatus = own.length > 0 ? 'drift' : 'ok';
    if (present < MIN_SAMPLES) status = 'insufficient_data';
    const distance = driftDistance(drift?.description);
    const result: FeatureDriftResult = {
      feature: name,
      type,
      psi: null,
      ks: type === 'numeric' ? distance : null,
      status,
      sampleCount: present,
    };
    if (type !== 'numeric') {
      result.linf = distance;
      const unseen = unseenCategories(stats, input.categories);
      if (unseen) result.unseenCategories = unseen;
    }
    return result;
  });
  const status = features.reduce<DriftStatus>(
    (worst, f) => (RANK[f.status] > RANK[worst] ? f.status : worst),
    'ok',
  );
  // A completed execution is last modified when it ends.
  const end = execution.LastModifiedTime ?? execution.ScheduledTime;
  return {
    status,
    sampleCount,
    baselineVersion: baselineVersionOf(execution),
    features,
    analyzedAt: end ? new Date(end).toISOString() : undefined,
  };
}
