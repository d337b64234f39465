import type {
  ModelApprovalStatus,
  PipelineStep,
  ReleaseStage,
} from '@mlops-portal/plugin-mlops-common';
import { randomUUID } from 'crypto';
import { iso } from './format';
import { initialRelease } from './pipeline';
import type { ExecutionRecord, VersionRecord } from './store';

/**
 * How registry and endpoint events show on the execution that registered a
 * version: pure changes to its release stages (callers persist them).
 */
export function stageOf(rec: ExecutionRecord, name: string): ReleaseStage {
  if (!rec.release) rec.release = initialRelease();
  return rec.release.find(s => s.name === name)!;
}

export function stepOf(rec: ExecutionRecord, name: string): PipelineStep {
  return rec.steps.find(s => s.name === name)!;
}

/** Approval stage after registration: waits with a token unless already decided. */
export function openApprovalStage(
  rec: ExecutionRecord,
  version: VersionRecord,
) {
  const approval = stageOf(rec, 'Approval');
  if (approval.status !== 'NotStarted') return; // decided while we were finishing
  approval.startTime = iso();
  if (version.approvalStatus === 'Approved') {
    approval.status = 'Succeeded';
    approval.endTime = approval.startTime;
    approval.summary = `version ${version.version} approved by the pipeline (ModelApprovalStatus=Approved)`;
  } else {
    approval.status = 'InProgress';
    approval.approvalToken = randomUUID();
    approval.summary = `version ${version.version} awaits manual approval`;
  }
}

export interface ApprovalDecision {
  status: Exclude<ModelApprovalStatus, 'PendingManualApproval'>;
  by: string;
  comment: string;
  endpointName: string;
  /** Version the endpoint serves after the decision (rollback target), if any. */
  deployedVersion?: number;
}

/** A manual approve/reject closes the Approval stage; a reject cancels or annotates Deploy. */
export function recordDecision(rec: ExecutionRecord, d: ApprovalDecision) {
  const approval = stageOf(rec, 'Approval');
  const now = iso();
  approval.startTime = approval.startTime ?? now;
  approval.endTime = now;
  approval.approvalToken = undefined;
  approval.status = d.status === 'Approved' ? 'Succeeded' : 'Failed';
  approval.summary = `${d.status} by ${d.by}: ${d.comment}`;
  if (d.status !== 'Rejected') return;
  const deploy = stageOf(rec, 'Deploy');
  if (deploy.status === 'NotStarted') {
    deploy.status = 'Cancelled';
  } else {
    deploy.summary = `${deploy.summary ?? ''}; later rejected, ${
      d.deployedVersion !== undefined
        ? `endpoint ${d.endpointName} rolled back to version ${d.deployedVersion}`
        : `endpoint ${d.endpointName} has no approved version left`
    }`.replace(/^; /, '');
  }
}

/** The version went live on the endpoint. */
export function recordDeploy(
  rec: ExecutionRecord,
  version: number,
  endpointName: string,
  reason: 'approval' | 'rollback',
) {
  const deploy = stageOf(rec, 'Deploy');
  const now = iso();
  deploy.status = 'Succeeded';
  deploy.startTime = deploy.startTime ?? now;
  deploy.endTime = now;
  deploy.summary = `version ${version} serving on ${endpointName}${
    reason === 'rollback' ? ' (rollback)' : ''
  }`;
}
