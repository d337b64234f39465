/**
 * Blue/green rollouts, rollback and shadow tests on the aws engine: the exact
 * requests (checked against botocore's models and the docs IAM policy at the
 * end) and DescribeEndpoint → Rollout / ShadowTest.
 */
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateModelPackageCommand,
  type DescribeEndpointCommandOutput,
  type DescribeModelPackageCommandOutput,
  type ListModelPackagesCommandOutput,
} from '@aws-sdk/client-sagemaker';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  SetAlarmStateCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  deploymentStrategySchema,
  type DeploymentStrategy,
} from '@mlops-portal/plugin-mlops-common';
import * as sm from './__fixtures__/sagemaker';
import {
  actor,
  awsError,
  makeEngine,
  resources,
} from './__testUtils__/helpers';
import {
  createCallRecorder,
  docsPolicyAllows,
  validateAwsShapes,
} from './__testUtils__/awsShapes';
import {
  decodeDeploymentMetadata,
  encodeDeploymentMetadata,
  rolloutAlarmNames,
  toRollout,
} from './rolloutMapping';
import { comparisonRange, shadowResourceName } from './shadowTests';

const sagemaker = mockClient(SageMakerClient);
const cloudwatch = mockClient(CloudWatchClient);
const recorder = createCallRecorder({ sagemaker, cloudwatch });
afterEach(() => recorder.collect(expect.getState().currentTestName));
beforeEach(() => {
  sagemaker.reset();
  cloudwatch.reset();
});

const ALARMS = rolloutAlarmNames(sm.ENDPOINT);
const V3_CONFIG = 'abalone-endpoint-config-v3-20261207T1500';
const V3_MODEL = 'abalone-model-v3-20261207T1500';
const CANARY: DeploymentStrategy = {
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: 600,
    canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
  },
  terminationWaitInSeconds: 300,
  maximumExecutionTimeoutInSeconds: 3600,
  autoRollback: { errorRate: 0.05, p99LatencyMs: 800, minInvocations: 20 },
};
/** What infra's CfnEndpoint DeploymentConfig for CANARY looks like once SageMaker echoes it. */
const CANARY_CONFIG = {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: 'CANARY' as const,
      WaitIntervalInSeconds: 600,
      CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: 10 },
    },
    TerminationWaitInSeconds: 300,
    MaximumExecutionTimeoutInSeconds: 3600,
  },
  AutoRollbackConfiguration: {
    Alarms: Object.values(ALARMS).map(AlarmName => ({ AlarmName })),
  },
};

function alarm(
  name: string,
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
  extra: Partial<MetricAlarm> = {},
): MetricAlarm {
  return {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${sm.REGION}:${sm.ACCOUNT}:alarm:${name}`,
    StateValue: state,
    StateReason: 'Threshold Crossed',
    StateUpdatedTimestamp: new Date('2026-12-07T15:00:00.000Z'),
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    ...extra,
  };
}

const ALL_OK = [
  alarm(ALARMS.errorRate, 'OK', { Threshold: 0.05 }),
  alarm(ALARMS.p99LatencyMs, 'OK', {
    MetricName: 'ModelLatency',
    Namespace: 'AWS/SageMaker',
    ExtendedStatistic: 'p99',
    Period: 60,
    Threshold: 800_000,
  }),
  alarm(ALARMS.manual, 'OK', {
    MetricName: 'ManualRollback',
    Namespace: 'MLOps/Rollouts',
    Statistic: 'Maximum',
    Period: 60,
    Threshold: 0,
  }),
];

/** Registry of the fixtures (v3 pending, v2 approved and served, v1 rejected) and the endpoint. */
function mockAccount(
  endpoint: Partial<DescribeEndpointCommandOutput> = {},
  options: { v3Status?: string; alarms?: MetricAlarm[] } = {},
) {
  const page1: ListModelPackagesCommandOutput = {
    ...sm.listPackagesPage1,
    ModelPackageSummaryList: sm.listPackagesPage1.ModelPackageSummaryList!.map(
      s =>
        s.ModelPackageVersion === 3 && options.v3Status
          ? { ...s, ModelApprovalStatus: options.v3Status as any }
          : s,
    ),
  };
  sagemaker
    .on(ListModelPackagesCommand)
    .resolves(sm.listPackagesPage2)
    .on(ListModelPackagesCommand, { NextToken: undefined })
    .resolves(page1);
  const packages: Record<string, DescribeModelPackageCommandOutput> = {
    [sm.packageArn(1)]: sm.describePackage1,
    [sm.packageArn(2)]: sm.describePackage2,
    [sm.packageArn(3)]: sm.describePackage3,
  };
  sagemaker.on(DescribeModelPackageCommand).callsFake(input => {
    const pkg = packages[input.ModelPackageName];
    if (!pkg) throw awsError('ValidationException', 'does not exist');
    return pkg;
  });
  sagemaker.on(UpdateModelPackageCommand).callsFake(input => {
    packages[input.ModelPackageArn] = {
      ...packages[input.ModelPackageArn],
      ModelApprovalStatus: input.ModelApprovalStatus,
      ApprovalDescription: input.ApprovalDescription,
    };
    return { $metadata: {}, ModelPackageArn: input.ModelPackageArn };
  });
  sagemaker.on(DescribeEndpointCommand).resolves({
    ...sm.describeEndpoint,
    ...endpoint,
  });
  sagemaker
    .on(DescribeEndpointConfigCommand)
    .resolves(sm.describeEndpointConfig)
    .on(DescribeEndpointConfigCommand, { EndpointConfigName: V3_CONFIG })
    .resolves({
      ...sm.describeEndpointConfig,
      EndpointConfigName: V3_CONFIG,
      EndpointConfigArn: `arn:aws:sagemaker:${sm.REGION}:${sm.ACCOUNT}:endpoint-config/${V3_CONFIG}`,
      ProductionVariants: [
        {
          ...sm.describeEndpointConfig.ProductionVariants![0],
          ModelName: V3_MODEL,
        },
      ],
    });
  sagemaker
    .on(DescribeModelCommand)
    .resolves(sm.describeModel)
    .on(DescribeModelCommand, { ModelName: V3_MODEL })
    .resolves({
      ...sm.describeModel,
      ModelName: V3_MODEL,
      ModelArn: `arn:aws:sagemaker:${sm.REGION}:${sm.ACCOUNT}:model/${V3_MODEL}`,
      Containers: [{ ModelPackageName: sm.packageArn(3) }],
    });
  cloudwatch
    .on(DescribeAlarmsCommand)
    .resolves({ $metadata: {}, MetricAlarms: options.alarms ?? ALL_OK });
  cloudwatch
    .on(DescribeAlarmHistoryCommand)
    .resolves({ $metadata: {}, AlarmHistoryItems: [] });
  return packages;
}

/** An update to v3 in flight: the green fleet's canary is baking. */
const BAKING_START = new Date('2026-12-07T15:04:00.000Z');
const updating: Partial<DescribeEndpointCommandOutput> = {
  EndpointStatus: 'Updating',
  LastModifiedTime: new Date('2026-12-07T15:00:05.000Z'),
  LastDeploymentConfig: CANARY_CONFIG,
  PendingDeploymentSummary: {
    EndpointConfigName: V3_CONFIG,
    StartTime: new Date('2026-12-07T15:00:05.000Z'),
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        CurrentWeight: 0.1,
        DesiredWeight: 1,
        CurrentInstanceCount: 1,
        DesiredInstanceCount: 1,
        VariantStatus: [
          {
            Status: 'Baking',
            StatusMessage: 'Baking for 600 seconds',
            StartTime: BAKING_START,
          },
        ],
      },
    ],
  },
};

describe('rollout vocabulary', () => {
  it('names the four per-endpoint alarms infra creates', () => {
    expect(rolloutAlarmNames('fraud-endpoint')).toEqual({
      errorRate: 'fraud-endpoint-rollout-errors',
      p99LatencyMs: 'fraud-endpoint-rollout-p99-latency',
      predictionDrift: 'fraud-endpoint-rollout-prediction-drift',
      manual: 'fraud-endpoint-rollout-manual',
    });
  });

  it('writes a strategy as SageMaker metadata text and reads it back', () => {
    const text = encodeDeploymentMetadata(CANARY);
    expect(text).toBe(
      'type=CANARY wait=600 canary=10 termination=300 timeout=3600 errorRate=0.05 p99LatencyMs=800 minInvocations=20',
    );
    expect(decodeDeploymentMetadata(text)).toEqual(CANARY);
    const linear: DeploymentStrategy = {
      trafficRouting: {
        type: 'LINEAR',
        waitIntervalInSeconds: 3600,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 10 },
      },
    };
    expect(decodeDeploymentMetadata(encodeDeploymentMetadata(linear))).toEqual(
      linear,
    );
    expect(decodeDeploymentMetadata('{"type":"CANARY"}')).toBeUndefined();
    expect(decodeDeploymentMetadata(undefined)).toBeUndefined();
  });

  it('refuses a strategy longer than a metadata value (256) with a 400', () => {
    // Only long numbers make it that long (e.g. 1.1111111111111112e-7).
    const n = (x: number) => (x / 3) * 1e-9;
    const padded: DeploymentStrategy = {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: n(600),
        canarySize: { type: 'CAPACITY_PERCENT', value: n(10) },
      },
      terminationWaitInSeconds: n(300),
      maximumExecutionTimeoutInSeconds: n(3600),
      autoRollback: {
        errorRate: n(0.05),
        p99LatencyMs: n(800),
        predictionDrift: n(0.2),
        minInvocations: n(20),
      },
    };
    expect(() => encodeDeploymentMetadata(padded)).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: expect.stringContaining('SageMaker allows 256'),
      }),
    );
  });

  it('estimates a LINEAR step from the strategy while the weights are not reported', () => {
    const rollout = toRollout({
      view: {
        endpointName: 'e',
        endpointConfigName: 'blue',
        status: 'Updating',
        lastModifiedTime: '2026-12-07T15:00:00.000Z',
        lastDeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'LINEAR',
              WaitIntervalInSeconds: 120,
              LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 },
            },
          },
        },
        pending: {
          endpointConfigName: 'green',
          variants: [
            {
              statuses: [
                { status: 'Baking', startTime: '2026-12-07T15:02:00.000Z' },
              ],
            },
          ],
        },
      },
      servingVersion: 4,
      pendingVersion: 5,
      alarms: [],
      now: new Date('2026-12-07T15:03:00.000Z'),
    });
    expect(rollout).toMatchObject({
      status: 'InProgress',
      trafficPercent: 30,
      step: 1,
      totalSteps: 4,
      nextStepAt: '2026-12-07T15:04:00.000Z',
      fromVersion: 4,
      toVersion: 5,
      rolloutId: 'green',
    });
    // Creating the green fleet: nothing shifted yet.
    const creating = toRollout({
      view: {
        endpointName: 'e',
        status: 'Updating',
        lastDeploymentConfig: { BlueGreenUpdatePolicy: {} },
        pending: {
          endpointConfigName: 'green',
          variants: [{ statuses: [{ status: 'Creating' }] }],
        },
      },
      pendingVersion: 5,
      alarms: [],
      now: new Date(),
    });
    expect(creating).toMatchObject({
      trafficPercent: 0,
      step: 1,
      totalSteps: 1,
    });
    expect(creating?.nextStepAt).toBeUndefined();
  });
});

describe('approval with a deployment strategy', () => {
  // No release pipeline: these tests are about the registry call only.
  const noRelease = { ...resources, releasePipelineName: undefined };
  it("records the approval's strategy as mlops:deployment in UpdateModelPackage", async () => {
    mockAccount();
    const { engine } = makeEngine();
    await engine.updateModelApproval(noRelease, 3, {
      status: 'Approved',
      comment: 'canary this one',
      actor,
      deployment: CANARY,
    });
    expect(
      sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input,
    ).toEqual({
      ModelPackageArn: sm.packageArn(3),
      ModelApprovalStatus: 'Approved',
      ApprovalDescription:
        'Approved by user:default/guest via Backstage: canary this one',
      CustomerMetadataProperties: {
        'mlops:deployment':
          'type=CANARY wait=600 canary=10 termination=300 timeout=3600 errorRate=0.05 p99LatencyMs=800 minInvocations=20',
      },
    });
  });

  it('records all at once when no strategy is given; a rejection records none', async () => {
    mockAccount();
    const { engine } = makeEngine();
    await engine.updateModelApproval(noRelease, 3, {
      status: 'Approved',
      comment: 'ship',
      actor,
    });
    await engine.updateModelApproval(noRelease, 2, {
      status: 'Rejected',
      comment: 'drift',
      actor,
    });
    const inputs = sagemaker
      .commandCalls(UpdateModelPackageCommand)
      .map(c => c.args[0].input);
    expect(inputs[0].CustomerMetadataProperties).toEqual({
      'mlops:deployment': 'type=ALL_AT_ONCE wait=0',
    });
    expect(inputs[1].CustomerMetadataProperties).toBeUndefined();
  });

  it('refuses a strategy outside SageMaker limits with a 400 naming the field, before any AWS call', async () => {
    mockAccount();
    const { engine } = makeEngine();
    await expect(
      engine.updateModelApproval(noRelease, 3, {
        status: 'Approved',
        comment: 'too big',
        actor,
        deployment: {
          trafficRouting: {
            type: 'CANARY',
            waitIntervalInSeconds: 60,
            canarySize: { type: 'CAPACITY_PERCENT', value: 80 },
          },
        },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'deployment.trafficRouting.canarySize.value',
      ),
    });
    expect(sagemaker.calls()).toHaveLength(0);
    // The contract's own schema agrees.
    expect(deploymentStrategySchema.safeParse(CANARY).success).toBe(true);
  });
});

describe('listDeployments: the rollout from DescribeEndpoint', () => {
  it('shows an Updating canary baking at 10 %, with its alarms and the next shift', async () => {
    mockAccount(updating);
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(
      cloudwatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input,
    ).toEqual({
      AlarmNames: [
        'abalone-endpoint-rollout-errors',
        'abalone-endpoint-rollout-p99-latency',
        'abalone-endpoint-rollout-prediction-drift',
        'abalone-endpoint-rollout-manual',
      ],
      AlarmTypes: ['MetricAlarm'],
      MaxRecords: 10,
    });
    // In flight: no history needed.
    expect(cloudwatch.commandCalls(DescribeAlarmHistoryCommand)).toHaveLength(
      0,
    );
    expect(res.rollout).toEqual({
      rolloutId: V3_CONFIG,
      endpointName: sm.ENDPOINT,
      strategy: {
        trafficRouting: {
          type: 'CANARY',
          waitIntervalInSeconds: 600,
          canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
        },
        terminationWaitInSeconds: 300,
        maximumExecutionTimeoutInSeconds: 3600,
        // From the alarms: ModelLatency's microseconds as milliseconds.
        autoRollback: { errorRate: 0.05, p99LatencyMs: 800 },
      },
      fromVersion: 2,
      toVersion: 3,
      status: 'InProgress',
      trafficPercent: 10,
      step: 1,
      totalSteps: 2,
      nextStepAt: '2026-12-07T15:14:00.000Z',
      startedAt: '2026-12-07T15:00:05.000Z',
      updatedAt: '2026-12-07T15:00:05.000Z',
      alarms: [
        { name: 'errorRate', state: 'OK', threshold: 0.05 },
        { name: 'p99LatencyMs', state: 'OK', threshold: 800 },
        { name: 'manual', state: 'OK' },
      ],
    });
    // Polled again within the list TTL: the alarms are not read again.
    await engine.listDeployments(resources);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
    expect(
      res.deployments.map(d => [d.modelVersion, d.status, d.rolloutId]),
    ).toEqual([
      [3, 'Updating', V3_CONFIG],
      [2, 'Updating', undefined],
    ]);
  });

  it('shows RollingBack with SageMaker FailureReason', async () => {
    mockAccount(
      {
        ...updating,
        EndpointStatus: 'RollingBack',
        FailureReason:
          'Alarm abalone-endpoint-rollout-errors went into ALARM state; rolling back',
      },
      {
        alarms: [
          alarm(ALARMS.errorRate, 'ALARM', { Threshold: 0.05 }),
          ...ALL_OK.slice(1),
        ],
      },
    );
    const { engine } = makeEngine();
    const { rollout, deployments } = await engine.listDeployments(resources);
    expect(rollout).toMatchObject({
      status: 'RollingBack',
      fromVersion: 2,
      toVersion: 3,
      reason:
        'Alarm abalone-endpoint-rollout-errors went into ALARM state; rolling back',
      alarms: expect.arrayContaining([
        { name: 'errorRate', state: 'ALARM', threshold: 0.05 },
      ]),
    });
    expect(rollout?.nextStepAt).toBeUndefined();
    expect(deployments[0]).toMatchObject({
      modelVersion: 3,
      status: 'RollingBack',
      rolloutId: V3_CONFIG,
      rollbackReason: rollout?.reason,
    });
  });

  it('shows Completed once InService on the new config with no alarm tripped in its window', async () => {
    mockAccount({
      LastDeploymentConfig: CANARY_CONFIG,
      LastModifiedTime: new Date('2026-12-07T15:30:00.000Z'),
    });
    const { engine } = makeEngine();
    const { rollout } = await engine.listDeployments(resources);
    expect(rollout).toMatchObject({
      rolloutId: sm.ENDPOINT_CONFIG,
      status: 'Completed',
      toVersion: 2,
      trafficPercent: 100,
      step: 2,
      totalSteps: 2,
      endedAt: '2026-12-07T15:30:00.000Z',
    });
    // One history read per watched alarm, bounded to the update's window.
    const history = cloudwatch
      .commandCalls(DescribeAlarmHistoryCommand)
      .map(c => c.args[0].input);
    expect(history.map(h => h.AlarmName).sort()).toEqual(
      Object.values(ALARMS).sort(),
    );
    expect(history[0]).toMatchObject({
      HistoryItemType: 'StateUpdate',
      StartDate: new Date('2026-12-07T14:30:00.000Z'),
      EndDate: new Date('2026-12-07T15:31:00.000Z'),
      MaxRecords: 10,
      ScanBy: 'TimestampDescending',
    });
  });

  it('shows RolledBack after an alarm tripped: the reason from its history, the version tried from the registry', async () => {
    mockAccount(
      {
        LastDeploymentConfig: CANARY_CONFIG,
        LastModifiedTime: new Date('2026-12-07T15:20:00.000Z'),
      },
      { v3Status: 'Approved' },
    );
    cloudwatch
      .on(DescribeAlarmHistoryCommand, { AlarmName: ALARMS.errorRate })
      .resolves({
        $metadata: {},
        AlarmHistoryItems: [
          {
            AlarmName: ALARMS.errorRate,
            AlarmType: 'MetricAlarm',
            Timestamp: new Date('2026-12-07T15:12:00.000Z'),
            HistoryItemType: 'StateUpdate',
            HistorySummary: 'Alarm updated from OK to ALARM',
            HistoryData: JSON.stringify({
              version: '1.0',
              oldState: { stateValue: 'OK' },
              newState: {
                stateValue: 'ALARM',
                stateReason:
                  'Threshold Crossed: 1 datapoint [0.31] was greater than the threshold (0.05).',
              },
            }),
          },
        ],
      });
    const { engine } = makeEngine();
    const { rollout, deployments } = await engine.listDeployments(resources);
    // The rolled-back version is listed after the serving one, with the reason.
    expect(deployments.map(d => [d.modelVersion, d.status, d.current])).toEqual(
      [
        [2, 'InService', true],
        [3, 'Failed', false],
      ],
    );
    expect(deployments[1]).toMatchObject({
      modelPackageArn: sm.packageArn(3),
      rolloutId: rollout?.rolloutId,
      rollbackReason: rollout?.reason,
    });
    expect(rollout).toMatchObject({
      status: 'RolledBack',
      fromVersion: 2,
      toVersion: 3,
      trafficPercent: 0,
      reason:
        'errorRate alarm: Threshold Crossed: 1 datapoint [0.31] was greater than the threshold (0.05).',
    });
  });

  it("shows an owner's rollback with who asked and the version, from the manual alarm's reason data", async () => {
    mockAccount({
      LastDeploymentConfig: CANARY_CONFIG,
      LastModifiedTime: new Date('2026-12-07T15:20:00.000Z'),
    });
    cloudwatch
      .on(DescribeAlarmHistoryCommand, { AlarmName: ALARMS.manual })
      .resolves({
        $metadata: {},
        AlarmHistoryItems: [
          {
            AlarmName: ALARMS.manual,
            Timestamp: new Date('2026-12-07T15:10:00.000Z'),
            HistoryItemType: 'StateUpdate',
            HistorySummary: 'Alarm updated from OK to ALARM',
            HistoryData: JSON.stringify({
              newState: {
                stateValue: 'ALARM',
                stateReason: 'Rollback requested by user:default/alice: odd',
                stateReasonData: JSON.stringify({
                  actor: 'user:default/alice',
                  comment: 'odd',
                  toVersion: 3,
                }),
              },
            }),
          },
        ],
      });
    const { engine } = makeEngine();
    const { rollout } = await engine.listDeployments(resources);
    expect(rollout).toMatchObject({
      status: 'RolledBack',
      toVersion: 3,
      fromVersion: 2,
      startedBy: 'user:default/alice',
      reason: 'manual alarm: Rollback requested by user:default/alice: odd',
    });
  });

  it('has no rollout (and reads no alarms) for an endpoint never updated with a deployment config', async () => {
    mockAccount();
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(res.rollout).toBeUndefined();
    expect(res.shadowTest).toBeUndefined();
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});

describe('controlRollout', () => {
  it('rolls back by setting the manual alarm to ALARM, naming who and why', async () => {
    mockAccount(updating);
    cloudwatch.on(SetAlarmStateCommand).resolves({ $metadata: {} });
    const { engine } = makeEngine();
    const rollout = await engine.controlRollout(resources, {
      action: 'rollback',
      actor,
      comment: 'latency looks odd',
    });
    expect(
      cloudwatch.commandCalls(SetAlarmStateCommand).map(c => c.args[0].input),
    ).toEqual([
      {
        AlarmName: 'abalone-endpoint-rollout-manual',
        StateValue: 'ALARM',
        StateReason:
          'Rollback requested by user:default/guest: latency looks odd',
        StateReasonData: JSON.stringify({
          actor: 'user:default/guest',
          comment: 'latency looks odd',
          toVersion: 3,
          rolloutId: V3_CONFIG,
        }),
      },
    ]);
    expect(rollout).toMatchObject({
      status: 'InProgress',
      toVersion: 3,
      reason: 'Rollback requested by user:default/guest: latency looks odd',
    });
  });

  it('bounds a long comment to CloudWatch limits', async () => {
    mockAccount(updating);
    cloudwatch.on(SetAlarmStateCommand).resolves({ $metadata: {} });
    const { engine } = makeEngine();
    await engine.controlRollout(resources, {
      action: 'rollback',
      actor,
      comment: 'x'.repeat(5000),
    });
    const input =
      cloudwatch.commandCalls(SetAlarmStateCommand)[0].args[0].input;
    expect(input.StateReason!.length).toBeLessThanOrEqual(1023);
    expect(input.StateReasonData!.length).toBeLessThanOrEqual(4000);
  });

  it('answers 409 when no update is in progress, or the update does not watch the manual alarm', async () => {
    mockAccount({ LastDeploymentConfig: CANARY_CONFIG });
    const { engine } = makeEngine();
    await expect(
      engine.controlRollout(resources, { action: 'rollback', actor }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('No update is in progress'),
    });
    sagemaker.reset();
    mockAccount({
      ...updating,
      LastDeploymentConfig: {
        BlueGreenUpdatePolicy: CANARY_CONFIG.BlueGreenUpdatePolicy,
      },
    });
    await expect(
      makeEngine().engine.controlRollout(resources, {
        action: 'rollback',
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'does not watch alarm abalone-endpoint-rollout-manual',
      ),
    });
    expect(cloudwatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });

  it('answers 501 for pause, resume and promote: SageMaker cannot hold or hurry an update', async () => {
    const { engine } = makeEngine();
    for (const action of ['pause', 'resume', 'promote'] as const) {
      await expect(
        engine.controlRollout(resources, { action, actor }),
      ).rejects.toMatchObject({
        name: 'NotImplementedError',
        message: expect.stringContaining(
          'cannot be paused, resumed or shortened',
        ),
      });
    }
    expect(sagemaker.calls()).toHaveLength(0);
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});

describe('shadow tests', () => {
  const SHADOW_CONFIG = 'abalone-endpoint-shadow-v3-20261207T150000';
  const startedAt = '2026-12-07T15:00:00.000Z';

  it('names models and configs within 63 characters', () => {
    const at = new Date('2026-12-07T15:00:00.123Z');
    expect(shadowResourceName('abalone-endpoint', 3, at)).toBe(SHADOW_CONFIG);
    const long = shadowResourceName(
      `${'a'.repeat(40)}-${'b'.repeat(22)}`,
      12,
      at,
    );
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(long.endsWith('-shadow-v12-20261207T150000')).toBe(true);
    expect(
      comparisonRange(startedAt, new Date('2026-12-07T15:10:30.000Z')),
    ).toEqual({
      start: new Date(startedAt),
      end: new Date('2026-12-07T15:11:00.000Z'),
      period: 660,
    });
  });

  it('starts: a model from the candidate package, a config copying the serving variant plus the shadow, UpdateEndpoint', async () => {
    mockAccount();
    sagemaker.on(CreateModelCommand).resolves({
      $metadata: {},
      ModelArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model/x',
    });
    sagemaker.on(CreateEndpointConfigCommand).resolves({
      $metadata: {},
      EndpointConfigArn: `arn:aws:sagemaker:eu-west-1:123456789012:endpoint-config/x`,
    });
    sagemaker.on(UpdateEndpointCommand).resolves({
      $metadata: {},
      EndpointArn: sm.describeEndpoint.EndpointArn,
    });
    const { engine } = makeEngine();
    const test = await engine.startShadowTest(resources, {
      modelVersion: 3,
      samplePercent: 25,
      actor,
    });
    const name = test.shadowTestId;
    expect(name).toMatch(/^abalone-endpoint-shadow-v3-\d{8}T\d{6}$/);
    expect(sagemaker.commandCalls(CreateModelCommand)[0].args[0].input).toEqual(
      {
        ModelName: name,
        ExecutionRoleArn: sm.ROLE_ARN,
        Containers: [{ ModelPackageName: sm.packageArn(3) }],
        EnableNetworkIsolation: false,
        Tags: [{ Key: 'mlops:model-package-arn', Value: sm.packageArn(3) }],
      },
    );
    const config = sagemaker.commandCalls(CreateEndpointConfigCommand)[0]
      .args[0].input;
    expect(config).toEqual({
      EndpointConfigName: name,
      ProductionVariants: sm.describeEndpointConfig.ProductionVariants,
      ShadowProductionVariants: [
        {
          VariantName: 'shadow-v3',
          ModelName: name,
          InitialVariantWeight: 0.25,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
        },
      ],
      Tags: [
        { Key: 'mlops:model-package-arn', Value: sm.packageArn(2) },
        { Key: 'mlops:shadow-original-config', Value: sm.ENDPOINT_CONFIG },
        { Key: 'mlops:shadow-candidate-arn', Value: sm.packageArn(3) },
        { Key: 'mlops:shadow-sample-percent', Value: '25' },
        { Key: 'mlops:shadow-started-by', Value: 'user:default/guest' },
        { Key: 'mlops:shadow-started-at', Value: test.startedAt },
      ],
    });
    expect(
      sagemaker.commandCalls(UpdateEndpointCommand)[0].args[0].input,
    ).toEqual({
      EndpointName: sm.ENDPOINT,
      EndpointConfigName: name,
    });
    expect(test).toMatchObject({
      endpointName: sm.ENDPOINT,
      servingVersion: 2,
      candidateVersion: 3,
      status: 'Running',
      samplePercent: 25,
      startedBy: 'user:default/guest',
    });
  });

  it('refuses a candidate of another group (403, before creating anything), an unknown version (404), a bad share (before any AWS call), the serving version and a busy endpoint', async () => {
    const packages = mockAccount();
    packages[sm.packageArn(3)] = {
      ...sm.describePackage3,
      ModelPackageGroupName: 'SomeoneElsesGroup',
    };
    const { engine } = makeEngine();
    await expect(
      engine.startShadowTest(resources, {
        modelVersion: 3,
        samplePercent: 10,
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('belongs to group SomeoneElsesGroup'),
    });
    // Refused on the package's own description: the endpoint is not even read.
    expect(sagemaker.commandCalls(DescribeEndpointCommand)).toHaveLength(0);
    expect(sagemaker.commandCalls(CreateModelCommand)).toHaveLength(0);
    await expect(
      engine.startShadowTest(resources, {
        modelVersion: 9,
        samplePercent: 10,
        actor,
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });

    sagemaker.reset();
    await expect(
      engine.startShadowTest(resources, {
        modelVersion: 3,
        samplePercent: 0,
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('samplePercent'),
    });
    expect(sagemaker.calls()).toHaveLength(0);

    mockAccount();
    await expect(
      makeEngine().engine.startShadowTest(resources, {
        modelVersion: 2,
        samplePercent: 10,
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'is the version endpoint abalone-endpoint serves',
      ),
    });
    sagemaker.reset();
    mockAccount(updating);
    await expect(
      makeEngine().engine.startShadowTest(resources, {
        modelVersion: 1,
        samplePercent: 10,
        actor,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    for (const cmd of [
      CreateModelCommand,
      CreateEndpointConfigCommand,
      UpdateEndpointCommand,
    ])
      expect(sagemaker.commandCalls(cmd as any)).toHaveLength(0);
  });

  /** The endpoint running the shadow config the portal made. */
  function mockShadowRunning() {
    mockAccount({ EndpointConfigName: SHADOW_CONFIG });
    const arn = `arn:aws:sagemaker:${sm.REGION}:${sm.ACCOUNT}:endpoint-config/${SHADOW_CONFIG}`;
    sagemaker
      .on(DescribeEndpointConfigCommand, { EndpointConfigName: SHADOW_CONFIG })
      .resolves({
        ...sm.describeEndpointConfig,
        EndpointConfigName: SHADOW_CONFIG,
        EndpointConfigArn: arn,
        ShadowProductionVariants: [
          {
            VariantName: 'shadow-v3',
            ModelName: SHADOW_CONFIG,
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            InitialVariantWeight: 0.5,
          },
        ],
      });
    sagemaker.on(ListTagsCommand, { ResourceArn: arn }).resolves({
      $metadata: {},
      Tags: [
        { Key: 'mlops:model-package-arn', Value: sm.packageArn(2) },
        { Key: 'mlops:shadow-original-config', Value: sm.ENDPOINT_CONFIG },
        { Key: 'mlops:shadow-candidate-arn', Value: sm.packageArn(3) },
        { Key: 'mlops:shadow-sample-percent', Value: '50' },
        { Key: 'mlops:shadow-started-by', Value: 'user:default/alice' },
        { Key: 'mlops:shadow-started-at', Value: startedAt },
      ],
    });
    cloudwatch.on(GetMetricDataCommand).resolves({
      $metadata: {},
      // Per variant (v0 serving, v1 shadow): invocations, 5xx, p50, p99.
      MetricDataResults: (
        [
          ['v0_inv', 200],
          ['v0_e5', 1],
          ['v0_p50', 4200],
          ['v0_p99', 9100],
          ['v1_inv', 100],
          ['v1_e5', 3],
          ['v1_p50', 5000],
          ['v1_p99', 12000],
        ] as Array<[string, number]>
      ).map(([Id, value]) => ({
        Id,
        ...(Id === 'v0_inv' ? { Label: 'inv' } : {}),
        Values: [value],
        Timestamps: [new Date(startedAt)],
        StatusCode: 'Complete' as const,
      })),
    });
  }

  it('lists the running shadow test with CloudWatch numbers per variant (agreement not available)', async () => {
    mockShadowRunning();
    const { engine } = makeEngine();
    const { shadowTest } = await engine.listDeployments(resources);
    expect(shadowTest).toEqual({
      shadowTestId: SHADOW_CONFIG,
      endpointName: sm.ENDPOINT,
      servingVersion: 2,
      candidateVersion: 3,
      status: 'Running',
      samplePercent: 50,
      startedAt,
      startedBy: 'user:default/alice',
      comparison: {
        requests: 100,
        variants: [
          {
            modelVersion: 2,
            role: 'current',
            weight: 100,
            invocations: 200,
            errors: 1,
            p50LatencyMs: 4.2,
            p99LatencyMs: 9.1,
          },
          {
            modelVersion: 3,
            role: 'candidate',
            weight: 0,
            invocations: 100,
            errors: 3,
            p50LatencyMs: 5,
            p99LatencyMs: 12,
          },
        ],
      },
    });
    const q = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(q.StartTime).toEqual(new Date(startedAt));
    expect(q.MetricDataQueries!.map(m => m.Id)).toEqual([
      'v0_inv',
      'v0_e5',
      'v0_p50',
      'v0_p99',
      'v1_inv',
      'v1_e5',
      'v1_p50',
      'v1_p99',
    ]);
    expect(q.MetricDataQueries![7].MetricStat).toMatchObject({
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: 'ModelLatency',
        Dimensions: [
          { Name: 'EndpointName', Value: sm.ENDPOINT },
          { Name: 'VariantName', Value: 'shadow-v3' },
        ],
      },
      Stat: 'p99',
    });
  });

  it('stops: UpdateEndpoint back to the tagged original config; 409 when none runs', async () => {
    mockShadowRunning();
    sagemaker.on(UpdateEndpointCommand).resolves({
      $metadata: {},
      EndpointArn: sm.describeEndpoint.EndpointArn,
    });
    const { engine } = makeEngine();
    const stopped = await engine.stopShadowTest(resources, { actor });
    expect(
      sagemaker.commandCalls(UpdateEndpointCommand).map(c => c.args[0].input),
    ).toEqual([
      { EndpointName: sm.ENDPOINT, EndpointConfigName: sm.ENDPOINT_CONFIG },
    ]);
    expect(stopped).toMatchObject({
      status: 'Stopped',
      candidateVersion: 3,
      endedAt: expect.any(String),
      comparison: { requests: 100 },
    });

    sagemaker.reset();
    mockAccount();
    await expect(
      makeEngine().engine.stopShadowTest(resources, { actor }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'No shadow test is running on endpoint abalone-endpoint',
    });
    expect(sagemaker.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });
});

describe('rollout and shadow requests in these tests', () => {
  it("fit botocore's INPUT and OUTPUT shapes (sagemaker, cloudwatch)", () => {
    const ops = new Set(recorder.items.map(i => `${i.service}.${i.operation}`));
    for (const op of [
      'sagemaker.UpdateModelPackage',
      'sagemaker.CreateModel',
      'sagemaker.CreateEndpointConfig',
      'sagemaker.UpdateEndpoint',
      'cloudwatch.DescribeAlarms',
      'cloudwatch.DescribeAlarmHistory',
      'cloudwatch.SetAlarmState',
      'cloudwatch.GetMetricData',
    ])
      expect(ops).toContain(op);
    expect(validateAwsShapes(recorder.items)).toEqual([]);
  });

  it('are all allowed by the IAM policy in docs/aws.md', () => {
    const actions = [...recorder.actions].sort();
    expect(actions.filter(a => !docsPolicyAllows(a))).toEqual([]);
  });
});
