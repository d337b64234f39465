/*
 * Shared, realistic fixtures for the MLOps UI tests: the Abalone system after
 * three releases (v1 rejected, v2 approved and deployed, v3 waiting for approval)
 * with a fourth run executing.
 */
import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_ENDPOINT,
  ANNOTATION_MODEL_PACKAGE_GROUP,
  ANNOTATION_PIPELINE,
  ANNOTATION_RELEASE_PIPELINE,
  defaultParameters,
  type DataManifest,
  type DeploymentsResponse,
  type MlopsSummary,
  type ModelVersion,
  type PipelineExecution,
  type PipelineExecutionDetail,
  type PipelineStep,
  type PredictResponse,
  type ReleaseStage,
  type SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';

export const entityRef = 'component:default/abalone-age-predictor';
const group = 'abalone-models';
const pipelineName = 'abalone-training';
const endpointName = 'abalone-endpoint';

export const mlopsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'abalone-age-predictor',
    namespace: 'default',
    title: 'Abalone age predictor',
    annotations: {
      [ANNOTATION_PIPELINE]: pipelineName,
      [ANNOTATION_MODEL_PACKAGE_GROUP]: group,
      [ANNOTATION_ENDPOINT]: endpointName,
      [ANNOTATION_RELEASE_PIPELINE]: 'abalone-release',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/ml-platform',
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/ml-platform' }],
};

export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'billing-service', namespace: 'default' },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
};

const manifest = (n: number, at: string): DataManifest => ({
  manifestId: `manifest-2026-11-2${n}`,
  uri: `s3://abalone-data/manifests/manifest-2026-11-2${n}.json`,
  files: [
    {
      key: `abalone-${n}.csv`,
      size: 191873,
      sha256: `a1b2c3${n}`,
      rowCount: 4177,
    },
  ],
  rowCount: 4177,
  createdAt: at,
  createdBy: 'user:default/guest',
});

const stepNames: Array<[string, string, string[]]> = [
  ['Preprocess', 'Processing', []],
  ['Train', 'Training', ['Preprocess']],
  ['Evaluate', 'Processing', ['Train']],
  ['CheckMSE', 'Condition', ['Evaluate']],
  ['Register', 'RegisterModel', ['CheckMSE']],
];

function steps(
  statuses: PipelineStep['status'][],
  start: string,
  extra: Partial<Record<string, Partial<PipelineStep>>> = {},
): PipelineStep[] {
  const t0 = Date.parse(start);
  return stepNames.map(([name, type, dependsOn], i) => {
    const status = statuses[i];
    const started = status !== 'NotStarted';
    const done = ['Succeeded', 'Failed', 'Stopped'].includes(status);
    return {
      name,
      type,
      dependsOn,
      status,
      startTime: started ? new Date(t0 + i * 20_000).toISOString() : undefined,
      endTime: done
        ? new Date(t0 + i * 20_000 + 15_000).toISOString()
        : undefined,
      logs: started
        ? [
            {
              time: new Date(t0 + i * 20_000).toISOString(),
              level: 'info',
              message: `${name} started`,
            },
          ]
        : [],
      ...extra[name],
    } as PipelineStep;
  });
}

export const executingRun: PipelineExecutionDetail = {
  executionId: 'exec-0004',
  pipelineName,
  displayName: 'upload abalone-4.csv',
  status: 'Executing',
  trigger: 'upload',
  triggeredBy: 'user:default/guest',
  parameters: defaultParameters(),
  dataManifest: manifest(6, '2026-11-26T10:00:00.000Z'),
  createdAt: '2026-11-26T10:00:00.000Z',
  startTime: '2026-11-26T10:00:01.000Z',
  currentStep: 'Train',
  steps: steps(
    ['Succeeded', 'Executing', 'NotStarted', 'NotStarted', 'NotStarted'],
    '2026-11-26T10:00:01.000Z',
    {
      Train: {
        progress: 0.4,
        logs: [
          {
            time: '2026-11-26T10:00:25.000Z',
            level: 'info',
            message: '[20] train-rmse:2.01 validation-rmse:2.19',
          },
        ],
      },
    },
  ),
};

export const succeededRun: PipelineExecutionDetail = {
  executionId: 'exec-0003',
  pipelineName,
  status: 'Succeeded',
  trigger: 'manual',
  triggeredBy: 'user:default/guest',
  parameters: { ...defaultParameters(), MaxDepth: 6 },
  dataManifest: manifest(5, '2026-11-25T09:00:00.000Z'),
  createdAt: '2026-11-25T09:00:00.000Z',
  startTime: '2026-11-25T09:00:01.000Z',
  endTime: '2026-11-25T09:01:41.000Z',
  metrics: { mse: 4.62, rmse: 2.149, mae: 1.52, r2: 0.551 },
  modelVersion: 3,
  steps: steps(
    ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded'],
    '2026-11-25T09:00:01.000Z',
    {
      Evaluate: {
        outputs: {
          evaluation: 's3://abalone-artifacts/exec-0003/evaluation.json',
          mse: 4.62,
        },
      },
      CheckMSE: { outputs: { outcome: true } },
    },
  ),
};

export const failedRun: PipelineExecutionDetail = {
  executionId: 'exec-0002',
  pipelineName,
  status: 'Failed',
  trigger: 'retry',
  triggeredBy: 'user:default/guest',
  retryOf: 'exec-0001',
  parameters: { ...defaultParameters(), MseThreshold: 3 },
  dataManifest: manifest(4, '2026-11-24T08:00:00.000Z'),
  createdAt: '2026-11-24T08:00:00.000Z',
  startTime: '2026-11-24T08:00:01.000Z',
  endTime: '2026-11-24T08:01:21.000Z',
  failureReason: 'CheckMSE: test MSE 4.71 > MseThreshold 3',
  metrics: { mse: 4.71, mae: 1.55, r2: 0.54 },
  steps: steps(
    ['Succeeded', 'Succeeded', 'Succeeded', 'Failed', 'NotStarted'],
    '2026-11-24T08:00:01.000Z',
    {
      CheckMSE: {
        failureReason: 'test MSE 4.71 > MseThreshold 3',
        outputs: { outcome: false },
      },
    },
  ),
};

const { steps: _s1, ...executingSummary } = executingRun;
const { steps: _s2, ...succeededSummary } = succeededRun;
const { steps: _s3, ...failedSummary } = failedRun;

/** Newest first, like GET runs. */
export const runs: PipelineExecution[] = [
  executingSummary,
  succeededSummary,
  failedSummary,
];

export const runDetails: Record<string, PipelineExecutionDetail> = {
  [executingRun.executionId]: executingRun,
  [succeededRun.executionId]: succeededRun,
  [failedRun.executionId]: failedRun,
};

const version = (
  v: number,
  approvalStatus: ModelVersion['approvalStatus'],
  mse: number,
  mae: number,
  r2: number,
  deployed: boolean,
  history: ModelVersion['approvalHistory'],
): ModelVersion => ({
  modelPackageGroupName: group,
  version: v,
  modelPackageArn: `arn:aws:sagemaker:eu-west-1:123456789012:model-package/${group}/${v}`,
  approvalStatus,
  createdAt: `2026-11-2${v + 2}T09:01:30.000Z`,
  createdBy: 'pipeline',
  executionId: `exec-000${v}`,
  metrics: { mse, mae, r2, rmse: Math.sqrt(mse) },
  hyperparameters: defaultParameters(),
  approvalHistory: [
    {
      status: 'PendingManualApproval',
      by: 'pipeline',
      at: `2026-11-2${v + 2}T09:01:30.000Z`,
    },
    ...history,
  ],
  deployed,
});

/** Newest first, like GET model-versions. */
export const modelVersions: ModelVersion[] = [
  version(3, 'PendingManualApproval', 4.62, 1.52, 0.551, false, []),
  version(2, 'Approved', 4.85, 1.58, 0.529, true, [
    {
      status: 'Approved',
      by: 'user:default/guest',
      at: '2026-11-24T12:00:00.000Z',
      comment: 'MSE below gate, residuals look fine',
    },
  ]),
  version(1, 'Rejected', 5.4, 1.66, 0.476, false, [
    {
      status: 'Rejected',
      by: 'user:default/guest',
      at: '2026-11-23T12:00:00.000Z',
      comment: 'Trained on a partial upload',
    },
  ]),
];

export const releaseStages: ReleaseStage[] = [
  {
    name: 'Source',
    status: 'Succeeded',
    summary: 'manifest-2026-11-26',
    startTime: '2026-11-26T10:00:00.000Z',
    endTime: '2026-11-26T10:00:00.500Z',
  },
  {
    name: 'Validate',
    status: 'Succeeded',
    summary: '4177 rows valid',
    startTime: '2026-11-26T10:00:00.500Z',
    endTime: '2026-11-26T10:00:01.000Z',
  },
  {
    name: 'MLPipeline',
    status: 'InProgress',
    summary: 'exec-0004: Train',
    startTime: '2026-11-26T10:00:01.000Z',
  },
  { name: 'Approval', status: 'NotStarted' },
  { name: 'Deploy', status: 'NotStarted' },
];

export const deployments: DeploymentsResponse = {
  endpoint: {
    endpointName,
    status: 'InService',
    modelVersion: 2,
    modelPackageArn: modelVersions[1].modelPackageArn,
    lastModifiedTime: '2026-11-24T12:00:40.000Z',
  },
  deployments: [
    {
      deploymentId: 'dep-2',
      endpointName,
      modelVersion: 2,
      modelPackageArn: modelVersions[1].modelPackageArn,
      status: 'InService',
      deployedAt: '2026-11-24T12:00:40.000Z',
      deployedBy: 'user:default/guest',
      reason: 'Approved: MSE below gate, residuals look fine',
      current: true,
    },
  ],
};

export const summary: MlopsSummary = {
  entityRef,
  latestExecution: executingSummary,
  endpoint: deployments.endpoint,
  deployedVersion: modelVersions[1],
  pendingApprovals: 1,
  versionCount: 3,
};

export const predictResponse: PredictResponse = {
  predictions: [
    {
      rings: 9.87,
      value: 9.87,
      display: { value: 11.37, label: 'Age', unit: 'years' },
      age: 11.37,
    },
  ],
  modelVersion: 2,
  endpointName,
};
export * from './monitoring';
export * from './signatures';

/** A validated spec as GET …/spec returns it (envelope only: the UI reads no more yet). */
export const systemSpec: SystemSpecResponse = {
  source: './ml-system.yaml',
  hash: 'a'.repeat(64),
  spec: {
    apiVersion: 'mlops.io/v1alpha1',
    kind: 'MLSystem',
    metadata: { name: 'abalone-age-predictor' },
    spec: {},
  },
};
export * from './rollouts';
