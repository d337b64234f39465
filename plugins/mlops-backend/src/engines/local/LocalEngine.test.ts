import { TestDatabases } from '@backstage/backend-test-utils';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import fs from 'fs';
import path from 'path';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../../__testUtils__/demoSystems';
import { DatasetValidationError } from '../../errors';
import { LocalEngine } from './LocalEngine';
import {
  ABALONE_PATH,
  GUEST,
  RESOURCES as ABALONE,
  abaloneSubset,
  abaloneText,
  abaloneWithMseGate,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from './__testUtils__/localEngine';

jest.setTimeout(120_000);

// PostgreSQL runs when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set (CI); no Docker here.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const exampleCsv = [
  EXAMPLE_ABALONE.sex,
  EXAMPLE_ABALONE.length,
  EXAMPLE_ABALONE.diameter,
  EXAMPLE_ABALONE.height,
  EXAMPLE_ABALONE.wholeWeight,
  EXAMPLE_ABALONE.shuckedWeight,
  EXAMPLE_ABALONE.visceraWeight,
  EXAMPLE_ABALONE.shellWeight,
].join(',');

/**
 * The entity of the engine under test: the Abalone system, under the gate
 * the test starts its engine with (the gate is the spec's).
 */
let RESOURCES: MlopsResources = ABALONE;

const upload = (
  engine: LocalEngine,
  text = abaloneText(),
  fileName = 'abalone.csv',
) =>
  engine.uploadDataset(RESOURCES, {
    fileName,
    content: Buffer.from(text),
    contentType: 'text/csv',
    actor: GUEST,
  });

/** Fast training parameters for tests that are not about model quality. */
const QUICK = { NumRound: 8 };
/** Tests about orchestration train on a subset; the gate is not their subject. */
const LENIENT_GATE = 1000;
/** A gate a default model passes and CANNOT_PASS cannot. */
const GATE_B_FAILS = 20;
const CANNOT_PASS = { NumRound: 1, Eta: 0.001 };

describe.each(databases.eachSupportedId())('LocalEngine on %p', databaseId => {
  const engines: LocalEngine[] = [];
  const start = async (
    knex: any,
    dataDir: string,
    mseThreshold?: number,
    seeds?: Array<Record<string, string | boolean>>,
  ) => {
    RESOURCES =
      mseThreshold === undefined ? ABALONE : abaloneWithMseGate(mseThreshold);
    const e = await createTestEngine(knex, dataDir, { seeds });
    engines.push(e);
    return e;
  };
  afterEach(async () => {
    await Promise.all(engines.splice(0).map(e => e.close()));
  });

  it('upload → run → PendingManualApproval → approve → deployed → predict, reject → rollback', async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    const engine = await start(knex, dataDir);
    const events: MlopsEngineEvent[] = [];
    engine.subscribe(e => events.push(e));

    const res = await upload(engine);
    expect(res.manifest.rowCount).toBe(4177);
    const file = res.manifest.files[0];
    expect(file).toMatchObject({
      rowCount: 4177,
      size: Buffer.byteLength(abaloneText()),
    });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.manifest.createdBy).toBe(GUEST.ref);
    expect(fs.existsSync(res.manifest.uri!)).toBe(true);
    expect(res.execution).toMatchObject({
      trigger: 'upload',
      status: 'Executing',
    });

    const done = await waitForExecution(engine, res.execution!.executionId);
    expect(done.failureReason).toBeUndefined();
    expect(done.status).toBe('Succeeded');
    expect(done.steps.map(s => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['CheckMSE', 'Succeeded'],
      ['Register', 'Succeeded'],
    ]);
    const train = done.steps.find(s => s.name === 'Train')!;
    expect(train.progress).toBe(1);
    expect(train.outputs).toMatchObject({ totalRounds: 50 });
    expect(train.outputs!.roundsCompleted).toBeGreaterThan(0);
    expect(train.parameters).toMatchObject({
      hyperparameters: {
        max_depth: 5,
        eta: 0.2,
        gamma: 4,
        min_child_weight: 6,
        subsample: 0.7,
      },
    });
    expect(train.logs!.length).toBeGreaterThan(0);
    expect(done.steps.find(s => s.name === 'CheckMSE')!.outputs).toMatchObject({
      outcome: true,
      threshold: 6,
    });
    expect(done.metrics!.mse).toBeGreaterThan(1);
    expect(done.metrics!.mse).toBeLessThanOrEqual(6);
    expect(done.modelVersion).toBe(1);
    const evalJson = JSON.parse(
      fs.readFileSync(
        (done.steps.find(s => s.name === 'Evaluate')!.outputs!.artifacts as any)
          .evaluation,
        'utf8',
      ),
    );
    expect(evalJson.regression_metrics.mse.value).toBeCloseTo(
      done.metrics!.mse,
      6,
    );
    expect(done.release!.map(s => [s.name, s.status])).toEqual([
      ['Source', 'Succeeded'],
      ['Validate', 'Succeeded'],
      ['MLPipeline', 'Succeeded'],
      ['Approval', 'InProgress'],
      ['Deploy', 'NotStarted'],
    ]);
    expect(done.release![3].approvalToken).toBeTruthy();

    const {
      items: [v1],
    } = await engine.listModelVersions(RESOURCES);
    expect(v1).toMatchObject({
      version: 1,
      approvalStatus: 'PendingManualApproval',
      executionId: done.executionId,
      deployed: false,
      modelPackageArn:
        'arn:local:sagemaker:local:000000000000:model-package/abalonemodelpackagegroup/1',
    });
    expect(v1.metrics!.mse).toBe(done.metrics!.mse);
    expect(v1.dataManifest!.manifestId).toBe(res.manifest.manifestId);
    for (const a of v1.artifacts!) expect(fs.existsSync(a.uri)).toBe(true);

    await expect(
      engine.predict(RESOURCES, [EXAMPLE_ABALONE]),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    expect((await fetch(`${engine.endpointUrl}/ping`)).status).toBe(503);

    const approved = await engine.updateModelApproval(RESOURCES, 1, {
      status: 'Approved',
      comment: 'looks good',
      actor: GUEST,
    });
    expect(approved).toMatchObject({
      approvalStatus: 'Approved',
      deployed: true,
    });
    expect(approved.approvalHistory.map(h => [h.status, h.by])).toEqual([
      ['PendingManualApproval', 'pipeline'],
      ['Approved', GUEST.ref],
    ]);
    const afterApproval = await engine.getExecution(
      RESOURCES,
      done.executionId,
    );
    expect(afterApproval.release!.map(s => s.status)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
    const deps = await engine.listDeployments(RESOURCES);
    expect(deps.endpoint).toMatchObject({
      status: 'InService',
      modelVersion: 1,
    });
    expect(deps.deployments[0]).toMatchObject({
      modelVersion: 1,
      current: true,
      reason: 'approval',
    });

    const pred = await engine.predict(RESOURCES, [EXAMPLE_ABALONE]);
    expect(pred.modelVersion).toBe(1);
    expect(pred.predictions[0].rings).toBeGreaterThanOrEqual(3);
    expect(pred.predictions[0].rings).toBeLessThanOrEqual(25);
    expect(pred.predictions[0].age).toBeCloseTo(
      (pred.predictions[0].rings as number) + 1.5,
      10,
    );

    // SageMaker serving contract over real HTTP.
    const ping = await fetch(`${engine.endpointUrl}/ping`);
    expect(ping.status).toBe(200);
    const csvRes = await fetch(`${engine.endpointUrl}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${exampleCsv}\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21\n`,
    });
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csvRes.text()).trim().split('\n').map(Number);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBeCloseTo(pred.predictions[0].rings as number, 5);
    const jsonRes = await fetch(
      `${engine.endpointUrl}/endpoints/${RESOURCES.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [EXAMPLE_ABALONE] }),
      },
    );
    expect(jsonRes.status).toBe(200);
    const body = await jsonRes.json();
    expect(body.predictions[0].rings).toBeCloseTo(
      pred.predictions[0].rings as number,
      5,
    );
    const badCsv = await fetch(`${engine.endpointUrl}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${exampleCsv}\nM,0.5,abc,0.1,0.5,0.2,0.1,0.15\n`,
    });
    expect(badCsv.status).toBe(400);
    expect((await badCsv.json()).error.message).toMatch(
      /row 2, column diameter/,
    );
    const badJson = await fetch(`${engine.endpointUrl}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ ...EXAMPLE_ABALONE, length: 9 }] }),
    });
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).error.message).toMatch(
      /instances\.0\.length/,
    );
    expect(
      (await fetch(`${engine.endpointUrl}/endpoints/nope/ping`)).status,
    ).toBe(404);

    // Reject the deployed (only approved) version → endpoint has no model.
    await engine.updateModelApproval(RESOURCES, 1, {
      status: 'Rejected',
      comment: 'bias found',
      actor: GUEST,
    });
    await expect(
      engine.predict(RESOURCES, [EXAMPLE_ABALONE]),
    ).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
    expect((await engine.listDeployments(RESOURCES)).endpoint!.status).toBe(
      'OutOfService',
    );
    // Rejected → Approved is allowed again (history kept), same → same is a conflict.
    await expect(
      engine.updateModelApproval(RESOURCES, 1, {
        status: 'Rejected',
        comment: 'x',
        actor: GUEST,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(
      engine.updateModelApproval(RESOURCES, 1, {
        status: 'PendingManualApproval' as any,
        comment: 'x',
        actor: GUEST,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      engine.updateModelApproval(RESOURCES, 99, {
        status: 'Approved',
        comment: 'x',
        actor: GUEST,
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    const reapproved = await engine.updateModelApproval(RESOURCES, 1, {
      status: 'Approved',
      comment: 'false alarm',
      actor: GUEST,
    });
    expect(reapproved.approvalHistory).toHaveLength(4);
    expect(reapproved.deployed).toBe(true);

    // A second version (manual run), approved, then rejected → rollback to version 1.
    const run2 = await engine.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      // Per-run overrides: a quick model is enough here (the gate is config's).
      parameters: { Seed: 1, NumRound: 30 },
    });
    const done2 = await waitForExecution(engine, run2.executionId);
    expect(done2.status).toBe('Succeeded');
    expect(done2.parameters.Seed).toBe(1);
    expect(done2.modelVersion).toBe(2);
    await engine.updateModelApproval(RESOURCES, 2, {
      status: 'Approved',
      comment: 'ok',
      actor: GUEST,
    });
    expect(
      (await engine.predict(RESOURCES, [EXAMPLE_ABALONE])).modelVersion,
    ).toBe(2);
    await engine.updateModelApproval(RESOURCES, 2, {
      status: 'Rejected',
      comment: 'regression',
      actor: GUEST,
    });
    expect(
      (await engine.predict(RESOURCES, [EXAMPLE_ABALONE])).modelVersion,
    ).toBe(1);
    const history = await engine.listDeployments(RESOURCES);
    expect(history.deployments[0]).toMatchObject({
      modelVersion: 1,
      reason: 'rollback',
      current: true,
    });
    expect(history.deployments.filter(d => d.current)).toHaveLength(1);
    const { items: versions } = await engine.listModelVersions(RESOURCES);
    expect(
      versions.map(v => [v.version, v.approvalStatus, v.deployed]),
    ).toEqual([
      [2, 'Rejected', false],
      [1, 'Approved', true],
    ]);

    const types = new Set(events.map(e => e.type));
    expect(types).toEqual(
      new Set(['execution', 'model-version', 'deployment']),
    );
    expect(
      events.every(e => e.resources.entityRef === RESOURCES.entityRef),
    ).toBe(true);
  });

  it('refuses a bad CSV with row errors and stores nothing', async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    const engine = await start(knex, dataDir);
    const lines = abaloneText().split('\n').slice(0, 10);
    lines[2] = 'M,0.455,not-a-number,0.095,0.514,0.2245,0.101,0.15,15';
    lines[5] = 'X,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,7';
    const err = await upload(engine, lines.join('\n')).catch(e => e);
    expect(err).toBeInstanceOf(DatasetValidationError);
    expect(err.name).toBe('InputError');
    expect(err.rowErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: 'diameter' }),
        expect.objectContaining({ row: 6, column: 'sex' }),
      ]),
    );
    expect(err.message).toMatch(/row 3, column diameter/);
    await expect(upload(engine, '')).rejects.toBeInstanceOf(
      DatasetValidationError,
    );
    await expect(
      upload(engine, abaloneText(), '../evil.csv'),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
    // A large file is checked in a child process, with the same errors.
    const big = Array(6).fill(abaloneText().trimEnd()).join('\n').split('\n');
    expect(Buffer.byteLength(big.join('\n'))).toBeGreaterThan(1024 * 1024);
    big[20000] = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,-3';
    const bigErr = await upload(engine, big.join('\n'), 'big.csv').catch(
      e => e,
    );
    expect(bigErr).toBeInstanceOf(DatasetValidationError);
    expect(bigErr.rowErrors).toEqual([
      expect.objectContaining({ row: 20001, column: 'rings' }),
    ]);
    expect(fs.readdirSync(path.join(dataDir, 'incoming'))).toEqual([]);
    // Nothing stored: no object, no manifest, no run.
    expect(fs.existsSync(path.join(dataDir, 'bucket'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'manifests'))).toBe(false);
    expect((await engine.listExecutions(RESOURCES)).items).toHaveLength(0);
    await expect(
      engine.startExecution(RESOURCES, { trigger: 'manual', actor: GUEST }),
    ).rejects.toMatchObject({ name: 'ConflictError' });

    // The fixed large file is kept (moved from staging into the bucket).
    big[20000] = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,3';
    const ok = await upload(engine, `${big.join('\n')}\n`, 'big.csv');
    expect(ok.manifest.rowCount).toBe(6 * 4177);
    expect(fs.readdirSync(path.join(dataDir, 'incoming'))).toEqual([]);
    await engine.stopExecution(RESOURCES, ok.execution!.executionId, GUEST);
  });

  it('refuses bytes the CSV parser rejects (stray quote, binary) with a row error, small or large', async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    const engine = await start(knex, dataDir);
    const lines = abaloneText().split('\n').slice(0, 10);
    lines[3] = 'M,0.4"55,0.365,0.095,0.514,0.2245,0.101,0.15,15';
    const quoteErr = await upload(engine, lines.join('\n')).catch(e => e);
    expect(quoteErr).toBeInstanceOf(DatasetValidationError);
    expect(quoteErr.name).toBe('InputError');
    expect(quoteErr.rowErrors).toEqual([
      expect.objectContaining({
        row: 4,
        reason: expect.stringMatching(/Invalid Opening Quote/),
      }),
    ]);
    expect(quoteErr.message).toMatch(/row 4, column \*: not valid CSV/);

    const binary = Buffer.concat([
      Buffer.from(`${lines[0]}\n`),
      Buffer.from([0x00, 0xff, 0x22, 0x0a, 0xc8, 0x22, 0x2c, 0x22, 0x41]),
    ]);
    const binErr = await engine
      .uploadDataset(RESOURCES, {
        fileName: 'garbage.bin',
        content: binary,
        actor: GUEST,
      })
      .catch(e => e);
    expect(binErr).toBeInstanceOf(DatasetValidationError);
    expect(binErr.rowErrors[0].row).toBeGreaterThanOrEqual(2);

    // Large uploads are parsed in the child process: same 400-class error.
    const big = Array(6).fill(abaloneText().trimEnd()).join('\n').split('\n');
    big[15000] = '"M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,3';
    const bigErr = await upload(engine, big.join('\n'), 'big.csv').catch(
      e => e,
    );
    expect(bigErr).toBeInstanceOf(DatasetValidationError);
    expect(bigErr.rowErrors[0]).toEqual(
      expect.objectContaining({ row: 15001, column: '*' }),
    );

    // Nothing stored: no object, no manifest, no staged file, no run.
    expect(fs.readdirSync(path.join(dataDir, 'incoming'))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'bucket'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'manifests'))).toBe(false);
    expect((await engine.listExecutions(RESOURCES)).items).toHaveLength(0);
  });

  it('queues triggers, fails the gate without registering, retries, honours idempotency tokens', async () => {
    const knex = await databases.init(databaseId);
    // A (defaults) passes this gate; B, one round at the smallest learning
    // rate, predicts about base_score 0.5 (MSE near 100) and cannot.
    const engine = await start(knex, tempDataDir(), GATE_B_FAILS);
    const a = (await upload(engine, abaloneSubset())).execution!;
    // While A runs: B (gate cannot pass) queues behind it; the token makes a repeat a no-op.
    const b = await engine.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      parameters: CANNOT_PASS,
      clientRequestToken: 'tok-1',
    });
    const again = await engine.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      parameters: CANNOT_PASS,
      clientRequestToken: 'tok-1',
    });
    // The gate is the spec's, recorded on the run's Check step; never a run parameter.
    expect(b.parameters.MseThreshold).toBeUndefined();
    expect(b.specHash).toBe(RESOURCES.system!.hash);
    await expect(
      engine.startExecution(RESOURCES, {
        trigger: 'manual',
        actor: GUEST,
        parameters: { MseThreshold: 1000 },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^parameters\.MseThreshold: the quality gate is not a run parameter/,
      ),
    });
    expect(again.executionId).toBe(b.executionId);
    await expect(
      engine.startExecution(RESOURCES, {
        trigger: 'manual',
        actor: GUEST,
        parameters: { Bogus: 1 },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/Bogus/),
    });
    const queued = await engine.getExecution(RESOURCES, b.executionId);
    expect(queued.status).toBe('Executing');
    expect(queued.startTime).toBeUndefined();

    const doneA = await waitForExecution(engine, a.executionId);
    const doneB = await waitForExecution(engine, b.executionId);
    expect(doneA.status).toBe('Succeeded');
    expect(doneB.status).toBe('Failed');
    expect(doneB.startTime! >= doneA.endTime!).toBe(true);
    expect(doneB.failureReason).toMatch(
      /^CheckMSE: test mse \d+(\.\d+)? fails the gate mse ≤ 20; model not registered$/,
    );
    expect(doneB.steps.find(s => s.name === 'CheckMSE')).toMatchObject({
      status: 'Failed',
      outputs: { outcome: false, threshold: GATE_B_FAILS },
    });
    expect(doneB.steps.find(s => s.name === 'Register')!.status).toBe(
      'NotStarted',
    );
    expect(doneB.release!.find(s => s.name === 'MLPipeline')!.status).toBe(
      'Failed',
    );

    const retry = await engine.retryExecution(RESOURCES, b.executionId, GUEST);
    expect(retry).toMatchObject({ trigger: 'retry', retryOf: b.executionId });
    expect(retry.parameters).toEqual(doneB.parameters);
    const doneRetry = await waitForExecution(engine, retry.executionId);
    expect(doneRetry.status).toBe('Failed');
    await expect(
      engine.retryExecution(RESOURCES, a.executionId, GUEST),
    ).rejects.toMatchObject({ name: 'ConflictError' });

    // Exactly one version, registered once, by A.
    const { items: versions } = await engine.listModelVersions(RESOURCES);
    expect(versions.map(v => v.executionId)).toEqual([a.executionId]);
    const list = await engine.listExecutions(RESOURCES, { limit: 2 });
    expect(list.items.map(e => e.executionId)).toEqual([
      retry.executionId,
      b.executionId,
    ]);
    const page2 = await engine.listExecutions(RESOURCES, {
      limit: 2,
      nextToken: list.nextToken,
    });
    expect(page2.items.map(e => e.executionId)).toEqual([a.executionId]);
    expect(page2.nextToken).toBeUndefined();
    await expect(
      engine.getExecution(
        { ...RESOURCES, pipelineName: 'other' },
        a.executionId,
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('stops a running execution (kills training) and a queued one', async () => {
    const knex = await databases.init(databaseId);
    const engine = await start(knex, tempDataDir(), LENIENT_GATE);
    const a = (await upload(engine, abaloneSubset())).execution!;
    const long = { NumRound: 2000, EarlyStoppingRounds: 500, Eta: 0.001 };
    const b = await engine.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      parameters: long,
    });
    const c = await engine.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      parameters: QUICK,
    });
    // A: stop at once (whatever it is doing).
    const stoppingA = await engine.stopExecution(
      RESOURCES,
      a.executionId,
      GUEST,
    );
    expect(['Stopping', 'Stopped']).toContain(stoppingA.status);
    expect((await waitForExecution(engine, a.executionId)).status).toBe(
      'Stopped',
    );
    // C: stopped while queued.
    const stoppedC = await engine.stopExecution(
      RESOURCES,
      c.executionId,
      GUEST,
    );
    expect(stoppedC.status).toBe('Stopped');
    // B: stop while boosting rounds run.
    await waitForExecution(
      engine,
      b.executionId,
      e => (e.steps.find(s => s.name === 'Train')!.progress ?? 0) > 0,
    );
    const stoppingB = await engine.stopExecution(
      RESOURCES,
      b.executionId,
      GUEST,
    );
    expect(stoppingB.status).toBe('Stopping');
    const t0 = Date.now();
    const doneB = await waitForExecution(engine, b.executionId);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(doneB.status).toBe('Stopped');
    expect(doneB.failureReason).toBeUndefined();
    const trainStep = doneB.steps.find(s => s.name === 'Train')!;
    expect(trainStep.status).toBe('Stopped');
    expect(trainStep.progress!).toBeLessThan(1);
    expect(doneB.steps.find(s => s.name === 'Evaluate')!.status).toBe(
      'NotStarted',
    );
    expect((await engine.listModelVersions(RESOURCES)).items).toHaveLength(0);
    await expect(
      engine.stopExecution(RESOURCES, b.executionId, GUEST),
    ).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('recovers after a crash: interrupted runs fail, queued runs resume, the endpoint serves the last deployment', async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    const engine1 = await start(knex, dataDir, LENIENT_GATE);
    const a = (await upload(engine1, abaloneSubset())).execution!;
    expect((await waitForExecution(engine1, a.executionId)).status).toBe(
      'Succeeded',
    );
    await engine1.updateModelApproval(RESOURCES, 1, {
      status: 'Approved',
      comment: 'ship',
      actor: GUEST,
    });
    const before = await engine1.predict(RESOURCES, [EXAMPLE_ABALONE]);

    // Graceful shutdown mid-training: the run ends Failed ("interrupted").
    const long = await engine1.startExecution(RESOURCES, {
      trigger: 'manual',
      actor: GUEST,
      parameters: { NumRound: 2000, EarlyStoppingRounds: 500, Eta: 0.001 },
    });
    await waitForExecution(
      engine1,
      long.executionId,
      e => (e.steps.find(s => s.name === 'Train')!.progress ?? 0) > 0,
    );
    await engine1.close();
    const interrupted = await engine1.getExecution(RESOURCES, long.executionId);
    expect(interrupted.status).toBe('Failed');
    expect(interrupted.failureReason).toMatch(/interrupted: backend shut down/);

    // Simulate kill -9: a row left mid-Register, with its artifacts directory
    // already copied but no version row, plus a queued (never started) run.
    const steps = interrupted.steps.map(s => ({ ...s, status: 'Succeeded' }));
    steps[4] = { ...steps[4], status: 'Executing' };
    const base = {
      pipeline_name: RESOURCES.pipelineName,
      trigger_kind: 'manual',
      triggered_by: GUEST.ref,
      resources: JSON.stringify(RESOURCES),
      parameters: JSON.stringify({ ...a.parameters, ...QUICK }),
      data_manifest: JSON.stringify(a.dataManifest),
      created_at: new Date().toISOString(),
      status: 'Executing',
    };
    await knex('mlops_local_executions').insert({
      ...base,
      execution_id: 'crashed00001',
      start_time: new Date().toISOString(),
      current_step: 'Register',
      steps: JSON.stringify(steps),
      release: JSON.stringify(interrupted.release),
    });
    await knex('mlops_local_executions').insert({
      ...base,
      execution_id: 'queued000001',
      steps: JSON.stringify(
        interrupted.steps.map(s => ({
          ...s,
          status: 'NotStarted',
          startTime: undefined,
        })),
      ),
    });
    const staleDir = path.join(
      dataDir,
      'model-packages',
      RESOURCES.modelPackageGroupName,
      '2',
    );
    fs.mkdirSync(staleDir, { recursive: true });
    fs.writeFileSync(path.join(staleDir, 'model.json'), '{"half":');

    const engine2 = await start(knex, dataDir, LENIENT_GATE);
    const crashed = await engine2.getExecution(RESOURCES, 'crashed00001');
    expect(crashed.status).toBe('Failed');
    expect(crashed.failureReason).toBe('interrupted: backend restarted');
    expect(crashed.steps[4]).toMatchObject({
      status: 'Failed',
      failureReason: 'interrupted: backend restarted',
    });
    // No half-registered version; the endpoint is back with version 1.
    expect(
      (await engine2.listModelVersions(RESOURCES)).items.map(v => v.version),
    ).toEqual([1]);
    const after = await engine2.predict(RESOURCES, [EXAMPLE_ABALONE]);
    expect(after).toEqual(before);
    expect((await fetch(`${engine2.endpointUrl}/ping`)).status).toBe(200);
    // The queued run resumes and registers version 2 over the stale directory.
    const resumed = await waitForExecution(engine2, 'queued000001');
    expect(resumed.failureReason).toBeUndefined();
    expect(resumed.status).toBe('Succeeded');
    const v2 = await engine2.getModelVersion(RESOURCES, 2);
    expect(v2.executionId).toBe('queued000001');
    expect(() =>
      JSON.parse(fs.readFileSync(path.join(staleDir, 'model.json'), 'utf8')),
    ).not.toThrow();
  });

  it('seeds the bucket on first start only', async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    const seed = {
      spec: path.join(path.dirname(ABALONE_PATH), 'ml-system.yaml'),
      data: ABALONE_PATH,
      entityRef: RESOURCES.entityRef,
      pipelineName: RESOURCES.pipelineName,
      modelPackageGroupName: RESOURCES.modelPackageGroupName,
      endpointName: RESOURCES.endpointName,
    };
    const engine1 = await start(knex, dataDir, undefined, [seed]);
    await engine1.seeding;
    const [seeded] = (await engine1.listExecutions(RESOURCES)).items;
    expect(seeded).toMatchObject({
      trigger: 'upload',
      triggeredBy: 'mlops:seed',
    });
    expect(seeded.dataManifest).toMatchObject({
      rowCount: 4177,
      createdBy: 'mlops:seed',
    });
    expect(seeded.dataManifest!.files[0].key).toMatch(/\/abalone\.data$/);
    // The seeded run carries the seed's spec, as an entity's runs carry theirs.
    expect(seeded.specHash).toBe(ABALONE.system!.hash);
    await engine1.close();
    const engine2 = await start(knex, dataDir, undefined, [seed]);
    await engine2.seeding;
    const items = (await engine2.listExecutions(RESOURCES)).items;
    expect(items.map(e => e.executionId)).toEqual([seeded.executionId]);
  });

  it('gives each of several concurrent uploads its own execution, run one at a time', async () => {
    const knex = await databases.init(databaseId);
    const engine = await start(knex, tempDataDir(), LENIENT_GATE);
    const results = await Promise.all(
      [1, 2, 3].map(i => upload(engine, abaloneSubset(300), `part-${i}.csv`)),
    );
    const ids = results.map(r => r.execution!.executionId);
    expect(new Set(ids).size).toBe(3);
    expect(new Set(results.map(r => r.manifest.manifestId)).size).toBe(3);
    const done = await Promise.all(ids.map(id => waitForExecution(engine, id)));
    expect(done.map(d => d.status)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
    // One at a time: each started after the previous one ended.
    const byStart = [...done].sort((a, b) =>
      a.startTime!.localeCompare(b.startTime!),
    );
    for (let i = 1; i < byStart.length; i++) {
      expect(byStart[i].startTime! >= byStart[i - 1].endTime!).toBe(true);
    }
    const { items: versions } = await engine.listModelVersions(RESOURCES);
    expect(versions.map(v => v.executionId).sort()).toEqual([...ids].sort());
    expect(versions.map(v => v.version).sort()).toEqual([1, 2, 3]);
  });
});
