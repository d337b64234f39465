import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { accessSync, constants, statSync } from 'fs';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { AwsEngine } from './AwsEngine';
import { createDefaultClientFactory } from './clients';
import { parseS3Uri } from './mappers';
import { createAwsMonitoring } from './monitoring';

export { AwsEngine } from './AwsEngine';
export type { AwsEngineOptions } from './AwsEngine';
export type { AwsClientFactory, AwsClients, AwsTarget } from './clients';

/**
 * Builds the aws engine from `mlops.aws.*`:
 * region (required), accountId, listCacheTtlSeconds (default 10), dataBucket (`s3://bucket/prefix`),
 * uploadStagingDir (default: the OS temp directory).
 * Credentials come from Backstage's `aws` config via @backstage/integration-aws-node.
 */
export async function createAwsEngine(options: {
  config: Config;
  logger: LoggerService;
  cache?: CacheService;
}): Promise<MlopsEngine> {
  const aws = options.config.getOptionalConfig('mlops.aws');
  const region = aws?.getOptionalString('region') ?? process.env.AWS_REGION;
  if (!region) {
    throw new Error('mlops.engine is "aws" but mlops.aws.region is not set');
  }
  const ttl = aws?.getOptionalNumber('listCacheTtlSeconds') ?? 10;
  if (!Number.isFinite(ttl) || ttl < 0) {
    throw new Error('mlops.aws.listCacheTtlSeconds must be a number ≥ 0');
  }
  const dataBucket = aws?.getOptionalString('dataBucket');
  if (dataBucket && !parseS3Uri(dataBucket)) {
    throw new Error(
      `mlops.aws.dataBucket must look like s3://bucket/prefix, got "${dataBucket}"`,
    );
  }
  // What entity annotations may choose: the configured account, region and
  // bucket unless lists say otherwise (a catalog registrar must not point
  // the backend's credentials anywhere).
  const defaultAccountId = aws?.getOptionalString('accountId');
  const allowed = {
    regions: aws?.getOptionalStringArray('allowedRegions') ?? [region],
    accountIds:
      aws?.getOptionalStringArray('allowedAccountIds') ??
      (defaultAccountId ? [defaultAccountId] : []),
    dataBuckets:
      aws?.getOptionalStringArray('allowedDataBuckets') ??
      (dataBucket ? [parseS3Uri(dataBucket)!.bucket] : []),
  };
  const uploadStagingDir = aws?.getOptionalString('uploadStagingDir');
  if (uploadStagingDir) requireWritableDir(uploadStagingDir);
  options.logger.info(`MLOps aws engine: region ${region}, list cache ${ttl}s`);
  return new AwsEngine({
    logger: options.logger,
    clients: createDefaultClientFactory(options.config),
    defaultRegion: region,
    defaultAccountId,
    allowed,
    dataBucketUri: dataBucket,
    uploadStagingDir,
    cache: options.cache,
    listCacheTtlSeconds: ttl,
    monitoring: (ctx, served) =>
      createAwsMonitoring({
        logger: options.logger,
        clients: r => ctx.clients(r),
        servedModelVersion: r => served.modelVersion(r),
        servedInputs: async r => (await served.signature(r))?.inputs,
      }),
  });
}

/** At start-up, not at the first upload: a bad staging dir is an operator's fix. */
function requireWritableDir(dir: string) {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new Error(
      `mlops.aws.uploadStagingDir must be a writable directory, got "${dir}": ${
        (e as Error).message
      }`,
    );
  }
}
