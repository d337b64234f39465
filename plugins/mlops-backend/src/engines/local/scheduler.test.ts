import type { LoadedRun } from './activeRuns';
import type { QualityGate } from '@mlops-portal/plugin-mlops-common';
import { demoSystem } from '../../__testUtils__/demoSystems';
import { resolveParameters } from './pipeline';
import { stageOf } from './releaseStages';
import { ExecutionRequest, Scheduler } from './scheduler';
import { GUEST, RESOURCES } from './__testUtils__/localEngine';
import { PartsHarness, createPartsHarness } from './__testUtils__/parts';

const abalone = demoSystem('abalone');

const request = (o: Partial<ExecutionRequest> = {}): ExecutionRequest => ({
  trigger: 'manual',
  actor: GUEST,
  parameters: resolveParameters(abalone.spec, undefined),
  gate: abalone.spec.spec.gate as QualityGate,
  specHash: abalone.system.hash,
  ...o,
});

describe('Scheduler', () => {
  let h: PartsHarness;
  /** Runs the scheduler started; each ends when the test calls finish(). */
  let started: Array<{ run: LoadedRun; finish(): void }>;
  let scheduler: Scheduler;
  const tick = () => new Promise(r => setTimeout(r, 20));

  beforeEach(async () => {
    h = await createPartsHarness();
    started = [];
    scheduler = new Scheduler(
      h.store,
      h.runs,
      h.events,
      h.logger,
      run =>
        new Promise<void>(resolve => {
          started.push({
            run,
            finish: () => {
              run.rec.status = 'Succeeded';
              void h.store.saveExecution(run.rec).then(() => resolve());
            },
          });
        }),
    );
  });
  afterEach(() => h.close());

  it('runs one execution per pipeline, FIFO; other pipelines run alongside', async () => {
    const a = await scheduler.enqueue(RESOURCES, request());
    const b = await scheduler.enqueue(RESOURCES, request());
    const c = await scheduler.enqueue(RESOURCES, request());
    const other = await scheduler.enqueue(
      { ...RESOURCES, pipelineName: 'other' },
      request(),
    );
    await tick();
    expect(started.map(s => s.run.executionId)).toEqual([
      a.executionId,
      other.executionId,
    ]);
    expect(stageOf(b, 'Source').summary).toBe(
      `queued behind execution ${a.executionId}`,
    );
    started[0].finish();
    await tick();
    expect(started.map(s => s.run.executionId)).toContain(b.executionId);
    started[2].finish();
    await tick();
    expect(started[3].run.executionId).toBe(c.executionId);
    started[1].finish();
    started[3].finish();
    await scheduler.idle();
    expect(h.runs.all()).toEqual([]);
  });

  it('returns the same execution for two concurrent requests with one token', async () => {
    const [x, y] = await Promise.all([
      scheduler.enqueue(RESOURCES, request({ clientRequestToken: 'tok-1' })),
      scheduler.enqueue(RESOURCES, request({ clientRequestToken: 'tok-1' })),
    ]);
    expect(y.executionId).toBe(x.executionId);
    expect(
      (await scheduler.findByToken(RESOURCES.pipelineName, 'tok-1'))!
        .executionId,
    ).toBe(x.executionId);
    expect(await scheduler.findByToken(RESOURCES.pipelineName, undefined)).toBe(
      undefined,
    );
    await tick();
    started.forEach(s => s.finish());
    await scheduler.idle();
  });

  it('stops a queued execution, resumes requeued ones and refuses work when closed', async () => {
    const a = await scheduler.enqueue(RESOURCES, request());
    const b = await scheduler.enqueue(RESOURCES, request());
    expect(await scheduler.stopQueued(b)).toBe(true);
    const stored = (await h.store.getExecution(b.executionId))!;
    expect(stored.status).toBe('Stopped');
    expect(stageOf(stored, 'Source').summary).toBe('stopped while queued');
    expect(await scheduler.stopQueued(a)).toBe(false); // running, not queued
    await tick();
    started[0].finish();
    await scheduler.idle();
    expect(started).toHaveLength(1);

    // After a restart: a row left queued runs once the scheduler starts.
    const left = await h.store.insertExecution({
      ...stored,
      executionId: 'leftqueued01',
      status: 'Executing',
      clientRequestToken: undefined,
    });
    scheduler.requeue(left.pipelineName, left.executionId);
    scheduler.start();
    await tick();
    expect(started[1].run.executionId).toBe('leftqueued01');
    started[1].finish();
    await scheduler.idle();

    scheduler.close();
    await expect(scheduler.enqueue(RESOURCES, request())).rejects.toMatchObject(
      { name: 'ServiceUnavailableError' },
    );
  });
  it('marks a run whose runner crashed Failed with the reason at once', async () => {
    const crashing = new Scheduler(h.store, h.runs, h.events, h.logger, () =>
      Promise.reject(new Error('disk full while saving the run')),
    );
    const events: any[] = [];
    const unsubscribe = h.events.subscribe(e => events.push(e));
    const rec = await crashing.enqueue(RESOURCES, request());
    await crashing.idle();
    unsubscribe();
    const stored = (await h.store.getExecution(rec.executionId))!;
    expect(stored.status).toBe('Failed');
    expect(stored.failureReason).toBe(
      'Source: crashed: disk full while saving the run',
    );
    expect(stored.endTime).toBeDefined();
    // clients hear of it now (signals), not after a restart
    expect(events.at(-1)).toMatchObject({
      execution: { executionId: rec.executionId, status: 'Failed' },
    });
    expect(h.logger.error).toHaveBeenCalledWith(
      expect.stringContaining('crashed: disk full while saving the run'),
    );
  });
});
