import { encodeDeploymentMetadata } from '../../plugins/mlops-backend-module-aws/src/engine/rolloutMapping';
import {
  DescribeModelPackageCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  cdkDeployArgs,
  decodeDeploymentMetadata,
  ensureApproved,
  GateError,
  inputDataUrlFromManifest,
  readDeploymentOverride,
  runPipeline,
} from '../scripts/release-steps';
import type { AwsShapeItem } from '../../scripts/aws-models/validate';

const { validateAwsShapes } =
  require('../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const sm = mockClient(SageMakerClient);
const EXEC =
  'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/abalone-pipeline/execution/abc123';
const PKG =
  'arn:aws:sagemaker:eu-west-1:123456789012:model-package/abalonemodelpackagegroup/4';
const quiet = { sleep: async () => {}, log: () => {} };

beforeEach(() => sm.reset());

describe('ML pipeline stage', () => {
  it('starts with the manifest data URL, polls to completion and returns the registered package', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({
      PipelineExecutionArn: EXEC,
    });
    sm.on(DescribePipelineExecutionCommand)
      .resolvesOnce({ PipelineExecutionStatus: 'Executing' })
      .resolvesOnce({ PipelineExecutionStatus: 'Executing' })
      .resolves({ PipelineExecutionStatus: 'Succeeded' });
    sm.on(ListPipelineExecutionStepsCommand)
      .resolvesOnce({
        NextToken: 'p2',
        PipelineExecutionSteps: [
          {
            StepName: 'Register',
            StepStatus: 'Succeeded',
            Metadata: { RegisterModel: { Arn: PKG } },
          },
          {
            StepName: 'CheckMSE',
            StepStatus: 'Succeeded',
            Metadata: { Condition: { Outcome: 'True' } },
          },
        ],
      })
      .resolves({
        PipelineExecutionSteps: [
          { StepName: 'Evaluate', StepStatus: 'Succeeded' },
        ],
      });

    const result = await runPipeline(new SageMakerClient({}), {
      pipelineName: 'abalone-pipeline',
      parameters: { InputDataUrl: 's3://mlops-data-1-eu-west-1/data/' },
      ...quiet,
    });

    expect(result).toEqual({
      executionArn: EXEC,
      status: 'Succeeded',
      modelPackageArn: PKG,
    });
    expect(
      sm.commandCalls(StartPipelineExecutionCommand)[0].args[0].input,
    ).toMatchObject({
      PipelineName: 'abalone-pipeline',
      PipelineParameters: [
        { Name: 'InputDataUrl', Value: 's3://mlops-data-1-eu-west-1/data/' },
      ],
    });
    expect(sm.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(3);
    expect(
      sm.commandCalls(ListPipelineExecutionStepsCommand)[1].args[0].input,
    ).toEqual({ PipelineExecutionArn: EXEC, NextToken: 'p2' });
  });

  it('fails with a gate error when CheckMSE is false (the Fail step failed the run)', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({
      PipelineExecutionArn: EXEC,
    });
    sm.on(DescribePipelineExecutionCommand).resolves({
      PipelineExecutionStatus: 'Failed',
      FailureReason: 'Test MSE is above the threshold 6',
    });
    sm.on(ListPipelineExecutionStepsCommand).resolves({
      PipelineExecutionSteps: [
        { StepName: 'MseAboveThreshold', StepStatus: 'Failed' },
        {
          StepName: 'CheckMSE',
          StepStatus: 'Succeeded',
          Metadata: { Condition: { Outcome: 'False' } },
        },
      ],
    });
    const run = runPipeline(new SageMakerClient({}), {
      pipelineName: 'abalone-pipeline',
      ...quiet,
    });
    await expect(run).rejects.toBeInstanceOf(GateError);
    await expect(
      runPipeline(new SageMakerClient({}), {
        pipelineName: 'abalone-pipeline',
        ...quiet,
      }),
    ).rejects.toThrow(/quality gate failed: CheckMSE evaluated false/);
  });

  it('reports the failed steps when a job fails', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({
      PipelineExecutionArn: EXEC,
    });
    sm.on(DescribePipelineExecutionCommand).resolves({
      PipelineExecutionStatus: 'Failed',
      FailureReason: 'Step failure',
    });
    sm.on(ListPipelineExecutionStepsCommand).resolves({
      PipelineExecutionSteps: [
        { StepName: 'Train', StepStatus: 'Failed', FailureReason: 'OOM' },
      ],
    });
    await expect(
      runPipeline(new SageMakerClient({}), { pipelineName: 'p', ...quiet }),
    ).rejects.toThrow(
      'pipeline execution Failed: Step failure (failed steps: Train)',
    );
  });

  it('gives up after the timeout', async () => {
    sm.on(StartPipelineExecutionCommand).resolves({
      PipelineExecutionArn: EXEC,
    });
    sm.on(DescribePipelineExecutionCommand).resolves({
      PipelineExecutionStatus: 'Executing',
    });
    await expect(
      runPipeline(new SageMakerClient({}), {
        pipelineName: 'p',
        timeoutMinutes: -1,
        ...quiet,
      }),
    ).rejects.toThrow(/still Executing/);
  });

  it('reads InputDataUrl from the manifest and names bad manifests', () => {
    const good = JSON.stringify({
      inputDataUrl: 's3://mlops-data-1-eu-west-1/data/',
      files: [{ key: 'data/a.csv', size: 1 }],
    });
    expect(inputDataUrlFromManifest(good)).toBe(
      's3://mlops-data-1-eu-west-1/data/',
    );
    expect(() => inputDataUrlFromManifest('{', 'm.json')).toThrow(
      /^m.json is not valid JSON/,
    );
    expect(() =>
      inputDataUrlFromManifest(
        JSON.stringify({ inputDataUrl: 'http://x', files: [1] }),
      ),
    ).toThrow(/inputDataUrl must be an s3:\/\/ URL/);
    expect(() =>
      inputDataUrlFromManifest(
        JSON.stringify({ inputDataUrl: 's3://bucket/data/', files: [] }),
      ),
    ).toThrow(/files is empty/);
  });
});

describe('Deploy stage approval', () => {
  it('approves a pending version with the release as the reason', async () => {
    sm.on(DescribeModelPackageCommand).resolves({
      ModelApprovalStatus: 'PendingManualApproval',
    });
    sm.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: PKG });
    await expect(
      ensureApproved(new SageMakerClient({}), {
        modelPackageArn: PKG,
        approvedBy: 'release build 7',
        log: () => {},
      }),
    ).resolves.toBe('ApprovedNow');
    expect(sm.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toEqual(
      {
        ModelPackageArn: PKG,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'release build 7',
      },
    );
  });

  it('leaves an approved version alone and refuses a rejected one', async () => {
    sm.on(DescribeModelPackageCommand)
      .resolvesOnce({ ModelApprovalStatus: 'Approved' })
      .resolves({ ModelApprovalStatus: 'Rejected' });
    await expect(
      ensureApproved(new SageMakerClient({}), {
        modelPackageArn: PKG,
        approvedBy: 'x',
        log: () => {},
      }),
    ).resolves.toBe('Approved');
    await expect(
      ensureApproved(new SageMakerClient({}), {
        modelPackageArn: PKG,
        approvedBy: 'x',
        log: () => {},
      }),
    ).rejects.toThrow(/is Rejected; refusing to deploy it/);
    expect(sm.commandCalls(UpdateModelPackageCommand)).toHaveLength(0);
  });
});

describe('Deploy stage rollout override (mlops:deployment)', () => {
  const CANARY = {
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
  // What the aws engine's encodeDeploymentMetadata writes for CANARY.
  const CANARY_WORDS =
    'type=CANARY wait=600 canary=10 termination=300 timeout=3600 errorRate=0.05 p99LatencyMs=250 predictionDrift=0.2 minInvocations=20';
  const withOverride = (value: string) => ({
    ModelApprovalStatus: 'Approved' as const,
    CustomerMetadataProperties: {
      'mlops:task': 'regression',
      'mlops:deployment': value,
    },
  });

  it('reads the aws engine’s words, a value SageMaker accepts', () => {
    expect(decodeDeploymentMetadata(CANARY_WORDS)).toEqual(CANARY);
    expect(decodeDeploymentMetadata('type=LINEAR wait=300 linear=30')).toEqual({
      trafficRouting: {
        type: 'LINEAR',
        waitIntervalInSeconds: 300,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 30 },
      },
    });
    // botocore's CustomerMetadataValue pattern, ([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,256},
    // read as SageMaker applies it (the whole value): the words fit, JSON would not.
    const value = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
    expect(CANARY_WORDS).toMatch(value);
    expect(JSON.stringify(CANARY)).not.toMatch(value);
    expect(
      validateAwsShapes([
        {
          service: 'sagemaker',
          operation: 'UpdateModelPackage',
          kind: 'input',
          label: 'UpdateModelPackage',
          value: {
            ModelPackageArn: PKG,
            ModelApprovalStatus: 'Approved',
            CustomerMetadataProperties: { 'mlops:deployment': CANARY_WORDS },
          },
        },
      ]),
    ).toEqual([]);
    // Plain JSON is read too; nothing → no override.
    expect(decodeDeploymentMetadata(JSON.stringify(CANARY))).toEqual(CANARY);
    expect(decodeDeploymentMetadata(undefined)).toBeUndefined();
    expect(decodeDeploymentMetadata('  ')).toBeUndefined();
  });

  it('reads the override from the approved package as the JSON the serving stack takes', async () => {
    sm.on(DescribeModelPackageCommand).resolves(withOverride(CANARY_WORDS));
    const json = await readDeploymentOverride(
      new SageMakerClient({}),
      PKG,
      () => {},
    );
    expect(JSON.parse(json!)).toEqual(CANARY);
    expect(
      sm.commandCalls(DescribeModelPackageCommand)[0].args[0].input,
    ).toEqual({ ModelPackageName: PKG });
  });

  it('has no override when the package carries none', async () => {
    sm.on(DescribeModelPackageCommand).resolves({
      ModelApprovalStatus: 'Approved',
      CustomerMetadataProperties: { 'mlops:task': 'regression' },
    });
    await expect(
      readDeploymentOverride(new SageMakerClient({}), PKG, () => {}),
    ).resolves.toBeUndefined();
  });

  it.each([
    [
      'type=CANARY wait=7200 canary=10',
      'mlops:deployment.trafficRouting.waitIntervalInSeconds: must be at most 3600 s',
    ],
    [
      'type=CANARY wait=60',
      'mlops:deployment.trafficRouting.canarySize: is required for CANARY',
    ],
    [
      'type=LINEAR wait=60 linear=5',
      'mlops:deployment.trafficRouting.linearStepSize.value: must be at least 10 %',
    ],
    [
      'type=CANARY wait=abc canary=10',
      'mlops:deployment: wait=abc is not a number',
    ],
    [
      'type=CANARY wait=60 colour=blue',
      'mlops:deployment: "colour=blue" is not one of type=…, wait=…',
    ],
    ['{"trafficRouting":', 'mlops:deployment: not valid JSON'],
  ])('stops the deploy on %j, naming the field', async (value, message) => {
    sm.on(DescribeModelPackageCommand).resolves(withOverride(value));
    await expect(
      readDeploymentOverride(new SageMakerClient({}), PKG, () => {}),
    ).rejects.toThrow(message);
  });
});

describe('Deploy stage cdk deploy arguments', () => {
  it('deploy the serving stack with the package, and the override where that stack reads it', () => {
    const override = JSON.stringify({
      trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
    });
    expect(
      cdkDeployArgs({
        servingStack: 'MlopsServing',
        extraStacks: ['MlopsHosting'],
        modelPackageArn: PKG,
        deploymentOverride: override,
      }),
    ).toEqual([
      'cdk',
      'deploy',
      'MlopsServing',
      'MlopsHosting',
      '--exclusively',
      '--require-approval',
      'never',
      '--parameters',
      `MlopsServing:ModelPackageArn=${PKG}`,
      '--outputs-file',
      'cdk-outputs.json',
      '--context',
      `mlops:deployment:MlopsServing=${override}`,
    ]);
    expect(
      cdkDeployArgs({
        servingStack: 'BreastCancerServing',
        modelPackageArn: PKG,
      }),
    ).not.toContain('--context');
    expect(() =>
      cdkDeployArgs({ servingStack: 'x; rm -rf /', modelPackageArn: PKG }),
    ).toThrow(
      'SERVING_STACK / DEPLOY_STACKS: "x; rm -rf /" is not a stack name',
    );
  });
});

describe('python step tests', () => {
  it('pass (or skip cleanly when pandas/scikit-learn/xgboost are missing) via scripts/test-python.sh', () => {
    const script = path.join(__dirname, '..', 'scripts', 'test-python.sh');
    const run = spawnSync('bash', [script], { encoding: 'utf8' });
    // unittest prints its summary on stderr: "Ran N tests … OK (skipped=K)".
    expect({ status: run.status, tail: run.stderr.slice(-1500) }).toMatchObject(
      { status: 0 },
    );
    expect(run.stderr).toMatch(/^Ran \d+ tests? in /m);
    expect(run.stderr).toMatch(/^OK( \(skipped=\d+\))?$/m);
  }, 180000);
});

describe("the override's words are the aws engine's", () => {
  it('reads back exactly what the engine writes, through the one codec in -common', () => {
    const linear = {
      trafficRouting: {
        type: 'LINEAR' as const,
        waitIntervalInSeconds: 300,
        linearStepSize: { type: 'CAPACITY_PERCENT' as const, value: 25 },
      },
      maximumExecutionTimeoutInSeconds: 3600,
      autoRollback: { errorRate: 0.02, minInvocations: 50 },
    };
    const words = encodeDeploymentMetadata(linear);
    expect(words).toBe(
      'type=LINEAR wait=300 linear=25 timeout=3600 errorRate=0.02 minInvocations=50',
    );
    expect(decodeDeploymentMetadata(words)).toEqual(linear);
    expect(() => decodeDeploymentMetadata('type=CANARY colour=blue')).toThrow(
      /"colour=blue" is not one of/,
    );
  });
});
