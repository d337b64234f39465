import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import {
  ANNOTATION_SPEC,
  type DatasetUploadSession,
  type DeploymentsResponse,
  type FeatureRecord,
  type ListResponse,
  type MlopsResources,
  type ModelSignature,
  type ModelVersion,
  type PipelineExecution,
  type PipelineExecutionDetail,
  type PredictResponse,
  type ReleaseStage,
  type Rollout,
  type ShadowTest,
  type UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  RolloutActionOptions,
  StartShadowTestOptions,
  CompleteDatasetUploadOptions,
  CreateDatasetUploadOptions,
  EngineActor,
  ListOptions,
  MlopsEngine,
  PredictionSource,
  StartExecutionOptions,
  UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import {
  ClientContext,
  type AwsAllowList,
  type SimpleCache,
} from './clientContext';
import type { AwsClientFactory } from './clients';
import { DataBucket } from './dataBucket';
import { DatasetUploads } from './datasetUploads';
import { parseS3Uri } from './mappers';
import { Endpoint, versionFromArn } from './endpoint';
import { EvaluationReports } from './evaluationReports';
import { ModelRegistry } from './modelRegistry';
import { PipelineRuns } from './pipelineRuns';
import { ReleasePipeline } from './releasePipeline';
import { Rollouts } from './rollouts';
import { ShadowTests } from './shadowTests';
import { ModelSignatures } from './signatures';
import type { UploadSchema } from './ingest/validateCsv';

export { buildSteps } from './pipelineSteps';
export { versionFromArn } from './endpoint';
export {
  rolloutAlarmNames,
  DEPLOYMENT_METADATA_KEY,
  encodeDeploymentMetadata,
  decodeDeploymentMetadata,
} from './rolloutMapping';
export { SHADOW_TAGS } from './shadowTests';

/** Monitoring and evaluation plots, served by a part of their own when one is given. */
export type AwsMonitoringPart = Pick<
  MlopsEngine,
  'getMonitoring' | 'getEvaluationPlots'
>;

export interface AwsEngineOptions {
  logger: LoggerService;
  clients: AwsClientFactory;
  /** `mlops.aws.region`: used when the entity names no region. */
  defaultRegion: string;
  /** `mlops.aws.accountId`: used when the entity names no account. */
  defaultAccountId?: string;
  /** `mlops.aws.dataBucket` (`s3://bucket/prefix`): upload target when the entity names none. */
  dataBucketUri?: string;
  /** `mlops.aws.uploadStagingDir`: where uploads are staged while validated; default os.tmpdir(). */
  uploadStagingDir?: string;
  cache?: CacheService | SimpleCache;
  /** `mlops.aws.listCacheTtlSeconds` (default 10; 0 disables the cache). */
  listCacheTtlSeconds?: number;
  /** Accounts, regions and buckets annotations may choose (see createAwsEngine). */
  allowed?: AwsAllowList;
  /** Builds the monitoring part over the shared client context (CloudWatch, Model Monitor). */
  monitoring?: (
    ctx: ClientContext,
    served: {
      modelVersion(r: MlopsResources): Promise<number | undefined>;
      /** The served version's signature; undefined when nothing is served or it has none. */
      signature(r: MlopsResources): Promise<ModelSignature | undefined>;
    },
  ) => AwsMonitoringPart;
}

/**
 * The MLOps engine over AWS, one part per service: SageMaker Pipelines
 * (runs), the SageMaker model registry (versions, evaluation reports in S3),
 * CodePipeline (release view and manual approval), the SageMaker endpoint
 * (deployment, predict) and the S3 data bucket (upload). The parts share one
 * client context; every call names only the resources of the entity in the
 * request.
 */
export class AwsEngine implements MlopsEngine {
  readonly type = 'aws';
  private readonly runs: PipelineRuns;
  private readonly registry: ModelRegistry;
  private readonly release: ReleasePipeline;
  private readonly endpoint: Endpoint;
  private readonly data: DataBucket;
  private readonly uploads: DatasetUploads;
  private readonly rollouts: Rollouts;
  private readonly shadows: ShadowTests;
  private readonly ctx: ClientContext;
  private readonly dataBucketUri?: string;
  getMonitoring?: MlopsEngine['getMonitoring'];
  getEvaluationPlots?: MlopsEngine['getEvaluationPlots'];

  constructor(options: AwsEngineOptions) {
    const ctx = new ClientContext({
      logger: options.logger,
      clients: options.clients,
      defaultRegion: options.defaultRegion,
      defaultAccountId: options.defaultAccountId,
      cache: options.cache,
      listCacheTtlSeconds: options.listCacheTtlSeconds ?? 10,
      allowed: options.allowed,
    });
    this.ctx = ctx;
    this.dataBucketUri = options.dataBucketUri;
    this.release = new ReleasePipeline(ctx);
    this.endpoint = new Endpoint(ctx);
    this.registry = new ModelRegistry(ctx, {
      reports: new EvaluationReports(ctx),
      signatures: new ModelSignatures(ctx),
      endpoint: this.endpoint,
      release: this.release,
    });
    this.runs = new PipelineRuns(ctx, this.registry);
    this.rollouts = new Rollouts(ctx, {
      endpoint: this.endpoint,
      newestApprovedOtherThan: (r, arn) =>
        this.registry.newestApprovedOtherThan(r, arn),
    });
    this.shadows = new ShadowTests(ctx, {
      endpoint: this.endpoint,
      registry: this.registry,
    });
    this.data = new DataBucket(ctx, {
      defaultUri: options.dataBucketUri,
      stagingDir: options.uploadStagingDir,
    });
    this.uploads = new DatasetUploads(ctx, options.dataBucketUri);
    // Optional in the engine contract: offered only when the part exists.
    const monitoring = options.monitoring?.(ctx, {
      modelVersion: async r => {
        const arn = await this.endpoint.servingPackageArn(r);
        return arn ? versionFromArn(arn) : undefined;
      },
      signature: async r => {
        const arn = await this.endpoint.servingPackageArn(r);
        if (!arn) return undefined;
        try {
          return await this.registry.signatureOfPackage(r, arn);
        } catch (e) {
          if ((e as Error)?.name === 'NotFoundError') return undefined;
          throw e;
        }
      },
    });
    if (monitoring?.getMonitoring) {
      this.getMonitoring = monitoring.getMonitoring.bind(monitoring);
    }
    if (monitoring?.getEvaluationPlots) {
      this.getEvaluationPlots = monitoring.getEvaluationPlots.bind(monitoring);
    }
  }

  listExecutions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>> {
    return this.runs.listExecutions(r, options);
  }

  getExecution(
    r: MlopsResources,
    executionId: string,
  ): Promise<PipelineExecutionDetail> {
    return this.runs.getExecution(r, executionId);
  }

  startExecution(
    r: MlopsResources,
    options: StartExecutionOptions,
  ): Promise<PipelineExecution> {
    return this.runs.startExecution(r, options);
  }

  retryExecution(
    r: MlopsResources,
    executionId: string,
    _actor: EngineActor,
  ): Promise<PipelineExecution> {
    return this.runs.retryExecution(r, executionId);
  }

  stopExecution(
    r: MlopsResources,
    executionId: string,
    _actor: EngineActor,
  ): Promise<PipelineExecution> {
    return this.runs.stopExecution(r, executionId);
  }

  getReleaseState(r: MlopsResources): Promise<ReleaseStage[] | undefined> {
    return this.release.getReleaseState(r);
  }

  listModelVersions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>> {
    return this.registry.listModelVersions(r, options);
  }

  getModelVersion(r: MlopsResources, version: number): Promise<ModelVersion> {
    return this.registry.getModelVersion(r, version);
  }

  updateModelApproval(
    r: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion> {
    return this.registry.updateModelApproval(r, version, options);
  }

  /** The endpoint's deployments, with the rollout and shadow test SageMaker shows. */
  async listDeployments(r: MlopsResources): Promise<DeploymentsResponse> {
    const res = await this.endpoint.listDeployments(r);
    const state = await this.endpoint.state(r);
    if (!state) return res;
    // Alarms and metrics are read at most once per list TTL, like the endpoint itself.
    const { rollout, shadowTest } = await this.ctx.cached(
      r,
      'endpoint',
      'rollout-and-shadow',
      async () => {
        const [ro, sh] = await Promise.all([
          this.rollouts.current(r, state),
          this.shadows.current(r, state),
        ]);
        return { rollout: ro, shadowTest: sh };
      },
    );
    if (rollout) {
      res.rollout = rollout;
      this.markRollout(res, rollout);
    }
    if (shadowTest) res.shadowTest = shadowTest;
    return res;
  }

  /**
   * The deployment a rollout moves to carries its id; a rolled-back one is
   * listed (not current) with its reason, as history SageMaker does not keep.
   */
  private markRollout(res: DeploymentsResponse, rollout: Rollout) {
    const ended =
      rollout.status === 'RolledBack' || rollout.status === 'Failed';
    for (const d of res.deployments) {
      if (d.deploymentId !== rollout.rolloutId) continue;
      d.rolloutId = rollout.rolloutId;
      if (rollout.status === 'RollingBack') d.status = 'RollingBack';
      if ((rollout.status === 'RollingBack' || ended) && rollout.reason)
        d.rollbackReason = rollout.reason;
    }
    const served = res.endpoint?.modelPackageArn;
    if (
      !ended ||
      !served ||
      rollout.toVersion === res.endpoint?.modelVersion ||
      res.deployments.some(d => d.rolloutId === rollout.rolloutId)
    )
      return;
    res.deployments.push({
      deploymentId: rollout.rolloutId,
      endpointName: rollout.endpointName,
      modelVersion: rollout.toVersion,
      // Versions of one group differ only in the ARN's last segment.
      modelPackageArn: served.replace(/\/\d+$/, `/${rollout.toVersion}`),
      status: 'Failed',
      deployedAt: rollout.startedAt,
      current: false,
      rolloutId: rollout.rolloutId,
      reason: 'rolled back',
      ...(rollout.reason ? { rollbackReason: rollout.reason } : {}),
    });
  }

  controlRollout(
    r: MlopsResources,
    options: RolloutActionOptions,
  ): Promise<Rollout> {
    return this.rollouts.control(r, options);
  }

  startShadowTest(
    r: MlopsResources,
    options: StartShadowTestOptions,
  ): Promise<ShadowTest> {
    return this.shadows.start(r, options);
  }

  stopShadowTest(
    r: MlopsResources,
    options: { actor: EngineActor },
  ): Promise<ShadowTest> {
    return this.shadows.stop(r, options);
  }

  async uploadDataset(
    r: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    this.checkTargets(r);
    return this.data.uploadDataset(r, options, await this.uploadSchema(r));
  }

  async createDatasetUpload(
    r: MlopsResources,
    options: CreateDatasetUploadOptions,
  ): Promise<DatasetUploadSession> {
    this.checkTargets(r);
    // Before any bytes move: an upload that cannot be checked is refused now.
    await this.uploadSchema(r);
    return this.uploads.create(r, options);
  }

  async completeDatasetUpload(
    r: MlopsResources,
    options: CompleteDatasetUploadOptions,
  ): Promise<UploadDatasetResponse> {
    this.checkTargets(r);
    return this.uploads.complete(r, options, await this.uploadSchema(r));
  }

  async abortDatasetUpload(
    r: MlopsResources,
    options: { uploadId: string; key: string; actor: EngineActor },
  ): Promise<void> {
    this.checkTargets(r);
    return this.uploads.abort(r, options);
  }

  /**
   * What an upload is checked against: the entity's ML system spec (its data
   * set), else the newest version's signature. With neither there is no
   * schema, and the upload is refused (409) naming the annotation to add.
   */
  private async uploadSchema(r: MlopsResources): Promise<UploadSchema> {
    // The plugin validated the spec (ml-core's parseSpec) before this call.
    const dataset = (r.system?.spec as MlSystemSpec | undefined)?.spec?.dataset;
    if (dataset) return { source: 'spec', dataset };
    const signature = await this.registry.newestSignature(r);
    if (signature) return { source: 'signature', signature };
    throw new ConflictError(
      `${r.entityRef} names no ML system spec (annotation ${ANNOTATION_SPEC}) and model package group ${r.modelPackageGroupName} has no version with a signature: there is no schema to check the upload against`,
    );
  }

  /** The account/region and data bucket an upload would use must be allowed. */
  private checkTargets(r: MlopsResources): void {
    this.ctx.target(r);
    const bucket = parseS3Uri(r.dataBucketUri ?? this.dataBucketUri ?? '');
    if (bucket) this.ctx.checkDataBucket(bucket.bucket);
  }

  predict(
    r: MlopsResources,
    instances: FeatureRecord[],
    options?: { source?: PredictionSource },
  ): Promise<PredictResponse> {
    return this.endpoint.predict(
      r,
      instances,
      arn => this.servedSignature(r, arn),
      options?.source,
    );
  }

  /**
   * The served version's input columns; a version from before signatures
   * cannot be scored by column name (409, not a 404 of the predict route).
   */
  private async servedSignature(
    r: MlopsResources,
    arn: string,
  ): Promise<ModelSignature> {
    try {
      return await this.registry.signatureOfPackage(r, arn);
    } catch (e) {
      if ((e as Error)?.name !== 'NotFoundError') throw e;
      throw new ConflictError(
        `Endpoint ${r.endpointName} serves version ${versionFromArn(
          arn,
        )}, which has no signature: its input columns are unknown, so records cannot be scored. Deploy a version registered with one.`,
      );
    }
  }

  getModelSignature(
    r: MlopsResources,
    version: number,
  ): Promise<ModelSignature> {
    return this.registry.getModelSignature(r, version);
  }
}
