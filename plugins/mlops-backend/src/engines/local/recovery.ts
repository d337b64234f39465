import type { LoggerService } from '@backstage/backend-plugin-api';
import { iso } from './format';
import { openApprovalStage, stageOf } from './releaseStages';
import type { ExecutionRecord, LocalStore, VersionRecord } from './store';

const INTERRUPTED = 'interrupted: backend restarted';

/** The crash hit after the Register transaction committed: the run did its work. */
function markRegistered(rec: ExecutionRecord, registered: VersionRecord) {
  const now = iso();
  for (const s of rec.steps) {
    if (s.status !== 'Succeeded') {
      s.status = 'Succeeded';
      s.endTime = s.endTime ?? now;
    }
  }
  stageOf(rec, 'MLPipeline').status = 'Succeeded';
  rec.status = 'Succeeded';
  rec.modelVersion = registered.version;
  rec.metrics = registered.metrics;
  rec.currentStep = undefined;
  rec.endTime = now;
  openApprovalStage(rec, registered);
}

/** Its child process died with the previous backend. */
function markInterrupted(rec: ExecutionRecord) {
  const now = iso();
  for (const s of rec.steps) {
    if (['Starting', 'Executing', 'Stopping'].includes(s.status)) {
      s.status = 'Failed';
      s.failureReason = INTERRUPTED;
      s.endTime = now;
    }
  }
  for (const st of rec.release ?? []) {
    if (st.status === 'InProgress') {
      st.status = 'Failed';
      st.endTime = now;
      st.summary = INTERRUPTED;
    }
  }
  rec.status = 'Failed';
  rec.failureReason = INTERRUPTED;
  rec.currentStep = undefined;
  rec.endTime = now;
}

/**
 * After a crash or kill -9: executions that had started are marked Failed,
 * or Succeeded if their version row committed (a version is written in one
 * transaction after its artifacts were copied, so a run registered
 * completely or not at all). Returns the queued (never started) ones, in
 * order, for the scheduler to run again.
 */
export async function recoverExecutions(
  store: LocalStore,
  logger: LoggerService,
): Promise<ExecutionRecord[]> {
  const queued: ExecutionRecord[] = [];
  const stale = await store.executionsWithStatus(['Executing', 'Stopping']);
  for (const rec of stale) {
    if (rec.status === 'Executing' && !rec.startTime) {
      queued.push(rec);
      continue;
    }
    const registered = await store.findVersionByExecution(rec.executionId);
    if (registered) markRegistered(rec, registered);
    else markInterrupted(rec);
    await store.saveExecution(rec);
    logger.warn(
      `MLOps execution ${rec.executionId} of ${rec.pipelineName} was left ${
        registered ? 'registering' : 'running'
      } by a previous process; marked ${rec.status}`,
    );
  }
  return queued;
}
