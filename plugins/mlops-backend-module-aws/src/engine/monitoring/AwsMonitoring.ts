import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  ListMonitoringExecutionsCommand,
  paginateListModelPackages,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  DriftSummary,
  EvaluationPlots,
  MlopsResources,
  MonitoringResponse,
  MonitoringWindow,
} from '@mlops-portal/plugin-mlops-common';
import { LRUCache } from 'lru-cache';
import type { z } from 'zod';
import { toEngineError } from '../awsErrors';
import { parseS3Uri } from '../mappers';
import {
  insufficientData,
  latestCompleted,
  statisticsSchema,
  type MonitoredInput,
  toDriftSummary,
  violationsSchema,
} from './drift';
import { parseEvaluationPlots, plotsUriFor } from './evaluationPlots';
import { parseJsonAs } from './parseJson';
import { fetchMetricData, toTraffic } from './traffic';

/** The SDK clients monitoring needs, for the resources' region and account. */
export interface MonitoringClients {
  sagemaker: SageMakerClient;
  cloudwatch: CloudWatchClient;
  s3: S3Client;
}

export interface AwsMonitoringOptions {
  logger: LoggerService;
  clients: (r: MlopsResources) => Promise<MonitoringClients>;
  /** The version the endpoint serves now (the facade's cached endpoint state). */
  servedModelVersion?: (r: MlopsResources) => Promise<number | undefined>;
  /**
   * The served version's signature inputs (which features to report, their
   * types and known categories); undefined when it has none.
   */
  servedInputs?: (
    r: MlopsResources,
  ) => Promise<readonly MonitoredInput[] | undefined>;
  /** How long traffic and drift answers are reused (default 30 s; 0 disables). */
  cacheTtlSeconds?: number;
  now?: () => Date;
}

/** How many recent executions to scan for the newest completed one (hourly schedule: half a day). */
const EXECUTIONS_SCANNED = 12;

/**
 * Monitoring of the entity's SageMaker endpoint: traffic from CloudWatch's
 * AWS/SageMaker metrics, drift from the newest Model Monitor data-quality
 * execution, and per-version evaluation plots from the Evaluate step.
 */
export class AwsMonitoring {
  private readonly answers: LRUCache<string, object>;
  private readonly plots = new LRUCache<string, EvaluationPlots>({ max: 200 });
  private readonly now: () => Date;

  constructor(private readonly options: AwsMonitoringOptions) {
    const ttl = Math.max(0, (options.cacheTtlSeconds ?? 30) * 1000);
    // ttl 0 in lru-cache means "never expires"; a 1 ms TTL is "do not reuse".
    this.answers = new LRUCache({ max: 500, ttl: ttl || 1 });
    this.now = options.now ?? (() => new Date());
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toEngineError(e, operation, this.options.logger);
    }
  }

  private async cached<T extends object>(
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const hit = this.answers.get(key);
    if (hit) return hit as T;
    const value = await load();
    this.answers.set(key, value);
    return value;
  }

  private key(r: MlopsResources, ...parts: string[]) {
    return [
      r.region ?? '',
      r.awsAccountId ?? '',
      r.endpointName,
      ...parts,
    ].join('|');
  }

  async getMonitoring(
    r: MlopsResources,
    options: { window: MonitoringWindow },
  ): Promise<MonitoringResponse> {
    const [traffic, drift, modelVersion] = await Promise.all([
      this.cached(this.key(r, 'traffic', options.window), () =>
        this.loadTraffic(r, options.window),
      ),
      this.cached(this.key(r, 'drift'), () => this.loadDrift(r)),
      this.options.servedModelVersion?.(r),
    ]);
    return {
      endpointName: r.endpointName,
      modelVersion,
      window: options.window,
      ...traffic,
      drift,
    };
  }

  private async loadTraffic(r: MlopsResources, window: MonitoringWindow) {
    const { sagemaker, cloudwatch } = await this.options.clients(r);
    const endpoint = await this.call('sagemaker:DescribeEndpoint', () =>
      sagemaker.send(
        new DescribeEndpointCommand({ EndpointName: r.endpointName }),
      ),
    );
    const variantNames = (endpoint.ProductionVariants ?? [])
      .map(v => v.VariantName)
      .filter((v): v is string => !!v);
    const query = {
      endpointName: r.endpointName,
      variantNames,
      window,
      now: this.now(),
    };
    const data = variantNames.length
      ? await this.call('cloudwatch:GetMetricData', () =>
          fetchMetricData(cloudwatch, query),
        )
      : new Map();
    return toTraffic(query, data);
  }

  private async loadDrift(r: MlopsResources): Promise<DriftSummary> {
    const { sagemaker } = await this.options.clients(r);
    const list = await this.call('sagemaker:ListMonitoringExecutions', () =>
      sagemaker.send(
        new ListMonitoringExecutionsCommand({
          EndpointName: r.endpointName,
          MonitoringTypeEquals: 'DataQuality',
          SortBy: 'ScheduledTime',
          SortOrder: 'Descending',
          MaxResults: EXECUTIONS_SCANNED,
        }),
      ),
    );
    const execution = latestCompleted(list.MonitoringExecutionSummaries ?? []);
    const jobName = execution?.ProcessingJobArn?.split('/').pop();
    // No report yet (new endpoint, first hour, no captured traffic): no verdict.
    if (!execution || !jobName) return insufficientData();
    const job = await this.call('sagemaker:DescribeProcessingJob', () =>
      sagemaker.send(
        new DescribeProcessingJobCommand({ ProcessingJobName: jobName }),
      ),
    );
    const outputUri = job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri;
    if (!outputUri) {
      throw new Error(`Monitoring job ${jobName} names no output location`);
    }
    const base = outputUri.replace(/\/?$/, '/');
    const statistics = await this.readJson(
      r,
      `${base}statistics.json`,
      statisticsSchema,
    );
    if (!statistics) return insufficientData();
    // A run without violations may write no violations file.
    const violations = (await this.readJson(
      r,
      `${base}constraint_violations.json`,
      violationsSchema,
    )) ?? { violations: [] };
    return toDriftSummary(
      execution,
      statistics,
      violations,
      await this.servedInputs(r),
    );
  }

  /** Without the served signature the report's own features are shown; that is no reason to fail. */
  private async servedInputs(
    r: MlopsResources,
  ): Promise<readonly MonitoredInput[] | undefined> {
    try {
      return await this.options.servedInputs?.(r);
    } catch (e) {
      this.options.logger.warn(
        `Monitoring of ${r.endpointName}: the served version's signature is unreadable (${e}); reporting the statistics' features`,
      );
      return undefined;
    }
  }

  /** An S3 object's text; undefined when it does not exist. */
  private async readText(
    r: MlopsResources,
    uri: string,
  ): Promise<string | undefined> {
    const loc = parseS3Uri(uri);
    if (!loc) throw new Error(`Not an S3 URI: ${uri}`);
    const { s3 } = await this.options.clients(r);
    try {
      const obj = await this.call('s3:GetObject', () =>
        s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key })),
      );
      return obj.Body ? await obj.Body.transformToString('utf-8') : '';
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  private async readJson<T>(
    r: MlopsResources,
    uri: string,
    schema: z.ZodType<T>,
  ): Promise<T | undefined> {
    const text = await this.readText(r, uri);
    if (text === undefined) return undefined;
    return parseJsonAs(text, uri, schema);
  }

  async getEvaluationPlots(
    r: MlopsResources,
    version: number,
  ): Promise<EvaluationPlots> {
    const evaluationUri = await this.evaluationReportUri(r, version);
    if (!evaluationUri) {
      throw new NotFoundError(
        `Version ${version} of ${r.modelPackageGroupName} has no evaluation report`,
      );
    }
    const uri = plotsUriFor(evaluationUri);
    const hit = this.plots.get(uri);
    if (hit) return hit;
    const text = await this.readText(r, uri);
    if (text === undefined) {
      throw new NotFoundError(
        `Version ${version} of ${r.modelPackageGroupName} has no evaluation plots`,
      );
    }
    // Written once by the Evaluate step and never changed: kept (bounded).
    const plots = parseEvaluationPlots(text, uri);
    this.plots.set(uri, plots);
    return plots;
  }

  /** The version's ModelMetrics.ModelQuality.Statistics location (evaluation.json). */
  private async evaluationReportUri(
    r: MlopsResources,
    version: number,
  ): Promise<string | undefined> {
    const { sagemaker } = await this.options.clients(r);
    let arn: string | undefined;
    await this.call('sagemaker:ListModelPackages', async () => {
      const pages = paginateListModelPackages(
        { client: sagemaker },
        {
          ModelPackageGroupName: r.modelPackageGroupName,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        },
      );
      for await (const page of pages) {
        arn = page.ModelPackageSummaryList?.find(
          s => s.ModelPackageVersion === version,
        )?.ModelPackageArn;
        if (arn) return;
      }
    });
    if (!arn) {
      throw new NotFoundError(
        `Model package group ${r.modelPackageGroupName} has no version ${version}`,
      );
    }
    const pkg = await this.call('sagemaker:DescribeModelPackage', () =>
      sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: arn }),
      ),
    );
    return pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  }
}

/** What the AwsEngine facade calls for getMonitoring / getEvaluationPlots. */
export function createAwsMonitoring(options: AwsMonitoringOptions) {
  return new AwsMonitoring(options);
}
