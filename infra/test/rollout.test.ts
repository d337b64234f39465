/**
 * Blue/green rollouts on SageMaker (issue 26): the endpoint's DeploymentConfig
 * from the spec's `deployment` (or the approval's override), the rollout
 * alarms, their shapes in botocore's models, and the IAM around them (the
 * Deploy stage's execution policy, the portal's per-system policy).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as os from 'os';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { parseSpec } from '@mlops-portal/ml-core';
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import { SYSTEMS } from '../bin/systems';
import { namesForSystem } from '../lib/config';
import {
  DEPLOY_EXECUTION_POLICY,
  deploySynthesizer,
} from '../lib/deploy-access';
import { buildMlopsApp, MlopsStacks } from '../lib/mlops-app';
import {
  deploymentOverrideContextKey,
  DeploymentStrategy,
  MANUAL_ROLLBACK_METRIC,
  PREDICTION_DRIFT_METRIC,
  ROLLOUT_METRICS_NAMESPACE,
  rolloutAlarmNames,
} from '../lib/rollout';
import { shadowPrefix } from '../lib/portal-access';
import { ServingStack } from '../lib/serving-stack';
import { readSpecFile, resolveSystem, SpecError } from '../lib/spec';
import type { AwsShapeItem } from '../../scripts/aws-models/validate';
import { asArray, cdkJsonContext, resourcesOf, TEST_ENV } from './helpers';

const { validateAwsShapes } =
  require('../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const SPEC_FILE = path.join(
  __dirname,
  '..',
  '..',
  'packages',
  'demo-systems',
  'abalone',
  'ml-system.yaml',
);
const baseSpec = (): MlSystemSpec =>
  parseSpec(fs.readFileSync(SPEC_FILE, 'utf8'), SPEC_FILE);
const withDeployment = (deployment: unknown): MlSystemSpec => {
  const spec = baseSpec();
  // As parseSpec returns it once it reads the section (the service area adds it).
  (spec.spec as { deployment?: unknown }).deployment = deployment;
  return spec;
};

const CANARY: DeploymentStrategy = {
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: 600,
    canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
  },
  terminationWaitInSeconds: 300,
  maximumExecutionTimeoutInSeconds: 3600,
  autoRollback: {
    errorRate: 0.05,
    p99LatencyMs: 250,
    predictionDrift: 0.2,
    minInvocations: 20,
  },
};
const LINEAR: DeploymentStrategy = {
  trafficRouting: {
    type: 'LINEAR',
    waitIntervalInSeconds: 300,
    linearStepSize: { type: 'CAPACITY_PERCENT', value: 30 },
  },
  autoRollback: { errorRate: 0.1 },
};

const ENDPOINT = 'test-endpoint';
const STACK = 'TestServing';

/** One serving stack of the Abalone spec, with a spec deployment and/or context. */
function servingStack(
  deployment?: unknown,
  context: Record<string, unknown> = {},
  minCapacity?: number,
): ServingStack {
  const app = new App({
    context: { ...cdkJsonContext(), ...context },
  });
  const spec =
    deployment === undefined ? baseSpec() : withDeployment(deployment);
  return new ServingStack(app, STACK, {
    env: TEST_ENV,
    system: resolveSystem(spec),
    names: { ...namesForSystem(spec.metadata.name), endpointName: ENDPOINT },
    synthesizer: deploySynthesizer(),
    minCapacity,
    maxCapacity: minCapacity && Math.max(minCapacity, 4),
  });
}
const servingTemplate = (
  deployment?: unknown,
  context: Record<string, unknown> = {},
): any => Template.fromStack(servingStack(deployment, context)).toJSON();

/** A statement with its Action and Resource lists sorted (CDK sorts and merges them). */
const norm = (s: any) => ({
  ...s,
  Action: [...asArray(s.Action)].sort(),
  Resource: [...asArray(s.Resource)].sort(),
});

const endpointOf = (t: any) => {
  const endpoints = resourcesOf(t, 'AWS::SageMaker::Endpoint');
  expect(endpoints).toHaveLength(1);
  return endpoints[0][1];
};
const alarmsOf = (t: any): Record<string, any> =>
  Object.fromEntries(
    resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, r]) => [
      r.Properties.AlarmName,
      r.Properties,
    ]),
  );

describe('endpoint DeploymentConfig', () => {
  it('is a canary with the spec bake time, sizes and all four alarms', () => {
    const t = servingTemplate(CANARY);
    const endpoint = endpointOf(t);
    const names = rolloutAlarmNames(ENDPOINT);
    expect(endpoint.Properties.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 600,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
        },
        TerminationWaitInSeconds: 300,
        MaximumExecutionTimeoutInSeconds: 3600,
      },
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: names.errors },
          { AlarmName: names.p99Latency },
          { AlarmName: names.predictionDrift },
          { AlarmName: names.manual },
        ],
      },
    });
    // The alarms exist before CloudFormation updates the endpoint.
    const alarmIds = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(alarmIds).toHaveLength(4);
    expect(endpoint.DependsOn).toEqual(expect.arrayContaining(alarmIds));
  });

  it('is linear with its step size, and watches only the thresholds the spec sets', () => {
    const config = endpointOf(servingTemplate(LINEAR)).Properties
      .DeploymentConfig;
    const names = rolloutAlarmNames(ENDPOINT);
    expect(config.BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: {
        Type: 'LINEAR',
        WaitIntervalInSeconds: 300,
        LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 },
      },
    });
    expect(config.AutoRollbackConfiguration.Alarms).toEqual([
      { AlarmName: names.errors },
      { AlarmName: names.manual },
    ]);
  });

  it('without a spec deployment is all at once, with the manual rollback alarm only', () => {
    const t = servingTemplate();
    expect(endpointOf(t).Properties.DeploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'ALL_AT_ONCE',
          WaitIntervalInSeconds: 0,
        },
      },
      AutoRollbackConfiguration: {
        Alarms: [{ AlarmName: `${ENDPOINT}-rollout-manual` }],
      },
    });
    expect(Object.keys(alarmsOf(t))).toEqual([`${ENDPOINT}-rollout-manual`]);
    expect(t.Outputs.DeploymentStrategy.Value).toBe(
      JSON.stringify({
        trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      }),
    );
  });

  it('warns when the fleet is too small for the canary share (SageMaker steps in whole instances)', () => {
    const small = Annotations.fromStack(servingStack(CANARY));
    small.hasWarning(
      '*',
      Match.stringLikeRegexp(
        'CANARY 10 % of 1 instance\\(s\\).*fewer than 10 instances',
      ),
    );
    Annotations.fromStack(servingStack(CANARY, {}, 10)).hasNoWarning(
      '*',
      Match.stringLikeRegexp('CANARY'),
    );
    Annotations.fromStack(servingStack()).hasNoWarning(
      '*',
      Match.stringLikeRegexp('instance'),
    );
  });

  it('refuses an invalid spec deployment at synth, naming the field', () => {
    const bad = {
      ...CANARY,
      trafficRouting: {
        ...CANARY.trafficRouting,
        canarySize: { type: 'CAPACITY_PERCENT', value: 75 },
      },
    };
    expect(() => resolveSystem(withDeployment(bad))).toThrow(SpecError);
    expect(() => resolveSystem(withDeployment(bad))).toThrow(
      'spec.deployment.trafficRouting.canarySize.value: must be at most 50 %',
    );
    expect(() =>
      resolveSystem(
        withDeployment({
          trafficRouting: { type: 'LINEAR', waitIntervalInSeconds: 60 },
        }),
      ),
    ).toThrow(
      'spec.deployment.trafficRouting.linearStepSize: is required for LINEAR',
    );
    expect(() =>
      resolveSystem(withDeployment({ ...LINEAR, colour: 'blue' })),
    ).toThrow(/spec\.deployment: Unrecognized key.*colour/);
  });
});

describe('rollout alarms', () => {
  let alarms: Record<string, any>;
  beforeAll(() => {
    alarms = alarmsOf(servingTemplate(CANARY));
  });
  const dims = [
    { Name: 'EndpointName', Value: ENDPOINT },
    { Name: 'VariantName', Value: 'AllTraffic' },
  ];

  it('error rate: 5XX / Invocations by metric math over 1-minute periods, from minInvocations on', () => {
    const a = alarms[`${ENDPOINT}-rollout-errors`];
    expect(a).toMatchObject({
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(a.Metrics.map((m: any) => [m.Id, m]));
    // One expression (the alarm's value) over the two sums, which are not returned.
    const expressions = a.Metrics.filter((m: any) => m.Expression);
    expect(expressions).toHaveLength(1);
    expect(expressions[0]).toMatchObject({
      Expression: 'IF(invocations >= 20, errors / invocations, 0)',
    });
    expect(byId.errors.ReturnData).toBe(false);
    expect(byId.invocations.ReturnData).toBe(false);
    expect(byId.errors.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: dims,
      },
      Period: 60,
      Stat: 'Sum',
    });
    expect(byId.invocations.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: dims,
      },
      Period: 60,
      Stat: 'Sum',
    });
  });

  it('p99 latency: ModelLatency p99 against the threshold in microseconds, from minInvocations on', () => {
    const a = alarms[`${ENDPOINT}-rollout-p99-latency`];
    expect(a).toMatchObject({
      Threshold: 250_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(a.Metrics.map((m: any) => [m.Id, m]));
    expect(a.Metrics.filter((m: any) => m.Expression)).toEqual([
      expect.objectContaining({
        Expression: 'IF(invocations >= 20, latency, 0)',
      }),
    ]);
    expect(byId.latency).toEqual({
      Id: 'latency',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SageMaker',
          MetricName: 'ModelLatency',
          Dimensions: dims,
        },
        Period: 60,
        Stat: 'p99',
      },
      ReturnData: false,
    });
    expect(byId.invocations.MetricStat.Metric.MetricName).toBe('Invocations');
  });

  it('prediction drift and manual rollback: custom metrics, missing data is not breaching', () => {
    expect(alarms[`${ENDPOINT}-rollout-prediction-drift`]).toMatchObject({
      Namespace: ROLLOUT_METRICS_NAMESPACE,
      MetricName: PREDICTION_DRIFT_METRIC,
      Dimensions: [{ Name: 'EndpointName', Value: ENDPOINT }],
      Threshold: 0.2,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[`${ENDPOINT}-rollout-manual`]).toMatchObject({
      Namespace: ROLLOUT_METRICS_NAMESPACE,
      MetricName: MANUAL_ROLLBACK_METRIC,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('names the alarms with the four suffixes the aws engine reads', () => {
    expect(rolloutAlarmNames('my-ep')).toEqual({
      errors: 'my-ep-rollout-errors',
      p99Latency: 'my-ep-rollout-p99-latency',
      predictionDrift: 'my-ep-rollout-prediction-drift',
      manual: 'my-ep-rollout-manual',
    });
    expect(Object.keys(alarms).sort()).toEqual(
      Object.values(rolloutAlarmNames(ENDPOINT)).sort(),
    );
  });

  it('fits UpdateEndpoint and PutMetricAlarm in botocore’s models', () => {
    const t = servingTemplate(CANARY);
    const linear = servingTemplate(LINEAR);
    const update = (template: any): AwsShapeItem => ({
      service: 'sagemaker',
      operation: 'UpdateEndpoint',
      kind: 'input',
      label: 'UpdateEndpoint',
      value: {
        EndpointName: ENDPOINT,
        EndpointConfigName: 'endpointconfig-abc',
        DeploymentConfig: endpointOf(template).Properties.DeploymentConfig,
      },
    });
    const putAlarms = Object.values(alarmsOf(t)).map(
      (props): AwsShapeItem => ({
        service: 'cloudwatch',
        operation: 'PutMetricAlarm',
        kind: 'input',
        label: props.AlarmName,
        value: props,
      }),
    );
    expect(putAlarms).toHaveLength(4);
    expect(
      validateAwsShapes([
        update(t),
        update(linear),
        update(servingTemplate()),
        ...putAlarms,
      ]),
    ).toEqual([]);
  });
});

describe('approval override (Deploy stage context)', () => {
  const key = deploymentOverrideContextKey(STACK);

  it('replaces the spec strategy and keeps the spec alarms when it names none', () => {
    const override = { trafficRouting: LINEAR.trafficRouting };
    const t = servingTemplate(CANARY, { [key]: JSON.stringify(override) });
    const config = endpointOf(t).Properties.DeploymentConfig;
    expect(config.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toEqual({
      Type: 'LINEAR',
      WaitIntervalInSeconds: 300,
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 },
    });
    expect(config.AutoRollbackConfiguration.Alarms).toHaveLength(4);
  });

  it('applies to a system without a spec deployment', () => {
    const t = servingTemplate(undefined, { [key]: JSON.stringify(CANARY) });
    expect(
      endpointOf(t).Properties.DeploymentConfig.BlueGreenUpdatePolicy
        .TrafficRoutingConfiguration.Type,
    ).toBe('CANARY');
    expect(Object.keys(alarmsOf(t))).toHaveLength(4);
  });

  it('is only for the serving stack it names', () => {
    const t = servingTemplate(undefined, {
      [deploymentOverrideContextKey('OtherServing')]: JSON.stringify(CANARY),
    });
    expect(
      endpointOf(t).Properties.DeploymentConfig.BlueGreenUpdatePolicy
        .TrafficRoutingConfiguration.Type,
    ).toBe('ALL_AT_ONCE');
  });

  it('fails synth naming the field when invalid, or when not JSON', () => {
    const bad = {
      trafficRouting: {
        type: 'LINEAR',
        waitIntervalInSeconds: 60,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 5 },
      },
    };
    expect(() =>
      servingTemplate(CANARY, { [key]: JSON.stringify(bad) }),
    ).toThrow(
      `${key}.trafficRouting.linearStepSize.value: must be at least 10 %`,
    );
    expect(() =>
      servingTemplate(CANARY, { [key]: '{"trafficRouting":' }),
    ).toThrow(`${key}: not valid JSON`);
  });
});

describe('cdk-nag with rollouts', () => {
  it('finds nothing unacknowledged in a canary serving stack (alarms, DeploymentConfig)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-rollout-'));
    try {
      const app = new App({ context: cdkJsonContext(), outdir });
      const spec = withDeployment(CANARY);
      new ServingStack(app, STACK, {
        system: resolveSystem(spec),
        names: {
          ...namesForSystem(spec.metadata.name),
          endpointName: ENDPOINT,
        },
        synthesizer: deploySynthesizer(),
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(
        fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
      );
      expect(
        report.pluginReports.flatMap((r: any) => r.violations ?? []),
      ).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('spec files through MlSystem', () => {
  it('gives every system the DeploymentConfig its spec file states (all at once without one)', () => {
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const penguins = path.join(
      path.dirname(SPEC_FILE),
      '..',
      'penguins',
      'ml-system.yaml',
    );
    const all = buildMlopsApp(app, {
      env: TEST_ENV,
      nag: false,
      systems: [...SYSTEMS, { id: 'Penguins', specFile: penguins }],
    }).systems;
    expect(all).toHaveLength(3);
    for (const sys of all) {
      const stated = readSpecFile(sys.system.specFile!).spec.deployment;
      const t = Template.fromStack(sys.servingStack).toJSON();
      const config = endpointOf(t).Properties.DeploymentConfig;
      expect({
        system: sys.system.name,
        type: config.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type,
        alarms: config.AutoRollbackConfiguration.Alarms.length,
      }).toEqual({
        system: sys.system.name,
        type: stated?.trafficRouting.type ?? 'ALL_AT_ONCE',
        alarms:
          1 +
          ['errorRate', 'p99LatencyMs', 'predictionDrift'].filter(
            k => (stated?.autoRollback as any)?.[k] !== undefined,
          ).length,
      });
      expect(sys.servingStack.strategy).toEqual(
        stated ?? {
          trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
        },
      );
    }
  });
});

describe('IAM for rollouts and shadow tests', () => {
  let stacks: MlopsStacks;
  let pipeline: any;
  let data: any;
  beforeAll(() => {
    // Bundling is irrelevant to IAM; skipping it keeps this synth fast.
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    stacks = buildMlopsApp(app, {
      env: TEST_ENV,
      systems: SYSTEMS,
      nag: false,
    });
    pipeline = Template.fromStack(stacks.systems[0].pipelineStack).toJSON();
    data = Template.fromStack(stacks.platform).toJSON();
  });
  const ep = () => stacks.systems[0].names.endpointName;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${TEST_ENV.region}:${TEST_ENV.account}:${resource}`;

  it('gives the portal a per-system policy scoped to the endpoint, its alarms and shadow resources', () => {
    const policies = resourcesOf(pipeline, 'AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    const props = policies[0][1].Properties;
    expect(props.ManagedPolicyName).toBe(
      `mlops-portal-rollouts-${stacks.systems[0].system.name}`,
    );
    const bySid = Object.fromEntries(
      props.PolicyDocument.Statement.map(({ Sid, ...s }: any) => [
        Sid,
        norm(s),
      ]),
    );
    const serving = stacks.systems[0].servingStack;
    const roleId = serving.getLogicalId(
      serving.modelRole.node.defaultChild as any,
    );
    const expected = {
      ReadRolloutAlarms: {
        Effect: 'Allow',
        Action: [
          'cloudwatch:DescribeAlarms',
          'cloudwatch:DescribeAlarmHistory',
        ],
        Resource: arn('cloudwatch', `alarm:${ep()}-rollout-*`),
      },
      ManualRollback: {
        Effect: 'Allow',
        Action: 'cloudwatch:SetAlarmState',
        Resource: arn('cloudwatch', `alarm:${ep()}-rollout-manual`),
      },
      RolloutMetrics: {
        Effect: 'Allow',
        Action: 'cloudwatch:GetMetricData',
        Resource: '*',
      },
      ShadowTestEndpoint: {
        Effect: 'Allow',
        Action: ['sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint'],
        Resource: [
          arn('sagemaker', `endpoint/${ep()}`),
          arn('sagemaker', `endpoint-config/${ep()}-shadow-*`),
          arn('sagemaker', 'endpoint-config/endpointconfig-*'),
        ],
      },
      ShadowTestModelsAndConfigs: {
        Effect: 'Allow',
        Action: [
          'sagemaker:CreateModel',
          'sagemaker:CreateEndpointConfig',
          'sagemaker:AddTags',
          'sagemaker:DescribeModel',
          'sagemaker:DescribeEndpointConfig',
        ],
        Resource: [
          arn('sagemaker', `model/${ep()}-shadow-*`),
          arn('sagemaker', `endpoint-config/${ep()}-shadow-*`),
        ],
      },
      PassModelExecutionRole: {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: `arn:aws:iam::${TEST_ENV.account}:role/${serving.stackName}-${roleId}-*`,
        Condition: {
          StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
        },
      },
    };
    expect(bySid).toEqual(
      Object.fromEntries(
        Object.entries(expected).map(([sid, st]) => [sid, norm(st)]),
      ),
    );
    expect(pipeline.Outputs.PortalRolloutPolicyArn.Value).toEqual({
      Ref: policies[0][0],
    });
  });

  it('covers shadow names the aws engine shortens for long endpoint names', () => {
    expect(shadowPrefix('abalone-age-endpoint')).toBe(
      'abalone-age-endpoint-shadow-',
    );
    const long = 'a-very-long-endpoint-name-for-a-system-x'; // 40 characters
    expect(shadowPrefix(long)).toBe('a-very-long-endpoint-name-for-a*-shadow-');
    // The aws engine's name for version 12 at a given time, shortened to 63.
    const suffix = '-shadow-v12-20261207T152000';
    const name = `${long
      .slice(0, 63 - suffix.length)
      .replace(/-+$/, '')}${suffix}`;
    const pattern = new RegExp(
      `^${shadowPrefix(long).replace(/\*/g, '.*')}.*$`,
    );
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(pattern);
  });

  it('passes only the model role, whose generated name matches the pattern', () => {
    const serving = Template.fromStack(stacks.systems[0].servingStack).toJSON();
    const roleId = stacks.systems[0].servingStack.getLogicalId(
      stacks.systems[0].servingStack.modelRole.node.defaultChild as any,
    );
    expect(serving.Resources[roleId].Type).toBe('AWS::IAM::Role');
    expect(serving.Resources[roleId].Properties.RoleName).toBeUndefined();
    expect(serving.Outputs.ModelRoleArn.Value).toEqual({
      'Fn::GetAtt': [roleId, 'Arn'],
    });
  });

  it('lets the Deploy stage manage only each endpoint’s rollout alarms', () => {
    const policy = resourcesOf(data, 'AWS::IAM::ManagedPolicy').find(
      ([, p]) => p.Properties.ManagedPolicyName === DEPLOY_EXECUTION_POLICY,
    )![1];
    const alarmStatements = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) =>
        asArray(s.Action).some((a: string) => a.startsWith('cloudwatch:')),
    );
    // CDK merges the systems' identical statements into one.
    expect(alarmStatements.map(norm)).toEqual([
      norm({
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DescribeAlarms',
          'cloudwatch:TagResource',
          'cloudwatch:UntagResource',
          'cloudwatch:ListTagsForResource',
        ],
        Resource: stacks.systems.map(sys =>
          arn('cloudwatch', `alarm:${sys.names.endpointName}-rollout-*`),
        ),
      }),
    ]);
  });
});
