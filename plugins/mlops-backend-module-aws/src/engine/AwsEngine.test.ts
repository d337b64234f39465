import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  DescribePipelineCommand,
  ListTagsCommand,
  RetryPipelineExecutionCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdateModelPackageCommand,
  type DescribeModelPackageCommandOutput,
} from '@aws-sdk/client-sagemaker';
import {
  CodePipelineClient,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand as ListReleaseExecutionsCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
} from '@aws-sdk/client-sagemaker-runtime';
import { createHash } from 'crypto';
import { Readable } from 'stream';
import { buffer } from 'stream/consumers';
import { mockClient } from 'aws-sdk-client-mock';
import { DatasetValidationError } from '@mlops-portal/plugin-mlops-node';
import * as sm from './__fixtures__/sagemaker';
import {
  ABALONE_RECORD,
  ABALONE_SIGNATURE,
  BINARY_SIGNATURE,
  PENGUINS_SIGNATURE,
} from './__fixtures__/signatures';
import * as cp from './__fixtures__/codepipeline';
import {
  DATA_BUCKET,
  actor,
  awsError,
  makeEngine,
  resources,
  s3Body,
  testCredentials,
} from './__testUtils__/helpers';
import { buildClients } from './clients';
import { demoSystem } from './__testUtils__/demoSystems';
import {
  createCallRecorder,
  docsPolicyAllows,
  validateAwsShapes,
} from './__testUtils__/awsShapes';
import type { AwsEngine } from './AwsEngine';

const sagemaker = mockClient(SageMakerClient);
const codepipeline = mockClient(CodePipelineClient);
const s3 = mockClient(S3Client);
const runtime = mockClient(SageMakerRuntimeClient);

/** The registry and endpoint in the fixtures: v3 pending, v2 approved and deployed, v1 rejected. */
function mockRegistry(objects: Record<string, string> = {}) {
  sagemaker
    .on(ListModelPackagesCommand)
    .resolves(sm.listPackagesPage2)
    .on(ListModelPackagesCommand, { NextToken: undefined })
    .resolves(sm.listPackagesPage1);
  const packages: Record<string, DescribeModelPackageCommandOutput> = {
    [sm.packageArn(1)]: sm.describePackage1,
    [sm.packageArn(2)]: sm.describePackage2,
    [sm.packageArn(3)]: sm.describePackage3,
  };
  sagemaker.on(DescribeModelPackageCommand).callsFake(input => {
    const pkg = packages[input.ModelPackageName];
    if (!pkg)
      throw awsError(
        'ValidationException',
        `ModelPackage ${input.ModelPackageName} does not exist.`,
      );
    return pkg;
  });
  sagemaker.on(UpdateModelPackageCommand).callsFake(input => {
    // SageMaker records the decision and who made it.
    packages[input.ModelPackageArn] = {
      ...packages[input.ModelPackageArn],
      ModelApprovalStatus: input.ModelApprovalStatus,
      ApprovalDescription: input.ApprovalDescription,
      LastModifiedTime: new Date('2026-11-26T22:00:00.000Z'),
    };
    return {
      $metadata: { httpStatusCode: 200 },
      ModelPackageArn: input.ModelPackageArn,
    };
  });
  s3.on(GetObjectCommand).callsFake(input => {
    const uri = `s3://${input.Bucket}/${input.Key}`;
    const text = objects[uri] ?? sm.s3Objects[uri];
    if (!text)
      throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
    return {
      $metadata: { httpStatusCode: 200 },
      ContentType: 'application/json',
      Body: s3Body(text),
    };
  });
  sagemaker.on(DescribeEndpointCommand).resolves(sm.describeEndpoint);
  sagemaker
    .on(DescribeEndpointConfigCommand)
    .resolves(sm.describeEndpointConfig);
  sagemaker.on(DescribeModelCommand).resolves(sm.describeModel);
  return packages;
}

/** Follows listModelVersions' nextToken to the end. */
async function listAllVersions(engine: AwsEngine) {
  const versions = [];
  let nextToken: string | undefined;
  do {
    const page = await engine.listModelVersions(resources, { nextToken });
    versions.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return versions;
}

// Every request and response of these tests is checked against botocore's models at the end.
const recorder = createCallRecorder({
  sagemaker,
  codepipeline,
  s3,
  'sagemaker-runtime': runtime,
});
afterEach(() => recorder.collect(expect.getState().currentTestName));

beforeEach(() => {
  sagemaker.reset();
  codepipeline.reset();
  s3.reset();
  runtime.reset();
  // The pipeline infra deploys: starts check names against its parameters.
  sagemaker.on(DescribePipelineCommand).resolves({
    $metadata: {},
    PipelineDefinition: sm.PIPELINE_DEFINITION,
  });
});

describe('AwsEngine runs', () => {
  it('lists executions newest first and passes nextToken through', async () => {
    mockRegistry();
    sagemaker
      .on(ListPipelineExecutionsCommand, { NextToken: undefined })
      .resolves(sm.listExecutionsPage1)
      .on(ListPipelineExecutionsCommand, {
        NextToken: sm.listExecutionsPage1.NextToken,
      })
      .resolves(sm.listExecutionsPage2);
    const { engine } = makeEngine();

    const page1 = await engine.listExecutions(resources, { limit: 2 });
    expect(
      sagemaker.commandCalls(ListPipelineExecutionsCommand)[0].args[0].input,
    ).toEqual({
      PipelineName: 'abalone-pipeline',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 2,
      NextToken: undefined,
    });
    expect(page1.items.map(i => i.executionId)).toEqual([
      sm.EXEC_RUNNING,
      sm.EXEC_FAILED,
    ]);
    expect(page1.nextToken).toBe(sm.listExecutionsPage1.NextToken);
    expect(page1.items[0]).toMatchObject({
      status: 'Executing',
      trigger: 'manual',
      triggeredBy: 'user:default/guest',
      createdAt: '2026-11-26T21:40:12.331Z',
      pipelineName: 'abalone-pipeline',
    });
    expect(page1.items[1]).toMatchObject({
      status: 'Failed',
      trigger: 'external',
      failureReason: 'Step failure: One or multiple steps failed.',
    });

    const page2 = await engine.listExecutions(resources, {
      limit: 2,
      nextToken: page1.nextToken,
    });
    expect(page2.nextToken).toBeUndefined();
    // The succeeded run registered v2: its version and metrics are joined in.
    expect(page2.items).toEqual([
      expect.objectContaining({
        executionId: sm.EXEC_SUCCEEDED,
        status: 'Succeeded',
        modelVersion: 2,
        metrics: {
          mse: 4.4051,
          rmse: 2.0988,
          mae: 1.5102,
          r2: 0.5691,
          residualStd: 2.0988,
        },
      }),
    ]);
  });

  it('serves a repeated list from the cache and refreshes it after a write', async () => {
    mockRegistry();
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .resolves(sm.listExecutionsPage2);
    sagemaker
      .on(StartPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_RUNNING });
    sagemaker.on(DescribePipelineExecutionCommand).resolves(sm.describeRunning);
    const { engine } = makeEngine();

    const first = await engine.listExecutions(resources);
    const second = await engine.listExecutions(resources);
    expect(second).toEqual(first);
    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(
      1,
    );
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(2); // two pages, once

    await engine.startExecution(resources, { trigger: 'manual', actor });
    await engine.listExecutions(resources);
    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(
      2,
    );
  });

  it('does not cache when the TTL is 0', async () => {
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .resolves(sm.listExecutionsPage2);
    const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
    await engine.listExecutions(resources);
    await engine.listExecutions(resources);
    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)).toHaveLength(
      2,
    );
  });

  it('builds the DAG of a failed execution: failed step with its reason, later steps NotStarted', async () => {
    sagemaker.on(DescribePipelineExecutionCommand).resolves(sm.describeFailed);
    sagemaker
      .on(ListPipelineExecutionStepsCommand, { NextToken: undefined })
      .resolves(sm.stepsFailedPage1)
      .on(ListPipelineExecutionStepsCommand, {
        NextToken: sm.stepsFailedPage1.NextToken,
      })
      .resolves(sm.stepsFailedPage2);
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves(sm.definitionForExecution);
    sagemaker
      .on(ListPipelineParametersForExecutionCommand)
      .resolves(sm.parametersForExecution);
    const { engine } = makeEngine();

    const detail = await engine.getExecution(resources, sm.EXEC_FAILED);

    expect(
      sagemaker
        .commandCalls(ListPipelineExecutionStepsCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      {
        PipelineExecutionArn: sm.EXEC_FAILED,
        SortOrder: 'Ascending',
        MaxResults: 100,
        NextToken: undefined,
      },
      {
        PipelineExecutionArn: sm.EXEC_FAILED,
        SortOrder: 'Ascending',
        MaxResults: 100,
        NextToken: 'c3RlcHMtcGFnZS0y',
      },
    ]);
    expect(detail).toMatchObject({
      executionId: sm.EXEC_FAILED,
      status: 'Failed',
      failureReason: 'Step failure: One or multiple steps failed.',
      createdAt: '2026-11-25T09:02:47.910Z',
      endTime: '2026-11-25T09:14:03.222Z',
      parameters: {
        InputDataUrl: 's3://abalone-data-123456789012/data/',
        MseThreshold: 6,
        ModelApprovalStatus: 'PendingManualApproval',
        MaxDepth: 5,
        NumRound: 50,
      },
    });
    expect(detail.currentStep).toBeUndefined();
    const byName = Object.fromEntries(detail.steps.map(s => [s.name, s]));
    expect(detail.steps.map(s => s.name)).toEqual([
      'Preprocess',
      'Train',
      'Evaluate',
      'CheckMSE',
      'Register',
      'CheckMSEFailed',
    ]);
    expect(byName.Train).toMatchObject({
      type: 'Training',
      status: 'Failed',
      failureReason: sm.TRAIN_FAILURE,
      dependsOn: ['Preprocess'],
      startTime: '2026-11-25T09:08:12.415Z',
      metadata: {
        trainingJobArn: expect.stringContaining(
          ':training-job/pipelines-f8d2c6b1n0zr-train-',
        ),
      },
    });
    expect(byName.Evaluate).toMatchObject({
      status: 'NotStarted',
      type: 'Processing',
    });
    expect(byName.Evaluate.dependsOn.sort()).toEqual(['Preprocess', 'Train']);
    expect(byName.CheckMSE).toMatchObject({
      status: 'NotStarted',
      type: 'Condition',
      dependsOn: ['Evaluate'],
    });
    expect(byName.Register.dependsOn).toContain('CheckMSE');
    expect(byName.CheckMSEFailed).toMatchObject({
      type: 'Fail',
      dependsOn: ['CheckMSE'],
    });
  });

  it('shows the registered version, its metrics and the condition outcome of a succeeded execution', async () => {
    mockRegistry();
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .resolves(sm.describeSucceeded);
    sagemaker.on(ListPipelineExecutionStepsCommand).resolves(sm.stepsSucceeded);
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves(sm.definitionForExecution);
    sagemaker
      .on(ListPipelineParametersForExecutionCommand)
      .resolves(sm.parametersForExecution);
    const { engine } = makeEngine();

    const detail = await engine.getExecution(resources, sm.EXEC_SUCCEEDED);
    expect(detail.modelVersion).toBe(2);
    expect(detail.metrics?.mse).toBe(4.4051);
    const check = detail.steps.find(s => s.name === 'CheckMSE')!;
    expect(check.outputs).toEqual({ conditionOutcome: 'True' });
    const register = detail.steps.find(s => s.name === 'Register')!;
    expect(register).toMatchObject({
      status: 'Succeeded',
      outputs: { modelPackageArn: sm.packageArn(2) },
    });
    expect(detail.steps.find(s => s.name === 'CheckMSEFailed')!.status).toBe(
      'NotStarted',
    );
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'abalone-artifacts-123456789012',
      Key: 'runs/k3x9q2m7w1pa/evaluation/evaluation.json',
    });
  });

  it('reports the executing step of a running execution', async () => {
    sagemaker.on(DescribePipelineExecutionCommand).resolves(sm.describeRunning);
    sagemaker.on(ListPipelineExecutionStepsCommand).resolves(sm.stepsRunning);
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves(sm.definitionForExecution);
    sagemaker
      .on(ListPipelineParametersForExecutionCommand)
      .resolves({ $metadata: {}, PipelineParameters: [] });
    const { engine } = makeEngine();
    const detail = await engine.getExecution(resources, sm.EXEC_RUNNING);
    expect(detail.currentStep).toBe('Train');
    expect(detail.endTime).toBeUndefined();
    expect(detail.triggeredBy).toBe('user:default/guest');
  });

  it('refuses execution ids of another pipeline without calling AWS', async () => {
    const { engine } = makeEngine();
    const foreign =
      'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/other-pipeline/execution/k3x9q2m7w1pa';
    await expect(engine.getExecution(resources, foreign)).rejects.toMatchObject(
      { name: 'NotFoundError' },
    );
    await expect(
      engine.stopExecution(resources, foreign, actor),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      engine.retryExecution(resources, 'not-an-arn', actor),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('maps an unknown execution of the right pipeline to NotFoundError', async () => {
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .rejects(
        awsError(
          'ResourceNotFound',
          `Pipeline execution '${sm.executionArn(
            'zzzzzzzzzzzz',
          )}' does not exist.`,
        ),
      );
    const { engine } = makeEngine();
    await expect(
      engine.getExecution(resources, sm.executionArn('zzzzzzzzzzzz')),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('starts an execution with the pipeline parameters and an idempotency token', async () => {
    sagemaker
      .on(StartPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_RUNNING });
    sagemaker.on(DescribePipelineExecutionCommand).resolves(sm.describeRunning);
    const { engine } = makeEngine();

    const options = {
      trigger: 'manual' as const,
      actor,
      displayName: 'train now (guest)',
      parameters: {
        MaxDepth: 6,
        Eta: 0.3,
        ModelApprovalStatus: 'PendingManualApproval',
      },
      clientRequestToken: 'click-1',
    };
    const execution = await engine.startExecution(resources, options);
    await engine.startExecution(resources, options);

    const calls = sagemaker
      .commandCalls(StartPipelineExecutionCommand)
      .map(c => c.args[0].input);
    expect(calls[0]).toEqual({
      PipelineName: 'abalone-pipeline',
      PipelineExecutionDisplayName: 'train-now-guest',
      PipelineExecutionDescription:
        'Started from Backstage by user:default/guest (manual)',
      PipelineParameters: [
        { Name: 'MaxDepth', Value: '6' },
        { Name: 'Eta', Value: '0.3' },
        { Name: 'ModelApprovalStatus', Value: 'PendingManualApproval' },
      ],
      ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // Same caller token → same SageMaker token, so SageMaker starts one execution.
    expect(calls[1].ClientRequestToken).toBe(calls[0].ClientRequestToken);
    expect(execution).toMatchObject({
      executionId: sm.EXEC_RUNNING,
      status: 'Executing',
      trigger: 'manual',
      triggeredBy: 'user:default/guest',
      parameters: options.parameters,
    });
  });

  it('rejects unknown parameters before calling AWS', async () => {
    const { engine } = makeEngine();
    await expect(
      engine.startExecution(resources, {
        trigger: 'manual',
        actor,
        parameters: { LearningRate: 1 },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('parameters.LearningRate'),
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('sends only parameters the pipeline definition declares (400 naming any other)', async () => {
    const { engine } = makeEngine();
    const definition = JSON.parse(sm.PIPELINE_DEFINITION);
    // infra fixes the gate from the spec: its definition has no MseThreshold.
    expect(definition.Parameters.map((p: any) => p.Name)).not.toContain(
      'MseThreshold',
    );
    sagemaker.on(DescribePipelineCommand).resolves({
      $metadata: {},
      PipelineDefinition: JSON.stringify({
        ...definition,
        Parameters: definition.Parameters.filter(
          (p: any) => p.Name !== 'Gamma',
        ),
      }),
    });
    await expect(
      engine.startExecution(resources, {
        trigger: 'manual',
        actor,
        parameters: { MaxDepth: 4, Gamma: 2 },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^parameters\.Gamma: pipeline abalone-pipeline does not declare this parameter/,
      ),
    });
    expect(sagemaker.commandCalls(DescribePipelineCommand)).toHaveLength(1);
    expect(sagemaker.commandCalls(StartPipelineExecutionCommand)).toHaveLength(
      0,
    );
  });

  it('retries a failed execution in place and refuses to retry a succeeded one', async () => {
    sagemaker
      .on(DescribePipelineExecutionCommand, {
        PipelineExecutionArn: sm.EXEC_FAILED,
      })
      .resolves(sm.describeFailed)
      .on(DescribePipelineExecutionCommand, {
        PipelineExecutionArn: sm.EXEC_SUCCEEDED,
      })
      .resolves(sm.describeSucceeded);
    sagemaker
      .on(RetryPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_FAILED });
    const { engine } = makeEngine();

    const retried = await engine.retryExecution(
      resources,
      sm.EXEC_FAILED,
      actor,
    );
    expect(retried).toMatchObject({
      executionId: sm.EXEC_FAILED,
      status: 'Executing',
    });
    expect(
      sagemaker.commandCalls(RetryPipelineExecutionCommand)[0].args[0].input,
    ).toEqual({
      PipelineExecutionArn: sm.EXEC_FAILED,
      ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    await expect(
      engine.retryExecution(resources, sm.EXEC_SUCCEEDED, actor),
    ).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(sagemaker.commandCalls(RetryPipelineExecutionCommand)).toHaveLength(
      1,
    );
  });

  it('stops an executing execution and refuses to stop a finished one', async () => {
    sagemaker
      .on(DescribePipelineExecutionCommand, {
        PipelineExecutionArn: sm.EXEC_RUNNING,
      })
      .resolves(sm.describeRunning)
      .on(DescribePipelineExecutionCommand, {
        PipelineExecutionArn: sm.EXEC_SUCCEEDED,
      })
      .resolves(sm.describeSucceeded);
    sagemaker
      .on(StopPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_RUNNING });
    const { engine } = makeEngine();

    const stopped = await engine.stopExecution(
      resources,
      sm.EXEC_RUNNING,
      actor,
    );
    expect(stopped.status).toBe('Stopping');
    expect(
      sagemaker.commandCalls(StopPipelineExecutionCommand)[0].args[0].input,
    ).toEqual({
      PipelineExecutionArn: sm.EXEC_RUNNING,
      ClientRequestToken: expect.any(String),
    });
    await expect(
      engine.stopExecution(resources, sm.EXEC_SUCCEEDED, actor),
    ).rejects.toMatchObject({
      name: 'ConflictError',
    });
  });
});

describe('AwsEngine release view', () => {
  it('maps CodePipeline state to stages and exposes the pending approval token', async () => {
    codepipeline
      .on(GetPipelineStateCommand)
      .resolves(cp.pipelineStatePendingApproval);
    codepipeline
      .on(ListReleaseExecutionsCommand)
      .resolves(cp.releaseExecutions);
    const { engine } = makeEngine();

    const stages = await engine.getReleaseState(resources);
    expect(
      codepipeline.commandCalls(GetPipelineStateCommand)[0].args[0].input,
    ).toEqual({ name: 'abalone-release' });
    expect(
      codepipeline.commandCalls(ListReleaseExecutionsCommand)[0].args[0].input,
    ).toEqual({
      pipelineName: 'abalone-release',
      maxResults: 1,
    });
    expect(stages?.map(s => [s.name, s.status])).toEqual([
      ['Source', 'Succeeded'],
      ['Validate', 'Succeeded'],
      ['MLPipeline', 'Succeeded'],
      ['Approval', 'InProgress'],
      // Deploy's last run belongs to the previous release.
      ['Deploy', 'NotStarted'],
    ]);
    expect(stages?.[3]).toMatchObject({
      approvalToken: cp.APPROVAL_TOKEN,
      startTime: '2026-11-26T20:06:11.250Z',
    });
    expect(stages?.[3].endTime).toBeUndefined();
    expect(stages?.[2]).toMatchObject({
      summary: 'SageMaker pipeline execution r5t7y9u1i3oq succeeded',
      endTime: '2026-11-26T20:06:10.000Z',
    });
    expect(stages?.[4].approvalToken).toBeUndefined();
  });

  it('has no release view when the entity names no release pipeline', async () => {
    const { engine } = makeEngine();
    await expect(
      engine.getReleaseState({ ...resources, releasePipelineName: undefined }),
    ).resolves.toBeUndefined();
    expect(codepipeline.calls()).toHaveLength(0);
  });
});

describe('AwsEngine registry', () => {
  it('lists every page of versions, newest first, with metrics, history and the deployed marker', async () => {
    mockRegistry();
    const { engine } = makeEngine();
    const versions = await listAllVersions(engine);

    // ListModelPackages' own paging: one call per page the caller asks for.
    expect(
      sagemaker
        .commandCalls(ListModelPackagesCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      {
        ModelPackageGroupName: 'AbaloneModelPackageGroup',
        ModelPackageType: 'Versioned',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 50,
        NextToken: undefined,
      },
      expect.objectContaining({ NextToken: 'bW9kZWwtcGFja2FnZXMtcGFnZS0y' }),
    ]);
    expect(
      versions.map(v => [v.version, v.approvalStatus, v.deployed]),
    ).toEqual([
      [3, 'PendingManualApproval', false],
      [2, 'Approved', true],
      [1, 'Rejected', false],
    ]);
    const v2 = versions[1];
    expect(v2).toMatchObject({
      modelPackageArn: sm.packageArn(2),
      executionId: sm.EXEC_SUCCEEDED,
      createdBy: 'pipeline',
      metrics: { mse: 4.4051, r2: 0.5691 },
      artifacts: [
        {
          name: 'preprocessor',
          uri: 's3://abalone-artifacts-123456789012/runs/k3x9q2m7w1pa/preprocessor/model.tar.gz',
        },
        {
          name: 'model',
          uri: expect.stringContaining('/runs/k3x9q2m7w1pa/model/'),
        },
        { name: 'evaluation', uri: sm.evaluationUri('k3x9q2m7w1pa') },
        { name: 'signature', uri: sm.signatureUri('k3x9q2m7w1pa') },
      ],
    });
    expect(v2.task).toBe('regression');
    expect(v2.approvalHistory).toEqual([
      {
        status: 'PendingManualApproval',
        by: 'pipeline',
        at: '2026-11-24T14:29:50.630Z',
      },
      {
        status: 'Approved',
        by: 'user:default/alice',
        at: '2026-11-24T15:02:10.004Z',
        comment: 'MSE 4.4 beats v1',
      },
    ]);
    // Decided outside the portal: the SageMaker principal and the raw description.
    expect(versions[2].approvalHistory[1]).toEqual({
      status: 'Rejected',
      by: 'data-scientist-1',
      at: '2026-11-20T11:00:00.000Z',
      comment: 'R² too low on the test split',
    });
    expect(versions[2].metrics).toEqual({ mse: 5.93, residualStd: 2.435 });
    expect(versions[2].task).toBe('regression');
  });

  it("takes a version's task from Register's mlops:task, before the report's section", async () => {
    const packages = mockRegistry();
    packages[sm.packageArn(1)] = {
      ...sm.describePackage1,
      CustomerMetadataProperties: { 'mlops:task': 'binary' },
    };
    packages[sm.packageArn(3)] = {
      ...sm.describePackage3,
      CustomerMetadataProperties: { 'mlops:task': 'not-a-task' },
    };
    const { engine } = makeEngine();
    expect((await engine.getModelVersion(resources, 1)).task).toBe('binary');
    expect((await engine.getModelVersion(resources, 3)).task).toBe(
      'regression',
    );
  });

  it('pages versions with ListModelPackages MaxResults/NextToken (limit 1..100)', async () => {
    mockRegistry();
    const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
    const first = await engine.listModelVersions(resources, { limit: 2 });
    expect(first.items.map(v => v.version)).toEqual([3, 2]);
    expect(first.nextToken).toBe('bW9kZWwtcGFja2FnZXMtcGFnZS0y');
    const last = await engine.listModelVersions(resources, {
      limit: 2,
      nextToken: first.nextToken,
    });
    expect(last.items.map(v => v.version)).toEqual([1]);
    expect(last).not.toHaveProperty('nextToken');
    await engine.listModelVersions(resources, { limit: 500 });
    await engine.listModelVersions(resources, { limit: 0 });
    expect(
      sagemaker
        .commandCalls(ListModelPackagesCommand)
        .map(c => [c.args[0].input.MaxResults, c.args[0].input.NextToken]),
    ).toEqual([
      [2, undefined],
      [2, 'bW9kZWwtcGFja2FnZXMtcGFnZS0y'],
      [100, undefined],
      [1, undefined],
    ]);
  });

  it('answers a page token AWS refuses with InputError', async () => {
    mockRegistry();
    sagemaker
      .on(ListModelPackagesCommand, { NextToken: 'forged' })
      .rejects(awsError('ValidationException', 'Invalid pagination token'));
    sagemaker
      .on(ListPipelineExecutionsCommand, { NextToken: 'forged' })
      .rejects(awsError('ValidationException', 'Invalid pagination token'));
    const { engine } = makeEngine();
    await expect(
      engine.listModelVersions(resources, { nextToken: 'forged' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      engine.listExecutions(resources, { nextToken: 'forged' }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('throws NotFoundError for a version the group does not have', async () => {
    mockRegistry();
    const { engine } = makeEngine();
    await expect(engine.getModelVersion(resources, 99)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
  });

  it('approval round trip: UpdateModelPackage names the portal user, PutApprovalResult answers the release', async () => {
    mockRegistry();
    codepipeline
      .on(GetPipelineStateCommand)
      .resolves(cp.pipelineStatePendingApproval);
    codepipeline
      .on(ListReleaseExecutionsCommand)
      .resolves(cp.releaseExecutions);
    codepipeline
      .on(PutApprovalResultCommand)
      .resolves({ $metadata: {}, approvedAt: new Date() });
    const { engine } = makeEngine();

    const approved = await engine.updateModelApproval(resources, 3, {
      status: 'Approved',
      comment: '  Ship it: MSE 4.61 under the gate  ',
      actor,
    });

    expect(
      sagemaker
        .commandCalls(UpdateModelPackageCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      {
        ModelPackageArn: sm.packageArn(3),
        ModelApprovalStatus: 'Approved',
        ApprovalDescription:
          'Approved by user:default/guest via Backstage: Ship it: MSE 4.61 under the gate',
        // No strategy given: all at once, so an earlier approval's never carries over.
        CustomerMetadataProperties: {
          'mlops:deployment': 'type=ALL_AT_ONCE wait=0',
        },
      },
    ]);
    expect(
      codepipeline
        .commandCalls(PutApprovalResultCommand)
        .map(c => c.args[0].input),
    ).toEqual([
      {
        pipelineName: 'abalone-release',
        stageName: 'Approval',
        actionName: 'ManualApproval',
        token: cp.APPROVAL_TOKEN,
        result: {
          status: 'Approved',
          summary:
            'Approved model version 3 by user:default/guest: Ship it: MSE 4.61 under the gate',
        },
      },
    ]);
    expect(approved.approvalStatus).toBe('Approved');
    expect(approved.approvalHistory.at(-1)).toEqual({
      status: 'Approved',
      by: 'user:default/guest',
      at: '2026-11-26T22:00:00.000Z',
      comment: 'Ship it: MSE 4.61 under the gate',
    });
  });

  it('rejecting an older version updates the registry but leaves the release approval alone', async () => {
    mockRegistry();
    codepipeline
      .on(GetPipelineStateCommand)
      .resolves(cp.pipelineStatePendingApproval);
    codepipeline
      .on(ListReleaseExecutionsCommand)
      .resolves(cp.releaseExecutions);
    const { engine } = makeEngine();

    const rejected = await engine.updateModelApproval(resources, 2, {
      status: 'Rejected',
      comment: 'Drift',
      actor,
    });
    expect(rejected.approvalStatus).toBe('Rejected');
    expect(
      sagemaker.commandCalls(UpdateModelPackageCommand)[0].args[0].input,
    ).toEqual({
      ModelPackageArn: sm.packageArn(2),
      ModelApprovalStatus: 'Rejected',
      ApprovalDescription:
        'Rejected by user:default/guest via Backstage: Drift',
    });
    expect(codepipeline.commandCalls(PutApprovalResultCommand)).toHaveLength(0);
  });

  it('refuses a decision the version already has, and a missing comment', async () => {
    mockRegistry();
    const { engine } = makeEngine();
    await expect(
      engine.updateModelApproval(resources, 2, {
        status: 'Approved',
        comment: 'again',
        actor,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(
      engine.updateModelApproval(resources, 3, {
        status: 'Approved',
        comment: '   ',
        actor,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(sagemaker.commandCalls(UpdateModelPackageCommand)).toHaveLength(0);
  });
  it('re-describes only versions whose approval status changed on a list refresh', async () => {
    mockRegistry();
    const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
    await listAllVersions(engine);
    await listAllVersions(engine);
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(3);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(3);

    // v3 was approved in the SageMaker console meanwhile.
    sagemaker.on(ListModelPackagesCommand, { NextToken: undefined }).resolves({
      ...sm.listPackagesPage1,
      ModelPackageSummaryList:
        sm.listPackagesPage1.ModelPackageSummaryList!.map(p =>
          p.ModelPackageVersion === 3
            ? { ...p, ModelApprovalStatus: 'Approved' }
            : p,
        ),
    });
    await listAllVersions(engine);
    expect(
      sagemaker
        .commandCalls(DescribeModelPackageCommand)
        .map(c => c.args[0].input.ModelPackageName),
    ).toEqual([
      sm.packageArn(3),
      sm.packageArn(2),
      sm.packageArn(1),
      sm.packageArn(3),
    ]);
    // evaluation.json never changes: read once.
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(3);
  });

  it('uses the given CacheService with the configured TTL', async () => {
    mockRegistry();
    const store = new Map<string, unknown>();
    const cache = {
      get: jest.fn(async (k: string) => store.get(k)),
      set: jest.fn(async (k: string, v: unknown) => {
        store.set(k, v);
      }),
    };
    const { engine } = makeEngine({ cache, listCacheTtlSeconds: 30 });
    const first = await listAllVersions(engine);
    const second = await listAllVersions(engine);
    expect(second).toEqual(first);
    expect(cache.set).toHaveBeenCalledWith(
      expect.stringContaining(':versions'),
      expect.objectContaining({ items: expect.any(Array) }),
      { ttl: 30_000 },
    );
    // Stored values are plain JSON, as a shared cache store needs.
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(2);
  });
});

describe('AwsEngine endpoint', () => {
  it('lists the current deployment from DescribeEndpoint → EndpointConfig → Model', async () => {
    mockRegistry();
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(
      sagemaker.commandCalls(DescribeEndpointCommand)[0].args[0].input,
    ).toEqual({ EndpointName: 'abalone-endpoint' });
    expect(
      sagemaker.commandCalls(DescribeEndpointConfigCommand)[0].args[0].input,
    ).toEqual({
      EndpointConfigName: sm.ENDPOINT_CONFIG,
    });
    expect(
      sagemaker.commandCalls(DescribeModelCommand)[0].args[0].input,
    ).toEqual({ ModelName: sm.MODEL_NAME });
    expect(res).toEqual({
      endpoint: {
        endpointName: 'abalone-endpoint',
        status: 'InService',
        lastModifiedTime: '2026-11-24T15:11:42.310Z',
        failureReason: undefined,
        modelPackageArn: sm.packageArn(2),
        modelVersion: 2,
      },
      deployments: [
        {
          deploymentId: sm.ENDPOINT_CONFIG,
          endpointName: 'abalone-endpoint',
          modelVersion: 2,
          modelPackageArn: sm.packageArn(2),
          status: 'InService',
          deployedAt: '2026-11-24T15:11:42.310Z',
          current: true,
        },
      ],
    });
  });

  it('reads the served package from the endpoint config tag, without DescribeModel', async () => {
    mockRegistry();
    sagemaker.on(ListTagsCommand).resolves(sm.listTagsEndpointConfig);
    // Untagged information disagrees: the tag the deploy step wrote wins.
    sagemaker.on(DescribeModelCommand).resolves({
      ...sm.describeModel,
      Containers: [{ ModelPackageName: sm.packageArn(1) }],
    });
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(
      sagemaker.commandCalls(ListTagsCommand).map(c => c.args[0].input),
    ).toEqual([
      {
        ResourceArn: sm.describeEndpointConfig.EndpointConfigArn,
        MaxResults: 50,
      },
    ]);
    expect(sagemaker.commandCalls(DescribeModelCommand)).toHaveLength(0);
    expect(res.endpoint).toMatchObject({
      modelPackageArn: sm.packageArn(2),
      modelVersion: 2,
    });
  });

  it('falls back to DescribeModel when ListTags is refused or the tag is absent', async () => {
    mockRegistry();
    sagemaker
      .on(ListTagsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized', 400));
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(sagemaker.commandCalls(DescribeModelCommand)).toHaveLength(1);
    expect(res.endpoint?.modelVersion).toBe(2);
  });

  it('lists the deployment in progress from PendingDeploymentSummary', async () => {
    mockRegistry();
    const nextConfig = 'abalone-endpoint-config-v3-20261126T2210';
    sagemaker.on(DescribeEndpointCommand).resolves({
      ...sm.describeEndpoint,
      EndpointStatus: 'Updating',
      PendingDeploymentSummary: {
        EndpointConfigName: nextConfig,
        StartTime: new Date('2026-11-26T22:10:05.000Z'),
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            CurrentInstanceCount: 0,
            DesiredInstanceCount: 1,
          },
        ],
      },
    });
    sagemaker
      .on(DescribeEndpointConfigCommand, { EndpointConfigName: nextConfig })
      .resolves({
        ...sm.describeEndpointConfig,
        EndpointConfigName: nextConfig,
        ProductionVariants: [
          { VariantName: 'AllTraffic', ModelName: 'abalone-model-v3' },
        ],
      });
    sagemaker
      .on(DescribeModelCommand, { ModelName: 'abalone-model-v3' })
      .resolves({
        ...sm.describeModel,
        ModelName: 'abalone-model-v3',
        Containers: [{ ModelPackageName: sm.packageArn(3) }],
      });
    const { engine } = makeEngine();
    const res = await engine.listDeployments(resources);
    expect(res.endpoint).toMatchObject({ status: 'Updating', modelVersion: 2 });
    expect(
      res.deployments.map(d => [
        d.deploymentId,
        d.modelVersion,
        d.status,
        d.current,
      ]),
    ).toEqual([
      [nextConfig, 3, 'Updating', false],
      [sm.ENDPOINT_CONFIG, 2, 'Updating', true],
    ]);
    expect(res.deployments[0].deployedAt).toBe('2026-11-26T22:10:05.000Z');
  });

  it('has no deployments when the endpoint does not exist yet', async () => {
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(
        awsError(
          'ValidationException',
          'Could not find endpoint "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/abalone-endpoint".',
        ),
      );
    const { engine } = makeEngine();
    await expect(engine.listDeployments(resources)).resolves.toEqual({
      deployments: [],
    });
    await expect(
      engine.predict(resources, [ABALONE_RECORD]),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
  });

  it('predicts with a text/csv body of the raw features, sex first', async () => {
    mockRegistry();
    runtime.on(InvokeEndpointCommand).resolves({
      $metadata: {},
      ContentType: 'text/csv; charset=utf-8',
      InvokedProductionVariant: 'AllTraffic',
      Body: new TextEncoder().encode('9.8734\n11.2051\n') as any,
    });
    const { engine } = makeEngine();
    const res = await engine.predict(resources, [
      ABALONE_RECORD,
      { ...ABALONE_RECORD, sex: 'I', length: 0.35 },
    ]);

    const input = runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input).toMatchObject({
      EndpointName: 'abalone-endpoint',
      ContentType: 'text/csv',
      Accept: 'text/csv',
    });
    expect(Buffer.from(input.Body as Uint8Array).toString('utf8')).toBe(
      'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.35,0.365,0.095,0.514,0.2245,0.101,0.15',
    );
    expect(res).toMatchObject({
      predictions: [
        { rings: 9.8734, age: 9.8734 + 1.5 },
        { rings: 11.2051, age: 11.2051 + 1.5 },
      ],
      modelVersion: 2,
      endpointName: 'abalone-endpoint',
    });
    // -common's toPrediction: the same shape as every engine's.
    expect(res.predictions[0]).toEqual({
      value: 9.8734,
      rings: 9.8734,
      age: 9.8734 + 1.5,
      display: { value: 9.8734 + 1.5, label: 'Age', unit: 'years' },
    });
    // The columns came from the served version's signature (v2's mlops:signature).
    expect(
      s3.commandCalls(GetObjectCommand).map(c => c.args[0].input.Key),
    ).toContain('runs/k3x9q2m7w1pa/preprocess/signature.json');
    expect(input.CustomAttributes).toBeUndefined();
    // The portal widget's predictions are tagged in Data Capture.
    await engine.predict(resources, [ABALONE_RECORD, ABALONE_RECORD], {
      source: 'portal',
    });
    expect(
      runtime.commandCalls(InvokeEndpointCommand)[1].args[0].input
        .CustomAttributes,
    ).toBe('source=portal');
  });

  it('reads JSON and single-line CSV responses too', async () => {
    mockRegistry();
    runtime
      .on(InvokeEndpointCommand)
      .resolvesOnce({
        $metadata: {},
        Body: new TextEncoder().encode(
          '{"predictions":[{"score":7.5},{"score":8}]}',
        ) as any,
      })
      .resolvesOnce({
        $metadata: {},
        Body: new TextEncoder().encode('7.5,8') as any,
      })
      .resolvesOnce({
        $metadata: {},
        Body: new TextEncoder().encode('7.5') as any,
      });
    const { engine } = makeEngine();
    const two = [ABALONE_RECORD, ABALONE_RECORD];
    expect(
      (await engine.predict(resources, two)).predictions.map(p => p.rings),
    ).toEqual([7.5, 8]);
    expect(
      (await engine.predict(resources, two)).predictions.map(p => p.rings),
    ).toEqual([7.5, 8]);
    // One value for two rows is a broken response, not a guess.
    await expect(engine.predict(resources, two)).rejects.toThrow(
      'does not fit its regression signature: 1 prediction(s) for 2 row(s)',
    );
  });

  it('refuses to invoke an endpoint that is not in service', async () => {
    mockRegistry();
    sagemaker.on(DescribeEndpointCommand).resolves({
      ...sm.describeEndpoint,
      EndpointStatus: 'Failed',
      FailureReason: 'Image pull failed',
    });
    const { engine } = makeEngine();
    await expect(
      engine.predict(resources, [ABALONE_RECORD]),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining('Failed'),
    });
    expect(runtime.calls()).toHaveLength(0);
    expect(
      (await engine.listDeployments(resources)).endpoint?.failureReason,
    ).toBe('Image pull failed');
  });
});

describe('AwsEngine signatures', () => {
  it("reads a version's signature from the S3 URI in CustomerMetadataProperties mlops:signature", async () => {
    mockRegistry();
    const { engine } = makeEngine();
    await expect(engine.getModelSignature(resources, 2)).resolves.toEqual(
      ABALONE_SIGNATURE,
    );
    expect(
      s3.commandCalls(GetObjectCommand).map(c => c.args[0].input),
    ).toContainEqual({
      Bucket: 'abalone-artifacts-123456789012',
      Key: 'runs/k3x9q2m7w1pa/preprocess/signature.json',
    });
    // v1 predates signatures.
    await expect(engine.getModelSignature(resources, 1)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('mlops:signature'),
    });
    await expect(engine.getModelSignature(resources, 9)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('follows a signature URI only inside the artifacts the package itself names', async () => {
    const packages = mockRegistry({
      's3://other-team-bucket/secrets.json': JSON.stringify(ABALONE_SIGNATURE),
      [`s3://abalone-artifacts-123456789012/runs/a0b1c2d3e4f5/preprocess/signature.json`]:
        JSON.stringify(ABALONE_SIGNATURE),
    });
    const outside = [
      's3://other-team-bucket/secrets.json',
      // another run's prefix in the same bucket
      's3://abalone-artifacts-123456789012/runs/a0b1c2d3e4f5/preprocess/signature.json',
      's3://abalone-artifacts-123456789012/runs/k3x9q2m7w1pa/../a0b1c2d3e4f5/preprocess/signature.json',
      'https://example.com/signature.json',
    ];
    for (const uri of outside) {
      packages[sm.packageArn(2)] = {
        ...sm.describePackage2,
        CustomerMetadataProperties: { 'mlops:signature': uri },
      };
      const { engine } = makeEngine();
      await expect(
        engine.getModelSignature(resources, 2),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
    }
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('refuses an oversized or malformed signature object with a 409, never a 500', async () => {
    const packages = mockRegistry({
      [sm.signatureUri('k3x9q2m7w1pa')]: JSON.stringify({
        ...PENGUINS_SIGNATURE,
        outputs: { task: 'multiclass', target: 'species' },
      }),
    });
    const { engine } = makeEngine();
    await expect(engine.getModelSignature(resources, 2)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('class labels'),
    });
    s3.on(GetObjectCommand).resolves({
      $metadata: {},
      ContentLength: 5 * 1024 * 1024,
      Body: s3Body('{}'),
    });
    packages[sm.packageArn(3)] = sm.describePackage3;
    await expect(
      makeEngine().engine.getModelSignature(resources, 3),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('byte limit'),
    });
  });
});

describe('AwsEngine classifiers', () => {
  const penguinsEval =
    's3://abalone-artifacts-123456789012/runs/k3x9q2m7w1pa/evaluation/evaluation.json';
  const penguinsSig = sm.signatureUri('k3x9q2m7w1pa');

  /** The served v2 is a penguins (multiclass) or binary version. */
  function mockClassifier(
    signature: typeof PENGUINS_SIGNATURE,
    report: object,
  ) {
    return mockRegistry({
      [penguinsSig]: JSON.stringify(signature),
      [penguinsEval]: JSON.stringify(report),
    });
  }

  it('predicts a multiclass version: CSV in signature order (missing empty), probabilities per class', async () => {
    mockClassifier(PENGUINS_SIGNATURE, {
      multiclass_classification_metrics: {
        accuracy: { value: 0.98, standard_deviation: 'NaN' },
        weighted_f1: { value: 0.979 },
        macro_f1: { value: 0.975 },
        weighted_precision: { value: 0.981 },
        weighted_recall: { value: 0.98 },
        logloss: { value: 0.07 },
        confusion_matrix: { Adelie: { Adelie: 22 } },
      },
    });
    runtime.on(InvokeEndpointCommand).resolves({
      $metadata: {},
      ContentType: 'text/csv',
      Body: new TextEncoder().encode('0.9,0.06,0.04\n0.1,0.7,0.2\n') as any,
    });
    const { engine } = makeEngine();
    const res = await engine.predict(resources, [
      // keys in any order: the signature decides the columns
      {
        sex: 'MALE',
        body_mass_g: 3750,
        island: 'Torgersen',
        bill_length_mm: 39.1,
        bill_depth_mm: 18.7,
        flipper_length_mm: 181,
      },
      {
        island: 'Dream',
        bill_length_mm: 46.5,
        bill_depth_mm: null,
        flipper_length_mm: 192,
        body_mass_g: 3500,
        sex: null,
      },
    ]);
    const input = runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input).toMatchObject({
      ContentType: 'text/csv',
      Accept: 'text/csv',
    });
    expect(Buffer.from(input.Body as Uint8Array).toString('utf8')).toBe(
      'Torgersen,39.1,18.7,181,3750,MALE\nDream,46.5,,192,3500,',
    );
    expect(res.predictions).toEqual([
      {
        value: 'Adelie',
        species: 'Adelie',
        probabilities: { Adelie: 0.9, Chinstrap: 0.06, Gentoo: 0.04 },
      },
      {
        value: 'Chinstrap',
        species: 'Chinstrap',
        probabilities: { Adelie: 0.1, Chinstrap: 0.7, Gentoo: 0.2 },
      },
    ]);
    const v2 = await engine.getModelVersion(resources, 2);
    expect(v2.task).toBe('multiclass');
    expect(v2.metrics).toEqual({
      accuracy: 0.98,
      weighted_f1: 0.979,
      macro_f1: 0.975,
      weighted_precision: 0.981,
      weighted_recall: 0.98,
      logloss: 0.07,
    });
    await expect(engine.getModelSignature(resources, 2)).resolves.toEqual(
      PENGUINS_SIGNATURE,
    );
  });

  it('refuses to score on a served version without a signature (409), without invoking', async () => {
    const packages = mockRegistry();
    packages[sm.packageArn(2)] = {
      ...sm.describePackage2,
      CustomerMetadataProperties: undefined,
    };
    const { engine } = makeEngine();
    await expect(
      engine.predict(resources, [ABALONE_RECORD]),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'serves version 2, which has no signature',
      ),
    });
    expect(runtime.calls()).toHaveLength(0);
  });

  it('refuses a multiclass answer with the wrong number of probabilities', async () => {
    mockClassifier(PENGUINS_SIGNATURE, {});
    runtime.on(InvokeEndpointCommand).resolves({
      $metadata: {},
      Body: new TextEncoder().encode('0.9,0.1\n') as any,
    });
    const { engine } = makeEngine();
    await expect(
      engine.predict(resources, [PENGUINS_SIGNATURE.examples![0]]),
    ).rejects.toThrow('row 1 has 2 value(s), expected 3');
  });

  it('predicts a binary version: one positive-class probability per row; binary metrics', async () => {
    mockClassifier(BINARY_SIGNATURE, {
      binary_classification_metrics: {
        accuracy: { value: 0.95 },
        precision: { value: 0.94 },
        recall: { value: 0.93 },
        f1: { value: 0.935 },
        auc: { value: 0.99 },
        pr_auc: { value: 0.98 },
        logloss: { value: 0.12 },
        true_positive_rate: { value: 0.93 },
      },
    });
    runtime.on(InvokeEndpointCommand).resolves({
      $metadata: {},
      Body: new TextEncoder().encode('[0.25, 0.75]') as any,
    });
    const { engine } = makeEngine();
    const res = await engine.predict(resources, [
      { mean_radius: 12.1, mean_texture: 14 },
      { mean_radius: 20.5, mean_texture: 25.2 },
    ]);
    expect(
      Buffer.from(
        runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input
          .Body as Uint8Array,
      ).toString('utf8'),
    ).toBe('12.1,14\n20.5,25.2');
    expect(res.predictions).toEqual([
      {
        value: 'benign',
        diagnosis: 'benign',
        probabilities: { benign: 0.75, malignant: 0.25 },
      },
      {
        value: 'malignant',
        diagnosis: 'malignant',
        probabilities: { benign: 0.25, malignant: 0.75 },
      },
    ]);
    const v2 = await engine.getModelVersion(resources, 2);
    expect(v2).toMatchObject({
      task: 'binary',
      metrics: {
        accuracy: 0.95,
        precision: 0.94,
        recall: 0.93,
        f1: 0.935,
        auc: 0.99,
        pr_auc: 0.98,
        logloss: 0.12,
      },
    });
    // Only the contract's keys, not every rate of the report.
    expect(v2.metrics).not.toHaveProperty('true_positive_rate');
  });
});

describe('AwsEngine upload', () => {
  const good =
    'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n';

  it('validates the CSV, then puts it into the data bucket with its checksum', async () => {
    let sent: Buffer | undefined;
    s3.on(PutObjectCommand).callsFake(async input => {
      sent = await buffer(input.Body);
      return {
        $metadata: { httpStatusCode: 200 },
        ETag: '"4f2a8c1b9d0e3f5a6b7c8d9e0f1a2b3c"',
        VersionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      };
    });
    const { engine } = makeEngine();
    const res = await engine.uploadDataset(resources, {
      fileName: '../new data.csv',
      content: Buffer.from(good),
      actor,
    });
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(input).toEqual({
      Bucket: DATA_BUCKET,
      Key: expect.stringMatching(
        /^data\/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-new-data\.csv$/,
      ),
      // Streamed from the staged copy, not the caller's Buffer.
      Body: expect.any(Readable),
      ContentLength: good.length,
      ContentType: 'text/csv',
      ChecksumSHA256: createHash('sha256').update(good).digest('base64'),
      Metadata: { 'uploaded-by': 'user:default/guest', 'row-count': '2' },
    });
    expect(sent).toEqual(Buffer.from(good));
    expect(res.manifest).toMatchObject({
      uri: `s3://${DATA_BUCKET}/${input.Key}`,
      rowCount: 2,
      createdBy: 'user:default/guest',
      files: [
        {
          key: input.Key,
          size: good.length,
          etag: '"4f2a8c1b9d0e3f5a6b7c8d9e0f1a2b3c"',
          versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
          rowCount: 2,
          sha256: Buffer.from(input.ChecksumSHA256!, 'base64').toString('hex'),
        },
      ],
    });
  });

  it('rejects a bad CSV with row errors and never calls S3', async () => {
    const { engine } = makeEngine();
    const bad = `${good}X,0.4,abc,0.1,0.5,0.2,0.1,0.15,10\n`;
    const error = await engine
      .uploadDataset(resources, {
        fileName: 'bad.csv',
        content: Buffer.from(bad),
        actor,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect(error.name).toBe('InputError');
    expect(error.rowErrors.length).toBeGreaterThanOrEqual(1);
    expect(error.rowErrors.every((e: { row: number }) => e.row === 3)).toBe(
      true,
    );
    expect(error.message).toContain('row 3');
    expect(s3.calls()).toHaveLength(0);
  });

  it("checks a penguins upload by that system's spec (resources.system): row, column, value, reason", async () => {
    s3.on(PutObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    const { engine } = makeEngine();
    const penguins = {
      ...resources,
      system: demoSystem('penguins').system,
    };
    const header =
      'species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n';
    const error = await engine
      .uploadDataset(penguins, {
        fileName: 'penguins.csv',
        content: Buffer.from(
          `${header}Adelie,Torgersen,39.1,18.7,181,3750,MALE\nGentoo,Biscoe,NA,,,,\nAdelie,Atlantis,39,18,181,3700,FEMALE\n`,
        ),
        actor,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect(error.rowErrors).toEqual([
      {
        row: 4,
        column: 'island',
        value: 'Atlantis',
        reason: expect.any(String),
      },
    ]);
    expect(s3.calls()).toHaveLength(0);
    // The Abalone file is not a penguins file: refused on its first row.
    await expect(
      engine.uploadDataset(penguins, {
        fileName: 'abalone.csv',
        content: Buffer.from(good),
        actor,
      }),
    ).rejects.toBeInstanceOf(DatasetValidationError);
  });

  it("without a spec checks by the newest version's signature; with neither it is a 409 naming mlops.io/spec", async () => {
    const packages = mockRegistry();
    s3.on(PutObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    const noSpec = { ...resources, system: undefined };
    const { engine } = makeEngine({ listCacheTtlSeconds: 0 });
    const res = await engine.uploadDataset(noSpec, {
      fileName: 'more.csv',
      content: Buffer.from(good),
      actor,
    });
    expect(res.manifest.rowCount).toBe(2);
    // v3 is the newest version; its signature was read.
    expect(
      s3.commandCalls(GetObjectCommand).map(c => c.args[0].input.Key),
    ).toContain('runs/r5t7y9u1i3oq/preprocess/signature.json');
    const bad = await engine
      .uploadDataset(noSpec, {
        fileName: 'bad.csv',
        content: Buffer.from(`${good}Q,0.4,0.3,0.1,0.5,0.2,0.1,0.15,10\n`),
        actor,
      })
      .catch(e => e);
    expect(bad.rowErrors).toEqual([
      expect.objectContaining({ row: 3, column: 'sex', value: 'Q' }),
    ]);
    // No spec and no signature (the newest version predates signatures).
    packages[sm.packageArn(3)] = {
      ...sm.describePackage3,
      CustomerMetadataProperties: undefined,
    };
    const puts = s3.commandCalls(PutObjectCommand).length;
    await expect(
      engine.uploadDataset(noSpec, {
        fileName: 'a.csv',
        content: Buffer.from(good),
        actor,
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('mlops.io/spec'),
    });
    await expect(
      engine.createDatasetUpload(noSpec, {
        fileName: 'a.csv',
        sizeBytes: 10,
        actor,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(puts);
  });

  it('needs a data bucket', async () => {
    const { engine } = makeEngine();
    await expect(
      engine.uploadDataset(
        { ...resources, dataBucketUri: undefined },
        { fileName: 'a.csv', content: Buffer.from(good), actor },
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('mlops.io/data-bucket'),
    });
  });
});

describe('AwsEngine targets', () => {
  it('uses the region and account the entity names, else the configured defaults', async () => {
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .resolves(sm.listExecutionsPage2);
    const targets: unknown[] = [];
    const { engine } = makeEngine({
      defaultAccountId: '111111111111',
      listCacheTtlSeconds: 0,
      clients: async target => {
        targets.push(target);
        return buildClients(target, { credentials: testCredentials });
      },
    });
    const { region: _region, ...noRegion } = resources;
    await engine.listExecutions(noRegion);
    await engine.listExecutions({
      ...resources,
      region: 'us-east-1',
      awsAccountId: '222222222222',
    });
    expect(targets).toContainEqual({
      region: 'eu-west-1',
      accountId: '111111111111',
    });
    expect(targets).toContainEqual({
      region: 'us-east-1',
      accountId: '222222222222',
    });
    // An eu-west-1 execution ARN does not belong to the entity's us-east-1 pipeline.
    await expect(
      engine.getExecution(
        { ...resources, region: 'us-east-1' },
        sm.EXEC_SUCCEEDED,
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('AwsEngine errors', () => {
  it('maps AccessDenied to NotAllowedError without leaking the AWS message', async () => {
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/BackstageMlopsRole/backstage is not authorized to perform: sagemaker:ListPipelineExecutions on resource: arn:aws:sagemaker:eu-west-1:123456789012:pipeline/abalone-pipeline because no identity-based policy allows the sagemaker:ListPipelineExecutions action',
        ),
      );
    const { engine, logger } = makeEngine();
    const error = await engine.listExecutions(resources).catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      'AWS refused sagemaker:ListPipelineExecutions (AccessDeniedException); check the IAM policy of the Backstage backend',
    );
    expect(error.message).not.toContain('123456789012');
    // Operators still see the full reason in the logs.
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('is not authorized to perform'),
    );
  });

  it('reports missing credentials and unknown accounts as 503 with a clear message', async () => {
    const noCredentials = Object.assign(
      new Error('Could not load credentials from any providers'),
      {
        name: 'CredentialsProviderError',
      },
    );
    sagemaker.on(ListPipelineExecutionsCommand).rejects(noCredentials);
    const { engine } = makeEngine();
    await expect(engine.listExecutions(resources)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining('no usable AWS credentials'),
    });

    const { engine: noAccount } = makeEngine({
      clients: async () => {
        throw new Error(
          'There is no AWS integration that matches 999999999999',
        );
      },
    });
    await expect(
      noAccount.listExecutions({ ...resources, awsAccountId: '999999999999' }),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message:
        'No AWS credentials are configured for account 999999999999 in eu-west-1',
    });
  });

  it('maps persistent throttling to ServiceUnavailableError and unknown faults to a safe error', async () => {
    sagemaker
      .on(ListModelPackagesCommand)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'))
      .on(DescribeEndpointCommand)
      .rejects(
        awsError(
          'InternalFailure',
          'We encountered an internal error. Please try again.',
          500,
        ),
      )
      .on(DescribeModelPackageCommand)
      .rejects(
        awsError(
          'WeirdNewException',
          'something about arn:aws:iam::123456789012:role/x',
        ),
      );
    const { engine } = makeEngine();
    await expect(engine.listModelVersions(resources)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    await expect(engine.listDeployments(resources)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    sagemaker.on(ListModelPackagesCommand).resolves(sm.listPackagesPage2);
    const error = await engine.getModelVersion(resources, 1).catch(e => e);
    expect(error).toMatchObject({
      name: 'AwsEngineError',
      message: 'AWS sagemaker:DescribeModelPackage failed (WeirdNewException)',
    });
  });
});

describe('AwsEngine: a read AWS refuses is an error, not "nothing there"', () => {
  const denied = (op: string) =>
    awsError(
      'AccessDeniedException',
      `User: arn:aws:sts::123456789012:assumed-role/BackstageMlopsRole/backstage is not authorized to perform: ${op}`,
    );

  function mockExecution(arn = sm.EXEC_SUCCEEDED) {
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .resolves(
        arn === sm.EXEC_SUCCEEDED ? sm.describeSucceeded : sm.describeFailed,
      );
    sagemaker.on(ListPipelineExecutionStepsCommand).resolves(sm.stepsSucceeded);
    sagemaker
      .on(ListPipelineParametersForExecutionCommand)
      .resolves(sm.parametersForExecution);
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves(sm.definitionForExecution);
  }

  it('versions: a refused or throttled DescribeEndpoint fails the list instead of showing nothing deployed', async () => {
    mockRegistry();
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(denied('sagemaker:DescribeEndpoint'));
    const { engine } = makeEngine();
    await expect(engine.listModelVersions(resources)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'AWS refused sagemaker:DescribeEndpoint (AccessDeniedException); check the IAM policy of the Backstage backend',
    });
    await expect(engine.getModelVersion(resources, 2)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });

    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(
      makeEngine().engine.listModelVersions(resources),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining('sagemaker:DescribeEndpoint'),
    });

    // no endpoint at all is "nothing deployed"
    sagemaker
      .on(DescribeEndpointCommand)
      .rejects(awsError('ValidationException', 'Could not find endpoint "x".'));
    const page = await makeEngine().engine.listModelVersions(resources);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every(v => v.deployed === false)).toBe(true);
  });

  it('execution detail: a refused definition or model package read is a 403; missing ones are warnings', async () => {
    mockRegistry();
    mockExecution();
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .rejects(denied('sagemaker:DescribePipelineDefinitionForExecution'));
    await expect(
      makeEngine().engine.getExecution(resources, sm.EXEC_SUCCEEDED),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'AWS refused sagemaker:DescribePipelineDefinitionForExecution',
      ),
    });

    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves(sm.definitionForExecution);
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(denied('sagemaker:DescribeModelPackage'));
    await expect(
      makeEngine().engine.getExecution(resources, sm.EXEC_SUCCEEDED),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('sagemaker:DescribeModelPackage'),
    });

    // deleted package, no definition: the detail comes back and says what is missing
    sagemaker
      .on(DescribeModelPackageCommand)
      .rejects(awsError('ValidationException', 'ModelPackage does not exist.'));
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .rejects(
        awsError('ResourceNotFound', 'Pipeline execution definition not found'),
      );
    const detail = await makeEngine().engine.getExecution(
      resources,
      sm.EXEC_SUCCEEDED,
    );
    expect(detail.modelVersion).toBeUndefined();
    expect(detail.steps.length).toBeGreaterThan(0);
    expect(detail.warnings).toEqual([
      'The pipeline definition of this execution was not found: steps are shown without their edges',
      'The model package this execution registered no longer exists: its version and metrics are not shown',
    ]);
  });

  it('execution detail: an unparsable definition is logged and said on the run, with the steps that ran', async () => {
    mockRegistry();
    mockExecution();
    sagemaker
      .on(DescribePipelineDefinitionForExecutionCommand)
      .resolves({ ...sm.definitionForExecution, PipelineDefinition: '{"Ver' });
    const { engine, logger } = makeEngine();
    const detail = await engine.getExecution(resources, sm.EXEC_SUCCEEDED);
    expect(detail.warnings).toEqual([
      'The pipeline definition of this execution could not be read (not valid JSON): steps are shown without their edges',
    ]);
    expect(detail.steps.map(s => s.name)).toContain('Train');
    expect(detail.modelVersion).toBe(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('the pipeline definition is not valid JSON'),
    );
  });

  it('start, retry, stop: a failed read-back says the write happened, with the status of the read error', async () => {
    sagemaker
      .on(StartPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_RUNNING });
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .rejects(denied('sagemaker:DescribePipelineExecution'));
    const started = await makeEngine()
      .engine.startExecution(resources, {
        trigger: 'manual',
        actor,
        parameters: { MaxDepth: 6 },
      })
      .catch(e => e);
    expect(started).toMatchObject({
      name: 'NotAllowedError',
      message:
        'The execution was started, but reading it back failed: AWS refused sagemaker:DescribePipelineExecution (AccessDeniedException); check the IAM policy of the Backstage backend',
    });
    expect(sagemaker.commandCalls(StartPipelineExecutionCommand)).toHaveLength(
      1,
    );

    // retry: the check before the write reads the execution, the read-back is throttled
    sagemaker.reset();
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .resolvesOnce(sm.describeFailed)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    sagemaker
      .on(RetryPipelineExecutionCommand)
      .resolves({ $metadata: {}, PipelineExecutionArn: sm.EXEC_FAILED });
    await expect(
      makeEngine().engine.retryExecution(resources, sm.EXEC_FAILED, actor),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(
        /^The execution was retried, but reading it back failed: AWS sagemaker:DescribePipelineExecution is throttled/,
      ),
    });
    expect(sagemaker.commandCalls(RetryPipelineExecutionCommand)).toHaveLength(
      1,
    );
  });
});

describe('AwsEngine requests and responses in these tests', () => {
  it("fit botocore's INPUT and OUTPUT shapes", () => {
    expect(recorder.items.length).toBeGreaterThan(100);
    expect(validateAwsShapes(recorder.items)).toEqual([]);
  });

  it('are all allowed by the IAM policy in docs/aws.md', () => {
    const actions = [...recorder.actions].sort();
    expect(actions).toContain('sagemaker:InvokeEndpoint');
    expect(actions.filter(a => !docsPolicyAllows(a))).toEqual([]);
  });
});
