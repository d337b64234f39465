/**
 * CodePipeline responses of the abalone release pipeline (Source → Validate →
 * MLPipeline → Approval → Deploy), written by hand — not recorded — in the
 * shapes CodePipeline returns (checked against botocore's models in
 * fixtures.test.ts); ids and tokens are made up.
 */
import type {
  GetPipelineStateCommandOutput,
  ListPipelineExecutionsCommandOutput,
} from '@aws-sdk/client-codepipeline';
import { ACCOUNT, RELEASE } from './sagemaker';

const meta = (requestId: string) => ({
  httpStatusCode: 200,
  requestId,
  attempts: 1,
  totalRetryDelay: 0,
});

export const RELEASE_RUN = '4a9e1f3c-7b2d-4c8e-9f01-2d3e4f5a6b7c';
export const OLD_RELEASE_RUN = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';
export const APPROVAL_TOKEN = '8e3f1c2a-5d4b-4a6e-9f70-1b2c3d4e5f6a';

/** The latest release is waiting at the manual approval; Deploy still shows the previous release. */
export const pipelineStatePendingApproval: GetPipelineStateCommandOutput = {
  $metadata: meta('0a1b2c3d-4e5f-4607-8192-a3b4c5d6e7f8'),
  pipelineName: RELEASE,
  pipelineVersion: 4,
  stageStates: [
    {
      stageName: 'Source',
      inboundTransitionState: { enabled: true },
      actionStates: [
        {
          actionName: 'DataManifest',
          currentRevision: {
            revisionId: 'Zp5mC1oV2lW9s3Q8',
            revisionChangeId: 'Zp5mC1oV2lW9s3Q8',
            created: new Date('2026-11-26T19:29:58.000Z'),
          },
          latestExecution: {
            actionExecutionId: '11111111-2222-4333-8444-555555555555',
            status: 'Succeeded',
            summary: 'Amazon S3 version id: Zp5mC1oV2lW9s3Q8',
            lastStatusChange: new Date('2026-11-26T19:30:02.100Z'),
          },
          entityUrl: `https://console.aws.amazon.com/s3/home?region=eu-west-1#/abalone-manifest-${ACCOUNT}/manifest/`,
        },
      ],
      latestExecution: {
        pipelineExecutionId: RELEASE_RUN,
        status: 'Succeeded',
      },
    },
    {
      stageName: 'Validate',
      inboundTransitionState: { enabled: true },
      actionStates: [
        {
          actionName: 'ValidateData',
          latestExecution: {
            actionExecutionId: '22222222-3333-4444-8555-666666666666',
            status: 'Succeeded',
            lastStatusChange: new Date('2026-11-26T19:33:40.500Z'),
            externalExecutionId:
              'abalone-validate:6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
          },
        },
      ],
      latestExecution: {
        pipelineExecutionId: RELEASE_RUN,
        status: 'Succeeded',
      },
    },
    {
      stageName: 'MLPipeline',
      inboundTransitionState: { enabled: true },
      actionStates: [
        {
          actionName: 'RunSageMakerPipeline',
          latestExecution: {
            actionExecutionId: '33333333-4444-4555-8666-777777777777',
            status: 'Succeeded',
            summary: 'SageMaker pipeline execution r5t7y9u1i3oq succeeded',
            lastStatusChange: new Date('2026-11-26T20:06:10.000Z'),
          },
        },
      ],
      latestExecution: {
        pipelineExecutionId: RELEASE_RUN,
        status: 'Succeeded',
      },
    },
    {
      stageName: 'Approval',
      inboundTransitionState: { enabled: true },
      actionStates: [
        {
          actionName: 'ManualApproval',
          latestExecution: {
            actionExecutionId: '44444444-5555-4666-8777-888888888888',
            status: 'InProgress',
            lastStatusChange: new Date('2026-11-26T20:06:11.250Z'),
            token: APPROVAL_TOKEN,
          },
        },
      ],
      latestExecution: {
        pipelineExecutionId: RELEASE_RUN,
        status: 'InProgress',
      },
    },
    {
      stageName: 'Deploy',
      inboundTransitionState: { enabled: true },
      actionStates: [
        {
          actionName: 'DeployEndpoint',
          latestExecution: {
            actionExecutionId: '55555555-6666-4777-8888-999999999999',
            status: 'Succeeded',
            lastStatusChange: new Date('2026-11-24T15:11:50.000Z'),
          },
        },
      ],
      latestExecution: {
        pipelineExecutionId: OLD_RELEASE_RUN,
        status: 'Succeeded',
      },
    },
  ],
  created: new Date('2026-11-20T08:00:00.000Z'),
  updated: new Date('2026-11-22T16:45:00.000Z'),
};

export const releaseExecutions: ListPipelineExecutionsCommandOutput = {
  $metadata: meta('1b2c3d4e-5f60-4718-9293-a4b5c6d7e8f9'),
  pipelineExecutionSummaries: [
    {
      pipelineExecutionId: RELEASE_RUN,
      status: 'InProgress',
      startTime: new Date('2026-11-26T19:30:00.000Z'),
      lastUpdateTime: new Date('2026-11-26T20:06:11.250Z'),
      sourceRevisions: [
        { actionName: 'DataManifest', revisionId: 'Zp5mC1oV2lW9s3Q8' },
      ],
      trigger: {
        triggerType: 'CloudWatchEvent',
        triggerDetail: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/abalone-release-source`,
      },
      executionMode: 'SUPERSEDED',
    },
  ],
  nextToken: 'cmVsZWFzZS1wYWdlLTI=',
};
