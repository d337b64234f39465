import { randomUUID } from 'crypto';
import { Readable } from 'stream';
import { buffer } from 'stream/consumers';
/**
 * A small stateful AWS account behind aws-sdk-client-mock, for the engine
 * contract: SageMaker (pipeline executions, model registry, endpoint),
 * CodePipeline (release with a manual approval), S3 and the SageMaker runtime.
 * Responses reuse the hand-written, shape-checked fixtures in ./sagemaker.ts and ./codepipeline.ts;
 * only the state (statuses, versions, what the endpoint serves) changes.
 */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListTagsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdateModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  type DescribePipelineExecutionCommandOutput,
  type PipelineExecutionStep,
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
import { mockClient } from 'aws-sdk-client-mock';
import * as cp from '../__fixtures__/codepipeline';
import { ABALONE_SIGNATURE } from '../__fixtures__/signatures';
import * as sm from '../__fixtures__/sagemaker';
import { DATA_BUCKET, awsError, s3Body } from './helpers';

const ok = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };

interface FakeExecution {
  describe: DescribePipelineExecutionCommandOutput;
  steps: PipelineExecutionStep[];
}

function page<T>(
  items: T[],
  max: number | undefined,
  token: string | undefined,
) {
  const start = token ? Number(token) : 0;
  const end = start + (max ?? 100);
  return {
    items: items.slice(start, end),
    next: end < items.length ? String(end) : undefined,
  };
}

export function createFakeAwsAccount() {
  const sagemaker = mockClient(SageMakerClient);
  const codepipeline = mockClient(CodePipelineClient);
  const s3 = mockClient(S3Client);
  const runtime = mockClient(SageMakerRuntimeClient);

  const executions: FakeExecution[] = [];
  const packages: DescribeModelPackageCommandOutput[] = [];
  const objects = new Map<string, string>();
  const models = new Map<string, string>(); // model name → package ARN
  const configs = new Map<string, string>(); // endpoint config → model name
  let endpoint: { configName: string; modified: Date } | undefined;
  let lastApproved: string | undefined;
  let pendingToken: string | undefined;
  let clock = Date.parse('2026-11-20T08:00:00.000Z');
  const tick = () => new Date((clock += 60_000));

  const findExecution = (arn: string) => {
    const e = executions.find(x => x.describe.PipelineExecutionArn === arn);
    if (!e)
      throw awsError(
        'ResourceNotFound',
        `Pipeline execution '${arn}' does not exist.`,
      );
    return e;
  };
  const findPackage = (arn: string) => {
    const p = packages.find(x => x.ModelPackageArn === arn);
    if (!p)
      throw awsError(
        'ValidationException',
        `ModelPackage ${arn} does not exist.`,
      );
    return p;
  };

  // --- SageMaker Pipelines ---
  sagemaker.on(ListPipelineExecutionsCommand).callsFake(input => {
    const sorted = [...executions].sort(
      (a, b) =>
        b.describe.CreationTime!.getTime() - a.describe.CreationTime!.getTime(),
    );
    const { items, next } = page(sorted, input.MaxResults, input.NextToken);
    return {
      $metadata: ok,
      PipelineExecutionSummaries: items.map(e => ({
        PipelineExecutionArn: e.describe.PipelineExecutionArn,
        StartTime: e.describe.CreationTime,
        PipelineExecutionStatus: e.describe.PipelineExecutionStatus,
        PipelineExecutionDisplayName: e.describe.PipelineExecutionDisplayName,
      })),
      NextToken: next,
    };
  });
  const byToken = new Map<string, string>();
  sagemaker.on(StartPipelineExecutionCommand).callsFake(input => {
    // SageMaker's idempotency: the same ClientRequestToken returns the same execution.
    const known = byToken.get(input.ClientRequestToken);
    if (known) return { $metadata: ok, PipelineExecutionArn: known };
    const arn = sm.executionArn(
      `start${String(executions.length).padStart(7, '0')}`,
    );
    const start = tick();
    executions.push({
      describe: {
        ...sm.describeRunning,
        PipelineExecutionArn: arn,
        PipelineExecutionDisplayName: input.PipelineExecutionDisplayName,
        PipelineExecutionDescription: input.PipelineExecutionDescription,
        CreationTime: start,
        LastModifiedTime: start,
      },
      steps: [
        {
          ...sm.stepsRunning.PipelineExecutionSteps![0],
          StepStatus: 'Executing',
          EndTime: undefined,
        },
      ],
    });
    byToken.set(input.ClientRequestToken, arn);
    return { $metadata: ok, PipelineExecutionArn: arn };
  });
  sagemaker
    .on(DescribePipelineExecutionCommand)
    .callsFake(input => findExecution(input.PipelineExecutionArn).describe);
  sagemaker.on(ListPipelineExecutionStepsCommand).callsFake(input => ({
    $metadata: ok,
    PipelineExecutionSteps: findExecution(input.PipelineExecutionArn).steps,
  }));
  sagemaker
    .on(DescribePipelineDefinitionForExecutionCommand)
    .resolves(sm.definitionForExecution);
  sagemaker.on(DescribePipelineCommand).resolves({
    $metadata: ok,
    PipelineName: 'abalone-pipeline',
    PipelineDefinition: sm.PIPELINE_DEFINITION,
  });
  sagemaker
    .on(ListPipelineParametersForExecutionCommand)
    .resolves(sm.parametersForExecution);

  // --- model registry ---
  sagemaker.on(ListModelPackagesCommand).callsFake(input => {
    const sorted = packages
      .filter(p => p.ModelPackageGroupName === input.ModelPackageGroupName)
      .sort((a, b) => b.CreationTime!.getTime() - a.CreationTime!.getTime());
    const { items, next } = page(sorted, input.MaxResults, input.NextToken);
    return {
      $metadata: ok,
      ModelPackageSummaryList: items.map(p => ({
        ModelPackageName: p.ModelPackageName,
        ModelPackageGroupName: p.ModelPackageGroupName,
        ModelPackageVersion: p.ModelPackageVersion,
        ModelPackageArn: p.ModelPackageArn,
        CreationTime: p.CreationTime,
        ModelPackageStatus: p.ModelPackageStatus,
        ModelApprovalStatus: p.ModelApprovalStatus,
      })),
      NextToken: next,
    };
  });
  sagemaker.on(DescribeModelPackageCommand).callsFake(input => ({
    ...findPackage(input.ModelPackageName),
    $metadata: ok,
  }));
  sagemaker.on(UpdateModelPackageCommand).callsFake(input => {
    const p = findPackage(input.ModelPackageArn);
    p.ModelApprovalStatus = input.ModelApprovalStatus;
    p.ApprovalDescription = input.ApprovalDescription;
    p.LastModifiedTime = tick();
    p.LastModifiedBy = sm.describePackage2.LastModifiedBy;
    if (input.ModelApprovalStatus === 'Approved')
      lastApproved = p.ModelPackageArn;
    return { $metadata: ok, ModelPackageArn: p.ModelPackageArn };
  });

  // --- endpoint ---
  sagemaker.on(DescribeEndpointCommand).callsFake(input => {
    if (!endpoint || input.EndpointName !== sm.ENDPOINT) {
      throw awsError(
        'ValidationException',
        `Could not find endpoint "${input.EndpointName}".`,
      );
    }
    return {
      ...sm.describeEndpoint,
      EndpointConfigName: endpoint.configName,
      LastModifiedTime: endpoint.modified,
    };
  });
  const configArn = (name: string) =>
    `arn:aws:sagemaker:${sm.REGION}:${sm.ACCOUNT}:endpoint-config/${name}`;
  sagemaker.on(DescribeEndpointConfigCommand).callsFake(input => ({
    ...sm.describeEndpointConfig,
    EndpointConfigName: input.EndpointConfigName,
    EndpointConfigArn: configArn(input.EndpointConfigName),
    ProductionVariants: [
      {
        ...sm.describeEndpointConfig.ProductionVariants![0],
        ModelName: configs.get(input.EndpointConfigName),
      },
    ],
  }));
  // The deploy step tags each endpoint config with the package it serves.
  sagemaker.on(ListTagsCommand).callsFake(input => {
    const name = [...configs.keys()].find(
      c => configArn(c) === input.ResourceArn,
    );
    const served = name ? models.get(configs.get(name)!) : undefined;
    return {
      $metadata: ok,
      Tags: served ? [{ Key: 'mlops:model-package-arn', Value: served }] : [],
    };
  });
  sagemaker.on(DescribeModelCommand).callsFake(input => ({
    ...sm.describeModel,
    ModelName: input.ModelName,
    Containers: [{ ModelPackageName: models.get(input.ModelName) }],
  }));
  runtime.on(InvokeEndpointCommand).callsFake(input => {
    if (!endpoint)
      throw awsError(
        'ValidationException',
        'Endpoint abalone-endpoint not found.',
      );
    // A stand-in model: more shell weight, more rings.
    const lines = Buffer.from(input.Body).toString('utf8').trim().split('\n');
    const rings = lines.map(l => {
      const cols = l.split(',');
      return 4 + 20 * Number(cols[7]) + (cols[0] === 'I' ? -1 : 0);
    });
    return {
      $metadata: ok,
      ContentType: 'text/csv',
      Body: new TextEncoder().encode(
        `${rings.map(r => r.toFixed(4)).join('\n')}\n`,
      ),
    };
  });

  // --- release pipeline ---
  codepipeline.on(GetPipelineStateCommand).callsFake(() => {
    const base = cp.pipelineStatePendingApproval;
    return {
      ...base,
      stageStates: base.stageStates!.map(stage =>
        stage.stageName !== 'Approval'
          ? stage
          : {
              ...stage,
              actionStates: stage.actionStates!.map(a => ({
                ...a,
                latestExecution: pendingToken
                  ? {
                      ...a.latestExecution,
                      status: 'InProgress',
                      token: pendingToken,
                    }
                  : {
                      ...a.latestExecution,
                      status: 'Succeeded',
                      token: undefined,
                    },
              })),
              latestExecution: {
                pipelineExecutionId: cp.RELEASE_RUN,
                status: pendingToken ? 'InProgress' : 'Succeeded',
              },
            },
      ),
    };
  });
  codepipeline.on(ListReleaseExecutionsCommand).resolves(cp.releaseExecutions);
  codepipeline.on(PutApprovalResultCommand).callsFake(input => {
    if (input.token !== pendingToken) {
      throw Object.assign(
        awsError(
          'InvalidApprovalTokenException',
          'The approval token is not valid.',
        ),
        {},
      );
    }
    pendingToken = undefined;
    return { $metadata: ok, approvedAt: tick() };
  });

  // --- S3 ---
  s3.on(GetObjectCommand).callsFake(input => {
    const text = objects.get(`s3://${input.Bucket}/${input.Key}`);
    if (text === undefined)
      throw awsError('NoSuchKey', 'The specified key does not exist.', 404);
    return { $metadata: ok, Body: s3Body(text) };
  });
  s3.on(PutObjectCommand).callsFake(async input => {
    // S3 reads a streamed Body during the call, as the SDK would send it.
    const body =
      input.Body instanceof Readable
        ? await buffer(input.Body)
        : Buffer.from(input.Body);
    objects.set(`s3://${input.Bucket}/${input.Key}`, body.toString('utf8'));
    return { $metadata: ok, ETag: '"0123456789abcdef0123456789abcdef"' };
  });

  return {
    clients: { sagemaker, codepipeline, s3, runtime },

    /** The pipeline ran and registered a new version (PendingManualApproval). */
    registerVersion(): number {
      const version = packages.length + 1;
      const id = `exec${String(version).padStart(8, '0')}`;
      const arn = sm.executionArn(id);
      const start = tick();
      const registered = tick();
      executions.push({
        describe: {
          ...sm.describeSucceeded,
          PipelineExecutionArn: arn,
          PipelineExecutionDisplayName: `execution-${start.getTime()}`,
          CreationTime: start,
          LastModifiedTime: registered,
        },
        steps: sm.stepsSucceeded.PipelineExecutionSteps!.map(s =>
          s.StepName === 'Register'
            ? {
                ...s,
                Metadata: { RegisterModel: { Arn: sm.packageArn(version) } },
              }
            : s,
        ),
      });
      const evaluation = sm.evaluationUri(id);
      objects.set(
        evaluation,
        JSON.stringify({
          regression_metrics: {
            mse: { value: 4 + version / 10, standard_deviation: 2.1 },
          },
        }),
      );
      // Register names the run's signature.json (Preprocess writes it).
      objects.set(sm.signatureUri(id), JSON.stringify(ABALONE_SIGNATURE));
      packages.push({
        ...sm.describePackage3,
        CustomerMetadataProperties: {
          'mlops:signature': sm.signatureUri(id),
        },
        ModelPackageVersion: version,
        ModelPackageArn: sm.packageArn(version),
        CreationTime: registered,
        ModelApprovalStatus: 'PendingManualApproval',
        ApprovalDescription: undefined,
        LastModifiedTime: undefined,
        LastModifiedBy: undefined,
        MetadataProperties: { GeneratedBy: arn },
        ModelMetrics: {
          ModelQuality: {
            Statistics: { ContentType: 'application/json', S3Uri: evaluation },
          },
        },
      });
      // CodePipeline's approval tokens are UUIDs.
      pendingToken = randomUUID();
      return version;
    },

    /** The release's Deploy stage: the last approved version goes live. */
    deploy() {
      if (!lastApproved) return;
      const v = lastApproved.split('/').pop();
      const current = endpoint
        ? models.get(configs.get(endpoint.configName)!)
        : undefined;
      if (current === lastApproved) return;
      const model = `abalone-model-v${v}`;
      const config = `abalone-endpoint-config-v${v}`;
      models.set(model, lastApproved);
      configs.set(config, model);
      endpoint = { configName: config, modified: tick() };
    },

    dataObjectCount() {
      return [...objects.keys()].filter(k =>
        k.startsWith(`s3://${DATA_BUCKET}/`),
      ).length;
    },

    /** The mocked clients, by botocore service name (for request/response checks). */
    mocks: { sagemaker, codepipeline, s3, 'sagemaker-runtime': runtime },

    restore() {
      sagemaker.restore();
      codepipeline.restore();
      s3.restore();
      runtime.restore();
    },
  };
}
