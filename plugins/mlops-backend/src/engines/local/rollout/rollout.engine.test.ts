import { TestDatabases } from '@backstage/backend-test-utils';
import type {
  DeploymentStrategy,
  FeatureRecord,
  Rollout,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import fs from 'fs';
import type { Knex } from 'knex';
import { demoSystem } from '../../../__testUtils__/demoSystems';
import type { LocalEngine } from '../LocalEngine';
import {
  GUEST,
  PENGUIN_RESOURCES as R,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from '../__testUtils__/localEngine';

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const penguins = demoSystem('penguins');
/** Penguin rows as prediction records (the label column left out). */
const RECORDS: FeatureRecord[] = fs
  .readFileSync(penguins.dataPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1, 41)
  .map(line => line.split(','))
  .filter(c => !c.includes('NA') && !c.includes(''))
  .map(c => ({
    island: c[1],
    bill_length_mm: Number(c[2]),
    bill_depth_mm: Number(c[3]),
    flipper_length_mm: Number(c[4]),
    body_mass_g: Number(c[5]),
    sex: c[6],
  }));

/** Every 7th row: all three species, as live traffic would bring them. */
const MIXED: FeatureRecord[] = fs
  .readFileSync(penguins.dataPath, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .filter((_, i) => i % 7 === 0)
  .map(line => line.split(','))
  .filter(c => c[6] === 'MALE' || c[6] === 'FEMALE')
  .filter(c => !c.includes('NA') && !c.includes(''))
  .map(c => ({
    island: c[1],
    bill_length_mm: Number(c[2]),
    bill_depth_mm: Number(c[3]),
    flipper_length_mm: Number(c[4]),
    body_mass_g: Number(c[5]),
    sex: c[6],
  }));

const canary = (
  percent: number,
  waitSeconds: number,
  autoRollback?: DeploymentStrategy['autoRollback'],
): DeploymentStrategy => ({
  trafficRouting: {
    type: 'CANARY',
    waitIntervalInSeconds: waitSeconds,
    canarySize: { type: 'CAPACITY_PERCENT', value: percent },
  },
  terminationWaitInSeconds: 0,
  ...(autoRollback ? { autoRollback } : {}),
});

async function poll<T>(
  what: string,
  read: () => Promise<T>,
  until: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('local rollouts with real HTTP traffic', () => {
  let knex: Knex;
  let dataDir: string;
  const engines: LocalEngine[] = [];
  const open = async () => {
    const e = await createTestEngine(knex, dataDir);
    engines.push(e);
    return e;
  };
  afterEach(async () => {
    await Promise.all(engines.splice(0).map(e => e.close()));
  });

  /** An engine with versions 1 (deployed) and 2 (pending) of the penguins system. */
  async function twoVersions(): Promise<LocalEngine> {
    knex = await databases.init('SQLITE_3');
    dataDir = tempDataDir();
    const engine = await open();
    const up = await engine.uploadDataset(R, {
      fileName: 'penguins.csv',
      content: fs.readFileSync(penguins.dataPath),
      actor: GUEST,
    });
    await waitForExecution(
      engine,
      up.execution!.executionId,
      undefined,
      90_000,
      R,
    );
    const second = await engine.startExecution(R, {
      trigger: 'manual',
      actor: GUEST,
    } as never);
    const done = await waitForExecution(
      engine,
      second.executionId,
      undefined,
      90_000,
      R,
    );
    expect(done.modelVersion).toBe(2);
    await engine.updateModelApproval(R, 1, {
      status: 'Approved',
      comment: 'first',
      actor: GUEST,
    });
    return engine;
  }

  const modelFile = async (engine: LocalEngine, version: number) =>
    (await engine.getModelVersion(R, version)).artifacts!.find(
      a => a.name === 'model.json',
    )!.uri;

  const invoke = async (
    engine: LocalEngine,
    instances: FeatureRecord[] = RECORDS.slice(0, 3),
  ) => {
    const res = await fetch(
      `${engine.endpointUrl}/endpoints/${R.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances }),
      },
    );
    return { status: res.status, version: res.headers.get('x-model-version') };
  };

  const rolloutOf = async (engine: LocalEngine) =>
    (await engine.listDeployments(R)).rollout as Rollout;

  it('rolls a failing canary back within its bake window; every client request got a 200 from the good version', async () => {
    const engine = await twoVersions();
    // Loads, but every prediction throws (the model wants more features than the preprocessor gives).
    const file = await modelFile(engine, 2);
    const model = JSON.parse(fs.readFileSync(file, 'utf8'));
    model.learner.learner_model_param.num_feature = '10000';
    fs.writeFileSync(file, JSON.stringify(model));
    const events: MlopsEngineEvent[] = [];
    engine.subscribe(e => events.push(e));

    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(50, 30, { errorRate: 0.05, minInvocations: 5 }),
    });
    const answers: Array<{ status: number; version: string | null }> = [];
    const rolledBack = await poll(
      'the rollback',
      async () => {
        answers.push(await invoke(engine));
        return rolloutOf(engine);
      },
      r => r.status === 'RolledBack',
    );
    expect(answers.every(a => a.status === 200 && a.version === '1')).toBe(
      true,
    );
    expect(rolledBack.reason).toMatch(
      /^errorRate 1 > 0\.05 over \d+ invocations$/,
    );
    // Within the 30 s bake: it never reached step 2.
    expect(rolledBack.step).toBe(1);
    expect(rolledBack.alarms).toContainEqual(
      expect.objectContaining({ name: 'errorRate', state: 'ALARM', value: 1 }),
    );
    const candidate = rolledBack.variants!.find(v => v.role === 'candidate')!;
    expect(candidate.errors).toBe(candidate.invocations);
    expect(candidate.invocations).toBeGreaterThanOrEqual(5);
    const { deployments, endpoint } = await engine.listDeployments(R);
    expect(endpoint?.modelVersion).toBe(1);
    expect(deployments[0]).toMatchObject({
      modelVersion: 1,
      current: true,
      reason: 'rollback',
      rolloutId: rolledBack.rolloutId,
      rollbackReason: rolledBack.reason,
    });
    // After the rollback only version 1 answers.
    expect((await invoke(engine)).version).toBe('1');
    const statuses = events
      .filter(e => e.type === 'rollout')
      .map(e => (e as { rollout: Rollout }).rollout.status);
    expect(statuses).toEqual(['InProgress', 'RolledBack']);
  });

  it('completes a good canary: the new version serves everything, the old one is unloaded', async () => {
    const engine = await twoVersions();
    const events: MlopsEngineEvent[] = [];
    engine.subscribe(e => events.push(e));
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(50, 1, { errorRate: 0.05, minInvocations: 5 }),
    });
    const seen = new Set<string | null>();
    const done = await poll(
      'completion',
      async () => {
        const a = await invoke(engine);
        expect(a.status).toBe(200);
        seen.add(a.version);
        return rolloutOf(engine);
      },
      r => r.status === 'Completed',
    );
    expect([...seen].sort()).toEqual(['1', '2']);
    expect(done).toMatchObject({ trafficPercent: 100, step: 2, totalSteps: 2 });
    const { deployments, endpoint } = await engine.listDeployments(R);
    expect(endpoint?.modelVersion).toBe(2);
    expect(deployments[0]).toMatchObject({
      modelVersion: 2,
      current: true,
      rolloutId: done.rolloutId,
    });
    for (let i = 0; i < 5; i++)
      expect((await invoke(engine)).version).toBe('2');
    expect((await engine.getModelVersion(R, 2)).deployed).toBe(true);
    const steps = events
      .filter(e => e.type === 'rollout')
      .map(e => {
        const r = (e as { rollout: Rollout }).rollout;
        return [r.status, r.trafficPercent];
      });
    expect(steps).toEqual([
      ['InProgress', 50],
      ['InProgress', 100],
      ['Completed', 100],
    ]);
  });

  it('resumes a rollout after a restart, and rolls back one whose candidate vanished', async () => {
    let engine = await twoVersions();
    const started = await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(50, 600),
    });
    expect(started.deployed).toBe(false);
    for (let i = 0; i < 4; i++) await invoke(engine);
    const before = await rolloutOf(engine);
    await engine.close();

    engine = await open();
    const resumed = await rolloutOf(engine);
    expect(resumed).toMatchObject({
      rolloutId: before.rolloutId,
      status: 'InProgress',
      step: 1,
      // The step's clock continues from the stored start.
      nextStepAt: before.nextStepAt,
    });
    expect(resumed.variants!.map(v => v.invocations)).toEqual([2, 2]);
    const versions = new Set<string | null>();
    for (let i = 0; i < 4; i++) versions.add((await invoke(engine)).version);
    expect([...versions].sort()).toEqual(['1', '2']);
    await engine.close();

    fs.rmSync(await modelFile(engine, 2));
    engine = await open();
    const back = await rolloutOf(engine);
    expect(back.status).toBe('RolledBack');
    expect(back.reason).toMatch(
      /^restarted mid-rollout: cannot load the artifacts of version 2/,
    );
    for (let i = 0; i < 3; i++)
      expect((await invoke(engine)).version).toBe('1');
    expect((await engine.listDeployments(R)).deployments[0]).toMatchObject({
      modelVersion: 1,
      reason: 'rollback',
      rolloutId: back.rolloutId,
    });
  });

  it('matches each linear step’s share within 1 percentage point over 100 requests', async () => {
    const engine = await twoVersions();
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'linear',
      actor: GUEST,
      deployment: {
        trafficRouting: {
          type: 'LINEAR',
          waitIntervalInSeconds: 2,
          linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
        },
      },
    });
    const measured = new Map<number, number>();
    let step = 0;
    while (step < 3) {
      const after = step;
      const r = await poll(
        'the next step',
        () => rolloutOf(engine),
        x => x.step > after,
      );
      // Frozen weight: the share is the step's own.
      const paused = await engine.controlRollout!(R, {
        action: 'pause',
        actor: GUEST,
      });
      step = paused.step;
      let toCandidate = 0;
      for (let i = 0; i < 100; i++) {
        if ((await invoke(engine)).version === '2') toCandidate++;
      }
      measured.set(paused.trafficPercent, toCandidate);
      expect(Math.abs(toCandidate - paused.trafficPercent)).toBeLessThanOrEqual(
        1,
      );
      expect(r.totalSteps).toBe(4);
      await engine.controlRollout!(R, { action: 'resume', actor: GUEST });
    }
    expect([...measured.keys()].sort((a, b) => a - b)).toEqual(
      expect.arrayContaining([25, 50, 75]),
    );
  });

  it('pauses, resumes, rolls back and promotes on request; answers 409 for the wrong state', async () => {
    const engine = await twoVersions();
    const control = (
      action: 'pause' | 'resume' | 'rollback' | 'promote',
      comment?: string,
    ) => engine.controlRollout!(R, { action, actor: GUEST, comment });
    await expect(control('pause')).rejects.toMatchObject({
      name: 'ConflictError',
    });

    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(20, 600),
    });
    const active = await rolloutOf(engine);
    await expect(control('resume')).rejects.toMatchObject({
      name: 'ConflictError',
    });
    const paused = await control('pause');
    expect(paused.status).toBe('Paused');
    expect(paused.nextStepAt).toBeUndefined();
    await expect(control('pause')).rejects.toMatchObject({
      name: 'ConflictError',
    });
    // Approving anything while a rollout holds the endpoint names it.
    await expect(
      engine.updateModelApproval(R, 1, {
        status: 'Rejected',
        comment: 'x',
        actor: GUEST,
      }),
    ).rejects.toThrow(new RegExp(`rollout ${active.rolloutId}`));
    expect((await control('resume')).status).toBe('InProgress');
    const back = await control('rollback', 'not today');
    expect(back).toMatchObject({
      status: 'RolledBack',
      reason: 'rolled back by user:default/guest: not today',
    });
    await expect(control('rollback')).rejects.toMatchObject({
      name: 'ConflictError',
    });

    // Rejected and approved again: a new rollout, promoted at once.
    await engine.updateModelApproval(R, 2, {
      status: 'Rejected',
      comment: 'redo',
      actor: GUEST,
    });
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'again',
      actor: GUEST,
      deployment: canary(20, 600),
    });
    await expect(
      engine.updateModelApproval(R, 2, {
        status: 'Approved',
        comment: 'x',
        actor: GUEST,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    const promoted = await control('promote');
    expect(promoted).toMatchObject({
      status: 'Completed',
      trafficPercent: 100,
    });
    expect((await invoke(engine)).version).toBe('2');
    expect((await engine.listDeployments(R)).endpoint?.modelVersion).toBe(2);
  });

  it('rolls back when the candidate is rejected mid-rollout', async () => {
    const engine = await twoVersions();
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(20, 600),
    });
    await engine.updateModelApproval(R, 2, {
      status: 'Rejected',
      comment: 'wrong data',
      actor: GUEST,
    });
    const r = await rolloutOf(engine);
    expect(r).toMatchObject({
      status: 'RolledBack',
      reason: 'rejected by user:default/guest: wrong data',
    });
    expect((await engine.getModelVersion(R, 2)).approvalStatus).toBe(
      'Rejected',
    );
    expect((await invoke(engine)).version).toBe('1');
  });
  it('rolls back a canary whose predictions are far off its test split (prediction drift), not a good one', async () => {
    const engine = await twoVersions();
    // Version 2 loads and answers, but always says the second class.
    const file = await modelFile(engine, 2);
    const model = JSON.parse(fs.readFileSync(file, 'utf8'));
    const gb = model.learner.gradient_booster.model;
    gb.trees.forEach((t: any, i: number) => {
      if (gb.tree_info[i] !== 1) return;
      t.left_children.forEach((l: number, n: number) => {
        if (l === -1) t.split_conditions[n] += 20;
      });
    });
    fs.writeFileSync(file, JSON.stringify(model));
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(50, 30, { predictionDrift: 0.5, minInvocations: 10 }),
    });
    let i = 0;
    const back = await poll(
      'the drift rollback',
      async () => {
        const a = await invoke(engine, [MIXED[i++ % MIXED.length]]);
        expect(a.status).toBe(200);
        return rolloutOf(engine);
      },
      r => r.status === 'RolledBack',
    );
    expect(back.reason).toMatch(
      /^predictionDrift [\d.]+ > 0\.5 over \d+ invocations$/,
    );
    expect(back.step).toBe(1);
  });

  it('keeps a good canary under the drift alarm on representative traffic', async () => {
    const engine = await twoVersions();
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: canary(50, 600, { predictionDrift: 0.5, minInvocations: 10 }),
    });
    for (let i = 0; i < 2 * MIXED.length; i++)
      expect((await invoke(engine, [MIXED[i % MIXED.length]])).status).toBe(
        200,
      );
    const r = await poll(
      'the drift alarm judged',
      () => rolloutOf(engine),
      x => x.alarms.some(a => a.state !== 'INSUFFICIENT_DATA'),
    );
    expect(r.status).toBe('InProgress');
    expect(r.alarms).toEqual([
      expect.objectContaining({ name: 'predictionDrift', state: 'OK' }),
    ]);
  });

  it('keeps a paused rollout paused across a restart, and rolls back one past its time limit', async () => {
    let engine = await twoVersions();
    await engine.updateModelApproval(R, 2, {
      status: 'Approved',
      comment: 'canary',
      actor: GUEST,
      deployment: { ...canary(20, 600), maximumExecutionTimeoutInSeconds: 600 },
    });
    await engine.controlRollout!(R, { action: 'pause', actor: GUEST });
    await engine.close();
    engine = await open();
    expect(await rolloutOf(engine)).toMatchObject({
      status: 'Paused',
      step: 1,
    });
    await engine.close();

    // The rollout started 11 minutes ago (as if the backend had been down).
    await knex('mlops_local_rollouts').update({
      started_at: new Date(Date.now() - 660_000).toISOString(),
    });
    engine = await open();
    const back = await poll(
      'the time limit',
      () => rolloutOf(engine),
      r => r.status === 'RolledBack',
    );
    expect(back.reason).toBe('maximumExecutionTimeoutInSeconds 600 exceeded');
    expect((await invoke(engine)).version).toBe('1');
  });

  it('rolls a pipeline-approved version out by the spec’s default strategy', async () => {
    const spec = JSON.parse(JSON.stringify(R.system!.spec));
    spec.spec.approval = { preApprove: true };
    spec.spec.deployment = canary(50, 600);
    const resources = {
      ...R,
      system: { ...R.system!, hash: 'c'.repeat(64), spec },
    };
    knex = await databases.init('SQLITE_3');
    dataDir = tempDataDir();
    const engine = await createTestEngine(knex, dataDir, { preApprove: true });
    engines.push(engine);
    const up = await engine.uploadDataset(resources, {
      fileName: 'penguins.csv',
      content: fs.readFileSync(penguins.dataPath),
      actor: GUEST,
    });
    await waitForExecution(
      engine,
      up.execution!.executionId,
      undefined,
      90_000,
      resources,
    );
    // Nothing served yet: the first version is deployed at once.
    await poll(
      'version 1 deployed',
      async () => (await engine.listDeployments(resources)).endpoint,
      e => e?.modelVersion === 1,
    );
    const second = await engine.startExecution(resources, {
      trigger: 'manual',
      actor: GUEST,
    } as never);
    await waitForExecution(
      engine,
      second.executionId,
      undefined,
      90_000,
      resources,
    );
    const r = await poll(
      'the rollout',
      async () => (await engine.listDeployments(resources)).rollout,
      x => x !== undefined,
    );
    expect(r).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      status: 'InProgress',
      trafficPercent: 50,
      startedBy: 'pipeline',
    });
  });
});
