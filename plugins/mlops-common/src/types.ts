import type { DeploymentStrategy, Rollout, ShadowTest } from './rollout';
import type {
  FeatureRecord,
  ModelMetrics,
  ModelTask,
  Prediction,
  QualityGate,
} from './signature';

/**
 * The one vocabulary both engines speak (SageMaker's / CodePipeline's), so the
 * UI never branches on the engine. Times are ISO-8601 strings.
 */

/** SageMaker PipelineExecutionStatus. */
export type PipelineExecutionStatus =
  | 'Executing'
  | 'Stopping'
  | 'Stopped'
  | 'Failed'
  | 'Succeeded';

/** SageMaker StepStatus, plus `NotStarted` for steps of the DAG not reached yet. */
export type StepStatus =
  | 'NotStarted'
  | 'Starting'
  | 'Executing'
  | 'Stopping'
  | 'Stopped'
  | 'Failed'
  | 'Succeeded';

/** SageMaker ModelApprovalStatus. */
export type ModelApprovalStatus =
  | 'PendingManualApproval'
  | 'Approved'
  | 'Rejected';

/** SageMaker EndpointStatus (subset the portal shows). */
export type EndpointStatus =
  | 'Creating'
  | 'Updating'
  | 'InService'
  | 'RollingBack'
  | 'Deleting'
  | 'Failed'
  | 'OutOfService';

/** CodePipeline stage / action status, plus `NotStarted`. */
export type ReleaseStageStatus =
  | 'NotStarted'
  | 'InProgress'
  | 'Succeeded'
  | 'Failed'
  | 'Stopped'
  | 'Cancelled';

/**
 * What started an execution: `schedule` (the spec's retraining cron) and
 * `drift` (drift over the spec's number of consecutive windows) are the
 * closed loop's automatic runs.
 */
export type ExecutionTrigger =
  | 'upload'
  | 'manual'
  | 'retry'
  | 'external'
  | 'schedule'
  | 'drift';

/** Pipeline parameter values (SageMaker pipeline parameters are strings or numbers). */
export type ParameterValues = Record<string, string | number>;

export interface DataFile {
  /** Object key in the data bucket (file name locally). */
  key: string;
  size: number;
  /** sha256 locally; S3 ETag / version id on aws. */
  sha256?: string;
  etag?: string;
  versionId?: string;
  rowCount?: number;
}

/** The data manifest a new upload writes; the release pipeline's Source. */
export interface DataManifest {
  manifestId: string;
  /** Where the manifest lives (file path or s3:// URI). */
  uri?: string;
  files: DataFile[];
  rowCount?: number;
  createdAt: string;
  /** User entity ref of the uploader, when known. */
  createdBy?: string;
}


export interface LogLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** One node of the ML pipeline DAG and its state in an execution. */
export interface PipelineStep {
  /** e.g. Preprocess, Train, Evaluate, CheckMSE, Register. Step names are data. */
  name: string;
  /** SageMaker StepType: Processing, Training, Condition, RegisterModel, ... */
  type: string;
  dependsOn: string[];
  status: StepStatus;
  startTime?: string;
  endTime?: string;
  failureReason?: string;
  /** 0..1 when the engine can tell (e.g. boosting rounds done). */
  progress?: number;
  parameters?: Record<string, unknown>;
  /** Outputs, e.g. artifact URIs, metrics, condition outcome. */
  outputs?: Record<string, unknown>;
  /** Engine metadata, e.g. processing/training job ARNs on aws. */
  metadata?: Record<string, unknown>;
  logs?: LogLine[];
}

/** One stage of the release pipeline (Source → Validate → MLPipeline → Approval → Deploy). */
export interface ReleaseStage {
  name: string;
  status: ReleaseStageStatus;
  startTime?: string;
  endTime?: string;
  summary?: string;
  /** Present while a manual approval waits (CodePipeline approval token). */
  approvalToken?: string;
}

export interface PipelineExecution {
  /** Local id, or the execution ARN on aws. */
  executionId: string;
  pipelineName: string;
  displayName?: string;
  status: PipelineExecutionStatus;
  trigger: ExecutionTrigger;
  /** User entity ref that triggered it, when known. */
  triggeredBy?: string;
  /** The execution this one retries, if any. */
  retryOf?: string;
  parameters: ParameterValues;
  dataManifest?: DataManifest;
  createdAt: string;
  startTime?: string;
  endTime?: string;
  failureReason?: string;
  /** Step currently executing, if any. */
  currentStep?: string;
  /** Test-set metrics from Evaluate (the task's keys), once known. */
  metrics?: ModelMetrics;
  /** sha256 of the ML system spec the run ran with, when it had one. */
  specHash?: string;
  /** Model version this execution registered, if any. */
  modelVersion?: number;
  release?: ReleaseStage[];
}

export interface PipelineExecutionDetail extends PipelineExecution {
  steps: PipelineStep[];
  /** What the engine could not read, so the detail is incomplete (shown with the steps). */
  warnings?: string[];
}

export interface ApprovalEvent {
  status: ModelApprovalStatus;
  /** User entity ref (or `pipeline` for the registering pipeline). */
  by: string;
  at: string;
  comment?: string;
}

export interface ModelArtifact {
  name: string;
  uri: string;
}

/** A model package (version) in a model package group. */
export interface ModelVersion {
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  approvalStatus: ModelApprovalStatus;
  approvalDescription?: string;
  createdAt: string;
  createdBy?: string;
  executionId?: string;
  /** What the version predicts (from its signature); absent on versions from before signatures. */
  task?: ModelTask;
  /** Test-set metrics, the task's Model Quality report keys. */
  metrics?: ModelMetrics;
  hyperparameters?: ParameterValues;
  dataManifest?: DataManifest;
  artifacts?: ModelArtifact[];
  approvalHistory: ApprovalEvent[];
  /** True when the entity's endpoint currently serves this version. */
  deployed: boolean;
}

export interface EndpointSummary {
  endpointName: string;
  status: EndpointStatus;
  modelVersion?: number;
  modelPackageArn?: string;
  /** Where the SageMaker-style serving contract answers (local engine). */
  url?: string;
  lastModifiedTime?: string;
  failureReason?: string;
}

export interface Deployment {
  deploymentId: string;
  endpointName: string;
  modelVersion: number;
  modelPackageArn: string;
  status: EndpointStatus | 'Superseded';
  deployedAt: string;
  deployedBy?: string;
  /** Why: approval, rollback after rejection, ... */
  reason?: string;
  current: boolean;
  /** The rollout that produced this deployment (or was rolled back from it). */
  rolloutId?: string;
  /** A rolled-back rollout's cause, e.g. `errorRate 0.35 > 0.05 over 24 invocations`. */
  rollbackReason?: string;
}

export interface DeploymentsResponse {
  endpoint?: EndpointSummary;
  deployments: Deployment[];
  /** The rollout in progress or paused, else the most recent one (engines that roll out). */
  rollout?: Rollout;
  /** The shadow test running, else the most recent one (engines that shadow). */
  shadowTest?: ShadowTest;
}

export interface PredictRequest {
  /** Rows keyed by the deployed version's signature input names. */
  instances: FeatureRecord[];
}

export type { Prediction };

export interface PredictResponse {
  predictions: Prediction[];
  modelVersion: number;
  endpointName: string;
}

export interface UploadDatasetResponse {
  manifest: DataManifest;
  /** The release execution the upload triggered (or was queued into). */
  execution?: PipelineExecution;
}

/**
 * A direct-to-storage upload the engine opened: the client PUTs each part to
 * its presigned URL (no portal credentials), then asks the backend to
 * complete it with the parts' ETags.
 */
export interface DatasetUploadSession {
  uploadId: string;
  /** The staging object key; the data set is copied to the data prefix once valid. */
  key: string;
  /** Every part but the last has exactly this size. */
  partSizeBytes: number;
  parts: Array<{ partNumber: number; url: string }>;
  /** When the part URLs stop working (ISO 8601). */
  expiresAt: string;
}

/** Row-level problem in an uploaded CSV (1-based row, column name). */
export interface DatasetRowError {
  row: number;
  column: string;
  value?: string;
  reason: string;
}

/** What the overview page shows per entity. */
export interface MlopsSummary {
  entityRef: string;
  latestExecution?: PipelineExecution;
  endpoint?: EndpointSummary;
  deployedVersion?: ModelVersion;
  pendingApprovals: number;
  versionCount: number;
}

/** The rules an entity's versions are governed by (GET .../governance). */
export interface MlopsGovernance {
  /** The quality gate runs are judged by: the spec's `gate` (configuration for entities without a spec). */
  qualityGate: QualityGate;
  /** What the system predicts (the spec's `dataset.task`), when known. */
  task?: ModelTask;
  /** How versions get approved (the spec's `approval`, or configuration). */
  approval: {
    /** Runs may register their version as Approved. */
    preApprove: boolean;
    /** Whoever started the producing run or uploaded its data may not approve. */
    fourEyes: boolean;
  };  /** How an approved version reaches the endpoint by default (the spec's `deployment`; all at once without one). */
  deployment: DeploymentStrategy;
}

export interface ListResponse<T> {
  items: T[];
  nextToken?: string;
}
