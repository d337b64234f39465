import { InputError } from '@backstage/errors';
import {
  decodeDeploymentMetadata as decodeMetadata,
  deploymentStrategySchema,
  encodeDeploymentMetadata as encodeMetadata,
  trafficSteps,
  type DeploymentStrategy,
  type Rollout,
  type RolloutAlarm,
} from '@mlops-portal/plugin-mlops-common';

/**
 * Blue/green rollouts on SageMaker, as pure functions: the alarm names infra
 * creates, the strategy an approval records on the model package, and
 * DescribeEndpoint → Rollout.
 */

/** The four per-endpoint alarms, keyed by the Rollout alarm they stand for. */
export type RolloutAlarmName = RolloutAlarm['name'];

/** The rollout alarms' names and the override's metadata words live in -common (infra reads them too). */
export {
  rolloutAlarmNames,
  DEPLOYMENT_METADATA_KEY,
} from '@mlops-portal/plugin-mlops-common';

/** The strategy as model package metadata; a 400 when SageMaker could not store it. */
export function encodeDeploymentMetadata(s: DeploymentStrategy): string {
  try {
    return encodeMetadata(s);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
}

/** A package's recorded strategy; undefined when absent or not a valid strategy. */
export function decodeDeploymentMetadata(
  text: string | undefined,
): DeploymentStrategy | undefined {
  try {
    const parsed = deploymentStrategySchema.safeParse(decodeMetadata(text));
    return parsed.success ? (parsed.data as DeploymentStrategy) : undefined;
  } catch {
    return undefined;
  }
}

/** DescribeEndpoint's parts a rollout is read from, as plain JSON (times as ISO strings). */
export interface EndpointDeploymentView {
  endpointName: string;
  /** The config the endpoint runs (blue during an update). */
  endpointConfigName?: string;
  status: string;
  failureReason?: string;
  lastModifiedTime?: string;
  lastDeploymentConfig?: {
    BlueGreenUpdatePolicy?: {
      TrafficRoutingConfiguration?: {
        Type?: string;
        WaitIntervalInSeconds?: number;
        CanarySize?: { Type?: string; Value?: number };
        LinearStepSize?: { Type?: string; Value?: number };
      };
      TerminationWaitInSeconds?: number;
      MaximumExecutionTimeoutInSeconds?: number;
    };
    AutoRollbackConfiguration?: { Alarms?: Array<{ AlarmName?: string }> };
  };
  /** The green fleet while an update runs (PendingDeploymentSummary). */
  pending?: {
    endpointConfigName: string;
    startTime?: string;
    variants: Array<{
      variantName?: string;
      currentWeight?: number;
      desiredWeight?: number;
      statuses: Array<{
        status?: string;
        startTime?: string;
        message?: string;
      }>;
    }>;
  };
}

/** BlueGreenUpdatePolicy → the portal's strategy (thresholds come from the alarms). */
export function strategyOf(
  config: EndpointDeploymentView['lastDeploymentConfig'],
  alarms: RolloutAlarm[],
): DeploymentStrategy {
  const policy = config?.BlueGreenUpdatePolicy;
  const t = policy?.TrafficRoutingConfiguration;
  const type =
    t?.Type === 'CANARY' || t?.Type === 'LINEAR' ? t.Type : 'ALL_AT_ONCE';
  // The portal shifts by share; an INSTANCE_COUNT size set outside it is shown as given.
  const size = (c?: { Value?: number }) =>
    c?.Value !== undefined
      ? { type: 'CAPACITY_PERCENT' as const, value: c.Value }
      : undefined;
  const thresholds: NonNullable<DeploymentStrategy['autoRollback']> = {};
  for (const a of alarms) {
    if (a.name !== 'manual' && a.threshold !== undefined)
      thresholds[a.name] = a.threshold;
  }
  return withoutUndefined({
    trafficRouting: withoutUndefined({
      type,
      waitIntervalInSeconds: t?.WaitIntervalInSeconds ?? 0,
      canarySize: type === 'CANARY' ? size(t?.CanarySize) : undefined,
      linearStepSize: type === 'LINEAR' ? size(t?.LinearStepSize) : undefined,
    }),
    terminationWaitInSeconds: policy?.TerminationWaitInSeconds,
    maximumExecutionTimeoutInSeconds: policy?.MaximumExecutionTimeoutInSeconds,
    autoRollback: Object.keys(thresholds).length ? thresholds : undefined,
  });
}

/** A copy without the keys whose value is undefined (SDK shapes, strategies). */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined),
  ) as T;
}

/** A rollout alarm's last transition to ALARM (DescribeAlarmHistory). */
export interface AlarmTrip {
  name: RolloutAlarmName;
  at: string;
  reason: string;
  /** What the engine wrote into a manual rollback's StateReasonData. */
  data?: { actor?: string; comment?: string; toVersion?: number };
}

export interface RolloutInputs {
  view: EndpointDeploymentView;
  /** The version the endpoint's current (blue) config serves. */
  servingVersion?: number;
  /** The version the pending (green) config serves. */
  pendingVersion?: number;
  /** The newest Approved version other than the served one (what a rolled-back Deploy had moved to). */
  rolledBackVersion?: number;
  alarms: RolloutAlarm[];
  /** The latest ALARM transition of a watched alarm inside the last update's window. */
  trip?: AlarmTrip;
  now: Date;
}

/**
 * SageMaker keeps no rollout record: this derives one from DescribeEndpoint.
 * - `Updating` with a PendingDeploymentSummary: InProgress. The share on the
 *   green fleet is its CurrentWeight/DesiredWeight when SageMaker reports
 *   both, else the strategy's first step once traffic is activating or
 *   baking (0 % while the fleet is created); the next step is due at the
 *   Baking status's StartTime + WaitIntervalInSeconds.
 * - `RollingBack`: RollingBack; `UpdateRollbackFailed`: Failed.
 * - `InService` after an update with a deployment config: RolledBack when a
 *   watched alarm went to ALARM inside that update's window (alarm history),
 *   else Completed. Started/ended times are then the endpoint's
 *   LastModifiedTime (SageMaker keeps no start time of a finished update).
 * Undefined when the endpoint was never updated with a deployment config.
 */
export function toRollout(input: RolloutInputs): Rollout | undefined {
  const { view, alarms } = input;
  const strategy = strategyOf(view.lastDeploymentConfig, alarms);
  const steps = trafficSteps(strategy);
  const updatedAt = view.lastModifiedTime ?? input.now.toISOString();
  const tripped = input.trip
    ? `${input.trip.name} alarm: ${input.trip.reason}`
    : undefined;
  const base = {
    endpointName: view.endpointName,
    strategy,
    totalSteps: steps.length,
    alarms,
    updatedAt,
  };
  if (view.pending && ['Updating', 'RollingBack'].includes(view.status)) {
    if (input.pendingVersion === undefined) return undefined;
    const green = view.pending.variants[0];
    const latest = green?.statuses[green.statuses.length - 1];
    let percent = 0;
    if (
      green?.currentWeight !== undefined &&
      green.desiredWeight !== undefined &&
      green.desiredWeight > 0
    ) {
      percent = Math.round((100 * green.currentWeight) / green.desiredWeight);
    } else if (
      latest?.status === 'Baking' ||
      latest?.status === 'ActivatingTraffic'
    ) {
      percent = steps[0];
    }
    percent = Math.max(0, Math.min(100, percent));
    const step = Math.max(1, steps.filter(s => s <= percent).length);
    const baking =
      latest?.status === 'Baking' && latest.startTime
        ? new Date(
            Date.parse(latest.startTime) +
              strategy.trafficRouting.waitIntervalInSeconds * 1000,
          ).toISOString()
        : undefined;
    const rollingBack = view.status === 'RollingBack';
    const tripping = alarms.find(a => a.state === 'ALARM');
    return {
      ...base,
      rolloutId: view.pending.endpointConfigName,
      fromVersion: input.servingVersion,
      toVersion: input.pendingVersion,
      status: rollingBack ? 'RollingBack' : 'InProgress',
      trafficPercent: percent,
      step,
      nextStepAt: rollingBack ? undefined : baking,
      startedAt: view.pending.startTime ?? updatedAt,
      ...(rollingBack
        ? {
            reason:
              view.failureReason ??
              tripped ??
              (tripping ? `${tripping.name} alarm is ALARM` : undefined),
          }
        : {}),
    };
  }
  if (!view.lastDeploymentConfig?.BlueGreenUpdatePolicy) return undefined;
  if (view.status === 'UpdateRollbackFailed' || view.status === 'Failed') {
    if (input.servingVersion === undefined) return undefined;
    return {
      ...base,
      rolloutId: `${view.endpointName}@${updatedAt}`,
      fromVersion: input.servingVersion,
      toVersion: input.rolledBackVersion ?? input.servingVersion,
      status: 'Failed',
      trafficPercent: 0,
      step: 1,
      startedAt: updatedAt,
      endedAt: updatedAt,
      reason: view.failureReason ?? tripped,
    };
  }
  if (view.status !== 'InService' || input.servingVersion === undefined)
    return undefined;
  if (input.trip) {
    const toVersion = input.trip.data?.toVersion ?? input.rolledBackVersion;
    if (toVersion === undefined) return undefined;
    return {
      ...base,
      rolloutId: `${view.endpointName}@${updatedAt}`,
      fromVersion: input.servingVersion,
      toVersion,
      status: 'RolledBack',
      trafficPercent: 0,
      step: 1,
      startedAt: updatedAt,
      startedBy: input.trip.data?.actor,
      endedAt: updatedAt,
      reason: tripped,
    };
  }
  return {
    ...base,
    // The green config of an update is the endpoint's config once it completed.
    rolloutId: view.endpointConfigName ?? `${view.endpointName}@${updatedAt}`,
    toVersion: input.servingVersion,
    status: 'Completed',
    trafficPercent: 100,
    step: steps.length,
    startedAt: updatedAt,
    endedAt: updatedAt,
  };
}
