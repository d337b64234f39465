import type {
  FeatureRecord,
  ModelSignature,
  DatasetRowError,
  DeploymentsResponse,
  ExecutionTrigger,
  ListResponse,
  MlopsResources,
  ModelApprovalStatus,
  ModelVersion,
  ParameterValues,
  PipelineExecution,
  PipelineExecutionDetail,
  PredictResponse,
  MonitoringResponse,
  MonitoringWindow,
  EvaluationPlots,
  ReleaseStage,
  UploadDatasetResponse,
  DatasetUploadSession,
  DeploymentStrategy,
  Rollout,
  RolloutAction,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type { Readable } from 'stream';

/** Who is acting, as the router resolved it (user entity ref or service). */
export interface EngineActor {
  /** e.g. `user:default/guest` */
  ref: string;
}

export interface StartExecutionOptions {
  parameters?: ParameterValues;
  displayName?: string;
  trigger: ExecutionTrigger;
  actor: EngineActor;
  /** Idempotency token: the same token must not start a second execution. */
  clientRequestToken?: string;
}

export interface ApprovalOptions {
  status: Extract<ModelApprovalStatus, 'Approved' | 'Rejected'>;
  comment: string;
  actor: EngineActor;
  /**
   * Approvals: how the version reaches the endpoint, already resolved by the
   * service (approval override over the spec's default, limits checked).
   * Absent: all at once. Engines deploying on their own (a pre-approved
   * registration) resolve the spec's default with `resolveDeploymentStrategy`.
   */
  deployment?: DeploymentStrategy;
}

export interface RolloutActionOptions {
  action: RolloutAction;
  actor: EngineActor;
  comment?: string;
}

export interface StartShadowTestOptions {
  /** The candidate: a registered version other than the serving one. */
  modelVersion: number;
  /** Share (1–100) of live requests copied to it. */
  samplePercent: number;
  actor: EngineActor;
}

export interface UploadDatasetOptions {
  fileName: string;
  /**
   * The CSV bytes. Over HTTP this is the request body as a stream, so a
   * large file never sits in the backend's memory; the router bounds it and
   * errors the stream when the size limit is crossed. Engines read it once,
   * stage it outside their bucket, validate it off the event loop, and store
   * nothing when the stream errors or a row is bad. A Buffer from code
   * (seeding, tests).
   */
  content: Buffer | Readable;
  /** Byte count when known up front (the request's Content-Length). */
  sizeBytes?: number;
  contentType?: string;
  actor: EngineActor;
}

export interface CreateDatasetUploadOptions {
  fileName: string;
  sizeBytes: number;
  actor: EngineActor;
}

export interface CompleteDatasetUploadOptions {
  uploadId: string;
  key: string;
  parts: Array<{ partNumber: number; etag: string }>;
  actor: EngineActor;
}

export interface ListOptions {
  limit?: number;
  nextToken?: string;
}

/**
 * What an MLOps engine does for one entity's resources. Modelled on SageMaker
 * Pipelines, the SageMaker model registry, CodePipeline and SageMaker endpoints,
 * so the local and aws engines fit without translation.
 *
 * Engines throw `@backstage/errors` errors: NotFoundError for unknown
 * executions/versions, InputError for bad input (e.g. a CSV with row errors,
 * with `{ errors: DatasetRowError[] }` as the error's cause/details),
 * ConflictError for illegal state changes, NotAllowedError when the cloud
 * refuses access, ServiceUnavailableError when nothing is deployed.
 */
export interface MlopsEngine {
  /** 'local' | 'aws' | an adopter's own. */
  readonly type: string;

  listExecutions(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>>;
  getExecution(
    resources: MlopsResources,
    executionId: string,
  ): Promise<PipelineExecutionDetail>;
  startExecution(
    resources: MlopsResources,
    options: StartExecutionOptions,
  ): Promise<PipelineExecution>;
  retryExecution(
    resources: MlopsResources,
    executionId: string,
    actor: EngineActor,
  ): Promise<PipelineExecution>;
  stopExecution(
    resources: MlopsResources,
    executionId: string,
    actor: EngineActor,
  ): Promise<PipelineExecution>;

  /** Current state of the release pipeline (CodePipeline), if the entity names one. */
  getReleaseState(
    resources: MlopsResources,
  ): Promise<ReleaseStage[] | undefined>;

  /** Newest first; `limit` default 50, max 200; `nextToken` is opaque. */
  listModelVersions(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>>;
  getModelVersion(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelVersion>;
  /** Approve (and deploy) or reject a version; records who and why. */
  updateModelApproval(
    resources: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion>;

  /**
   * The endpoint, its deployment history and (engines that roll out or
   * shadow) the current or last rollout and shadow test.
   */
  listDeployments(resources: MlopsResources): Promise<DeploymentsResponse>;

  /**
   * An owner's action on the endpoint's active rollout: pause, resume, roll
   * back now, or promote now (all traffic to the new version). ConflictError
   * when no rollout is active or the state forbids it; NotImplementedError
   * (501) for an action the engine's platform lacks (SageMaker cannot pause).
   * Optional: the router answers 501 without it.
   */
  controlRollout?(
    resources: MlopsResources,
    options: RolloutActionOptions,
  ): Promise<Rollout>;

  /**
   * Starts copying live requests to a candidate version (SageMaker
   * `ShadowProductionVariants`). ConflictError when a shadow test or a
   * rollout is already running or nothing is deployed. Promoting the
   * candidate is approving it; deploying it ends the test as `Promoted`.
   */
  startShadowTest?(
    resources: MlopsResources,
    options: StartShadowTestOptions,
  ): Promise<ShadowTest>;

  /** Stops the running shadow test (ConflictError when none runs). */
  stopShadowTest?(
    resources: MlopsResources,
    options: { actor: EngineActor },
  ): Promise<ShadowTest>;

  /** Put a CSV into the data bucket; this writes a manifest and triggers a release. */
  uploadDataset(
    resources: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse>;

  /**
   * Opens an upload that goes straight to the engine's storage (presigned
   * multipart), for files too large to pass through the backend. Optional:
   * the router answers 501 without it and clients fall back to uploadDataset.
   */
  createDatasetUpload?(
    resources: MlopsResources,
    options: CreateDatasetUploadOptions,
  ): Promise<DatasetUploadSession>;

  /**
   * Completes a direct upload: validates the stored file (DatasetValidationError
   * and nothing triggered when bad), then publishes it like uploadDataset.
   */
  completeDatasetUpload?(
    resources: MlopsResources,
    options: CompleteDatasetUploadOptions,
  ): Promise<UploadDatasetResponse>;

  /** Cancels a direct upload and discards its parts (offered with createDatasetUpload). */
  abortDatasetUpload?(
    resources: MlopsResources,
    options: Omit<CompleteDatasetUploadOptions, 'parts'>,
  ): Promise<void>;

  /**
   * Score feature records (keyed by the deployed version's signature input
   * names, already checked against it by the plugin) on the entity's
   * endpoint. `options.source` tags the traffic for monitoring: `public` is
   * the unauthenticated route's (anonymous callers), kept apart from
   * signed-in users' traffic.
   */
  predict(
    resources: MlopsResources,
    instances: FeatureRecord[],
    options?: { source?: PredictionSource },
  ): Promise<PredictResponse>;

  /**
   * How the entity's endpoint behaves over a window: traffic, latency, errors
   * and data drift of its inputs against the deployed version's baseline.
   * (Optional while engines adopt it; the router answers 501 without it.)
   */
  getMonitoring?(
    resources: MlopsResources,
    options: { window: MonitoringWindow },
  ): Promise<MonitoringResponse>;

  /**
   * The signature a version was trained with (inputs, output task and
   * classes); NotFoundError for versions from before signatures.
   */
  getModelSignature(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelSignature>;

  /** A version's evaluation plots; NotFoundError when it has none. */
  getEvaluationPlots?(
    resources: MlopsResources,
    version: number,
  ): Promise<EvaluationPlots>;
}

/** Listener an engine calls when something of an entity changed (for signals/notifications). */
export type MlopsEngineEvent =
  | {
      type: 'execution';
      resources: MlopsResources;
      execution: PipelineExecution;
    }
  | {
      type: 'model-version';
      resources: MlopsResources;
      modelVersion: ModelVersion;
    }
  | { type: 'deployment'; resources: MlopsResources; version: number }
  | {
      /**
       * A rollout started, moved a step, completed or rolled back (by an
       * alarm, the time limit or an owner). The plugin audits it and tells
       * the owners of a rollback.
       */
      type: 'rollout';
      resources: MlopsResources;
      rollout: Rollout;
      /** Who acted; absent when the engine acted by itself (an alarm, a timer). */
      actor?: EngineActor;
    }
  | {
      type: 'shadow-test';
      resources: MlopsResources;
      shadowTest: ShadowTest;
      actor?: EngineActor;
    }
  | {
      /**
       * A file dropped into the data bucket (not uploaded through the API)
       * was ingested, or refused and set aside; the plugin audits it and
       * notifies the owners of a refusal.
       */
      type: 'dataset-drop';
      resources: MlopsResources;
      fileName: string;
      actor: EngineActor;
      outcome: 'ingested' | 'rejected';
      manifestId?: string;
      executionId?: string;
      /** Why it was refused. */
      message?: string;
      rowErrors?: DatasetRowError[];
    };

/**
 * Who sent a prediction: the portal's own prediction widget (`portal`, left
 * out of the endpoint's traffic, error rates and drift) or anonymous callers
 * of the public route (`public`). Untagged: the endpoint's other callers.
 */
export type PredictionSource = 'portal' | 'public';

/** Optional: engines that push changes let the plugin subscribe. */
export interface MlopsEngineEvents {
  subscribe(listener: (event: MlopsEngineEvent) => void): () => void;
}
