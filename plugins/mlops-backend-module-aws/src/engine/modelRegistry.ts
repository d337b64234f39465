import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  UpdateModelPackageCommand,
  paginateListModelPackages,
  type DescribeModelPackageCommandOutput,
  type ListModelPackagesCommandInput,
  type ModelPackageSummary,
} from '@aws-sdk/client-sagemaker';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ALL_AT_ONCE,
  deploymentStrategySchema,
  type DeploymentStrategy,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ListResponse,
  MlopsResources,
  ModelArtifact,
  ModelSignature,
  ModelTask,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  ListOptions,
} from '@mlops-portal/plugin-mlops-node';
import { LRUCache } from 'lru-cache';
import { pageLimit, pages, type ClientContext } from './clientContext';
import type { Endpoint } from './endpoint';
import type { EvaluationReports } from './evaluationReports';
import {
  approvalDescription,
  approvalHistory,
  approvalStatus,
  iso,
} from './mappers';
import type { ReleasePipeline } from './releasePipeline';
import type { EvaluationReport } from './mappers';
import { SIGNATURE_METADATA_KEY, type ModelSignatures } from './signatures';
import {
  DEPLOYMENT_METADATA_KEY,
  encodeDeploymentMetadata,
} from './rolloutMapping';

type StoredVersion = Omit<ModelVersion, 'deployed'>;

interface PackageSummary {
  arn: string;
  version: number;
  createdAt: string;
  approvalStatus?: string;
}

const DESCRIBE_CONCURRENCY = 4;
const VERSION_MEMO_MS = 5 * 60_000;
const DEFAULT_VERSIONS_PAGE = 50;
/** ListModelPackages returns at most 100 per page; a larger limit gets 100 and a nextToken. */
const MAX_VERSIONS_PAGE = 100;

/** Names of the two containers of the registered PipelineModel, in order. */
const PIPELINE_MODEL_ARTIFACTS = ['preprocessor', 'model'];

/** The SageMaker model registry: the entity's package group, its versions and approvals. */
export class ModelRegistry {
  /**
   * A version's description changes with its approval only, so a list
   * refresh re-describes just the versions whose status changed (or whose
   * memo is older than VERSION_MEMO_MS): a group with many versions costs one
   * ListModelPackages per refresh, not one DescribeModelPackage per version.
   */
  private readonly memo = new LRUCache<
    string,
    { approvalStatus?: string; value: StoredVersion }
  >({ max: 2000, ttl: VERSION_MEMO_MS });

  constructor(
    private readonly ctx: ClientContext,
    private readonly parts: {
      reports: EvaluationReports;
      signatures: ModelSignatures;
      endpoint: Endpoint;
      release: ReleasePipeline;
    },
  ) {}

  private groupQuery(r: MlopsResources): ListModelPackagesCommandInput {
    return {
      ModelPackageGroupName: r.modelPackageGroupName,
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    };
  }

  /** Every version of the group (all pages), newest first. */
  private listPackageSummaries(r: MlopsResources): Promise<PackageSummary[]> {
    return this.ctx.cached(r, 'group', 'summaries', async () => {
      const { sagemaker } = await this.ctx.clients(r);
      const all: PackageSummary[] = [];
      await this.ctx.call('sagemaker:ListModelPackages', async () => {
        for await (const page of paginateListModelPackages(
          pages(sagemaker, 100),
          this.groupQuery(r),
        )) {
          all.push(...toSummaries(page?.ModelPackageSummaryList));
        }
      });
      return all.sort(
        (a, b) =>
          b.createdAt.localeCompare(a.createdAt) || b.version - a.version,
      );
    });
  }

  /** One page of versions, newest first, with ListModelPackages' own paging. */
  async listModelVersions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>> {
    const limit = pageLimit(
      options?.limit,
      DEFAULT_VERSIONS_PAGE,
      MAX_VERSIONS_PAGE,
    );
    const key = `versions:${limit}:${options?.nextToken ?? ''}`;
    return this.ctx.cached(r, 'group', key, async () => {
      const { sagemaker } = await this.ctx.clients(r);
      const page = await this.ctx.callPage(
        'sagemaker:ListModelPackages',
        options?.nextToken,
        () =>
          sagemaker.send(
            new ListModelPackagesCommand({
              ...this.groupQuery(r),
              MaxResults: limit,
              NextToken: options?.nextToken,
            }),
          ),
      );
      const items = await this.describeAll(
        r,
        toSummaries(page?.ModelPackageSummaryList),
      );
      return page?.NextToken ? { items, nextToken: page.NextToken } : { items };
    });
  }

  /** Every version, described (what executions are joined with). */
  allVersions(r: MlopsResources): Promise<ModelVersion[]> {
    return this.ctx.cached(r, 'group', 'all-versions', async () =>
      this.describeAll(r, await this.listPackageSummaries(r)),
    );
  }

  private async describeAll(
    r: MlopsResources,
    summaries: PackageSummary[],
  ): Promise<ModelVersion[]> {
    const servingArn = await this.parts.endpoint.servingPackageArn(r);
    const versions = await mapLimit(summaries, DESCRIBE_CONCURRENCY, s =>
      this.loadVersionMemo(r, s.arn, s.approvalStatus),
    );
    return versions.map(v => ({
      ...v,
      deployed: v.modelPackageArn === servingArn,
    }));
  }

  async getModelVersion(
    r: MlopsResources,
    version: number,
  ): Promise<ModelVersion> {
    const summary = await this.findVersion(r, version);
    const [v, servingArn] = await Promise.all([
      this.loadVersion(r, summary.arn),
      this.parts.endpoint.servingPackageArn(r),
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

  private async loadVersionMemo(
    r: MlopsResources,
    arn: string,
    listedStatus: string | undefined,
  ): Promise<StoredVersion> {
    const memo = this.memo.get(arn);
    if (memo && memo.approvalStatus === listedStatus) return memo.value;
    const value = await this.loadVersion(r, arn);
    this.memo.set(arn, { approvalStatus: listedStatus, value });
    return value;
  }

  async loadVersion(r: MlopsResources, arn: string): Promise<StoredVersion> {
    const pkg = await this.describe(r, arn);
    const metricsUri = pkg?.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
    const report = metricsUri
      ? await this.parts.reports.readReport(r, metricsUri)
      : undefined;
    return toModelVersion(r, pkg, report);
  }

  /** DescribeModelPackage of a package of the entity's group (NotFoundError for another group's). */
  private async describe(
    r: MlopsResources,
    arn: string,
  ): Promise<DescribeModelPackageCommandOutput> {
    const { sagemaker } = await this.ctx.clients(r);
    const pkg = await this.ctx.call('sagemaker:DescribeModelPackage', () =>
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
    return pkg;
  }

  /** The signature a version of the entity's group was registered with. */
  async getModelSignature(
    r: MlopsResources,
    version: number,
  ): Promise<ModelSignature> {
    const summary = await this.findVersion(r, version);
    return this.parts.signatures.read(r, await this.describe(r, summary.arn));
  }

  /** The signature of the package with this ARN (the one an endpoint serves). */
  async signatureOfPackage(
    r: MlopsResources,
    arn: string,
  ): Promise<ModelSignature> {
    return this.parts.signatures.read(r, await this.describe(r, arn));
  }

  /** The newest version's signature, or undefined when the group has none with one. */
  async newestSignature(
    r: MlopsResources,
  ): Promise<ModelSignature | undefined> {
    const newest = (await this.listPackageSummaries(r))[0];
    if (!newest) return undefined;
    try {
      return await this.signatureOfPackage(r, newest.arn);
    } catch (e) {
      if ((e as Error)?.name === 'NotFoundError') return undefined;
      throw e;
    }
  }

  /**
   * The newest Approved version other than the served package: what the
   * release's Deploy stage moves the endpoint to, so what a rolled-back
   * update had tried to deploy.
   */
  async newestApprovedOtherThan(
    r: MlopsResources,
    servingArn: string | undefined,
  ): Promise<number | undefined> {
    return (await this.listPackageSummaries(r)).find(
      s => s.approvalStatus === 'Approved' && s.arn !== servingArn,
    )?.version;
  }

  /**
   * A version listed in the entity's group, described as SageMaker answers
   * (NotFoundError when the group lists no such version). The caller checks
   * ModelPackageGroupName before using the package for anything.
   */
  async describeVersion(r: MlopsResources, version: number) {
    const summary = await this.findVersion(r, version);
    const { sagemaker } = await this.ctx.clients(r);
    return this.ctx.call('sagemaker:DescribeModelPackage', () =>
      sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: summary.arn }),
      ),
    );
  }

  async updateModelApproval(
    r: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion> {
    if (options.status !== 'Approved' && options.status !== 'Rejected') {
      throw new InputError('status must be "Approved" or "Rejected"');
    }
    const status = options.status;
    const comment = (options.comment ?? '').trim();
    if (!comment) throw new InputError('comment is required');
    // Before any AWS call: the strategy infra's Deploy stage will read.
    const deployment =
      status === 'Approved'
        ? deploymentMetadata(options.deployment)
        : undefined;
    const summaries = await this.listPackageSummaries(r);
    const current = await this.getModelVersion(r, version);
    if (current.approvalStatus === status) {
      throw new ConflictError(
        `Version ${version} of ${r.modelPackageGroupName} is already ${status}`,
      );
    }
    // The release pipeline waits on the version its ML stage registered last,
    // i.e. the newest in the group; its manual approval is answered with it.
    const isNewest = summaries[0]?.version === version;
    const pending = isNewest
      ? await this.parts.release.pendingApproval(r)
      : undefined;
    const { sagemaker } = await this.ctx.clients(r);
    await this.ctx.call('sagemaker:UpdateModelPackage', () =>
      sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: current.modelPackageArn,
          ModelApprovalStatus: status,
          ApprovalDescription: approvalDescription(
            status,
            options.actor.ref,
            comment,
          ),
          // SageMaker merges these into the package's metadata.
          ...(deployment
            ? {
                CustomerMetadataProperties: {
                  [DEPLOYMENT_METADATA_KEY]: deployment,
                },
              }
            : {}),
        }),
      ),
    );
    this.ctx.invalidate(r, 'group', 'endpoint');
    this.memo.delete(current.modelPackageArn);
    if (pending) {
      const summary = `${status} model version ${version} by ${options.actor.ref}: ${comment}`;
      try {
        await this.parts.release.answerApproval(r, pending, {
          status,
          summary,
        });
      } catch (e) {
        // The registry decision stands; the release can still be answered in CodePipeline.
        this.ctx.logger.warn(
          `Version ${version} is ${status}, but answering the release approval failed: ${e}`,
        );
      }
    }
    this.ctx.invalidate(r, 'release');
    return this.getModelVersion(r, version);
  }
}

/**
 * An approval's strategy as package metadata: the one given (limits checked,
 * 400 naming the field), else all at once, so an older approval's strategy
 * never carries over to this one.
 */
function deploymentMetadata(deployment: DeploymentStrategy | undefined) {
  const parsed = deploymentStrategySchema.safeParse(deployment ?? ALL_AT_ONCE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `deployment.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return encodeDeploymentMetadata(parsed.data);
}

function toSummaries(
  list: ModelPackageSummary[] | undefined,
): PackageSummary[] {
  const out: PackageSummary[] = [];
  for (const s of list ?? []) {
    if (!s.ModelPackageArn || s.ModelPackageVersion === undefined) continue;
    out.push({
      arn: s.ModelPackageArn,
      version: s.ModelPackageVersion,
      createdAt: iso(s.CreationTime) ?? '',
      approvalStatus: s.ModelApprovalStatus,
    });
  }
  return out;
}

function toModelVersion(
  r: MlopsResources,
  pkg: DescribeModelPackageCommandOutput | undefined,
  report: EvaluationReport | undefined,
): StoredVersion {
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
  const signature = pkg.CustomerMetadataProperties?.[SIGNATURE_METADATA_KEY];
  if (signature) artifacts.push({ name: 'signature', uri: signature });
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
    ...taskOf(pkg, report),
    ...(report ? { metrics: report.metrics } : {}),
    artifacts,
    approvalHistory: approvalHistory(pkg),
  };
}

/** Register's `mlops:task` says what the version predicts; else its report's section does. */
const TASK_METADATA_KEY = 'mlops:task';
const TASKS: readonly ModelTask[] = ['regression', 'binary', 'multiclass'];

function taskOf(
  pkg: DescribeModelPackageCommandOutput,
  report: EvaluationReport | undefined,
): { task?: ModelTask } {
  const declared = pkg.CustomerMetadataProperties?.[TASK_METADATA_KEY];
  const task = TASKS.find(t => t === declared) ?? report?.task;
  return task ? { task } : {};
}

/** Runs `fn` over `items`, at most `limit` at a time (DescribeModelPackage has a low TPS). */
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
