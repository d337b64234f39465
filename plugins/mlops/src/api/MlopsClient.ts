import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { PREDICTION_SOURCE_HEADER } from '@mlops-portal/plugin-mlops-common';
import type {
  CompleteDatasetUploadRequest,
  DatasetRowError,
  DatasetUploadSession,
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
  StartExecutionRequest,
  SystemSpecResponse,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import { getRowErrors, type ApprovalRequest, type MlopsApi } from './MlopsApi';

/** A ResponseError that also carries a rejected upload's row errors. */
export type MlopsResponseError = ResponseError & {
  rowErrors?: DatasetRowError[];
};

/** `?limit=&nextToken=` of a paged list, or nothing. */
function pageQuery(options: { limit?: number; nextToken?: string }): string {
  const query = new URLSearchParams();
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  if (options.nextToken) query.set('nextToken', options.nextToken);
  const qs = query.toString();
  return qs ? `?${qs}` : '';
}

/** HTTP client of the mlops backend (`/api/mlops`). */
export class MlopsClient implements MlopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getSummary(entityRef: string): Promise<MlopsSummary> {
    return this.request(entityRef, 'summary');
  }

  getGovernance(entityRef: string): Promise<MlopsGovernance> {
    return this.request(entityRef, 'governance');
  }

  getSpec(entityRef: string): Promise<SystemSpecResponse> {
    return this.request(entityRef, 'spec');
  }

  listRuns(
    entityRef: string,
    options: { limit?: number; nextToken?: string } = {},
  ): Promise<ListResponse<PipelineExecution>> {
    return this.request(entityRef, `runs${pageQuery(options)}`);
  }

  getRun(
    entityRef: string,
    executionId: string,
  ): Promise<PipelineExecutionDetail> {
    return this.request(entityRef, `runs/${encodeURIComponent(executionId)}`);
  }

  startRun(
    entityRef: string,
    request: StartExecutionRequest,
  ): Promise<PipelineExecution> {
    return this.request(entityRef, 'runs', { method: 'POST', json: request });
  }

  retryRun(entityRef: string, executionId: string): Promise<PipelineExecution> {
    return this.request(
      entityRef,
      `runs/${encodeURIComponent(executionId)}/retry`,
      {
        method: 'POST',
      },
    );
  }

  stopRun(entityRef: string, executionId: string): Promise<PipelineExecution> {
    return this.request(
      entityRef,
      `runs/${encodeURIComponent(executionId)}/stop`,
      {
        method: 'POST',
      },
    );
  }

  getRelease(entityRef: string): Promise<{ stages: ReleaseStage[] | null }> {
    return this.request(entityRef, 'release');
  }

  listModelVersions(
    entityRef: string,
    options: { limit?: number; nextToken?: string } = {},
  ): Promise<ListResponse<ModelVersion>> {
    return this.request(entityRef, `model-versions${pageQuery(options)}`);
  }

  getModelVersion(entityRef: string, version: number): Promise<ModelVersion> {
    return this.request(
      entityRef,
      `model-versions/${encodeURIComponent(String(version))}`,
    );
  }

  setApproval(
    entityRef: string,
    version: number,
    request: ApprovalRequest,
  ): Promise<ModelVersion> {
    return this.request(
      entityRef,
      `model-versions/${encodeURIComponent(String(version))}/approval`,
      { method: 'POST', json: request },
    );
  }

  getDeployments(entityRef: string): Promise<DeploymentsResponse> {
    return this.request(entityRef, 'deployments');
  }

  controlRollout(
    entityRef: string,
    action: RolloutAction,
    comment?: string,
  ): Promise<Rollout> {
    return this.request(entityRef, `rollout/${encodeURIComponent(action)}`, {
      method: 'POST',
      json: comment ? { comment } : {},
    });
  }

  startShadowTest(
    entityRef: string,
    request: { modelVersion: number; samplePercent?: number; comment?: string },
  ): Promise<ShadowTest> {
    return this.request(entityRef, 'shadow-tests', {
      method: 'POST',
      json: request,
    });
  }

  stopShadowTest(entityRef: string): Promise<ShadowTest> {
    return this.request(entityRef, 'shadow-tests/stop', {
      method: 'POST',
      json: {},
    });
  }

  uploadDataset(
    entityRef: string,
    fileName: string,
    body: Blob | string,
  ): Promise<UploadDatasetResponse> {
    return this.request(
      entityRef,
      `datasets?${new URLSearchParams({ fileName }).toString()}`,
      { method: 'POST', body, contentType: 'text/csv' },
    );
  }

  createDatasetUpload(
    entityRef: string,
    request: { fileName: string; sizeBytes: number },
  ): Promise<DatasetUploadSession> {
    return this.request(entityRef, 'datasets/uploads', {
      method: 'POST',
      json: request,
    });
  }

  completeDatasetUpload(
    entityRef: string,
    uploadId: string,
    request: CompleteDatasetUploadRequest,
  ): Promise<UploadDatasetResponse> {
    return this.request(
      entityRef,
      `datasets/uploads/${encodeURIComponent(uploadId)}/complete`,
      { method: 'POST', json: request },
    );
  }

  abortDatasetUpload(
    entityRef: string,
    uploadId: string,
    request: { key: string },
  ): Promise<void> {
    return this.request(
      entityRef,
      `datasets/uploads/${encodeURIComponent(uploadId)}`,
      { method: 'DELETE', json: request },
    );
  }

  predict(
    entityRef: string,
    request: PredictRequest,
  ): Promise<PredictResponse> {
    return this.request(entityRef, 'predict', {
      method: 'POST',
      json: request,
      // The portal's own widget: monitoring leaves these out of the
      // endpoint's traffic, error rates and drift.
      headers: { [PREDICTION_SOURCE_HEADER]: 'portal' },
    });
  }

  getMonitoring(
    entityRef: string,
    window: MonitoringWindow,
  ): Promise<MonitoringResponse> {
    return this.request(
      entityRef,
      `monitoring?${new URLSearchParams({ window }).toString()}`,
    );
  }

  getModelSignature(
    entityRef: string,
    version: number,
  ): Promise<ModelSignature> {
    return this.request(
      entityRef,
      `model-versions/${encodeURIComponent(String(version))}/signature`,
    );
  }

  getEvaluationPlots(
    entityRef: string,
    version: number,
  ): Promise<EvaluationPlots> {
    return this.request(
      entityRef,
      `model-versions/${encodeURIComponent(String(version))}/evaluation-plots`,
    );
  }

  private async request<T>(
    entityRef: string,
    path: string,
    options: {
      method?: string;
      json?: unknown;
      body?: Blob | string;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const base = await this.discoveryApi.getBaseUrl('mlops');
    const url = `${base}/v1/entity/${[namespace, kind, name]
      .map(s => encodeURIComponent(s))
      .join('/')}/${path}`;
    const headers: Record<string, string> = { ...options.headers };
    let body: Blob | string | undefined = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.contentType) {
      headers['Content-Type'] = options.contentType;
    }
    const response = await this.fetchApi.fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body,
    });
    if (!response.ok) {
      const error: MlopsResponseError = await ResponseError.fromResponse(
        response,
      );
      // The generic "Request failed with 400" hides the server's reason (which
      // names the bad field); users see this message in dialogs and alerts.
      const reason = error.body?.error?.message;
      if (reason && !error.message.includes(reason)) {
        error.message = `${error.message.trim()}: ${reason}`;
      }
      // Uploads report every bad row; keep them on the error so the UI can list them.
      const rowErrors = getRowErrors(error);
      if (rowErrors) error.rowErrors = rowErrors;
      throw error;
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
