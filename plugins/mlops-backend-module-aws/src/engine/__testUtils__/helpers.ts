import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { mockServices } from '@backstage/backend-test-utils';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import { AwsEngine, type AwsEngineOptions } from '../AwsEngine';
import { buildClients } from '../clients';
import {
  ENDPOINT,
  GROUP,
  PIPELINE,
  REGION,
  RELEASE,
} from '../__fixtures__/sagemaker';
import { demoSystem } from './demoSystems';
import type { EngineContractSystem } from '@mlops-portal/plugin-mlops-node/testUtils';
import { ABALONE_RECORD } from '../__fixtures__/signatures';

export const DATA_BUCKET = 'abalone-data-123456789012';

export const resources: MlopsResources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: PIPELINE,
  modelPackageGroupName: GROUP,
  endpointName: ENDPOINT,
  releasePipelineName: RELEASE,
  region: REGION,
  dataBucketUri: `s3://${DATA_BUCKET}/data/`,
  // What the plugin attaches from the entity's mlops.io/spec.
  system: demoSystem('abalone').system,
};

export const actor = { ref: 'user:default/guest' };

/** Static credentials: the SDK is mocked, nothing is signed for real. */
export const testCredentials = async () => ({
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
});

export function makeEngine(options: Partial<AwsEngineOptions> = {}) {
  const logger = mockServices.logger.mock();
  const engine = new AwsEngine({
    logger,
    clients: async target =>
      buildClients(target, { credentials: testCredentials }),
    defaultRegion: REGION,
    listCacheTtlSeconds: 10,
    ...options,
  });
  return { engine, logger };
}

/** What the SDK's GetObject Body offers (a stream mixin); the engine only reads it as text. */
export function s3Body(text: string): any {
  return {
    transformToString: async () => text,
    transformToByteArray: async () => new TextEncoder().encode(text),
  };
}

/** A service error as the SDK deserialises it (name, $fault, $metadata). */
export function awsError(
  name: string,
  message: string,
  httpStatusCode = 400,
): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: {
      httpStatusCode,
      requestId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
      attempts: 1,
      totalRetryDelay: 0,
    },
  });
}

/**
 * The Abalone system as the shared engine contract sees it (test data only):
 * the fake account and the moto simulation register Abalone versions.
 */
export const abaloneContractSystem: EngineContractSystem = {
  name: 'abalone (regression)',
  task: 'regression',
  target: 'rings',
  metric: 'mse',
  records: [ABALONE_RECORD, { ...ABALONE_RECORD, sex: 'F', shellWeight: 0.3 }],
  display: demoSystem('abalone').spec.spec.prediction?.output,
  csv: {
    goodRow: 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15',
    badRow: 'F,0.53,abc,0.135,0.677,0.2565,0.1415,0.21,9',
    badColumn: 'diameter',
  },
};
