import {
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import type {
  MlopsResources,
  ReleaseStage,
} from '@mlops-portal/plugin-mlops-common';
import type { ClientContext } from './clientContext';
import { releaseStatus } from './mappers';

/** The manual approval action the release waits on. */
export interface PendingApproval {
  stageName: string;
  actionName: string;
  token: string;
}

interface ReleaseState {
  stages: ReleaseStage[];
  pending?: PendingApproval;
}

/** CodePipeline: the entity's release pipeline, its stages and its manual approval. */
export class ReleasePipeline {
  constructor(private readonly ctx: ClientContext) {}

  async getReleaseState(
    r: MlopsResources,
  ): Promise<ReleaseStage[] | undefined> {
    if (!r.releasePipelineName) return undefined;
    return (await this.load(r)).stages;
  }

  /** The approval the release waits on now, if any; a read failure means "none known". */
  async pendingApproval(
    r: MlopsResources,
  ): Promise<PendingApproval | undefined> {
    if (!r.releasePipelineName) return undefined;
    try {
      return (await this.load(r)).pending;
    } catch (e) {
      this.ctx.logger.warn(
        `Could not read release pipeline ${r.releasePipelineName}: ${e}`,
      );
      return undefined;
    }
  }

  async answerApproval(
    r: MlopsResources,
    pending: PendingApproval,
    result: { status: 'Approved' | 'Rejected'; summary: string },
  ) {
    const { codepipeline } = await this.ctx.clients(r);
    await this.ctx.call('codepipeline:PutApprovalResult', () =>
      codepipeline.send(
        new PutApprovalResultCommand({
          pipelineName: r.releasePipelineName!,
          stageName: pending.stageName,
          actionName: pending.actionName,
          token: pending.token,
          // CodePipeline caps the summary at 512 characters.
          result: {
            status: result.status,
            summary: result.summary.slice(0, 512),
          },
        }),
      ),
    );
  }

  private load(r: MlopsResources): Promise<ReleaseState> {
    const name = r.releasePipelineName!;
    return this.ctx.cached(r, 'release', 'state', async () => {
      const { codepipeline } = await this.ctx.clients(r);
      const [state, runs] = await Promise.all([
        this.ctx.call('codepipeline:GetPipelineState', () =>
          codepipeline.send(new GetPipelineStateCommand({ name })),
        ),
        this.ctx.call('codepipeline:ListPipelineExecutions', () =>
          codepipeline.send(
            new ListPipelineExecutionsCommand({
              pipelineName: name,
              maxResults: 1,
            }),
          ),
        ),
      ]);
      const latestId =
        runs?.pipelineExecutionSummaries?.[0]?.pipelineExecutionId;
      let pending: PendingApproval | undefined;
      const stages = (state?.stageStates ?? []).map(stage => {
        const mapped = toReleaseStage(stage, latestId);
        pending = mapped.pending ?? pending;
        return mapped.stage;
      });
      return { stages, pending };
    });
  }
}

function toReleaseStage(
  stage: StageState,
  latestId: string | undefined,
): { stage: ReleaseStage; pending?: PendingApproval } {
  const inLatestRun =
    !latestId || stage.latestExecution?.pipelineExecutionId === latestId;
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
  const failed = actions.find(a => a.latestExecution?.status === 'Failed');
  const waiting = actions.find(
    a => a.latestExecution?.status === 'InProgress' && a.latestExecution.token,
  );
  const out: ReleaseStage = { name: stage.stageName ?? 'Unknown', status };
  if (inLatestRun && times.length) {
    out.startTime = new Date(Math.min(...times)).toISOString();
    if (status !== 'InProgress')
      out.endTime = new Date(Math.max(...times)).toISOString();
  }
  const summary =
    failed?.latestExecution?.errorDetails?.message ??
    actions.map(a => a.latestExecution?.summary).find(Boolean);
  if (inLatestRun && summary) out.summary = summary;
  let pending: PendingApproval | undefined;
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
  return { stage: out, pending };
}
