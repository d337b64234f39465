import { createHash, randomUUID } from 'crypto';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  RetryPipelineExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  UpdateModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  type DescribePipelineExecutionCommandOutput,
  type ModelPackageSummary,
  type PipelineExecutionStep,
  type PipelineExecutionSummary,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand as ListReleaseExecutionsCommand,
  PutApprovalResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type {
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { parseAbaloneCsv } from '@mlops-portal/ml-core';
import {
  PIPELINE_PARAMETERS,
  ageFromRings,
  type AbaloneFeatures,
  type Deployment,
  type DeploymentsResponse,
  type EndpointSummary,
  type ListResponse,
  type MlopsResources,
  type ModelArtifact,
  type ModelVersion,
  type ParameterValues,
  type PipelineExecution,
  type PipelineExecutionDetail,
  type PipelineStep,
  type PredictResponse,
  type RegressionMetrics,
  type ReleaseStage,
  type UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  EngineActor,
  ListOptions,
  MlopsEngine,
  StartExecutionOptions,
  UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import { DatasetValidationError } from '@mlops-portal/plugin-mlops-node';
import { toEngineError } from './awsErrors';
import type { AwsClientFactory, AwsClients, AwsTarget } from './clients';
import { ListCache, type SimpleCache } from './listCache';
import {
  approvalDescription,
  approvalHistory,
  approvalStatus,
  executionBelongsTo,
  executionDescription,
  executionStatus,
  iso,
  parseEvaluationJson,
  parseExecutionDescription,
  parseInvokeResponse,
  parsePipelineDefinition,
  parseS3Uri,
  releaseStatus,
  stepStatus,
  toInvokeCsv,
} from './mappers';

export interface AwsEngineOptions {
  logger: LoggerService;
  clients: AwsClientFactory;
  /** `mlops.aws.region`: used when the entity names no region. */
  defaultRegion: string;
  /** `mlops.aws.accountId`: used when the entity names no account. */
  defaultAccountId?: string;
  /** `mlops.aws.dataBucket` (`s3://bucket/prefix`): upload target when the entity names none. */
  dataBucketUri?: string;
  cache?: CacheService | SimpleCache;
  /** `mlops.aws.listCacheTtlSeconds` (default 10; 0 disables the cache). */
  listCacheTtlSeconds?: number;
}

/** Serving state of the entity's endpoint, as cached (plain JSON). */
interface EndpointState {
  endpoint: EndpointSummary;
  endpointConfigName?: string;
  /** An update in progress (DescribeEndpoint's PendingDeploymentSummary). */
  pending?: {
    endpointConfigName: string;
    modelPackageArn?: string;
    startTime?: string;
  };
}

interface PendingApproval {
  stageName: string;
  actionName: string;
  token: string;
}

const TERMINAL = new Set(['Stopped', 'Failed', 'Succeeded']);
const DEFAULT_PAGE_SIZE = 20;
const DESCRIBE_CONCURRENCY = 4;
const DEFAULT_DATA_PREFIX = 'data/';
const VERSION_MEMO_MS = 5 * 60_000;

/**
 * The MLOps engine over AWS: SageMaker Pipelines (runs), the SageMaker model
 * registry (versions), CodePipeline (release view and manual approval), a
 * SageMaker endpoint (deployment, predict) and the S3 data bucket (upload).
 * Every call names only the resources of the entity in the request.
 */
export class AwsEngine implements MlopsEngine {
  readonly type = 'aws';
  private readonly logger: LoggerService;
  private readonly cache: ListCache;
  /** evaluation.json objects never change once written, so they are kept (bounded). */
  private readonly metricsByUri = new Map<string, RegressionMetrics | null>();
  private readonly versionMemo = new Map<
    string,
    {
      approvalStatus?: string;
      at: number;
      value: Omit<ModelVersion, 'deployed'>;
    }
  >();

  constructor(private readonly options: AwsEngineOptions) {
    this.logger = options.logger;
    this.cache = new ListCache({
      ttlSeconds: options.listCacheTtlSeconds ?? 10,
      cache: options.cache,
    });
  }

  // --- plumbing ---------------------------------------------------------------

  private target(r: MlopsResources): AwsTarget {
    return {
      region: r.region ?? this.options.defaultRegion,
      accountId: r.awsAccountId ?? this.options.defaultAccountId,
    };
  }

  private async clients(r: MlopsResources): Promise<AwsClients> {
    const target = this.target(r);
    try {
      return await this.options.clients(target);
    } catch (e) {
      // e.g. an mlops.io/aws-account-id that no aws.accounts entry covers.
      this.logger.error(`No AWS clients for ${JSON.stringify(target)}: ${e}`);
      throw new ServiceUnavailableError(
        `No AWS credentials are configured for account ${
          target.accountId ?? '(main)'
        } in ${target.region}`,
      );
    }
  }

  /** Runs one AWS call and maps its failure to a client-safe Backstage error. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toEngineError(e, operation, this.logger);
    }
  }

  private cacheKey(r: MlopsResources, kind: string, name: string) {
    const t = this.target(r);
    return `${kind}:${t.region}:${t.accountId ?? ''}:${name}`;
  }

  private pipelineKey(r: MlopsResources) {
    return this.cacheKey(r, 'pipeline', r.pipelineName);
  }
  private groupKey(r: MlopsResources) {
    return this.cacheKey(r, 'group', r.modelPackageGroupName);
  }
  private endpointKey(r: MlopsResources) {
    return this.cacheKey(r, 'endpoint', r.endpointName);
  }
  private releaseKey(r: MlopsResources) {
    return this.cacheKey(r, 'release', r.releasePipelineName ?? '');
  }

  private assertExecution(r: MlopsResources, executionId: string) {
    if (
      !executionBelongsTo(executionId, r.pipelineName, this.target(r).region)
    ) {
      // Same answer as for an unknown id, so ids of other pipelines are not probed.
      throw new NotFoundError(
        `No execution ${executionId} of pipeline ${r.pipelineName}`,
      );
    }
  }

  // --- runs -------------------------------------------------------------------

  async listExecutions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>> {
    const requested = Number(options?.limit ?? DEFAULT_PAGE_SIZE);
    // SageMaker accepts 1..100 per page.
    const limit = Number.isFinite(requested)
      ? Math.min(Math.max(Math.trunc(requested), 1), 100)
      : DEFAULT_PAGE_SIZE;
    const page = await this.cache.getOrLoad(
      this.pipelineKey(r),
      `executions:${limit}:${options?.nextToken ?? ''}`,
      async () => {
        const { sagemaker } = await this.clients(r);
        const res = await this.call('sagemaker:ListPipelineExecutions', () =>
          sagemaker.send(
            new ListPipelineExecutionsCommand({
              PipelineName: r.pipelineName,
              SortBy: 'CreationTime',
              SortOrder: 'Descending',
              MaxResults: limit,
              NextToken: options?.nextToken,
            }),
          ),
        );
        const items = (res?.PipelineExecutionSummaries ?? []).map(s =>
          this.summaryToExecution(r, s),
        );
        return { items, nextToken: res?.NextToken };
      },
    );
    // Join the versions the executions registered (metrics, version number).
    const versions = await this.allModelVersions(r).catch(e => {
      this.logger.debug(`Could not join model versions to executions: ${e}`);
      return [] as ModelVersion[];
    });
    const byExecution = new Map(
      versions.filter(v => v.executionId).map(v => [v.executionId!, v]),
    );
    const items = page.items
      .map(item => {
        const v = byExecution.get(item.executionId);
        return v
          ? { ...item, modelVersion: v.version, metrics: v.metrics }
          : item;
      })
      // SageMaker already sorts; keep it explicit so the contract holds for any page.
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items, nextToken: page.nextToken };
  }

  private summaryToExecution(
    r: MlopsResources,
    s: PipelineExecutionSummary,
  ): PipelineExecution {
    const status = executionStatus(s.PipelineExecutionStatus);
    const created = iso(s.StartTime) ?? new Date(0).toISOString();
    return {
      executionId: s.PipelineExecutionArn ?? '',
      pipelineName: r.pipelineName,
      displayName: s.PipelineExecutionDisplayName,
      status,
      ...parseExecutionDescription(s.PipelineExecutionDescription),
      parameters: {},
      createdAt: created,
      startTime: created,
      failureReason: s.PipelineExecutionFailureReason,
    };
  }

  private describedToExecution(
    r: MlopsResources,
    d: DescribePipelineExecutionCommandOutput,
    parameters: ParameterValues,
  ): PipelineExecution {
    const status = executionStatus(d.PipelineExecutionStatus);
    const created = iso(d.CreationTime) ?? new Date(0).toISOString();
    return {
      executionId: d.PipelineExecutionArn ?? '',
      pipelineName: r.pipelineName,
      displayName: d.PipelineExecutionDisplayName,
      status,
      ...parseExecutionDescription(d.PipelineExecutionDescription),
      parameters,
      createdAt: created,
      startTime: created,
      endTime: TERMINAL.has(status) ? iso(d.LastModifiedTime) : undefined,
      failureReason: d.FailureReason,
    };
  }

  private async describeExecution(r: MlopsResources, arn: string) {
    const { sagemaker } = await this.clients(r);
    return this.call('sagemaker:DescribePipelineExecution', () =>
      sagemaker.send(
        new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }),
      ),
    );
  }

  async getExecution(
    r: MlopsResources,
    executionId: string,
  ): Promise<PipelineExecutionDetail> {
    this.assertExecution(r, executionId);
    const { sagemaker } = await this.clients(r);
    const described = await this.describeExecution(r, executionId);
    const [runtimeSteps, parameters, definition] = await Promise.all([
      this.listAllSteps(sagemaker, executionId),
      this.listParameters(sagemaker, executionId),
      this.call('sagemaker:DescribePipelineDefinitionForExecution', () =>
        sagemaker.send(
          new DescribePipelineDefinitionForExecutionCommand({
            PipelineExecutionArn: executionId,
          }),
        ),
      ).catch(e => {
        // Without the definition the DAG still shows the steps that ran.
        this.logger.debug(`No pipeline definition for ${executionId}: ${e}`);
        return undefined;
      }),
    ]);
    const execution = this.describedToExecution(r, described, parameters);
    const steps = buildSteps(
      parsePipelineDefinition(definition?.PipelineDefinition),
      runtimeSteps,
    );
    const current = steps.find(
      s => s.status === 'Executing' || s.status === 'Starting',
    );
    const registered = steps.find(
      s => typeof s.metadata?.modelPackageArn === 'string',
    )?.metadata?.modelPackageArn as string | undefined;
    let modelVersion: number | undefined;
    let metrics: RegressionMetrics | undefined;
    if (registered) {
      try {
        const v = await this.loadVersion(r, registered);
        modelVersion = v.version;
        metrics = v.metrics;
      } catch (e) {
        this.logger.debug(`Could not read model package ${registered}: ${e}`);
      }
    }
    return {
      ...execution,
      currentStep: current?.name,
      modelVersion,
      metrics,
      steps,
    };
  }

  private async listAllSteps(
    sagemaker: AwsClients['sagemaker'],
    arn: string,
  ): Promise<PipelineExecutionStep[]> {
    const pages = await allPages(token =>
      this.call('sagemaker:ListPipelineExecutionSteps', () =>
        sagemaker.send(
          new ListPipelineExecutionStepsCommand({
            PipelineExecutionArn: arn,
            SortOrder: 'Ascending',
            MaxResults: 100,
            NextToken: token,
          }),
        ),
      ),
    );
    const steps = pages.flatMap(p => p?.PipelineExecutionSteps ?? []);
    return steps;
  }

  private async listParameters(
    sagemaker: AwsClients['sagemaker'],
    arn: string,
  ): Promise<ParameterValues> {
    const pages = await allPages(token =>
      this.call('sagemaker:ListPipelineParametersForExecution', () =>
        sagemaker.send(
          new ListPipelineParametersForExecutionCommand({
            PipelineExecutionArn: arn,
            MaxResults: 100,
            NextToken: token,
          }),
        ),
      ),
    );
    const values: ParameterValues = {};
    for (const p of pages.flatMap(page => page?.PipelineParameters ?? [])) {
      if (!p.Name || p.Value === undefined) continue;
      const info = PIPELINE_PARAMETERS.find(i => i.name === p.Name);
      const n = Number(p.Value);
      // SageMaker returns every value as a string; numbers go back as numbers.
      values[p.Name] =
        info && info.type !== 'String' && Number.isFinite(n) ? n : p.Value;
    }
    return values;
  }

  async startExecution(
    r: MlopsResources,
    options: StartExecutionOptions,
  ): Promise<PipelineExecution> {
    const parameters = options.parameters ?? {};
    for (const name of Object.keys(parameters)) {
      if (!PIPELINE_PARAMETERS.some(p => p.name === name)) {
        throw new InputError(`parameters.${name}: unknown pipeline parameter`);
      }
    }
    const { sagemaker } = await this.clients(r);
    // SageMaker wants 32–128 characters; hashing makes any caller token fit
    // while keeping "same token → same execution".
    const token = options.clientRequestToken
      ? createHash('sha256')
          .update(`${r.pipelineName}\n${options.clientRequestToken}`)
          .digest('hex')
      : randomUUID();
    const res = await this.call('sagemaker:StartPipelineExecution', () =>
      sagemaker.send(
        new StartPipelineExecutionCommand({
          PipelineName: r.pipelineName,
          PipelineExecutionDisplayName: toDisplayName(options.displayName),
          PipelineExecutionDescription: executionDescription(
            options.actor.ref,
            options.trigger,
          ),
          PipelineParameters: Object.entries(parameters).map(([Name, v]) => ({
            Name,
            Value: String(v),
          })),
          ClientRequestToken: token,
        }),
      ),
    );
    this.cache.invalidate(this.pipelineKey(r));
    const arn = res?.PipelineExecutionArn;
    if (!arn)
      throw new Error(
        'AWS sagemaker:StartPipelineExecution returned no execution ARN',
      );
    return this.executionAfterWrite(r, arn, {
      trigger: options.trigger,
      triggeredBy: options.actor.ref,
      parameters: { ...parameters },
      displayName: options.displayName,
    });
  }

  /** Describes an execution just written to; falls back to what is known if that fails. */
  private async executionAfterWrite(
    r: MlopsResources,
    arn: string,
    known: Partial<PipelineExecution>,
    status?: PipelineExecution['status'],
  ): Promise<PipelineExecution> {
    try {
      const d = await this.describeExecution(r, arn);
      const e = this.describedToExecution(r, d, known.parameters ?? {});
      return { ...e, ...(status ? { status } : {}) };
    } catch (e) {
      this.logger.debug(`Could not describe ${arn} after a write: ${e}`);
      const now = new Date().toISOString();
      return {
        executionId: arn,
        pipelineName: r.pipelineName,
        status: status ?? 'Executing',
        trigger: 'manual',
        parameters: {},
        createdAt: now,
        ...known,
      };
    }
  }

  async retryExecution(
    r: MlopsResources,
    executionId: string,
    _actor: EngineActor,
  ): Promise<PipelineExecution> {
    // SageMaker retries in place: the execution keeps its ARN and re-runs the failed steps.
    return this.changeExecution(r, executionId, {
      allowed: ['Failed', 'Stopped'],
      verb: 'retried',
      operation: 'sagemaker:RetryPipelineExecution',
      send: (sagemaker, input) =>
        sagemaker.send(new RetryPipelineExecutionCommand(input)),
      status: 'Executing',
    });
  }

  async stopExecution(
    r: MlopsResources,
    executionId: string,
    _actor: EngineActor,
  ): Promise<PipelineExecution> {
    return this.changeExecution(r, executionId, {
      allowed: ['Executing'],
      verb: 'stopped',
      operation: 'sagemaker:StopPipelineExecution',
      send: (sagemaker, input) =>
        sagemaker.send(new StopPipelineExecutionCommand(input)),
      status: 'Stopping',
    });
  }

  /**
   * Retry and stop: refuses (409) unless the execution is in an `allowed`
   * status, sends the call, and reports the execution with its new `status`.
   */
  private async changeExecution(
    r: MlopsResources,
    executionId: string,
    change: {
      allowed: Array<PipelineExecution['status']>;
      verb: string;
      operation: string;
      send: (
        sagemaker: AwsClients['sagemaker'],
        input: { PipelineExecutionArn: string; ClientRequestToken: string },
      ) => Promise<unknown>;
      status: PipelineExecution['status'];
    },
  ): Promise<PipelineExecution> {
    this.assertExecution(r, executionId);
    const d = await this.describeExecution(r, executionId);
    const status = executionStatus(d.PipelineExecutionStatus);
    if (!change.allowed.includes(status)) {
      throw new ConflictError(
        `Execution ${executionId} is ${status}; only ${change.allowed.join(
          ' or ',
        )} executions can be ${change.verb}`,
      );
    }
    const { sagemaker } = await this.clients(r);
    await this.call(change.operation, () =>
      change.send(sagemaker, {
        PipelineExecutionArn: executionId,
        ClientRequestToken: randomUUID(),
      }),
    );
    this.cache.invalidate(this.pipelineKey(r));
    return this.executionAfterWrite(r, executionId, {}, change.status);
  }

  // --- release (CodePipeline) ---------------------------------------------------

  async getReleaseState(
    r: MlopsResources,
  ): Promise<ReleaseStage[] | undefined> {
    if (!r.releasePipelineName) return undefined;
    const state = await this.loadRelease(r);
    return state.stages;
  }

  private async loadRelease(
    r: MlopsResources,
  ): Promise<{ stages: ReleaseStage[]; pending?: PendingApproval }> {
    const name = r.releasePipelineName!;
    return this.cache.getOrLoad(this.releaseKey(r), 'state', async () => {
      const { codepipeline } = await this.clients(r);
      const [state, runs] = await Promise.all([
        this.call('codepipeline:GetPipelineState', () =>
          codepipeline.send(new GetPipelineStateCommand({ name })),
        ),
        this.call('codepipeline:ListPipelineExecutions', () =>
          codepipeline.send(
            new ListReleaseExecutionsCommand({
              pipelineName: name,
              maxResults: 1,
            }),
          ),
        ),
      ]);
      const latest = runs?.pipelineExecutionSummaries?.[0];
      let pending: PendingApproval | undefined;
      const stages = (state?.stageStates ?? []).map(stage => {
        const inLatestRun =
          !latest?.pipelineExecutionId ||
          stage.latestExecution?.pipelineExecutionId ===
            latest.pipelineExecutionId;
        // GetPipelineState shows each stage's own last run; a stage the latest
        // release has not reached yet is NotStarted for that release.
        const status = inLatestRun
          ? releaseStatus(stage.latestExecution?.status)
          : 'NotStarted';
        const actions = stage.actionStates ?? [];
        const times = actions
          .map(a => a.latestExecution?.lastStatusChange)
          .filter((t): t is Date => t instanceof Date)
          .map(t => t.getTime());
        const failed = actions.find(
          a => a.latestExecution?.status === 'Failed',
        );
        const waiting = actions.find(
          a =>
            a.latestExecution?.status === 'InProgress' &&
            a.latestExecution.token,
        );
        const out: ReleaseStage = {
          name: stage.stageName ?? 'Unknown',
          status,
        };
        if (inLatestRun && times.length) {
          out.startTime = new Date(Math.min(...times)).toISOString();
          if (status !== 'InProgress')
            out.endTime = new Date(Math.max(...times)).toISOString();
        }
        const summary =
          failed?.latestExecution?.errorDetails?.message ??
          actions.map(a => a.latestExecution?.summary).find(Boolean);
        if (inLatestRun && summary) out.summary = summary;
        if (
          inLatestRun &&
          status === 'InProgress' &&
          waiting?.latestExecution?.token
        ) {
          out.approvalToken = waiting.latestExecution.token;
          pending = {
            stageName: out.name,
            actionName: waiting.actionName ?? '',
            token: waiting.latestExecution.token,
          };
        }
        return out;
      });
      return { stages, pending };
    });
  }

  // --- registry -----------------------------------------------------------------

  private async listPackageSummaries(r: MlopsResources) {
    return this.cache.getOrLoad(this.groupKey(r), 'summaries', async () => {
      const { sagemaker } = await this.clients(r);
      const pages = await allPages(token =>
        this.call('sagemaker:ListModelPackages', () =>
          sagemaker.send(
            new ListModelPackagesCommand({
              ModelPackageGroupName: r.modelPackageGroupName,
              ModelPackageType: 'Versioned',
              SortBy: 'CreationTime',
              SortOrder: 'Descending',
              MaxResults: 100,
              NextToken: token,
            }),
          ),
        ),
      );
      const all: Array<{
        arn: string;
        version: number;
        createdAt: string;
        approvalStatus?: string;
      }> = [];
      for (const s of pages.flatMap(
        p => (p?.ModelPackageSummaryList ?? []) as ModelPackageSummary[],
      )) {
        if (!s.ModelPackageArn || s.ModelPackageVersion === undefined) continue;
        all.push({
          arn: s.ModelPackageArn,
          version: s.ModelPackageVersion,
          createdAt: iso(s.CreationTime) ?? '',
          approvalStatus: s.ModelApprovalStatus,
        });
      }
      return all.sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) || b.version - a.version,
      );
    });
  }

  // Interim page over the whole list (the aws split brings the real pagination).
  async listModelVersions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>> {
    const all = await this.allModelVersions(r);
    const limit = Math.min(Math.max(Math.floor(options?.limit ?? 50), 1), 200);
    const start = options?.nextToken ? Number(options.nextToken) : 0;
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new InputError('nextToken is not valid');
    }
    const end = start + limit;
    return {
      items: all.slice(start, end),
      nextToken: end < all.length ? String(end) : undefined,
    };
  }

  private async allModelVersions(r: MlopsResources): Promise<ModelVersion[]> {
    return this.cache.getOrLoad(this.groupKey(r), 'versions', async () => {
      const summaries = await this.listPackageSummaries(r);
      const servingArn = await this.servingPackageArn(r);
      const versions = await mapLimit(summaries, DESCRIBE_CONCURRENCY, s =>
        this.loadVersionMemo(r, s.arn, s.approvalStatus),
      );
      return versions.map(v => ({
        ...v,
        deployed: v.modelPackageArn === servingArn,
      }));
    });
  }

  async getModelVersion(
    r: MlopsResources,
    version: number,
  ): Promise<ModelVersion> {
    const summary = await this.findVersion(r, version);
    const [v, servingArn] = await Promise.all([
      this.loadVersion(r, summary.arn),
      this.servingPackageArn(r),
    ]);
    return { ...v, deployed: v.modelPackageArn === servingArn };
  }

  /** Versions are looked up in the entity's group only, so another group's package is never read. */
  private async findVersion(r: MlopsResources, version: number) {
    if (!Number.isInteger(version) || version < 1) {
      throw new InputError(
        `version must be a positive integer, got ${version}`,
      );
    }
    const summary = (await this.listPackageSummaries(r)).find(
      s => s.version === version,
    );
    if (!summary) {
      throw new NotFoundError(
        `Model package group ${r.modelPackageGroupName} has no version ${version}`,
      );
    }
    return summary;
  }

  /**
   * A version's description changes with its approval only, so a list
   * refresh re-describes just the versions whose status changed (or whose
   * memo is older than VERSION_MEMO_MS): a group with many versions costs one
   * ListModelPackages per refresh, not one DescribeModelPackage per version.
   */
  private async loadVersionMemo(
    r: MlopsResources,
    arn: string,
    listedStatus: string | undefined,
  ): Promise<Omit<ModelVersion, 'deployed'>> {
    const memo = this.versionMemo.get(arn);
    if (
      memo &&
      memo.approvalStatus === listedStatus &&
      Date.now() - memo.at < VERSION_MEMO_MS
    ) {
      return memo.value;
    }
    const value = await this.loadVersion(r, arn);
    if (this.versionMemo.size > 2000) this.versionMemo.clear();
    this.versionMemo.set(arn, {
      approvalStatus: listedStatus,
      at: Date.now(),
      value,
    });
    return value;
  }

  private async loadVersion(
    r: MlopsResources,
    arn: string,
  ): Promise<Omit<ModelVersion, 'deployed'>> {
    const { sagemaker } = await this.clients(r);
    const pkg = await this.call('sagemaker:DescribeModelPackage', () =>
      sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: arn }),
      ),
    );
    if (
      pkg?.ModelPackageGroupName &&
      pkg.ModelPackageGroupName !== r.modelPackageGroupName
    ) {
      throw new NotFoundError(
        `Model package ${arn} is not in group ${r.modelPackageGroupName}`,
      );
    }
    const metricsUri = pkg?.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
    const metrics = metricsUri
      ? await this.readMetrics(r, metricsUri)
      : undefined;
    return toModelVersion(r, pkg, metrics);
  }

  private async readMetrics(
    r: MlopsResources,
    uri: string,
  ): Promise<RegressionMetrics | undefined> {
    if (this.metricsByUri.has(uri))
      return this.metricsByUri.get(uri) ?? undefined;
    const loc = parseS3Uri(uri);
    if (!loc) return undefined;
    try {
      const { s3 } = await this.clients(r);
      const obj = await this.call('s3:GetObject', () =>
        s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key })),
      );
      const text = obj?.Body ? await obj.Body.transformToString('utf-8') : '';
      const metrics = parseEvaluationJson(text);
      if (this.metricsByUri.size > 1000) this.metricsByUri.clear();
      this.metricsByUri.set(uri, metrics ?? null);
      return metrics;
    } catch (e) {
      // Metrics are a nice-to-have on a version; a missing report must not hide it.
      this.logger.warn(`Could not read evaluation report ${uri}: ${e}`);
      return undefined;
    }
  }

  async updateModelApproval(
    r: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion> {
    if (options.status !== 'Approved' && options.status !== 'Rejected') {
      throw new InputError('status must be "Approved" or "Rejected"');
    }
    const comment = (options.comment ?? '').trim();
    if (!comment) throw new InputError('comment is required');
    const summaries = await this.listPackageSummaries(r);
    const current = await this.getModelVersion(r, version);
    if (current.approvalStatus === options.status) {
      throw new ConflictError(
        `Version ${version} of ${r.modelPackageGroupName} is already ${options.status}`,
      );
    }
    // The release pipeline waits on the version its ML stage registered last,
    // i.e. the newest in the group; its manual approval is answered with it.
    const isNewest = summaries[0]?.version === version;
    let pending: PendingApproval | undefined;
    if (r.releasePipelineName && isNewest) {
      pending = await this.loadRelease(r)
        .then(s => s.pending)
        .catch(e => {
          this.logger.warn(
            `Could not read release pipeline ${r.releasePipelineName}: ${e}`,
          );
          return undefined;
        });
    }
    const { sagemaker, codepipeline } = await this.clients(r);
    await this.call('sagemaker:UpdateModelPackage', () =>
      sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: current.modelPackageArn,
          ModelApprovalStatus: options.status,
          ApprovalDescription: approvalDescription(
            options.status,
            options.actor.ref,
            comment,
          ),
        }),
      ),
    );
    this.cache.invalidate(this.groupKey(r));
    this.cache.invalidate(this.endpointKey(r));
    this.versionMemo.delete(current.modelPackageArn);
    if (pending) {
      const summary = `${options.status} model version ${version} by ${options.actor.ref}: ${comment}`;
      try {
        await this.call('codepipeline:PutApprovalResult', () =>
          codepipeline.send(
            new PutApprovalResultCommand({
              pipelineName: r.releasePipelineName!,
              stageName: pending!.stageName,
              actionName: pending!.actionName,
              token: pending!.token,
              // CodePipeline caps the summary at 512 characters.
              result: {
                status: options.status,
                summary: summary.slice(0, 512),
              },
            }),
          ),
        );
      } catch (e) {
        // The registry decision stands; the release can still be answered in CodePipeline.
        this.logger.warn(
          `Version ${version} is ${options.status}, but answering the release approval failed: ${e}`,
        );
      }
    }
    this.cache.invalidate(this.releaseKey(r));
    return this.getModelVersion(r, version);
  }

  // --- endpoint -------------------------------------------------------------------

  private async loadEndpoint(
    r: MlopsResources,
  ): Promise<EndpointState | undefined> {
    const state = await this.cache.getOrLoad(
      this.endpointKey(r),
      'state',
      async () => {
        const { sagemaker } = await this.clients(r);
        let endpoint;
        try {
          endpoint = await this.call('sagemaker:DescribeEndpoint', () =>
            sagemaker.send(
              new DescribeEndpointCommand({ EndpointName: r.endpointName }),
            ),
          );
        } catch (e) {
          if (e instanceof NotFoundError) return { missing: true };
          throw e;
        }
        const summary: EndpointSummary = {
          endpointName: r.endpointName,
          status: (endpoint?.EndpointStatus ??
            'Creating') as EndpointSummary['status'],
          lastModifiedTime: iso(endpoint?.LastModifiedTime),
          failureReason: endpoint?.FailureReason,
        };
        const configName = endpoint?.EndpointConfigName;
        const arn = configName
          ? await this.packageOfConfig(r, configName)
          : undefined;
        if (arn) {
          summary.modelPackageArn = arn;
          summary.modelVersion = versionFromArn(arn);
        }
        const pendingConfig =
          endpoint?.PendingDeploymentSummary?.EndpointConfigName;
        const pending =
          pendingConfig && pendingConfig !== configName
            ? {
                endpointConfigName: pendingConfig,
                modelPackageArn: await this.packageOfConfig(r, pendingConfig),
                startTime: iso(endpoint?.PendingDeploymentSummary?.StartTime),
              }
            : undefined;
        return {
          missing: false,
          endpoint: summary,
          endpointConfigName: configName,
          pending,
        };
      },
    );
    return state.missing ? undefined : (state as EndpointState);
  }

  /** EndpointConfig → Model → the container's ModelPackageName: what the endpoint serves. */
  private async packageOfConfig(r: MlopsResources, configName: string) {
    const { sagemaker } = await this.clients(r);
    const config = await this.call('sagemaker:DescribeEndpointConfig', () =>
      sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
      ),
    );
    const modelName = config?.ProductionVariants?.[0]?.ModelName;
    if (!modelName) return undefined;
    const model = await this.call('sagemaker:DescribeModel', () =>
      sagemaker.send(new DescribeModelCommand({ ModelName: modelName })),
    );
    const containers = [model?.PrimaryContainer, ...(model?.Containers ?? [])];
    return containers.find(c => c?.ModelPackageName)?.ModelPackageName;
  }

  private async servingPackageArn(
    r: MlopsResources,
  ): Promise<string | undefined> {
    try {
      return (await this.loadEndpoint(r))?.endpoint.modelPackageArn;
    } catch (e) {
      // The registry is still useful when the endpoint cannot be read.
      this.logger.debug(`Could not read endpoint ${r.endpointName}: ${e}`);
      return undefined;
    }
  }

  async listDeployments(r: MlopsResources): Promise<DeploymentsResponse> {
    const state = await this.loadEndpoint(r);
    if (!state) return { deployments: [] };
    const { endpoint, pending } = state;
    // SageMaker keeps no deployment history: what is known is the config the
    // endpoint runs and, during an update, the config it is moving to.
    const deployments: Deployment[] = [];
    const pendingVersion = pending?.modelPackageArn
      ? versionFromArn(pending.modelPackageArn)
      : undefined;
    if (pending?.modelPackageArn && pendingVersion !== undefined) {
      deployments.push({
        deploymentId: pending.endpointConfigName,
        endpointName: endpoint.endpointName,
        modelVersion: pendingVersion,
        modelPackageArn: pending.modelPackageArn,
        status: 'Updating',
        deployedAt:
          pending.startTime ??
          endpoint.lastModifiedTime ??
          new Date(0).toISOString(),
        current: false,
      });
    }
    if (endpoint.modelPackageArn && endpoint.modelVersion !== undefined) {
      deployments.push({
        deploymentId: state.endpointConfigName ?? endpoint.endpointName,
        endpointName: endpoint.endpointName,
        modelVersion: endpoint.modelVersion,
        modelPackageArn: endpoint.modelPackageArn,
        status: endpoint.status,
        deployedAt: endpoint.lastModifiedTime ?? new Date(0).toISOString(),
        current: true,
      });
    }
    return { endpoint, deployments };
  }

  // --- data ---------------------------------------------------------------------

  async uploadDataset(
    r: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    const target = parseS3Uri(
      r.dataBucketUri ?? this.options.dataBucketUri ?? '',
    );
    if (!target) {
      throw new InputError(
        'No data bucket is configured for this entity: set the mlops.io/data-bucket annotation or mlops.aws.dataBucket',
      );
    }
    const fileName = safeFileName(options.fileName);
    // Validate before anything reaches S3: a bad row would start a release on bad data.
    const parsed = parseAbaloneCsv(options.content.toString('utf8'), {
      policy: 'reject',
    });
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      throw new DatasetValidationError(
        `${fileName}: ${parsed.errors.length} row error(s); first: row ${first.row}, column ${first.column}: ${first.reason}`,
        parsed.errors,
      );
    }
    if (parsed.records.length === 0) {
      throw new DatasetValidationError(
        `${fileName}: the file has no data rows`,
        [{ row: 1, column: '(file)', reason: 'the file has no data rows' }],
      );
    }
    const prefix =
      target.key === '' ? DEFAULT_DATA_PREFIX : target.key.replace(/\/?$/, '/');
    const now = new Date();
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const key = `${prefix}${stamp}-${fileName}`;
    const sha256 = createHash('sha256').update(options.content);
    const digest = sha256.digest();
    const { s3 } = await this.clients(r);
    const res = await this.call('s3:PutObject', () =>
      s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: options.content,
          ContentType: 'text/csv',
          // S3 rejects the object if the bytes differ from what was validated.
          ChecksumSHA256: digest.toString('base64'),
          Metadata: {
            'uploaded-by': options.actor.ref,
            'row-count': String(parsed.records.length),
          },
        }),
      ),
    );
    this.cache.invalidate(this.pipelineKey(r));
    this.cache.invalidate(this.releaseKey(r));
    // The Lambda in the data stack writes the real manifest and starts the
    // release asynchronously; this describes what was put.
    return {
      manifest: {
        manifestId: `upload-${stamp}`,
        uri: `s3://${target.bucket}/${key}`,
        files: [
          {
            key,
            size: options.content.length,
            sha256: digest.toString('hex'),
            etag: res?.ETag,
            versionId: res?.VersionId,
            rowCount: parsed.records.length,
          },
        ],
        rowCount: parsed.records.length,
        createdAt: now.toISOString(),
        createdBy: options.actor.ref,
      },
    };
  }

  // --- predict ------------------------------------------------------------------

  async predict(
    r: MlopsResources,
    instances: AbaloneFeatures[],
  ): Promise<PredictResponse> {
    if (!Array.isArray(instances) || instances.length === 0) {
      throw new InputError('instances must hold at least one item');
    }
    const state = await this.loadEndpoint(r);
    if (!state) {
      throw new ServiceUnavailableError(
        `Endpoint ${r.endpointName} does not exist yet; approve a model version to deploy it`,
      );
    }
    // An Updating endpoint keeps serving the old variant until the new one is in.
    if (
      state.endpoint.status !== 'InService' &&
      state.endpoint.status !== 'Updating'
    ) {
      throw new ServiceUnavailableError(
        `Endpoint ${r.endpointName} is ${state.endpoint.status}, not InService`,
      );
    }
    const { runtime } = await this.clients(r);
    const res = await this.call('sagemaker:InvokeEndpoint', () =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: r.endpointName,
          ContentType: 'text/csv',
          Accept: 'text/csv',
          Body: Buffer.from(toInvokeCsv(instances), 'utf8'),
        }),
      ),
    );
    const text = res?.Body ? Buffer.from(res.Body).toString('utf8') : '';
    let rings: number[];
    try {
      rings = parseInvokeResponse(text);
    } catch {
      throw new Error(
        `Endpoint ${r.endpointName} returned a response that is not CSV or JSON`,
      );
    }
    if (
      rings.length !== instances.length ||
      rings.some(v => !Number.isFinite(v))
    ) {
      throw new Error(
        `Endpoint ${r.endpointName} returned ${rings.length} prediction(s) for ${instances.length} instance(s)`,
      );
    }
    return {
      predictions: rings.map(v => ({ rings: v, age: ageFromRings(v) })),
      modelVersion: state.endpoint.modelVersion ?? 0,
      endpointName: r.endpointName,
    };
  }
}

/** Names of the two containers of the registered PipelineModel, in order. */
const PIPELINE_MODEL_ARTIFACTS = ['preprocessor', 'model'];

// --- helpers ----------------------------------------------------------------------

function toModelVersion(
  r: MlopsResources,
  pkg: DescribeModelPackageCommandOutput | undefined,
  metrics: RegressionMetrics | undefined,
): Omit<ModelVersion, 'deployed'> {
  if (!pkg?.ModelPackageArn || pkg.ModelPackageVersion === undefined) {
    throw new NotFoundError('Model package not found');
  }
  const containers = pkg.InferenceSpecification?.Containers ?? [];
  const artifacts: ModelArtifact[] = containers
    .filter(c => c.ModelDataUrl)
    .map((c, i, all) => ({
      // The registered PipelineModel is [sklearn preprocessor, xgboost model].
      name:
        all.length === 2 ? PIPELINE_MODEL_ARTIFACTS[i] : `container-${i + 1}`,
      uri: c.ModelDataUrl!,
    }));
  const evaluation = pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  if (evaluation) artifacts.push({ name: 'evaluation', uri: evaluation });
  const generatedBy = pkg.MetadataProperties?.GeneratedBy;
  return {
    modelPackageGroupName: pkg.ModelPackageGroupName ?? r.modelPackageGroupName,
    version: pkg.ModelPackageVersion,
    modelPackageArn: pkg.ModelPackageArn,
    approvalStatus: approvalStatus(pkg.ModelApprovalStatus),
    approvalDescription: pkg.ApprovalDescription,
    createdAt: iso(pkg.CreationTime) ?? new Date(0).toISOString(),
    createdBy: generatedBy
      ? 'pipeline'
      : pkg.CreatedBy?.UserProfileName ?? pkg.CreatedBy?.IamIdentity?.Arn,
    executionId:
      generatedBy && /:pipeline\/.+\/execution\//.test(generatedBy)
        ? generatedBy
        : undefined,
    metrics,
    artifacts,
    approvalHistory: approvalHistory(pkg),
  };
}

const METADATA_TYPES: Record<string, string> = {
  ProcessingJob: 'Processing',
  TrainingJob: 'Training',
  Condition: 'Condition',
  RegisterModel: 'RegisterModel',
  Model: 'Model',
  Fail: 'Fail',
  Lambda: 'Lambda',
  TransformJob: 'Transform',
};

/** Merges the definition's DAG with the steps that ran (latest attempt per step). */
export function buildSteps(
  definition: Array<{ name: string; type: string; dependsOn: string[] }>,
  runtime: PipelineExecutionStep[],
): PipelineStep[] {
  const latest = new Map<string, PipelineExecutionStep>();
  for (const s of runtime) {
    if (!s.StepName) continue;
    const prev = latest.get(s.StepName);
    const t = s.StartTime?.getTime() ?? 0;
    if (!prev || t >= (prev.StartTime?.getTime() ?? 0))
      latest.set(s.StepName, s);
  }
  const steps: PipelineStep[] = definition.map(d =>
    toStep(d.name, d.type, d.dependsOn, latest.get(d.name)),
  );
  for (const [name, s] of latest) {
    if (!definition.some(d => d.name === name)) {
      steps.push(toStep(name, undefined, [], s));
    }
  }
  return steps;
}

function toStep(
  name: string,
  type: string | undefined,
  dependsOn: string[],
  s: PipelineExecutionStep | undefined,
): PipelineStep {
  const step: PipelineStep = {
    name,
    type: type ?? 'Unknown',
    dependsOn,
    status: s ? stepStatus(s.StepStatus) : 'NotStarted',
  };
  if (!s) return step;
  const meta = s.Metadata ?? {};
  if (!type) {
    const kind = Object.keys(meta).find(k => (meta as any)[k] !== undefined);
    if (kind && METADATA_TYPES[kind]) step.type = METADATA_TYPES[kind];
  }
  step.startTime = iso(s.StartTime);
  step.endTime = iso(s.EndTime);
  const failure = s.FailureReason ?? meta.Fail?.ErrorMessage;
  if (failure) step.failureReason = failure;
  const metadata: Record<string, unknown> = {};
  if (meta.ProcessingJob?.Arn)
    metadata.processingJobArn = meta.ProcessingJob.Arn;
  if (meta.TrainingJob?.Arn) metadata.trainingJobArn = meta.TrainingJob.Arn;
  if (meta.RegisterModel?.Arn)
    metadata.modelPackageArn = meta.RegisterModel.Arn;
  if (meta.Model?.Arn) metadata.modelArn = meta.Model.Arn;
  if (meta.Lambda?.Arn) metadata.lambdaArn = meta.Lambda.Arn;
  if (s.AttemptCount !== undefined) metadata.attemptCount = s.AttemptCount;
  if (s.CacheHitResult?.SourcePipelineExecutionArn) {
    metadata.cacheHitSource = s.CacheHitResult.SourcePipelineExecutionArn;
  }
  if (Object.keys(metadata).length) step.metadata = metadata;
  if (meta.Condition?.Outcome)
    step.outputs = { conditionOutcome: meta.Condition.Outcome };
  if (meta.RegisterModel?.Arn) {
    step.outputs = { ...step.outputs, modelPackageArn: meta.RegisterModel.Arn };
  }
  return step;
}

/** `arn:...:model-package/<group>/<version>` → version. */
export function versionFromArn(arn: string): number | undefined {
  const m = /\/(\d+)$/.exec(arn);
  return m ? Number(m[1]) : undefined;
}

/** SageMaker display names: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}`. */
function toDisplayName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const cleaned = name
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 82)
    .replace(/-+$/, '');
  return cleaned || undefined;
}

/** Keeps object keys predictable: base name, safe characters only. */
function safeFileName(name: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned.slice(-100) || 'dataset.csv';
}

/** Follows NextToken until the last page. */
async function allPages<P extends { NextToken?: string }>(
  fetchPage: (token: string | undefined) => Promise<P | undefined>,
): Promise<Array<P | undefined>> {
  const pages: Array<P | undefined> = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    pages.push(page);
    token = page?.NextToken;
  } while (token);
  return pages;
}

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return out;
}
