/**
 * The baseline of the version an endpoint is rolling out: DescribeEndpoint's
 * pending deployment (a blue/green update in progress), else its current
 * config → the config's `mlops:model-package-arn` tag (the serving stack sets
 * it) → the package's `mlops:prediction-baseline` metadata (the Register step
 * sets it) → the baseline object in S3. Configs and packages are immutable, so
 * both lookups are cached for the life of the Lambda container.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseBaseline, PredictionBaseline } from './baseline';

export const MODEL_PACKAGE_TAG = 'mlops:model-package-arn';
export const BASELINE_METADATA_KEY = 'mlops:prediction-baseline';
/** A baseline file is a few hundred bytes; anything much larger is not one. */
const MAX_BASELINE_BYTES = 64 * 1024;
const MAX_TAG_PAGES = 5;

export interface ServedBaseline {
  endpointConfigName: string;
  modelPackageArn: string;
  /** Whether the config is a deployment in progress (blue/green update). */
  pending: boolean;
  baseline: PredictionBaseline;
}

/** Why no baseline could be found, for the log (the function then publishes nothing). */
export class NoBaseline extends Error {}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (!m) throw new NoBaseline(`not an s3:// object URI: ${uri.slice(0, 200)}`);
  return { bucket: m[1], key: m[2] };
}

export class BaselineResolver {
  private readonly packageOfConfig = new Map<string, string>();
  private readonly baselineOfPackage = new Map<string, PredictionBaseline>();

  constructor(
    private readonly sagemaker: SageMakerClient,
    private readonly s3: S3Client,
  ) {}

  async forEndpoint(endpointName: string): Promise<ServedBaseline> {
    const endpoint = await this.sagemaker.send(
      new DescribeEndpointCommand({ EndpointName: endpointName }),
    );
    const pendingConfig = endpoint.PendingDeploymentSummary?.EndpointConfigName;
    const endpointConfigName = pendingConfig ?? endpoint.EndpointConfigName;
    if (!endpointConfigName)
      throw new NoBaseline(`endpoint ${endpointName} has no endpoint config`);
    const modelPackageArn = await this.packageOf(endpointConfigName);
    return {
      endpointConfigName,
      modelPackageArn,
      pending: pendingConfig !== undefined,
      baseline: await this.baselineOf(modelPackageArn),
    };
  }

  private async packageOf(configName: string): Promise<string> {
    const cached = this.packageOfConfig.get(configName);
    if (cached) return cached;
    const config = await this.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
    );
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_TAG_PAGES; page++) {
      const tags = await this.sagemaker.send(
        new ListTagsCommand({
          ResourceArn: config.EndpointConfigArn,
          NextToken: nextToken,
        }),
      );
      const arn = tags.Tags?.find(t => t.Key === MODEL_PACKAGE_TAG)?.Value;
      if (arn) {
        this.packageOfConfig.set(configName, arn);
        return arn;
      }
      nextToken = tags.NextToken;
      if (!nextToken) break;
    }
    throw new NoBaseline(
      `endpoint config ${configName} has no ${MODEL_PACKAGE_TAG} tag`,
    );
  }

  private async baselineOf(packageArn: string): Promise<PredictionBaseline> {
    const cached = this.baselineOfPackage.get(packageArn);
    if (cached) return cached;
    const pkg = await this.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: packageArn }),
    );
    const uri = pkg.CustomerMetadataProperties?.[BASELINE_METADATA_KEY];
    if (!uri)
      throw new NoBaseline(
        `model package ${packageArn} has no ${BASELINE_METADATA_KEY} (registered before baselines existed)`,
      );
    const { bucket, key } = parseS3Uri(uri);
    const object = await this.s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        Range: `bytes=0-${MAX_BASELINE_BYTES - 1}`,
      }),
    );
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    let baseline: PredictionBaseline;
    try {
      baseline = parseBaseline(text);
    } catch (e) {
      throw new NoBaseline(`${uri}: ${(e as Error).message}`);
    }
    this.baselineOfPackage.set(packageArn, baseline);
    return baseline;
  }
}
