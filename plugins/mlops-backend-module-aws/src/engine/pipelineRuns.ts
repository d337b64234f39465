import { createHash, randomUUID } from 'crypto';
import {
  DescribePipelineCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  RetryPipelineExecutionCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  paginateListPipelineExecutionSteps,
  paginateListPipelineParametersForExecution,
  type DescribePipelineExecutionCommandOutput,
  type PipelineExecutionStep,
  type PipelineExecutionSummary,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  ConflictError,
  InputError,
  NotFoundError,
  isError,
} from '@backstage/errors';
import {
  GATE_PARAMETER,
  PIPELINE_PARAMETERS,
  type ListResponse,
  type MlopsResources,
  type ModelVersion,
  type ParameterValues,
  type PipelineExecution,
  type PipelineExecutionDetail,
  type ModelMetrics,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ListOptions,
  StartExecutionOptions,
} from '@mlops-portal/plugin-mlops-node';
import { pageLimit, pages, type ClientContext } from './clientContext';
import {
  executionBelongsTo,
  executionDescription,
  executionStatus,
  iso,
  parseExecutionDescription,
  parsePipelineDefinition,
  pipelineParameterNames,
  type DefinitionStep,
} from './mappers';
import { buildSteps } from './pipelineSteps';

const TERMINAL = new Set(['Stopped', 'Failed', 'Succeeded']);
const DEFAULT_PAGE_SIZE = 20;

/** What runs need from the registry: the versions executions registered. */
export interface RegisteredVersions {
  allVersions(r: MlopsResources): Promise<ModelVersion[]>;
  loadVersion(
    r: MlopsResources,
    arn: string,
  ): Promise<Omit<ModelVersion, 'deployed'>>;
}

/** SageMaker Pipelines: the entity's pipeline executions, their DAG and run controls. */
export class PipelineRuns {
  constructor(
    private readonly ctx: ClientContext,
    private readonly registry: RegisteredVersions,
  ) {}

  private assertExecution(r: MlopsResources, executionId: string) {
    if (
      !executionBelongsTo(
        executionId,
        r.pipelineName,
        this.ctx.target(r).region,
      )
    ) {
      // Same answer as for an unknown id, so ids of other pipelines are not probed.
      throw new NotFoundError(
        `No execution ${executionId} of pipeline ${r.pipelineName}`,
      );
    }
  }

  async listExecutions(
    r: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>> {
    // SageMaker accepts 1..100 per page.
    const limit = pageLimit(options?.limit, DEFAULT_PAGE_SIZE, 100);
    const page = await this.ctx.cached(
      r,
      'pipeline',
      `executions:${limit}:${options?.nextToken ?? ''}`,
      async () => {
        const { sagemaker } = await this.ctx.clients(r);
        const res = await this.ctx.callPage(
          'sagemaker:ListPipelineExecutions',
          options?.nextToken,
          () =>
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
          summaryToExecution(r, s),
        );
        return { items, nextToken: res?.NextToken };
      },
    );
    // Join the versions the executions registered (metrics, version number).
    const versions = await this.registry.allVersions(r).catch(e => {
      this.ctx.logger.debug(
        `Could not join model versions to executions: ${e}`,
      );
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

  private async describeExecution(r: MlopsResources, arn: string) {
    const { sagemaker } = await this.ctx.clients(r);
    return this.ctx.call('sagemaker:DescribePipelineExecution', () =>
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
    const { sagemaker } = await this.ctx.clients(r);
    const described = await this.describeExecution(r, executionId);
    // what could not be read, so the detail is incomplete (shown on the card)
    const warnings: string[] = [];
    const [runtimeSteps, parameters, definition] = await Promise.all([
      this.listAllSteps(sagemaker, executionId),
      this.listParameters(sagemaker, executionId),
      this.ctx
        .call('sagemaker:DescribePipelineDefinitionForExecution', () =>
          sagemaker.send(
            new DescribePipelineDefinitionForExecutionCommand({
              PipelineExecutionArn: executionId,
            }),
          ),
        )
        .catch(e => {
          // No definition (NotFound): the DAG shows the steps that ran. A
          // refused or throttled read is the caller's error, not a smaller DAG.
          if (e instanceof NotFoundError) {
            warnings.push(
              'The pipeline definition of this execution was not found: steps are shown without their edges',
            );
            return undefined;
          }
          throw e;
        }),
    ]);
    const execution = describedToExecution(r, described, parameters);
    let definitionSteps: DefinitionStep[] = [];
    try {
      definitionSteps = parsePipelineDefinition(definition?.PipelineDefinition);
    } catch (e) {
      this.ctx.logger.warn(`Execution ${executionId}: ${(e as Error).message}`);
      warnings.push(
        'The pipeline definition of this execution could not be read (not valid JSON): steps are shown without their edges',
      );
    }
    const steps = buildSteps(definitionSteps, runtimeSteps);
    const current = steps.find(
      s => s.status === 'Executing' || s.status === 'Starting',
    );
    const registered = steps.find(
      s => typeof s.metadata?.modelPackageArn === 'string',
    )?.metadata?.modelPackageArn as string | undefined;
    let modelVersion: number | undefined;
    let metrics: ModelMetrics | undefined;
    if (registered) {
      try {
        const v = await this.registry.loadVersion(r, registered);
        modelVersion = v.version;
        metrics = v.metrics;
      } catch (e) {
        // a package deleted since: the run still shows; refused/throttled is an error
        if (!(e instanceof NotFoundError)) throw e;
        this.ctx.logger.warn(
          `Execution ${executionId}: model package ${registered} no longer exists`,
        );
        warnings.push(
          'The model package this execution registered no longer exists: its version and metrics are not shown',
        );
      }
    }
    return {
      ...execution,
      currentStep: current?.name,
      modelVersion,
      metrics,
      steps,
      ...(warnings.length ? { warnings } : {}),
    };
  }

  private async listAllSteps(
    sagemaker: SageMakerClient,
    arn: string,
  ): Promise<PipelineExecutionStep[]> {
    return this.ctx.call('sagemaker:ListPipelineExecutionSteps', async () => {
      const steps: PipelineExecutionStep[] = [];
      for await (const page of paginateListPipelineExecutionSteps(
        pages(sagemaker, 100),
        { PipelineExecutionArn: arn, SortOrder: 'Ascending' },
      )) {
        steps.push(...(page?.PipelineExecutionSteps ?? []));
      }
      return steps;
    });
  }

  private async listParameters(
    sagemaker: SageMakerClient,
    arn: string,
  ): Promise<ParameterValues> {
    const values: ParameterValues = {};
    await this.ctx.call(
      'sagemaker:ListPipelineParametersForExecution',
      async () => {
        for await (const page of paginateListPipelineParametersForExecution(
          pages(sagemaker, 100),
          { PipelineExecutionArn: arn },
        )) {
          for (const p of page?.PipelineParameters ?? []) {
            if (!p.Name || p.Value === undefined) continue;
            const info = PIPELINE_PARAMETERS.find(i => i.name === p.Name);
            const n = Number(p.Value);
            // SageMaker returns every value as a string; numbers go back as numbers.
            // Older pipelines recorded the gate as a run parameter: a number too.
            const numeric =
              (info && info.type !== 'String') || p.Name === GATE_PARAMETER;
            values[p.Name] = numeric && Number.isFinite(n) ? n : p.Value;
          }
        }
      },
    );
    return values;
  }

  /** Parameter names the pipeline's current definition declares. */
  private async declaredParameters(
    sagemaker: SageMakerClient,
    pipelineName: string,
  ): Promise<Set<string>> {
    const res = await this.ctx.call('sagemaker:DescribePipeline', () =>
      sagemaker.send(
        new DescribePipelineCommand({ PipelineName: pipelineName }),
      ),
    );
    return new Set(pipelineParameterNames(res.PipelineDefinition));
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
    const { sagemaker } = await this.ctx.clients(r);
    if (Object.keys(parameters).length > 0) {
      // Send only what this pipeline declares: SageMaker would fail the
      // start on an undeclared name, and pipelines differ (infra's fixes the
      // gate from the spec and has no MseThreshold).
      const declared = await this.declaredParameters(sagemaker, r.pipelineName);
      const unknown = Object.keys(parameters).filter(n => !declared.has(n));
      if (unknown.length > 0) {
        throw new InputError(
          `parameters.${unknown[0]}: pipeline ${
            r.pipelineName
          } does not declare this parameter (it declares ${
            [...declared].join(', ') || 'none'
          })`,
        );
      }
    }
    // SageMaker wants 32–128 characters; hashing makes any caller token fit
    // while keeping "same token → same execution".
    const token = options.clientRequestToken
      ? createHash('sha256')
          .update(`${r.pipelineName}\n${options.clientRequestToken}`)
          .digest('hex')
      : randomUUID();
    const res = await this.ctx.call('sagemaker:StartPipelineExecution', () =>
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
    this.ctx.invalidate(r, 'pipeline');
    const arn = res?.PipelineExecutionArn;
    if (!arn)
      throw new Error(
        'AWS sagemaker:StartPipelineExecution returned no execution ARN',
      );
    return this.executionAfterWrite(
      r,
      arn,
      { ...parameters },
      'The execution was started',
    );
  }

  /**
   * Describes an execution just written to. When that read fails the write
   * still happened: the error says so and keeps its class (403 refused, 503
   * throttled), rather than a made-up execution standing in for the real one.
   */
  private async executionAfterWrite(
    r: MlopsResources,
    arn: string,
    parameters: ParameterValues,
    done: string,
    status?: PipelineExecution['status'],
  ): Promise<PipelineExecution> {
    let d;
    try {
      d = await this.describeExecution(r, arn);
    } catch (e) {
      throw readBackFailed(e, done);
    }
    const e = describedToExecution(r, d, parameters);
    return { ...e, ...(status ? { status } : {}) };
  }

  /** SageMaker retries in place: the execution keeps its ARN and re-runs the failed steps. */
  retryExecution(r: MlopsResources, executionId: string) {
    return this.changeExecution(r, executionId, {
      allowed: ['Failed', 'Stopped'],
      verb: 'retried',
      operation: 'sagemaker:RetryPipelineExecution',
      send: (sagemaker, input) =>
        sagemaker.send(new RetryPipelineExecutionCommand(input)),
      status: 'Executing',
    });
  }

  stopExecution(r: MlopsResources, executionId: string) {
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
        sagemaker: SageMakerClient,
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
    const { sagemaker } = await this.ctx.clients(r);
    await this.ctx.call(change.operation, () =>
      change.send(sagemaker, {
        PipelineExecutionArn: executionId,
        ClientRequestToken: randomUUID(),
      }),
    );
    this.ctx.invalidate(r, 'pipeline');
    return this.executionAfterWrite(
      r,
      executionId,
      {},
      `The execution was ${change.verb}`,
      change.status,
    );
  }
}

/** `e` (an engine error) with what had already happened in front; same class, so same HTTP status. */
function readBackFailed(e: unknown, done: string): Error {
  const message = `${done}, but reading it back failed: ${
    isError(e) ? e.message : String(e)
  }`;
  if (!isError(e)) return new Error(message);
  const copy = new (e.constructor as new (m: string) => Error)(message);
  copy.name = e.name;
  return copy;
}

/** The fields a summary and a description share, under the names of either. */
function toExecution(
  r: MlopsResources,
  e: {
    arn?: string;
    displayName?: string;
    status?: string;
    description?: string;
    created?: Date;
    failureReason?: string;
  },
): PipelineExecution {
  const created = iso(e.created) ?? new Date(0).toISOString();
  return {
    executionId: e.arn ?? '',
    pipelineName: r.pipelineName,
    displayName: e.displayName,
    status: executionStatus(e.status),
    ...parseExecutionDescription(e.description),
    parameters: {},
    createdAt: created,
    startTime: created,
    failureReason: e.failureReason,
  };
}

function summaryToExecution(r: MlopsResources, s: PipelineExecutionSummary) {
  return toExecution(r, {
    arn: s.PipelineExecutionArn,
    displayName: s.PipelineExecutionDisplayName,
    status: s.PipelineExecutionStatus,
    description: s.PipelineExecutionDescription,
    created: s.StartTime,
    failureReason: s.PipelineExecutionFailureReason,
  });
}

function describedToExecution(
  r: MlopsResources,
  d: DescribePipelineExecutionCommandOutput,
  parameters: ParameterValues,
): PipelineExecution {
  const execution = toExecution(r, {
    arn: d.PipelineExecutionArn,
    displayName: d.PipelineExecutionDisplayName,
    status: d.PipelineExecutionStatus,
    description: d.PipelineExecutionDescription,
    created: d.CreationTime,
    failureReason: d.FailureReason,
  });
  return {
    ...execution,
    parameters,
    endTime: TERMINAL.has(execution.status)
      ? iso(d.LastModifiedTime)
      : undefined,
  };
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
