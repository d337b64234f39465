import type { LoadedRun } from './activeRuns';
import { stageOf } from './releaseStages';
import {
  PartsHarness,
  createPartsHarness,
  testExecution,
} from './__testUtils__/parts';

describe('ActiveRuns', () => {
  let h: PartsHarness;
  beforeEach(async () => {
    h = await createPartsHarness();
  });
  afterEach(() => h.close());

  it('claims a pipeline and serves the running copy as the freshest state', async () => {
    const stored = await h.store.insertExecution(testExecution());
    const run = h.runs.claim(stored.pipelineName, stored.executionId);
    expect(h.runs.has(stored.pipelineName)).toBe(true);
    expect(h.runs.running(stored.pipelineName, stored.executionId)).toBe(
      undefined,
    ); // claimed, not loaded yet
    run.rec = { ...stored, currentStep: 'Train' };
    const fresh = h.runs.freshest(stored);
    expect(fresh.currentStep).toBe('Train');
    expect(fresh.seq).toBe(stored.seq);
    expect(fresh).not.toBe(run.rec); // a copy: callers cannot change the run
    h.runs.release(stored.pipelineName);
    expect(h.runs.freshest(stored)).toBe(stored);
  });

  it('persists snapshots in order and emits them', async () => {
    const stored = await h.store.insertExecution(testExecution());
    const run = h.runs.claim(stored.pipelineName, stored.executionId);
    run.rec = stored;
    const loaded = run as LoadedRun;
    loaded.rec.currentStep = 'Preprocess';
    void h.runs.persist(loaded);
    loaded.rec.currentStep = 'Train';
    await h.runs.persist(loaded, false);
    expect((await h.store.getExecution(stored.executionId))!.currentStep).toBe(
      'Train',
    );
    const execs = h.emitted.filter(e => e.type === 'execution');
    expect(execs).toHaveLength(1);
    expect((execs[0].execution as any).currentStep).toBe('Preprocess');
  });

  it('updates a finished execution in the database, a running one in memory', async () => {
    const done = await h.store.insertExecution(
      testExecution({ status: 'Succeeded' }),
    );
    await h.runs.update(done.executionId, rec => {
      stageOf(rec, 'Deploy').status = 'Succeeded';
    });
    const row = (await h.store.getExecution(done.executionId))!;
    expect(stageOf(row, 'Deploy').status).toBe('Succeeded');

    const live = await h.store.insertExecution(
      testExecution({ pipelineName: 'other' }),
    );
    const run = h.runs.claim('other', live.executionId);
    run.rec = live;
    await h.runs.update(live.executionId, rec => {
      rec.currentStep = 'Register';
    });
    expect(run.rec.currentStep).toBe('Register');
    expect((await h.store.getExecution(live.executionId))!.currentStep).toBe(
      'Register',
    );
    await expect(h.runs.update(undefined, () => {})).resolves.toBeUndefined();
  });
});
