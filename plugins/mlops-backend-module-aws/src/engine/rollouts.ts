import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  SetAlarmStateCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { ConflictError, NotImplementedError } from '@backstage/errors';
import type {
  MlopsResources,
  Rollout,
  RolloutAlarm,
} from '@mlops-portal/plugin-mlops-common';
import type { RolloutActionOptions } from '@mlops-portal/plugin-mlops-node';
import type { ClientContext } from './clientContext';
import { versionFromArn, type Endpoint, type EndpointState } from './endpoint';
import {
  rolloutAlarmNames,
  toRollout,
  type AlarmTrip,
  type RolloutAlarmName,
} from './rolloutMapping';

/** Longest window SageMaker lets an update run (MaximumExecutionTimeoutInSeconds max). */
const MAX_UPDATE_SECONDS = 28_800;
/** History items read per alarm: the latest transitions are the ones that matter. */
const HISTORY_RECORDS = 10;
/** CloudWatch limits: SetAlarmState StateReason ≤ 1023, StateReasonData ≤ 4000. */
const STATE_REASON_MAX = 1023;
const COMMENT_MAX = 1000;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const bounded = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/**
 * Blue/green rollouts on the entity's SageMaker endpoint: read from
 * DescribeEndpoint and the four rollout alarms (CloudWatch), rolled back on
 * an owner's word by setting the manual alarm to ALARM (SageMaker's
 * AutoRollbackConfiguration then rolls the update back).
 */
export class Rollouts {
  constructor(
    private readonly ctx: ClientContext,
    private readonly parts: {
      endpoint: Endpoint;
      /** The newest Approved version other than the served one (what a rolled-back Deploy tried). */
      newestApprovedOtherThan(
        r: MlopsResources,
        servingArn: string | undefined,
      ): Promise<number | undefined>;
    },
  ) {}

  /** The update in progress, else the last one SageMaker still shows; undefined when none used a deployment config. */
  async current(
    r: MlopsResources,
    state: EndpointState | undefined,
  ): Promise<Rollout | undefined> {
    const view = state?.view;
    // Without a BlueGreenUpdatePolicy nothing was rolled out by strategy: no alarms to read.
    if (!state || !view?.lastDeploymentConfig?.BlueGreenUpdatePolicy)
      return undefined;
    const alarms = await this.alarms(r);
    const inFlight = Boolean(view.pending) && view.status === 'Updating';
    const trip = inFlight ? undefined : await this.lastTrip(r, state);
    const servingVersion = state.endpoint.modelVersion;
    const pendingVersion = state.pending?.modelPackageArn
      ? versionFromArn(state.pending.modelPackageArn)
      : undefined;
    const rolledBackVersion =
      trip && trip.data?.toVersion === undefined
        ? await this.parts.newestApprovedOtherThan(
            r,
            state.endpoint.modelPackageArn,
          )
        : undefined;
    return toRollout({
      view,
      servingVersion,
      pendingVersion,
      rolledBackVersion,
      alarms,
      trip,
      now: new Date(),
    });
  }

  /** The rollout alarms infra created for the endpoint, with their states (missing ones left out). */
  private async alarms(r: MlopsResources): Promise<RolloutAlarm[]> {
    const names = rolloutAlarmNames(r.endpointName);
    const { cloudwatch } = await this.ctx.clients(r);
    const res = await this.ctx.call('cloudwatch:DescribeAlarms', () =>
      cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: Object.values(names),
          AlarmTypes: ['MetricAlarm'],
          MaxRecords: 10,
        }),
      ),
    );
    const out: RolloutAlarm[] = [];
    for (const key of Object.keys(names) as RolloutAlarmName[]) {
      const alarm = res?.MetricAlarms?.find(a => a.AlarmName === names[key]);
      if (!alarm) continue;
      const threshold = key === 'manual' ? undefined : thresholdOf(key, alarm);
      out.push({
        name: key,
        state: (alarm.StateValue ??
          'INSUFFICIENT_DATA') as RolloutAlarm['state'],
        ...(threshold !== undefined ? { threshold } : {}),
      });
    }
    return out;
  }

  /**
   * The latest transition to ALARM of an alarm the last update watched,
   * inside that update's window (SageMaker keeps no rollout history; the
   * alarms' own history says whether the update was rolled back and why).
   */
  private async lastTrip(
    r: MlopsResources,
    state: EndpointState,
  ): Promise<AlarmTrip | undefined> {
    const view = state.view;
    const end = view.lastModifiedTime ? Date.parse(view.lastModifiedTime) : NaN;
    if (!Number.isFinite(end)) return undefined;
    const seconds =
      view.lastDeploymentConfig?.BlueGreenUpdatePolicy
        ?.MaximumExecutionTimeoutInSeconds ?? MAX_UPDATE_SECONDS;
    const names = rolloutAlarmNames(r.endpointName);
    const watched = new Set(
      (view.lastDeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? []).map(
        a => a.AlarmName,
      ),
    );
    const keys = (Object.keys(names) as RolloutAlarmName[]).filter(k =>
      watched.has(names[k]),
    );
    const { cloudwatch } = await this.ctx.clients(r);
    const trips = await Promise.all(
      keys.map(async key => {
        const res = await this.ctx.call('cloudwatch:DescribeAlarmHistory', () =>
          cloudwatch.send(
            new DescribeAlarmHistoryCommand({
              AlarmName: names[key],
              HistoryItemType: 'StateUpdate',
              StartDate: new Date(end - seconds * 1000),
              // The rollback ends the update; the alarm tripped before.
              EndDate: new Date(end + 60_000),
              MaxRecords: HISTORY_RECORDS,
              ScanBy: 'TimestampDescending',
            }),
          ),
        );
        for (const item of res?.AlarmHistoryItems ?? []) {
          const data = parseJson(item.HistoryData);
          if (data?.newState?.stateValue !== 'ALARM' || !item.Timestamp)
            continue;
          const trip: AlarmTrip = {
            name: key,
            at: new Date(item.Timestamp).toISOString(),
            reason: bounded(
              String(data.newState.stateReason ?? item.HistorySummary ?? ''),
              300,
            ),
          };
          const reasonData = parseJson(data.newState.stateReasonData);
          if (key === 'manual' && reasonData) {
            trip.data = {
              actor: str(reasonData.actor),
              comment: str(reasonData.comment),
              toVersion: Number.isInteger(reasonData.toVersion)
                ? reasonData.toVersion
                : undefined,
            };
          }
          return trip;
        }
        return undefined;
      }),
    );
    return trips
      .filter((t): t is AlarmTrip => Boolean(t))
      .sort((a, b) => b.at.localeCompare(a.at))[0];
  }

  /**
   * An owner's action. SageMaker can roll an update back (through the manual
   * alarm) but cannot hold or hurry one, so pause, resume and promote are 501.
   */
  async control(
    r: MlopsResources,
    options: RolloutActionOptions,
  ): Promise<Rollout> {
    if (options.action !== 'rollback') {
      throw new NotImplementedError(
        `${options.action}: SageMaker's blue/green deployments cannot be paused, resumed or shortened; an update runs its strategy to the end unless it is rolled back`,
      );
    }
    const state = await this.parts.endpoint.state(r, { fresh: true });
    if (!state) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} does not exist: there is no update to roll back`,
      );
    }
    const { view } = state;
    if (view.status === 'RollingBack') {
      throw new ConflictError(
        `Endpoint ${r.endpointName} is already rolling back`,
      );
    }
    if (view.status !== 'Updating' || !state.pending) {
      throw new ConflictError(
        `No update is in progress on endpoint ${r.endpointName} (it is ${view.status}): there is nothing to roll back`,
      );
    }
    const manual = rolloutAlarmNames(r.endpointName).manual;
    const watched = (
      view.lastDeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? []
    ).some(a => a.AlarmName === manual);
    if (!watched) {
      throw new ConflictError(
        `The update in progress on endpoint ${r.endpointName} does not watch alarm ${manual} (its AutoRollbackConfiguration), so SageMaker cannot roll it back on request`,
      );
    }
    const pending = state.pending;
    const toVersion = pending.modelPackageArn
      ? versionFromArn(pending.modelPackageArn)
      : undefined;
    const comment = options.comment
      ? bounded(options.comment.trim(), COMMENT_MAX)
      : undefined;
    const reason = bounded(
      `Rollback requested by ${options.actor.ref}${
        comment ? `: ${comment}` : ''
      }`,
      STATE_REASON_MAX,
    );
    const { cloudwatch } = await this.ctx.clients(r);
    await this.ctx.call('cloudwatch:SetAlarmState', () =>
      cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: manual,
          StateValue: 'ALARM',
          StateReason: reason,
          // Read back from the alarm's history once the update is over.
          StateReasonData: JSON.stringify({
            actor: options.actor.ref,
            ...(comment ? { comment } : {}),
            ...(toVersion !== undefined ? { toVersion } : {}),
            rolloutId: pending.endpointConfigName,
          }),
        }),
      ),
    );
    const after = await this.current(
      r,
      await this.parts.endpoint.state(r, { fresh: true }),
    );
    if (!after) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} shows no update any more; the rollback alarm was set`,
      );
    }
    // SageMaker reacts to the alarm within its next check: say it was asked for.
    return after.status === 'InProgress' ? { ...after, reason } : after;
  }
}

/**
 * The alarm's threshold in the rollout's unit. ModelLatency is published in
 * microseconds, so an alarm on it is converted to milliseconds.
 */
function thresholdOf(
  key: Exclude<RolloutAlarmName, 'manual'>,
  alarm: MetricAlarm,
): number | undefined {
  if (alarm.Threshold === undefined) return undefined;
  if (key === 'p99LatencyMs' && alarm.MetricName === 'ModelLatency')
    return alarm.Threshold / 1000;
  return alarm.Threshold;
}

function parseJson(text: string | undefined): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
