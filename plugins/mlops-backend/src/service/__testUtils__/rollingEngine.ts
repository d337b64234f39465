import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  MlopsResources,
  ModelVersion,
  Rollout,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  RolloutActionOptions,
  StartShadowTestOptions,
} from '@mlops-portal/plugin-mlops-node';

/**
 * An engine that rolls out and shadows, in memory: enough state to answer
 * each action the way the engine contract says (ConflictError for a wrong
 * state), so the routes are tested against the contract, not a stub.
 */
export class RollingEngine {
  readonly type = 'rolling';
  approvals: Array<{ version: number; options: ApprovalOptions }> = [];
  actions: RolloutActionOptions[] = [];
  shadowStarts: StartShadowTestOptions[] = [];
  rollout?: Rollout;
  shadow?: ShadowTest;

  async getModelVersion(r: MlopsResources, version: number) {
    // Versions 1–3 exist in each entity's own group.
    if (version > 3)
      throw new NotFoundError(
        `Model version ${version} not found in ${r.modelPackageGroupName}`,
      );
    return {
      modelPackageGroupName: r.modelPackageGroupName,
      version,
      approvalStatus: 'PendingManualApproval',
      createdAt: '2026-12-07T10:00:00.000Z',
      deployed: version === 2,
    } as ModelVersion;
  }

  async updateModelApproval(
    r: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ) {
    this.approvals.push({ version, options });
    if (options.status === 'Approved' && options.deployment) {
      const steps =
        options.deployment.trafficRouting.type === 'ALL_AT_ONCE' ? 1 : 2;
      this.rollout = {
        rolloutId: `r-${version}`,
        endpointName: r.endpointName,
        strategy: options.deployment,
        fromVersion: 2,
        toVersion: version,
        status: steps === 1 ? 'Completed' : 'InProgress',
        trafficPercent: steps === 1 ? 100 : 20,
        step: 1,
        totalSteps: steps,
        startedAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        alarms: [],
      };
    }
    return {
      ...(await this.getModelVersion(r, version)),
      approvalStatus: options.status,
    };
  }

  async listDeployments(r: MlopsResources) {
    return {
      endpoint: {
        endpointName: r.endpointName,
        status: 'InService',
        modelVersion: 2,
      },
      deployments: [],
      rollout: this.rollout,
      shadowTest: this.shadow,
    };
  }

  async controlRollout(_r: MlopsResources, options: RolloutActionOptions) {
    this.actions.push(options);
    const r = this.rollout;
    const active = r && (r.status === 'InProgress' || r.status === 'Paused');
    if (!r || !active)
      throw new ConflictError(`No rollout in progress to ${options.action}`);
    if (options.action === 'resume' && r.status !== 'Paused')
      throw new ConflictError(`Rollout ${r.rolloutId} is not paused`);
    const status = {
      pause: 'Paused',
      resume: 'InProgress',
      rollback: 'RolledBack',
      promote: 'Completed',
    } as const;
    this.rollout = {
      ...r,
      status: status[options.action],
      reason: options.action === 'rollback' ? 'manual' : r.reason,
    };
    return this.rollout;
  }

  async startShadowTest(r: MlopsResources, options: StartShadowTestOptions) {
    this.shadowStarts.push(options);
    if (this.shadow?.status === 'Running')
      throw new ConflictError('A shadow test is already running');
    this.shadow = {
      shadowTestId: 's-1',
      endpointName: r.endpointName,
      servingVersion: 2,
      candidateVersion: options.modelVersion,
      status: 'Running',
      samplePercent: options.samplePercent,
      startedAt: new Date().toISOString(),
      startedBy: options.actor.ref,
      comparison: { requests: 0, variants: [] },
    };
    return this.shadow;
  }

  async stopShadowTest() {
    if (this.shadow?.status !== 'Running')
      throw new ConflictError('No shadow test is running');
    this.shadow = { ...this.shadow, status: 'Stopped' };
    return this.shadow;
  }
}
