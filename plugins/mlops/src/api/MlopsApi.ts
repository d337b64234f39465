import { createApiRef } from '@backstage/core-plugin-api';
import type {
  CompleteDatasetUploadRequest,
  DatasetRowError,
  DatasetUploadSession,
  DeploymentStrategy,
  DeploymentsResponse,
  EvaluationPlots,
  ListResponse,
  MlopsGovernance,
  MlopsSummary,
  ModelSignature,
  ModelVersion,
  MonitoringResponse,
  MonitoringWindow,
  PipelineExecution,
  PipelineExecutionDetail,
  PredictRequest,
  PredictResponse,
  ReleaseStage,
  Rollout,
  RolloutAction,
  ShadowTest,
  SpecProblem,
  StartExecutionRequest,
  SystemSpecResponse,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';

/** The body of an approval decision (`approvalRequestSchema`). */
export interface ApprovalRequest {
  status: 'Approved' | 'Rejected';
  comment: string;
  /** Approvals only: overrides the system's default strategy for this deployment. */
  deployment?: DeploymentStrategy;
}

/** Client of the mlops backend; every call is scoped to one catalog entity. */
export interface MlopsApi {
  getSummary(entityRef: string): Promise<MlopsSummary>;
  /** The entity's quality gate and approval rules (pre-approval, four-eyes). */
  getGovernance(entityRef: string): Promise<MlopsGovernance>;

  /**
   * The entity's ML system spec (`mlops.io/spec`), validated; rejects with
   * 404 (no annotation or file), 403 (location not allowed) or 422 (invalid:
   * see getSpecProblems).
   */
  getSpec(entityRef: string): Promise<SystemSpecResponse>;
  listRuns(
    entityRef: string,
    options?: { limit?: number; nextToken?: string },
  ): Promise<ListResponse<PipelineExecution>>;
  getRun(
    entityRef: string,
    executionId: string,
  ): Promise<PipelineExecutionDetail>;
  startRun(
    entityRef: string,
    request: StartExecutionRequest,
  ): Promise<PipelineExecution>;
  retryRun(entityRef: string, executionId: string): Promise<PipelineExecution>;
  stopRun(entityRef: string, executionId: string): Promise<PipelineExecution>;
  getRelease(entityRef: string): Promise<{ stages: ReleaseStage[] | null }>;
  /** Newest first; pass the answer's `nextToken` for the next page. */
  listModelVersions(
    entityRef: string,
    options?: { limit?: number; nextToken?: string },
  ): Promise<ListResponse<ModelVersion>>;
  getModelVersion(entityRef: string, version: number): Promise<ModelVersion>;
  /**
   * Approve or reject a version; an approval may carry `deployment`, how this
   * deployment shifts traffic (left out: the system's default strategy).
   */
  setApproval(
    entityRef: string,
    version: number,
    request: ApprovalRequest,
  ): Promise<ModelVersion>;
  getDeployments(entityRef: string): Promise<DeploymentsResponse>;
  /**
   * Pause, resume, roll back or promote the endpoint's rollout; rejects with
   * 409 when the rollout is not in a state that allows it, 501 when the
   * engine cannot.
   */
  controlRollout(
    entityRef: string,
    action: RolloutAction,
    comment?: string,
  ): Promise<Rollout>;
  /** Copies a share of live requests to `modelVersion` without answering with it. */
  startShadowTest(
    entityRef: string,
    request: { modelVersion: number; samplePercent?: number; comment?: string },
  ): Promise<ShadowTest>;
  /** Stops the running shadow test; its comparison stays readable. */
  stopShadowTest(entityRef: string): Promise<ShadowTest>;
  uploadDataset(
    entityRef: string,
    fileName: string,
    body: Blob | string,
  ): Promise<UploadDatasetResponse>;
  /**
   * Opens a direct-to-storage upload (aws engine: presigned S3 multipart);
   * rejects with 501 when the engine has none (then use uploadDataset).
   */
  createDatasetUpload?(
    entityRef: string,
    request: { fileName: string; sizeBytes: number },
  ): Promise<DatasetUploadSession>;
  /** Validates and publishes a direct upload once every part is stored. */
  completeDatasetUpload?(
    entityRef: string,
    uploadId: string,
    request: CompleteDatasetUploadRequest,
  ): Promise<UploadDatasetResponse>;
  /** Cancels a direct upload; its stored parts are discarded. */
  abortDatasetUpload?(
    entityRef: string,
    uploadId: string,
    request: { key: string },
  ): Promise<void>;
  predict(entityRef: string, request: PredictRequest): Promise<PredictResponse>;
  /** Endpoint traffic and data drift; rejects with 501 when the engine has none. */
  getMonitoring(
    entityRef: string,
    window: MonitoringWindow,
  ): Promise<MonitoringResponse>;
  /**
   * The inputs and outputs a version was trained with (its signature.json);
   * rejects with 404 when the version has none.
   */
  getModelSignature(
    entityRef: string,
    version: number,
  ): Promise<ModelSignature>;
  /** Rejects with 404 when the version has no plots. */
  getEvaluationPlots(
    entityRef: string,
    version: number,
  ): Promise<EvaluationPlots>;
}

/** @public */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});

/**
 * Row-level problems the backend reports for a rejected CSV upload, taken from
 * an error thrown by {@link MlopsApi.uploadDataset}; undefined for other errors.
 */
export function getRowErrors(error: unknown): DatasetRowError[] | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as {
    rowErrors?: unknown;
    body?: { error?: { rowErrors?: unknown } };
  };
  const rows = e.rowErrors ?? e.body?.error?.rowErrors;
  return Array.isArray(rows) ? (rows as DatasetRowError[]) : undefined;
}

/** The field problems of a 422 from getSpec, if the error is one. */
export function getSpecProblems(error: unknown): SpecProblem[] | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const problems = (error as { body?: { error?: { problems?: unknown } } }).body
    ?.error?.problems;
  return Array.isArray(problems) ? (problems as SpecProblem[]) : undefined;
}

/** The HTTP status of an error thrown by the client, if it has one. */
export function httpStatus(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { statusCode?: unknown; response?: { status?: unknown } };
  const status = e.statusCode ?? e.response?.status;
  return typeof status === 'number' ? status : undefined;
}
