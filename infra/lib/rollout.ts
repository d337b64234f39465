/**
 * Blue/green rollouts of a system's endpoint (issue 26): the deployment
 * strategy (spec `deployment`, or the approval's override the Deploy stage
 * reads from the model package), SageMaker's `DeploymentConfig` built from it,
 * and the CloudWatch alarms that roll a rollout back.
 *
 * The strategy is checked with the portal's own schema
 * (`deploymentStrategySchema` of plugins/mlops-common, a file that needs only
 * zod), so the CDK app refuses exactly what the portal refuses, naming the field.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import {
  deploymentStrategySchema,
  resolveDeploymentStrategy,
  ROLLOUT_ALARM_SUFFIXES as COMMON_SUFFIXES,
} from '../../plugins/mlops-common/src/rollout';
import type {
  DeploymentStrategy,
  RolloutAlarmThresholds,
} from '../../plugins/mlops-common/src/rollout';

export type { DeploymentStrategy } from '../../plugins/mlops-common/src/rollout';

/** The variant every config of the serving stack uses (blue and green fleets share it). */
export const SERVING_VARIANT = 'AllTraffic';

/**
 * Alarm name suffixes, from the portal's contract (the aws engine reads and
 * sets the alarms by the same names).
 */
export const ROLLOUT_ALARM_SUFFIXES = {
  errors: COMMON_SUFFIXES.errorRate,
  p99Latency: COMMON_SUFFIXES.p99LatencyMs,
  predictionDrift: COMMON_SUFFIXES.predictionDrift,
  manual: COMMON_SUFFIXES.manual,
} as const;

export type RolloutAlarmKey = keyof typeof ROLLOUT_ALARM_SUFFIXES;

/** The rollout alarms' names of an endpoint (whether or not each exists). */
export function rolloutAlarmNames(
  endpointName: string,
): Record<RolloutAlarmKey, string> {
  return {
    errors: `${endpointName}${ROLLOUT_ALARM_SUFFIXES.errors}`,
    p99Latency: `${endpointName}${ROLLOUT_ALARM_SUFFIXES.p99Latency}`,
    predictionDrift: `${endpointName}${ROLLOUT_ALARM_SUFFIXES.predictionDrift}`,
    manual: `${endpointName}${ROLLOUT_ALARM_SUFFIXES.manual}`,
  };
}

/** Prefix of every rollout alarm of an endpoint (IAM resources). */
export const rolloutAlarmPrefix = (endpointName: string) =>
  `${endpointName}-rollout-`;

/**
 * Custom metrics of the rollout alarms: `ManualRollback` is never published
 * (the portal sets the alarm's state); `PredictionDrift` is the PSI of the
 * live predictions against the version's baseline, published from the
 * endpoint's Data Capture files by lib/prediction-drift.ts (README "Rollouts").
 */
export const ROLLOUT_METRICS_NAMESPACE = 'MLOpsPortal/Rollouts';
export const PREDICTION_DRIFT_METRIC = 'PredictionDrift';
export const MANUAL_ROLLBACK_METRIC = 'ManualRollback';

/** Invocations the new version must have served before the error rate counts (contract default). */
export const DEFAULT_MIN_INVOCATIONS = 10;

export class DeploymentStrategyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentStrategyError';
  }
}

/**
 * Checks a strategy with the portal's schema; the error names each bad field
 * under `where` (e.g. `spec.deployment.trafficRouting.canarySize.value: must be
 * at most 50 %`).
 */
export function parseDeploymentStrategy(
  value: unknown,
  where: string,
): DeploymentStrategy {
  const parsed = deploymentStrategySchema.safeParse(value);
  if (parsed.success) return parsed.data as DeploymentStrategy;
  const problems = parsed.error.issues.map(
    issue =>
      `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`,
  );
  throw new DeploymentStrategyError(problems.join('; '));
}

/** Context key through which the Deploy stage passes an approval's override to one serving stack. */
export const deploymentOverrideContextKey = (servingStackName: string) =>
  `mlops:deployment:${servingStackName}`;

/**
 * An override as it arrives in context: a JSON string from `cdk deploy -c`
 * (or an object from cdk.json / a test). Absent or empty → undefined.
 */
export function parseDeploymentOverride(
  value: unknown,
  where: string,
): DeploymentStrategy | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let json = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch (e) {
      throw new DeploymentStrategyError(
        `${where}: not valid JSON (${(e as Error).message})`,
      );
    }
  }
  return parseDeploymentStrategy(json, where);
}

/** The strategy a deploy uses: the override over the spec's default, else all at once. */
export function effectiveStrategy(
  specDefault: DeploymentStrategy | undefined,
  override: DeploymentStrategy | undefined,
): DeploymentStrategy {
  return resolveDeploymentStrategy(specDefault, override);
}

export interface RolloutAlarmsProps {
  endpointName: string;
  thresholds?: RolloutAlarmThresholds;
}

/**
 * The alarms of one endpoint's rollouts. The error-rate and p99 alarms exist
 * when the strategy sets their thresholds, the drift alarm when it sets
 * `predictionDrift` ("left out: not watched", as the contract says); the
 * manual alarm always, so an owner can roll any deployment back.
 */
export class RolloutAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly names: Record<RolloutAlarmKey, string>;
  /** Names of the alarms created, in order (AutoRollbackConfiguration watches these). */
  readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: RolloutAlarmsProps) {
    super(scope, id);
    const { endpointName } = props;
    const t = props.thresholds ?? {};
    this.names = rolloutAlarmNames(endpointName);
    const dimensionsMap = {
      EndpointName: endpointName,
      VariantName: SERVING_VARIANT,
    };
    const period = Duration.minutes(1);
    const endpointMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap,
        statistic,
        period,
      });
    const add = (key: RolloutAlarmKey, props: cloudwatch.AlarmProps) => {
      this.alarms.push(new cloudwatch.Alarm(this, key, props));
      this.alarmNames.push(this.names[key]);
    };

    // A minute with fewer invocations is not judged (0), as the local engine does.
    const min = t.minInvocations ?? DEFAULT_MIN_INVOCATIONS;
    if (t.errorRate !== undefined) {
      add('errors', {
        alarmName: this.names.errors,
        alarmDescription: `Rollout guard of ${endpointName}: share of invocations answered 5xx above ${t.errorRate} in a minute with at least ${min} invocations (SageMaker rolls back while it is ALARM)`,
        metric: new cloudwatch.MathExpression({
          expression: `IF(invocations >= ${min}, errors / invocations, 0)`,
          usingMetrics: {
            errors: endpointMetric('Invocation5XXErrors', 'Sum'),
            invocations: endpointMetric('Invocations', 'Sum'),
          },
          label: 'Invocation5XXErrors / Invocations',
          period,
        }),
        threshold: t.errorRate,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (t.p99LatencyMs !== undefined)
      add('p99Latency', {
        alarmName: this.names.p99Latency,
        alarmDescription: `Rollout guard of ${endpointName}: p99 ModelLatency above ${t.p99LatencyMs} ms in a minute with at least ${min} invocations`,
        metric: new cloudwatch.MathExpression({
          expression: `IF(invocations >= ${min}, latency, 0)`,
          usingMetrics: {
            latency: endpointMetric('ModelLatency', 'p99'),
            invocations: endpointMetric('Invocations', 'Sum'),
          },
          label: 'ModelLatency p99 (microseconds)',
          period,
        }),
        // ModelLatency is in microseconds.
        threshold: t.p99LatencyMs * 1000,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    if (t.predictionDrift !== undefined)
      add('predictionDrift', {
        alarmName: this.names.predictionDrift,
        alarmDescription: `Rollout guard of ${endpointName}: PSI of live predictions against the baseline above ${t.predictionDrift} (custom metric ${ROLLOUT_METRICS_NAMESPACE}/${PREDICTION_DRIFT_METRIC}, published per Data Capture file; a minute without one is not breaching)`,
        metric: new cloudwatch.Metric({
          namespace: ROLLOUT_METRICS_NAMESPACE,
          metricName: PREDICTION_DRIFT_METRIC,
          dimensionsMap: { EndpointName: endpointName },
          statistic: 'Maximum',
          period,
        }),
        threshold: t.predictionDrift,
        comparisonOperator:
          cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    add('manual', {
      alarmName: this.names.manual,
      alarmDescription: `Manual rollback of ${endpointName}: the portal sets this alarm to ALARM (SetAlarmState) to roll a rollout back; its metric is never published, so it returns to OK at the next evaluation`,
      metric: new cloudwatch.Metric({
        namespace: ROLLOUT_METRICS_NAMESPACE,
        metricName: MANUAL_ROLLBACK_METRIC,
        dimensionsMap: { EndpointName: endpointName },
        statistic: 'Maximum',
        period,
      }),
      threshold: 1,
      comparisonOperator:
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * SageMaker's `DeploymentConfig` of a strategy (CloudFormation's property
 * names): BlueGreenUpdatePolicy + AutoRollbackConfiguration on the alarms.
 */
export function deploymentConfig(
  strategy: DeploymentStrategy,
  alarmNames: string[],
): sagemaker.CfnEndpoint.DeploymentConfigProperty {
  const t = strategy.trafficRouting;
  const size = (s?: { type: 'CAPACITY_PERCENT'; value: number }) =>
    s ? { type: s.type, value: s.value } : undefined;
  return {
    blueGreenUpdatePolicy: {
      trafficRoutingConfiguration: {
        type: t.type,
        waitIntervalInSeconds: t.waitIntervalInSeconds,
        canarySize: size(t.canarySize),
        linearStepSize: size(t.linearStepSize),
      },
      terminationWaitInSeconds: strategy.terminationWaitInSeconds,
      maximumExecutionTimeoutInSeconds:
        strategy.maximumExecutionTimeoutInSeconds,
    },
    autoRollbackConfiguration: alarmNames.length
      ? { alarms: alarmNames.map(alarmName => ({ alarmName })) }
      : undefined,
  };
}
