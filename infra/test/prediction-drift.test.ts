/**
 * The prediction-drift publisher in a serving stack (lib/prediction-drift.ts):
 * present exactly when the strategy watches prediction drift, triggered by
 * the endpoint's Data Capture files through EventBridge, least-privilege IAM,
 * and the artifact bucket sending its events to EventBridge.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { parseSpec } from '@mlops-portal/ml-core';
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import { namesForSystem } from '../lib/config';
import { DataStack } from '../lib/data-stack';
import { DeployAccess, deploySynthesizer } from '../lib/deploy-access';
import { capturePrefix } from '../lib/model-monitor';
import type { DeploymentStrategy } from '../lib/rollout';
import { ServingStack } from '../lib/serving-stack';
import { resolveSystem } from '../lib/spec';
import { asArray, cdkJsonContext, resourcesOf, TEST_ENV } from './helpers';

const SPEC_FILE = path.join(
  __dirname,
  '..',
  '..',
  'packages',
  'demo-systems',
  'abalone',
  'ml-system.yaml',
);
const spec = (deployment?: DeploymentStrategy): MlSystemSpec => {
  const s = parseSpec(fs.readFileSync(SPEC_FILE, 'utf8'), SPEC_FILE);
  (s.spec as { deployment?: unknown }).deployment = deployment;
  return s;
};
const CANARY: DeploymentStrategy = {
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: 600,
    canarySize: { type: 'CAPACITY_PERCENT', value: 10 },
  },
  autoRollback: { errorRate: 0.05, predictionDrift: 0.2, minInvocations: 20 },
};
const ENDPOINT = 'test-endpoint';
const BUCKET = 'mlops-artifacts-123456789012-eu-west-1';

function servingTemplate(deployment?: DeploymentStrategy): any {
  const app = new App({ context: cdkJsonContext() });
  const s = spec(deployment);
  const stack = new ServingStack(app, 'TestServing', {
    env: TEST_ENV,
    system: resolveSystem(s),
    names: { ...namesForSystem(s.metadata.name), endpointName: ENDPOINT },
    synthesizer: deploySynthesizer(),
  });
  return Template.fromStack(stack).toJSON();
}

const driftFunctions = (t: any) =>
  resourcesOf(t, 'AWS::Lambda::Function').filter(
    ([, f]) => f.Properties.Environment?.Variables?.ENDPOINT_NAME,
  );

describe('prediction-drift publisher', () => {
  const t = servingTemplate(CANARY);
  const system = spec(CANARY).metadata.name;
  const capture = capturePrefix(system);
  const [[fnId, fn]] = driftFunctions(t);

  it('runs on the endpoint’s Data Capture files with the strategy’s minimum', () => {
    expect(fn.Properties.Environment.Variables).toEqual({
      ENDPOINT_NAME: ENDPOINT,
      CAPTURE_BUCKET: BUCKET,
      CAPTURE_PREFIX: capture,
      MIN_PREDICTIONS: '20',
    });
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    // Data Capture writes where the publisher listens.
    const [[, config]] = resourcesOf(t, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties.DataCaptureConfig.DestinationS3Uri).toBe(
      `s3://${BUCKET}/${capture}`,
    );
    const rules = resourcesOf(t, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [[ruleId, rule]] = rules;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [BUCKET] },
        object: { key: [{ prefix: `${capture}/${ENDPOINT}/` }] },
      },
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 2 },
      }),
    ]);
    const [[, permission]] = resourcesOf(t, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permission.Properties.SourceArn).toEqual({
      'Fn::GetAtt': [ruleId, 'Arn'],
    });
  });

  it('may read only its captures and baselines, describe only its endpoint, publish only the rollout namespace', () => {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const [[, policy]] = resourcesOf(t, 'AWS::IAM::Policy').filter(([, p]) =>
      p.Properties.Roles.some((r: any) => r.Ref === roleId),
    );
    const statements = Object.fromEntries(
      policy.Properties.PolicyDocument.Statement.map((s: any) => [
        s.Sid,
        { ...s, Action: asArray(s.Action).sort() },
      ]),
    );
    const groupLower =
      namesForSystem(system).modelPackageGroupName.toLowerCase();
    const arn = (resource: string) =>
      `arn:aws:sagemaker:eu-west-1:123456789012:${resource}`;
    expect(Object.keys(statements).sort()).toEqual([
      'FindTheBaseline',
      'FindTheServedVersion',
      'Logs',
      'PublishDrift',
      'ReadCapturesAndBaselines',
      'ReadEndpointConfigs',
    ]);
    expect(statements.ReadCapturesAndBaselines).toMatchObject({
      Action: ['s3:GetObject'],
      Resource: [
        `arn:aws:s3:::${BUCKET}/${capture}/${ENDPOINT}/*`,
        `arn:aws:s3:::${BUCKET}/systems/${system}/runs/*/evaluation/prediction-baseline.json`,
      ],
    });
    expect(statements.FindTheServedVersion).toMatchObject({
      Action: ['sagemaker:DescribeEndpoint'],
      Resource: arn(`endpoint/${ENDPOINT}`),
    });
    expect(statements.ReadEndpointConfigs).toMatchObject({
      Action: ['sagemaker:DescribeEndpointConfig', 'sagemaker:ListTags'],
      Resource: arn('endpoint-config/endpointconfig-*'),
    });
    expect(statements.FindTheBaseline).toMatchObject({
      Action: ['sagemaker:DescribeModelPackage'],
      Resource: arn(`model-package/${groupLower}/*`),
    });
    expect(statements.PublishDrift).toEqual({
      Sid: 'PublishDrift',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: {
        StringEquals: { 'cloudwatch:namespace': 'MLOpsPortal/Rollouts' },
      },
    });
    expect(statements.Logs.Action).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('is left out when the strategy does not watch prediction drift', () => {
    for (const t2 of [
      servingTemplate(),
      servingTemplate({ ...CANARY, autoRollback: { errorRate: 0.05 } }),
    ]) {
      expect(driftFunctions(t2)).toEqual([]);
      expect(resourcesOf(t2, 'AWS::Events::Rule')).toEqual([]);
    }
  });

  it('defaults the minimum to the contract’s minInvocations', () => {
    const t2 = servingTemplate({
      ...CANARY,
      autoRollback: { predictionDrift: 0.3 },
    });
    const [[, f]] = driftFunctions(t2);
    expect(f.Properties.Environment.Variables.MIN_PREDICTIONS).toBe('10');
  });
});

describe('platform for the publisher', () => {
  it('sends the artifact bucket’s events to EventBridge', () => {
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
    });
    const data = Template.fromStack(new DataStack(app, 'D', { env: TEST_ENV }));
    const [[bucketId]] = resourcesOf(data.toJSON(), 'AWS::S3::Bucket').filter(
      ([, b]) => b.Properties.BucketName === BUCKET,
    );
    const notifications = resourcesOf(
      data.toJSON(),
      'Custom::S3BucketNotifications',
    ).filter(([, n]) => n.Properties.BucketName.Ref === bucketId);
    expect(notifications).toHaveLength(1);
    expect(notifications[0][1].Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: {},
    });
  });

  it('lets the Deploy stage manage only the served stacks’ rules, and served roles describe endpoints', () => {
    const stack = new Stack(new App(), 'P', { env: TEST_ENV });
    const access = new DeployAccess(stack, 'Access');
    access.allowServing({ stackNames: ['SysServing'], endpointName: ENDPOINT });
    const t = Template.fromStack(stack).toJSON();
    const policies = Object.fromEntries(
      resourcesOf(t, 'AWS::IAM::ManagedPolicy').map(([, p]) => [
        p.Properties.ManagedPolicyName,
        p.Properties.PolicyDocument.Statement,
      ]),
    );
    const rules = policies['mlops-deploy-execution'].filter((s: any) =>
      asArray(s.Action).includes('events:PutRule'),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:eu-west-1:123456789012:rule/SysServing-*',
        ],
      ],
    });
    const bounded = policies['mlops-served-boundary'].flatMap((s: any) =>
      asArray(s.Action),
    );
    for (const action of [
      'sagemaker:DescribeEndpoint',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:ListTags',
      'sagemaker:DescribeModelPackage',
      's3:GetObject',
      'cloudwatch:PutMetricData',
    ])
      expect(bounded).toContain(action);
  });
});
