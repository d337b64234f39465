import {
  openApprovalStage,
  recordDecision,
  recordDeploy,
  stageOf,
} from './releaseStages';
import { testExecution, testVersion } from './__testUtils__/parts';

describe('release stages', () => {
  it('opens Approval with a token for a pending version, closes it for an approved one', () => {
    const pending = testExecution();
    openApprovalStage(pending, testVersion(1));
    const approval = stageOf(pending, 'Approval');
    expect(approval.status).toBe('InProgress');
    expect(approval.approvalToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(approval.summary).toBe('version 1 awaits manual approval');

    const auto = testExecution();
    openApprovalStage(auto, testVersion(2, { approvalStatus: 'Approved' }));
    expect(stageOf(auto, 'Approval').status).toBe('Succeeded');
    expect(stageOf(auto, 'Approval').approvalToken).toBeUndefined();

    // Decided while the run was finishing: left as decided.
    const decided = testExecution();
    stageOf(decided, 'Approval').status = 'Failed';
    openApprovalStage(decided, testVersion(3));
    expect(stageOf(decided, 'Approval').status).toBe('Failed');
  });

  it('records an approval and the deploy that follows', () => {
    const rec = testExecution();
    openApprovalStage(rec, testVersion(1));
    recordDecision(rec, {
      status: 'Approved',
      by: 'user:default/ann',
      comment: 'good',
      endpointName: 'ep',
    });
    expect(stageOf(rec, 'Approval')).toMatchObject({
      status: 'Succeeded',
      approvalToken: undefined,
      summary: 'Approved by user:default/ann: good',
    });
    recordDeploy(rec, 1, 'ep', 'approval');
    expect(stageOf(rec, 'Deploy')).toMatchObject({
      status: 'Succeeded',
      summary: 'version 1 serving on ep',
    });
    recordDeploy(rec, 1, 'ep', 'rollback');
    expect(stageOf(rec, 'Deploy').summary).toBe(
      'version 1 serving on ep (rollback)',
    );
  });

  it('cancels Deploy on a reject before deployment, annotates it after', () => {
    const never = testExecution();
    recordDecision(never, {
      status: 'Rejected',
      by: 'u',
      comment: 'bad',
      endpointName: 'ep',
    });
    expect(stageOf(never, 'Approval').status).toBe('Failed');
    expect(stageOf(never, 'Deploy').status).toBe('Cancelled');

    const deployed = testExecution();
    recordDeploy(deployed, 2, 'ep', 'approval');
    recordDecision(deployed, {
      status: 'Rejected',
      by: 'u',
      comment: 'drift',
      endpointName: 'ep',
      deployedVersion: 1,
    });
    expect(stageOf(deployed, 'Deploy').summary).toBe(
      'version 2 serving on ep; later rejected, endpoint ep rolled back to version 1',
    );

    const last = testExecution();
    recordDeploy(last, 1, 'ep', 'approval');
    recordDecision(last, {
      status: 'Rejected',
      by: 'u',
      comment: 'x',
      endpointName: 'ep',
    });
    expect(stageOf(last, 'Deploy').summary).toMatch(
      /endpoint ep has no approved version left$/,
    );
  });
});
