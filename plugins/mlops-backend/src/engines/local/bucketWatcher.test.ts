import { TestDatabases } from '@backstage/backend-test-utils';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import fs from 'fs';
import path from 'path';
import type { LocalEngine } from './LocalEngine';
import {
  GUEST,
  RESOURCES,
  abaloneSubset,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from './__testUtils__/localEngine';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls `fn` until it returns a value (or fails after `ms`). */
async function within<T>(ms: number, fn: () => Promise<T | undefined>) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`nothing within ${ms} ms`);
    await sleep(100);
  }
}

describe('drop-a-file ingestion (bucket watcher)', () => {
  let engine: LocalEngine;
  let dataDir: string;
  let dropDir: string;
  const drops: Array<Extract<MlopsEngineEvent, { type: 'dataset-drop' }>> = [];

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    dataDir = tempDataDir();
    engine = await createTestEngine(knex, dataDir, { mseThreshold: 1000 });
    engine.subscribe(e => {
      if (e.type === 'dataset-drop') drops.push(e);
    });
    // A first portal upload tells the engine which entity owns the pipeline.
    const first = await engine.uploadDataset(RESOURCES, {
      fileName: 'first.csv',
      content: Buffer.from(abaloneSubset(300)),
      actor: GUEST,
    });
    await waitForExecution(engine, first.execution!.executionId);
    dropDir = path.join(dataDir, 'bucket', RESOURCES.pipelineName);
  });

  afterAll(async () => {
    await engine?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const latestRun = async () =>
    (await engine.listExecutions(RESOURCES, { limit: 1 })).items[0];

  it('starts a run within 5 s of a CSV arriving (written as .tmp, then renamed)', async () => {
    const before = await latestRun();
    const tmp = path.join(dropDir, 'dropped.csv.tmp');
    fs.writeFileSync(tmp, abaloneSubset(300));
    await sleep(1500);
    // Still being written (by the .tmp convention): not taken.
    expect(fs.existsSync(tmp)).toBe(true);
    expect((await latestRun()).executionId).toBe(before.executionId);

    const t0 = Date.now();
    fs.renameSync(tmp, path.join(dropDir, 'dropped.csv'));
    const run = await within(5000, async () => {
      const r = await latestRun();
      return r.executionId !== before.executionId ? r : undefined;
    });
    expect(Date.now() - t0).toBeLessThanOrEqual(5000);
    expect(run).toMatchObject({ trigger: 'upload', triggeredBy: 'bucket' });
    expect(run.displayName).toContain('dropped.csv');
    // Consumed: stored under its manifest, gone from the drop zone.
    await within(2000, async () =>
      fs.existsSync(path.join(dropDir, 'dropped.csv')) ? undefined : true,
    );
    const drop = await within(5000, async () =>
      drops.find(d => d.fileName === 'dropped.csv'),
    );
    expect(drop).toMatchObject({
      outcome: 'ingested',
      fileName: 'dropped.csv',
      actor: { ref: 'bucket' },
      executionId: run.executionId,
      resources: { entityRef: RESOURCES.entityRef },
    });
    await waitForExecution(engine, run.executionId);
  });

  it('sets a bad file aside with its errors and starts nothing', async () => {
    const before = await latestRun();
    fs.writeFileSync(
      path.join(dropDir, 'bad.csv'),
      'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nQ,abc,0.3,0.1,0.5,0.2,0.1,0.15,7\n',
    );
    const rejected = path.join(dropDir, 'rejected', 'bad.csv');
    await within(5000, async () =>
      fs.existsSync(rejected) ? true : undefined,
    );
    const errors = JSON.parse(
      fs.readFileSync(`${rejected}.errors.json`, 'utf8'),
    );
    expect(errors.rowErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ row: 2 })]),
    );
    expect(errors.message).toContain('bad.csv');
    expect(fs.existsSync(path.join(dropDir, 'bad.csv'))).toBe(false);
    // The event follows the move (the engine reports once the file is set aside).
    const drop = await within(5000, async () =>
      drops.find(d => d.fileName === 'bad.csv'),
    );
    expect(drop).toMatchObject({ outcome: 'rejected', fileName: 'bad.csv' });
    await sleep(500);
    expect((await latestRun()).executionId).toBe(before.executionId);
  });
});
