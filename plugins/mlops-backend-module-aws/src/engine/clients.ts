import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Config } from '@backstage/config';
import {
  DefaultAwsCredentialsManager,
  type AwsCredentialProvider,
} from '@backstage/integration-aws-node';

/** The SDK clients for one (region, account). */
export interface AwsClients {
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  codepipeline: CodePipelineClient;
  s3: S3Client;
  /** Endpoint metrics for monitoring. */
  cloudwatch: CloudWatchClient;
}

/** Where a request's resources live. */
export interface AwsTarget {
  region: string;
  accountId?: string;
}

export type AwsClientFactory = (target: AwsTarget) => Promise<AwsClients>;

/** Extra client settings, e.g. a request handler in tests. */
export type AwsClientSettings = {
  credentials?: AwsCredentialProvider['sdkCredentialProvider'];
  requestHandler?: any;
  maxAttempts?: number;
};

/**
 * Throttling and transient faults are retried by the SDK itself: the
 * adaptive mode backs off and also rate-limits this client after a throttle,
 * which is what a portal polling several pages at once needs.
 */
export const DEFAULT_MAX_ATTEMPTS = 5;

export function buildClients(
  target: AwsTarget,
  settings: AwsClientSettings,
): AwsClients {
  const common = {
    region: target.region,
    credentials: settings.credentials,
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'adaptive',
    ...(settings.requestHandler
      ? { requestHandler: settings.requestHandler }
      : {}),
  };
  return {
    sagemaker: new SageMakerClient(common),
    runtime: new SageMakerRuntimeClient(common),
    codepipeline: new CodePipelineClient(common),
    s3: new S3Client(common),
    cloudwatch: new CloudWatchClient(common),
  };
}

/**
 * Clients per (region, account), with credentials from
 * `@backstage/integration-aws-node` (`aws.mainAccount` / `aws.accounts`), so
 * role assumption and account selection follow Backstage's usual AWS config.
 */
export function createDefaultClientFactory(config: Config): AwsClientFactory {
  const credentialsManager = DefaultAwsCredentialsManager.fromConfig(config);
  const clients = new Map<string, Promise<AwsClients>>();
  return target => {
    const key = `${target.region}|${target.accountId ?? ''}`;
    let entry = clients.get(key);
    if (!entry) {
      entry = (async () => {
        const provider = await credentialsManager.getCredentialProvider(
          target.accountId ? { accountId: target.accountId } : undefined,
        );
        return buildClients(target, {
          credentials: provider.sdkCredentialProvider,
        });
      })();
      // A failed lookup (e.g. unknown account) must not be cached forever.
      entry.catch(() => clients.delete(key));
      clients.set(key, entry);
    }
    return entry;
  };
}
