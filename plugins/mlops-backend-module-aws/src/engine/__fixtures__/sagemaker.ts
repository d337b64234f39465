/**
 * SageMaker responses of the abalone pipeline (infra/ CDK app), written by hand
 * — not recorded from a real account — in the shapes SageMaker returns: every
 * one is checked against botocore's service models (fixtures.test.ts), and the
 * pipeline definition is the one infra's own buildPipelineDefinition emits.
 * Request ids, account ids and suffixes are made up. The SDK deserialises
 * timestamps to Date objects, so they are Dates here too.
 */
import type {
  DescribeEndpointCommandOutput,
  DescribeEndpointConfigCommandOutput,
  DescribeModelCommandOutput,
  DescribeModelPackageCommandOutput,
  DescribePipelineDefinitionForExecutionCommandOutput,
  DescribePipelineExecutionCommandOutput,
  ListModelPackagesCommandOutput,
  ListPipelineExecutionStepsCommandOutput,
  ListPipelineExecutionsCommandOutput,
  ListPipelineParametersForExecutionCommandOutput,
  ListTagsCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { ABALONE_SIGNATURE } from './signatures';
import {
  SKLEARN_REPOSITORY,
  SKLEARN_TAG,
  XGBOOST_REPOSITORY,
  XGBOOST_TAG,
  imageUri,
} from '@mlops-portal/infra/lib/images';
import { buildPipelineDefinition } from '@mlops-portal/infra/lib/pipeline-definition';
import { loadSystem } from '@mlops-portal/infra/lib/spec';
import * as path from 'path';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PIPELINE = 'abalone-pipeline';
export const GROUP = 'AbaloneModelPackageGroup';
export const ENDPOINT = 'abalone-endpoint';
export const RELEASE = 'abalone-release';

const meta = (requestId: string) => ({
  httpStatusCode: 200,
  requestId,
  attempts: 1,
  totalRetryDelay: 0,
});

export const PIPELINE_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/${PIPELINE}`;
export const executionArn = (id: string) => `${PIPELINE_ARN}/execution/${id}`;
// SageMaker lower-cases the group name inside model package ARNs.
export const packageArn = (version: number) =>
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/${GROUP.toLowerCase()}/${version}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/AbaloneSageMakerExecutionRole`;

export const EXEC_SUCCEEDED = executionArn('k3x9q2m7w1pa');
export const EXEC_FAILED = executionArn('f8d2c6b1n0zr');
export const EXEC_RUNNING = executionArn('r5t7y9u1i3oq');
export const EXEC_OLD = executionArn('a0b1c2d3e4f5');

export const listExecutionsPage1: ListPipelineExecutionsCommandOutput = {
  $metadata: meta('5c1b7e0e-1f61-4f6e-9b0e-7e0c6b3e4a11'),
  PipelineExecutionSummaries: [
    {
      PipelineExecutionArn: EXEC_RUNNING,
      StartTime: new Date('2026-11-26T21:40:12.331Z'),
      PipelineExecutionStatus: 'Executing',
      PipelineExecutionDescription:
        'Started from Backstage by user:default/guest (manual)',
      PipelineExecutionDisplayName: 'train-now-guest',
    },
    {
      PipelineExecutionArn: EXEC_FAILED,
      StartTime: new Date('2026-11-25T09:02:47.910Z'),
      PipelineExecutionStatus: 'Failed',
      PipelineExecutionDisplayName: 'execution-1764061367910',
      PipelineExecutionFailureReason:
        'Step failure: One or multiple steps failed.',
    },
  ],
  NextToken: 'eyJsYXN0RXZhbHVhdGVkS2V5Ijp7ImNyZWF0aW9uVGltZSI6MTc2NDA2MTM2N319',
};

export const listExecutionsPage2: ListPipelineExecutionsCommandOutput = {
  $metadata: meta('0d6f8a52-8a3c-4f1e-93b4-2d5a4e1c7b22'),
  PipelineExecutionSummaries: [
    {
      PipelineExecutionArn: EXEC_SUCCEEDED,
      StartTime: new Date('2026-11-24T14:11:05.004Z'),
      PipelineExecutionStatus: 'Succeeded',
      PipelineExecutionDisplayName: 'execution-1763993465004',
    },
  ],
};

export const describeSucceeded: DescribePipelineExecutionCommandOutput = {
  $metadata: meta('f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b'),
  PipelineArn: PIPELINE_ARN,
  PipelineExecutionArn: EXEC_SUCCEEDED,
  PipelineExecutionDisplayName: 'execution-1763993465004',
  PipelineExecutionStatus: 'Succeeded',
  PipelineExperimentConfig: {
    ExperimentName: PIPELINE,
    TrialName: 'k3x9q2m7w1pa',
  },
  CreationTime: new Date('2026-11-24T14:11:05.004Z'),
  LastModifiedTime: new Date('2026-11-24T14:29:51.876Z'),
  CreatedBy: {},
  LastModifiedBy: {},
  PipelineVersionId: 3,
};

export const describeFailed: DescribePipelineExecutionCommandOutput = {
  $metadata: meta('2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091'),
  PipelineArn: PIPELINE_ARN,
  PipelineExecutionArn: EXEC_FAILED,
  PipelineExecutionDisplayName: 'execution-1764061367910',
  PipelineExecutionStatus: 'Failed',
  FailureReason: 'Step failure: One or multiple steps failed.',
  CreationTime: new Date('2026-11-25T09:02:47.910Z'),
  LastModifiedTime: new Date('2026-11-25T09:14:03.222Z'),
  CreatedBy: {},
  LastModifiedBy: {},
  PipelineVersionId: 3,
};

export const describeRunning: DescribePipelineExecutionCommandOutput = {
  $metadata: meta('3c4d5e6f-7081-4923-8b4c-5d6e7f809102'),
  PipelineArn: PIPELINE_ARN,
  PipelineExecutionArn: EXEC_RUNNING,
  PipelineExecutionDisplayName: 'train-now-guest',
  PipelineExecutionDescription:
    'Started from Backstage by user:default/guest (manual)',
  PipelineExecutionStatus: 'Executing',
  CreationTime: new Date('2026-11-26T21:40:12.331Z'),
  LastModifiedTime: new Date('2026-11-26T21:40:12.331Z'),
  CreatedBy: {},
  LastModifiedBy: {},
  PipelineVersionId: 3,
};

const job = (
  kind: 'processing-job' | 'training-job',
  exec: string,
  step: string,
  suffix: string,
) =>
  `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${kind}/pipelines-${exec}-${step}-${suffix}`.toLowerCase();

/** Steps come back newest first by default; the engine asks for Ascending. */
export const stepsSucceeded: ListPipelineExecutionStepsCommandOutput = {
  $metadata: meta('4d5e6f70-8192-4a34-9c5d-6e7f80910213'),
  PipelineExecutionSteps: [
    {
      StepName: 'Preprocess',
      StartTime: new Date('2026-11-24T14:11:06.120Z'),
      EndTime: new Date('2026-11-24T14:16:40.501Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: {
        ProcessingJob: {
          Arn: job(
            'processing-job',
            'k3x9q2m7w1pa',
            'Preprocess',
            'Qw3Er5Ty7U',
          ),
        },
      },
    },
    {
      StepName: 'Train',
      StartTime: new Date('2026-11-24T14:16:41.002Z'),
      EndTime: new Date('2026-11-24T14:22:18.744Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: {
        TrainingJob: {
          Arn: job('training-job', 'k3x9q2m7w1pa', 'Train', 'As1Df3Gh5J'),
        },
      },
    },
    {
      StepName: 'Evaluate',
      StartTime: new Date('2026-11-24T14:22:19.310Z'),
      EndTime: new Date('2026-11-24T14:28:02.087Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: {
        ProcessingJob: {
          Arn: job('processing-job', 'k3x9q2m7w1pa', 'Evaluate', 'Zx2Cv4Bn6M'),
        },
      },
    },
    {
      StepName: 'CheckMSE',
      StartTime: new Date('2026-11-24T14:28:02.910Z'),
      EndTime: new Date('2026-11-24T14:28:03.455Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: { Condition: { Outcome: 'True' } },
    },
    {
      StepName: 'Register',
      StartTime: new Date('2026-11-24T14:28:04.012Z'),
      EndTime: new Date('2026-11-24T14:29:50.630Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: { RegisterModel: { Arn: packageArn(2) } },
    },
  ],
};

/** Train failed; SageMaker reports the job's failure reason on the step. */
export const TRAIN_FAILURE =
  'ClientError: AlgorithmError: framework error: \nTraceback (most recent call last):\n  File "/miniconda3/lib/python3.8/site-packages/sagemaker_xgboost_container/algorithm_mode/train.py", line 226, in train_job\nxgboost.core.XGBoostError: value 0 for Parameter num_round should be greater equal to 1';

export const stepsFailedPage1: ListPipelineExecutionStepsCommandOutput = {
  $metadata: meta('5e6f7081-92a3-4b45-8d6e-7f8091021324'),
  PipelineExecutionSteps: [
    {
      StepName: 'Preprocess',
      StartTime: new Date('2026-11-25T09:02:48.700Z'),
      EndTime: new Date('2026-11-25T09:08:11.930Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: {
        ProcessingJob: {
          Arn: job(
            'processing-job',
            'f8d2c6b1n0zr',
            'Preprocess',
            'Pl0Ok9Ij8U',
          ),
        },
      },
    },
  ],
  NextToken: 'c3RlcHMtcGFnZS0y',
};

export const stepsFailedPage2: ListPipelineExecutionStepsCommandOutput = {
  $metadata: meta('6f708192-a3b4-4c56-9e7f-809102132435'),
  PipelineExecutionSteps: [
    {
      StepName: 'Train',
      StartTime: new Date('2026-11-25T09:08:12.415Z'),
      EndTime: new Date('2026-11-25T09:14:02.008Z'),
      StepStatus: 'Failed',
      AttemptCount: 1,
      FailureReason: TRAIN_FAILURE,
      Metadata: {
        TrainingJob: {
          Arn: job('training-job', 'f8d2c6b1n0zr', 'Train', 'Yh7Tg6Rf5E'),
        },
      },
    },
  ],
};

export const stepsRunning: ListPipelineExecutionStepsCommandOutput = {
  $metadata: meta('708192a3-b4c5-4d67-8f80-910213243546'),
  PipelineExecutionSteps: [
    {
      StepName: 'Preprocess',
      StartTime: new Date('2026-11-26T21:40:13.020Z'),
      EndTime: new Date('2026-11-26T21:45:40.118Z'),
      StepStatus: 'Succeeded',
      AttemptCount: 1,
      Metadata: {
        ProcessingJob: {
          Arn: job(
            'processing-job',
            'r5t7y9u1i3oq',
            'Preprocess',
            'Mn8Bv6Cx4Z',
          ),
        },
      },
    },
    {
      StepName: 'Train',
      StartTime: new Date('2026-11-26T21:45:41.002Z'),
      StepStatus: 'Executing',
      AttemptCount: 1,
      Metadata: {
        TrainingJob: {
          Arn: job('training-job', 'r5t7y9u1i3oq', 'Train', 'Lk9Jh7Gf5D'),
        },
      },
    },
  ],
};

/**
 * The definition infra synthesises (infra/lib/pipeline-definition.ts, the
 * same function the ML pipeline stack calls), so the DAG the engine shows is
 * built from what SageMaker really runs.
 */
export const PIPELINE_DEFINITION = JSON.stringify(
  buildPipelineDefinition({
    // The Abalone system's spec, as infra's CDK app deploys it.
    system: loadSystem(
      path.join(
        path.dirname(
          require.resolve('@mlops-portal/demo-systems/package.json'),
        ),
        'abalone',
        'ml-system.yaml',
      ),
    ),
    roleArn: ROLE_ARN,
    artifactBucketName: `abalone-artifacts-${ACCOUNT}`,
    artifactPrefix: '',
    defaultInputDataUrl: `s3://abalone-data-${ACCOUNT}/data/`,
    sklearnImage: imageUri(REGION, SKLEARN_REPOSITORY, SKLEARN_TAG),
    xgboostImage: imageUri(REGION, XGBOOST_REPOSITORY, XGBOOST_TAG),
    modelPackageGroupName: GROUP,
    region: REGION,
  }),
);

export const definitionForExecution: DescribePipelineDefinitionForExecutionCommandOutput =
  {
    $metadata: meta('8192a3b4-c5d6-4e78-9f80-910213243547'),
    PipelineDefinition: PIPELINE_DEFINITION,
    CreationTime: new Date('2026-11-20T08:00:00.000Z'),
  };

export const parametersForExecution: ListPipelineParametersForExecutionCommandOutput =
  {
    $metadata: meta('92a3b4c5-d6e7-4f89-8a91-021324354658'),
    PipelineParameters: [
      { Name: 'InputDataUrl', Value: 's3://abalone-data-123456789012/data/' },
      { Name: 'MseThreshold', Value: '6.0' },
      { Name: 'ModelApprovalStatus', Value: 'PendingManualApproval' },
      { Name: 'MaxDepth', Value: '5' },
      { Name: 'NumRound', Value: '50' },
    ],
  };

export const listPackagesPage1: ListModelPackagesCommandOutput = {
  $metadata: meta('a3b4c5d6-e7f8-4091-8b21-324354657689'),
  ModelPackageSummaryList: [
    {
      ModelPackageName: GROUP,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 3,
      ModelPackageArn: packageArn(3),
      ModelPackageDescription:
        'Abalone preprocessor + XGBoost, pipeline execution r5t7y9u1i3oq',
      CreationTime: new Date('2026-11-26T20:05:41.118Z'),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
    },
    {
      ModelPackageName: GROUP,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 2,
      ModelPackageArn: packageArn(2),
      ModelPackageDescription:
        'Abalone preprocessor + XGBoost, pipeline execution k3x9q2m7w1pa',
      CreationTime: new Date('2026-11-24T14:29:50.630Z'),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'Approved',
    },
  ],
  NextToken: 'bW9kZWwtcGFja2FnZXMtcGFnZS0y',
};

export const listPackagesPage2: ListModelPackagesCommandOutput = {
  $metadata: meta('b4c5d6e7-f809-4102-9c32-43546576879a'),
  ModelPackageSummaryList: [
    {
      ModelPackageName: GROUP,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 1,
      ModelPackageArn: packageArn(1),
      CreationTime: new Date('2026-11-20T10:12:33.500Z'),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'Rejected',
    },
  ],
};

export const evaluationUri = (exec: string) =>
  `s3://abalone-artifacts-${ACCOUNT}/runs/${exec}/evaluation/evaluation.json`;

/** Where Preprocess writes the run's signature.json; Register names it in `mlops:signature`. */
export const signatureUri = (exec: string) =>
  `s3://abalone-artifacts-${ACCOUNT}/runs/${exec}/preprocess/signature.json`;

const describePackage = (
  version: number,
  exec: string,
  extra: Partial<DescribeModelPackageCommandOutput>,
): DescribeModelPackageCommandOutput => ({
  $metadata: meta(`c5d6e7f8-0910-4213-8d43-54657687980${version}`),
  ModelPackageName: GROUP,
  ModelPackageGroupName: GROUP,
  ModelPackageVersion: version,
  ModelPackageArn: packageArn(version),
  ModelPackageDescription: `Abalone preprocessor + XGBoost, pipeline execution ${exec}`,
  CreationTime: new Date('2026-11-24T14:29:50.630Z'),
  InferenceSpecification: {
    Containers: [
      {
        Image:
          '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ImageDigest:
          'sha256:6c0c1e8ef9e5b0d4d5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7',
        ModelDataUrl: `s3://abalone-artifacts-${ACCOUNT}/runs/${exec}/preprocessor/model.tar.gz`,
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
        },
      },
      {
        Image:
          '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
        ImageDigest:
          'sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
        ModelDataUrl: `s3://abalone-artifacts-${ACCOUNT}/runs/${exec}/model/pipelines-${exec}-Train/output/model.tar.gz`,
      },
    ],
    SupportedTransformInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
    SupportedRealtimeInferenceInstanceTypes: [
      'ml.m5.large',
      'ml.m5.xlarge',
      'ml.c5.large',
    ],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['text/csv'],
  },
  ModelPackageStatus: 'Completed',
  ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
  CertifyForMarketplace: false,
  ModelApprovalStatus: 'PendingManualApproval',
  CreatedBy: {},
  MetadataProperties: { GeneratedBy: executionArn(exec) },
  ModelMetrics: {
    ModelQuality: {
      Statistics: {
        ContentType: 'application/json',
        S3Uri: evaluationUri(exec),
      },
    },
  },
  ...extra,
});

export const describePackage3 = describePackage(3, 'r5t7y9u1i3oq', {
  CreationTime: new Date('2026-11-26T20:05:41.118Z'),
  CustomerMetadataProperties: {
    'mlops:signature': signatureUri('r5t7y9u1i3oq'),
  },
});

export const describePackage2 = describePackage(2, 'k3x9q2m7w1pa', {
  CustomerMetadataProperties: {
    'mlops:signature': signatureUri('k3x9q2m7w1pa'),
  },
  ModelApprovalStatus: 'Approved',
  ApprovalDescription:
    'Approved by user:default/alice via Backstage: MSE 4.4 beats v1',
  LastModifiedTime: new Date('2026-11-24T15:02:10.004Z'),
  LastModifiedBy: {
    IamIdentity: {
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/BackstageMlopsRole/backstage`,
      PrincipalId: 'AROAEXAMPLEID:backstage',
    },
  },
});

export const describePackage1 = describePackage(1, 'a0b1c2d3e4f5', {
  CreationTime: new Date('2026-11-20T10:12:33.500Z'),
  ModelApprovalStatus: 'Rejected',
  // Decided in the SageMaker console, not through the portal.
  ApprovalDescription: 'R² too low on the test split',
  LastModifiedTime: new Date('2026-11-20T11:00:00.000Z'),
  LastModifiedBy: {
    UserProfileName: 'data-scientist-1',
    DomainId: 'd-abcdef123456',
  },
});

export const evaluationJson = {
  [evaluationUri('r5t7y9u1i3oq')]: JSON.stringify({
    regression_metrics: {
      mse: { value: 4.612, standard_deviation: 2.1476 },
      rmse: { value: 2.1476 },
      mae: { value: 1.5321 },
      r2: { value: 0.5488 },
    },
  }),
  [evaluationUri('k3x9q2m7w1pa')]: JSON.stringify({
    regression_metrics: {
      mse: { value: 4.4051, standard_deviation: 2.0988 },
      rmse: { value: 2.0988 },
      mae: { value: 1.5102 },
      r2: { value: 0.5691 },
    },
  }),
  [evaluationUri('a0b1c2d3e4f5')]: JSON.stringify({
    regression_metrics: { mse: { value: 5.93, standard_deviation: 2.435 } },
  }),
};

/** v1 predates signatures: its package names none. */
export const signatureJson = {
  [signatureUri('r5t7y9u1i3oq')]: JSON.stringify(ABALONE_SIGNATURE),
  [signatureUri('k3x9q2m7w1pa')]: JSON.stringify(ABALONE_SIGNATURE),
};

/** Every S3 object the registry fixtures name, by URI. */
export const s3Objects: Record<string, string> = {
  ...evaluationJson,
  ...signatureJson,
};

export const ENDPOINT_CONFIG = 'abalone-endpoint-config-v2-20261124T1505';
export const MODEL_NAME = 'abalone-model-v2-20261124T1505';

export const describeEndpoint: DescribeEndpointCommandOutput = {
  $metadata: meta('d6e7f809-1021-4324-9e54-65768798a9b0'),
  EndpointName: ENDPOINT,
  EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${ENDPOINT}`,
  EndpointConfigName: ENDPOINT_CONFIG,
  ProductionVariants: [
    {
      VariantName: 'AllTraffic',
      // One per container of the PipelineModel: preprocessor, then model.
      DeployedImages: [
        {
          SpecifiedImage:
            '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
          ResolvedImage:
            '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn@sha256:4e5f6a7b',
          ResolutionTime: new Date('2026-11-24T15:05:30.000Z'),
        },
        {
          SpecifiedImage:
            '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1',
          ResolvedImage:
            '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost@sha256:0a1b2c3d',
          ResolutionTime: new Date('2026-11-24T15:05:30.000Z'),
        },
      ],
      CurrentWeight: 1,
      DesiredWeight: 1,
      CurrentInstanceCount: 1,
      DesiredInstanceCount: 1,
    },
  ],
  EndpointStatus: 'InService',
  CreationTime: new Date('2026-11-20T12:00:00.000Z'),
  LastModifiedTime: new Date('2026-11-24T15:11:42.310Z'),
};

export const describeEndpointConfig: DescribeEndpointConfigCommandOutput = {
  $metadata: meta('e7f80910-2132-4435-8f65-768798a9b0c1'),
  EndpointConfigName: ENDPOINT_CONFIG,
  EndpointConfigArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint-config/${ENDPOINT_CONFIG}`,
  ProductionVariants: [
    {
      VariantName: 'AllTraffic',
      ModelName: MODEL_NAME,
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.large',
      InitialVariantWeight: 1,
    },
  ],
  CreationTime: new Date('2026-11-24T15:05:01.000Z'),
};

export const describeModel: DescribeModelCommandOutput = {
  $metadata: meta('f8091021-3243-4546-9a76-8798a9b0c1d2'),
  ModelName: MODEL_NAME,
  // A model created from a package lists it per container (PipelineModel: two containers).
  Containers: [{ ModelPackageName: packageArn(2) }],
  ExecutionRoleArn: ROLE_ARN,
  CreationTime: new Date('2026-11-24T15:05:00.000Z'),
  ModelArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/${MODEL_NAME}`,
  EnableNetworkIsolation: false,
};

/** The deploy step tags the endpoint config with the package it serves (next to CloudFormation's own tags). */
export const listTagsEndpointConfig: ListTagsCommandOutput = {
  $metadata: meta('09102132-4354-4657-8b87-98a9b0c1d2e3'),
  Tags: [
    { Key: 'aws:cloudformation:stack-name', Value: 'MlopsServing' },
    { Key: 'mlops:model-package-arn', Value: packageArn(2) },
  ],
};
