import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type {
  ApprovalEvent,
  DataManifest,
  Deployment,
  MlopsResources,
  ModelApprovalStatus,
  ModelArtifact,
  ModelMetrics,
  ModelTask,
  ModelVersion,
  ParameterValues,
  PipelineExecution,
  PipelineExecutionDetail,
  PipelineExecutionStatus,
  PipelineStep,
  ReleaseStage,
} from '@mlops-portal/plugin-mlops-common';
import type { Knex } from 'knex';

const T_MANIFESTS = 'mlops_local_manifests';
const T_EXECUTIONS = 'mlops_local_executions';
const T_VERSIONS = 'mlops_local_model_versions';
const T_DEPLOYMENTS = 'mlops_local_deployments';

/** An execution as the engine keeps it: the public detail plus what it needs to run. */
export interface ExecutionRecord extends PipelineExecutionDetail {
  resources: MlopsResources;
  clientRequestToken?: string;
  seq?: number;
}

/** A version row minus `deployed`, which depends on the endpoint. */
export type VersionRecord = Omit<ModelVersion, 'deployed'>;

export interface DeploymentRecord extends Deployment {
  modelPackageGroupName: string;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parse = <T>(v: unknown): T | undefined =>
  typeof v === 'string' && v !== '' ? (JSON.parse(v) as T) : undefined;
const opt = <T>(v: T | null | undefined): T | undefined =>
  v === null ? undefined : v;

/**
 * Stored metrics as the contract's flat `{ mse: 2.1 }`. Rows are written
 * flat; a Model Quality report (`{ regression_metrics: { mse: { value } } }`)
 * or a stray non-number found in an older row is read by value, so no row
 * breaks the API.
 */
export function readMetrics(value: unknown): ModelMetrics | undefined {
  const raw = parse<Record<string, unknown>>(value);
  if (!raw || typeof raw !== 'object') return undefined;
  const sections = Object.keys(raw).filter(k => k.endsWith('_metrics'));
  const source =
    sections.length === 1 && typeof raw[sections[0]] === 'object'
      ? (raw[sections[0]] as Record<string, unknown>)
      : raw;
  const out: ModelMetrics = {};
  for (const [k, v] of Object.entries(source)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    else if (
      v &&
      typeof v === 'object' &&
      typeof (v as { value?: unknown }).value === 'number'
    )
      out[k] = (v as { value: number }).value;
  }
  return out;
}

/** Columns of the list view: everything but the (large) steps document. */
const EXECUTION_LIST_COLUMNS = [
  'seq',
  'execution_id',
  'pipeline_name',
  'status',
  'trigger_kind',
  'triggered_by',
  'retry_of',
  'display_name',
  'client_request_token',
  'resources',
  'parameters',
  'data_manifest',
  'created_at',
  'start_time',
  'end_time',
  'failure_reason',
  'current_step',
  'metrics',
  'model_version',
  'release',
  'spec_hash',
];

function executionFromRow(row: any): ExecutionRecord {
  return {
    seq: Number(row.seq),
    executionId: row.execution_id,
    pipelineName: row.pipeline_name,
    status: row.status,
    trigger: row.trigger_kind,
    triggeredBy: opt(row.triggered_by),
    retryOf: opt(row.retry_of),
    displayName: opt(row.display_name),
    clientRequestToken: opt(row.client_request_token),
    resources: parse<MlopsResources>(row.resources)!,
    parameters: parse<ParameterValues>(row.parameters) ?? {},
    dataManifest: parse<DataManifest>(row.data_manifest),
    createdAt: row.created_at,
    startTime: opt(row.start_time),
    endTime: opt(row.end_time),
    failureReason: opt(row.failure_reason),
    currentStep: opt(row.current_step),
    metrics: readMetrics(row.metrics),
    specHash: opt(row.spec_hash),
    modelVersion:
      row.model_version === null || row.model_version === undefined
        ? undefined
        : Number(row.model_version),
    release: parse<ReleaseStage[]>(row.release),
    steps: parse<PipelineStep[]>(row.steps) ?? [],
  };
}

/** The columns that change as a run progresses (status aside). */
function progressColumns(r: ExecutionRecord) {
  return {
    start_time: r.startTime ?? null,
    end_time: r.endTime ?? null,
    failure_reason: r.failureReason ?? null,
    current_step: r.currentStep ?? null,
    metrics: json(r.metrics),
    model_version: r.modelVersion ?? null,
    release: json(r.release),
    steps: json(r.steps),
  };
}

/** Strips engine-internal fields for API responses. */
export function toPublicExecution(r: ExecutionRecord): PipelineExecution {
  const { resources, clientRequestToken, seq, steps, ...rest } = r;
  return rest;
}

export function toPublicDetail(r: ExecutionRecord): PipelineExecutionDetail {
  const { resources, clientRequestToken, seq, ...rest } = r;
  return rest;
}

function versionFromRow(row: any): VersionRecord {
  return {
    modelPackageGroupName: row.group_name,
    version: Number(row.version),
    modelPackageArn: row.model_package_arn,
    approvalStatus: row.approval_status,
    approvalDescription: opt(row.approval_description),
    createdAt: row.created_at,
    createdBy: opt(row.created_by),
    executionId: opt(row.execution_id),
    // Versions from before tasks were recorded are regression (migration).
    task: (opt(row.task) as ModelTask | undefined) ?? 'regression',
    metrics: readMetrics(row.metrics),
    hyperparameters: parse<ParameterValues>(row.hyperparameters),
    dataManifest: parse<DataManifest>(row.data_manifest),
    artifacts: parse<ModelArtifact[]>(row.artifacts),
    approvalHistory: parse<ApprovalEvent[]>(row.approval_history) ?? [],
  };
}

function deploymentFromRow(row: any): DeploymentRecord {
  return {
    deploymentId: row.deployment_id,
    endpointName: row.endpoint_name,
    modelPackageGroupName: row.group_name,
    modelVersion: Number(row.model_version),
    modelPackageArn: row.model_package_arn,
    status: row.status,
    deployedAt: row.deployed_at,
    deployedBy: opt(row.deployed_by),
    reason: opt(row.reason),
    // SQLite returns 0/1, PostgreSQL true/false.
    current: Boolean(row.current),
    rolloutId: opt(row.rollout_id),
    rollbackReason: opt(row.rollback_reason),
  };
}

function executionToRow(r: ExecutionRecord) {
  return {
    execution_id: r.executionId,
    pipeline_name: r.pipelineName,
    status: r.status,
    trigger_kind: r.trigger,
    triggered_by: r.triggeredBy ?? null,
    retry_of: r.retryOf ?? null,
    display_name: r.displayName ?? null,
    client_request_token: r.clientRequestToken ?? null,
    resources: json(r.resources),
    parameters: json(r.parameters),
    data_manifest: json(r.dataManifest),
    created_at: r.createdAt,
    spec_hash: r.specHash ?? null,
    ...progressColumns(r),
  };
}

function versionToRow(v: VersionRecord) {
  return {
    group_name: v.modelPackageGroupName,
    version: v.version,
    model_package_arn: v.modelPackageArn,
    approval_status: v.approvalStatus,
    approval_description: v.approvalDescription ?? null,
    created_at: v.createdAt,
    created_by: v.createdBy ?? null,
    execution_id: v.executionId ?? null,
    task: v.task ?? null,
    metrics: json(v.metrics),
    hyperparameters: json(v.hyperparameters),
    data_manifest: json(v.dataManifest),
    artifacts: json(v.artifacts),
    approval_history: json(v.approvalHistory),
  };
}

/** Database access of the local engine (knex; SQLite and PostgreSQL). */
export class LocalStore {
  constructor(readonly db: Knex) {}

  static async create(db: Knex, options?: { skipMigrations?: boolean }) {
    if (!options?.skipMigrations) {
      await db.migrate.latest({
        directory: resolvePackagePath(
          '@mlops-portal/plugin-mlops-backend',
          'migrations/local',
        ),
        // Own bookkeeping table, so other migrations of the plugin do not collide.
        tableName: 'mlops_local_knex_migrations',
        loadExtensions: ['.js'],
      });
    }
    return new LocalStore(db);
  }

  // --- manifests -----------------------------------------------------------

  async insertManifest(pipelineName: string, manifest: DataManifest) {
    await this.db(T_MANIFESTS).insert({
      manifest_id: manifest.manifestId,
      pipeline_name: pipelineName,
      manifest: JSON.stringify(manifest),
      created_at: manifest.createdAt,
    });
  }

  async latestManifest(
    pipelineName: string,
  ): Promise<DataManifest | undefined> {
    const row = await this.db(T_MANIFESTS)
      .where({ pipeline_name: pipelineName })
      .orderBy('seq', 'desc')
      .first();
    return row ? parse<DataManifest>(row.manifest) : undefined;
  }

  // --- executions ----------------------------------------------------------

  async insertExecution(r: ExecutionRecord): Promise<ExecutionRecord> {
    await this.db(T_EXECUTIONS).insert(executionToRow(r));
    return (await this.getExecution(r.executionId))!;
  }

  /**
   * Bulk import (history migration, benchmarks): many executions and
   * versions in one transaction, in chunks the databases accept.
   */
  async importRecords(records: {
    executions?: ExecutionRecord[];
    versions?: VersionRecord[];
  }) {
    // 100 rows × ~20 columns stays under SQLite's bound-variable limit.
    const insertChunks = async (
      trx: Knex.Transaction,
      table: string,
      rows: object[],
    ) => {
      for (let i = 0; i < rows.length; i += 100) {
        await trx(table).insert(rows.slice(i, i + 100));
      }
    };
    await this.db.transaction(async trx => {
      await insertChunks(
        trx,
        T_EXECUTIONS,
        (records.executions ?? []).map(executionToRow),
      );
      await insertChunks(
        trx,
        T_VERSIONS,
        (records.versions ?? []).map(versionToRow),
      );
    });
  }

  /** Writes the mutable part of an execution (status, steps, release, ...). */
  async saveExecution(r: ExecutionRecord, trx?: Knex.Transaction) {
    await (trx ?? this.db)(T_EXECUTIONS)
      .where({ execution_id: r.executionId })
      .update({ status: r.status, ...progressColumns(r) });
  }

  async getExecution(
    executionId: string,
  ): Promise<ExecutionRecord | undefined> {
    const row = await this.db(T_EXECUTIONS)
      .where({ execution_id: executionId })
      .first();
    return row ? executionFromRow(row) : undefined;
  }

  async findExecutionByToken(pipelineName: string, token: string) {
    const row = await this.db(T_EXECUTIONS)
      .where({ pipeline_name: pipelineName, client_request_token: token })
      .first();
    return row ? executionFromRow(row) : undefined;
  }

  async listExecutions(
    pipelineName: string,
    limit: number,
    beforeSeq?: number,
  ): Promise<ExecutionRecord[]> {
    let q = this.db(T_EXECUTIONS)
      .select(EXECUTION_LIST_COLUMNS)
      .where({ pipeline_name: pipelineName });
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    const rows = await q.orderBy('seq', 'desc').limit(limit);
    return rows.map(executionFromRow);
  }

  async latestExecution(pipelineName: string) {
    const row = await this.db(T_EXECUTIONS)
      .where({ pipeline_name: pipelineName })
      .orderBy('seq', 'desc')
      .first();
    return row ? executionFromRow(row) : undefined;
  }

  async executionsWithStatus(
    statuses: PipelineExecutionStatus[],
  ): Promise<ExecutionRecord[]> {
    const rows = await this.db(T_EXECUTIONS)
      .whereIn('status', statuses)
      .orderBy('seq', 'asc');
    return rows.map(executionFromRow);
  }

  // --- model versions ------------------------------------------------------

  /** Newest first; a page of `limit` below `beforeVersion` (keyset, uses the group+version index). */
  async listVersions(
    groupName: string,
    limit: number,
    beforeVersion?: number,
  ): Promise<VersionRecord[]> {
    let q = this.db(T_VERSIONS).where({ group_name: groupName });
    if (beforeVersion !== undefined) q = q.where('version', '<', beforeVersion);
    const rows = await q.orderBy('version', 'desc').limit(limit);
    return rows.map(versionFromRow);
  }

  /** The newest Approved version other than `exceptVersion` (the rollback target). */
  async latestApprovedVersion(groupName: string, exceptVersion: number) {
    const row = await this.db(T_VERSIONS)
      .where({ group_name: groupName, approval_status: 'Approved' })
      .whereNot('version', exceptVersion)
      .orderBy('version', 'desc')
      .first();
    return row ? versionFromRow(row) : undefined;
  }

  async getVersion(groupName: string, version: number, trx?: Knex.Transaction) {
    const row = await (trx ?? this.db)(T_VERSIONS)
      .where({ group_name: groupName, version })
      .first();
    return row ? versionFromRow(row) : undefined;
  }

  async findVersionByExecution(executionId: string, trx?: Knex.Transaction) {
    const row = await (trx ?? this.db)(T_VERSIONS)
      .where({ execution_id: executionId })
      .first();
    return row ? versionFromRow(row) : undefined;
  }

  async nextVersion(groupName: string, trx: Knex.Transaction): Promise<number> {
    const row = await trx(T_VERSIONS)
      .where({ group_name: groupName })
      .max({ v: 'version' })
      .first();
    return (row?.v ? Number(row.v) : 0) + 1;
  }

  async insertVersion(v: VersionRecord, trx: Knex.Transaction) {
    await trx(T_VERSIONS).insert(versionToRow(v));
  }

  async updateApproval(
    groupName: string,
    version: number,
    status: ModelApprovalStatus,
    description: string | undefined,
    history: ApprovalEvent[],
    trx: Knex.Transaction,
  ) {
    await trx(T_VERSIONS)
      .where({ group_name: groupName, version })
      .update({
        approval_status: status,
        approval_description: description ?? null,
        approval_history: json(history),
      });
  }

  // --- deployments ---------------------------------------------------------

  async currentDeployment(
    endpointName: string,
    trx?: Knex.Transaction,
  ): Promise<DeploymentRecord | undefined> {
    const row = await (trx ?? this.db)(T_DEPLOYMENTS)
      .where({ endpoint_name: endpointName, current: true })
      .orderBy('id', 'desc')
      .first();
    return row ? deploymentFromRow(row) : undefined;
  }

  async allCurrentDeployments(): Promise<DeploymentRecord[]> {
    const rows = await this.db(T_DEPLOYMENTS).where({ current: true });
    return rows.map(deploymentFromRow);
  }

  async listDeployments(endpointName: string): Promise<DeploymentRecord[]> {
    const rows = await this.db(T_DEPLOYMENTS)
      .where({ endpoint_name: endpointName })
      .orderBy('id', 'desc');
    return rows.map(deploymentFromRow);
  }

  /** Makes `d` the endpoint's current deployment; earlier ones become Superseded. */
  async insertDeployment(d: DeploymentRecord, trx: Knex.Transaction) {
    await trx(T_DEPLOYMENTS)
      .where({ endpoint_name: d.endpointName, current: true })
      .update({ current: false, status: 'Superseded' });
    await trx(T_DEPLOYMENTS).insert({
      deployment_id: d.deploymentId,
      endpoint_name: d.endpointName,
      group_name: d.modelPackageGroupName,
      model_version: d.modelVersion,
      model_package_arn: d.modelPackageArn,
      status: d.status,
      deployed_at: d.deployedAt,
      deployed_by: d.deployedBy ?? null,
      reason: d.reason ?? null,
      current: true,
      rollout_id: d.rolloutId ?? null,
      rollback_reason: d.rollbackReason ?? null,
    });
  }

  /** Takes the endpoint's model away (no approved version left to serve). */
  async clearDeployment(endpointName: string, trx: Knex.Transaction) {
    await trx(T_DEPLOYMENTS)
      .where({ endpoint_name: endpointName, current: true })
      .update({ current: false, status: 'OutOfService' });
  }
}
