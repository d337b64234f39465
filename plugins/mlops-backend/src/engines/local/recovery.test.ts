import { recoverExecutions } from './recovery';
import { stageOf, stepOf } from './releaseStages';
import {
  PartsHarness,
  createPartsHarness,
  testExecution,
  testVersion,
} from './__testUtils__/parts';

describe('recoverExecutions', () => {
  let h: PartsHarness;
  beforeEach(async () => {
    h = await createPartsHarness();
  });
  afterEach(() => h.close());

  it('requeues never-started runs, fails interrupted ones, completes registered ones', async () => {
    const queued = testExecution();
    const interrupted = testExecution({
      startTime: new Date().toISOString(),
      currentStep: 'Train',
    });
    stepOf(interrupted, 'Preprocess').status = 'Succeeded';
    stepOf(interrupted, 'Train').status = 'Executing';
    stageOf(interrupted, 'MLPipeline').status = 'InProgress';
    const registering = testExecution({
      startTime: new Date().toISOString(),
      currentStep: 'Register',
    });
    stepOf(registering, 'Register').status = 'Executing';
    const finished = testExecution({ status: 'Succeeded' });
    for (const r of [queued, interrupted, registering, finished]) {
      await h.store.insertExecution(r);
    }
    await h.knex.transaction(trx =>
      h.store.insertVersion(
        testVersion(1, { executionId: registering.executionId }),
        trx,
      ),
    );

    const requeued = await recoverExecutions(h.store, h.logger);
    expect(requeued.map(r => r.executionId)).toEqual([queued.executionId]);

    const i = (await h.store.getExecution(interrupted.executionId))!;
    expect(i.status).toBe('Failed');
    expect(i.failureReason).toBe('interrupted: backend restarted');
    expect(stepOf(i, 'Preprocess').status).toBe('Succeeded');
    expect(stepOf(i, 'Train').status).toBe('Failed');
    expect(stageOf(i, 'MLPipeline').status).toBe('Failed');

    const r = (await h.store.getExecution(registering.executionId))!;
    expect(r.status).toBe('Succeeded');
    expect(r.modelVersion).toBe(1);
    expect(r.steps.every(s => s.status === 'Succeeded')).toBe(true);
    expect(stageOf(r, 'Approval').status).toBe('InProgress');

    expect((await h.store.getExecution(queued.executionId))!.status).toBe(
      'Executing',
    );
    expect((await h.store.getExecution(finished.executionId))!.status).toBe(
      'Succeeded',
    );
    expect(h.logger.warn).toHaveBeenCalledTimes(2);
  });
});
