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
    engine = await createTestEngine(knex, dataDir);
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

  it('does not follow a dropped link to a secret file', async () => {
    const before = await latestRun();
    const outside = fs.mkdtempSync(path.join(dataDir, '..', 'mlops-outside-'));
    const secret = path.join(outside, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-TOKEN,1,2\n');
    fs.symlinkSync(secret, path.join(dropDir, 'secret.csv'));
    // A good file after it: once it is handled, the link has been seen too.
    fs.writeFileSync(path.join(dropDir, 'after-link.csv'), abaloneSubset(300));
    const after = await within(10_000, async () =>
      drops.find(d => d.fileName === 'after-link.csv'),
    );
    await waitForExecution(engine, after.executionId!);
    expect(drops.find(d => d.fileName === 'secret.csv')).toBeUndefined();
    const reports = fs.existsSync(path.join(dropDir, 'rejected'))
      ? fs.readdirSync(path.join(dropDir, 'rejected'))
      : [];
    const reportTexts = reports
      .map(r => path.join(dropDir, 'rejected', r))
      .filter(f => fs.lstatSync(f).isFile())
      .map(f => fs.readFileSync(f, 'utf8'));
    expect(reportTexts.join('\n')).not.toContain('TOP-SECRET');
    // The link's target is untouched and no run started for it.
    expect(fs.readFileSync(secret, 'utf8')).toBe('TOP-SECRET-TOKEN,1,2\n');
    const runs = await engine.listExecutions(RESOURCES, { limit: 10 });
    expect(runs.items.map(r => r.displayName)).not.toContain(
      'upload secret.csv',
    );
    expect(runs.items[0].executionId).not.toBe(before.executionId);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('never writes a report through a link pointing outside the data directory', async () => {
    const outside = fs.mkdtempSync(path.join(dataDir, '..', 'mlops-outside-'));
    const victim = path.join(outside, 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    // Links planted where the old code wrote: the report's temp name and the
    // report itself.
    const rejected = path.join(dropDir, 'rejected');
    fs.mkdirSync(rejected, { recursive: true });
    fs.symlinkSync(victim, path.join(rejected, 'evil.csv.errors.json.tmp'));
    fs.symlinkSync(victim, path.join(rejected, 'evil.csv.errors.json'));
    fs.writeFileSync(path.join(dropDir, 'evil.csv'), 'not,a\nvalid,csv,file\n');
    await within(5000, async () => drops.find(d => d.fileName === 'evil.csv'));
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    // The report replaced the link with a file of its own.
    const report = path.join(rejected, 'evil.csv.errors.json');
    expect(fs.lstatSync(report).isFile()).toBe(true);
    expect(JSON.parse(fs.readFileSync(report, 'utf8')).message).toContain(
      'evil.csv',
    );
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('refuses a rejected/ directory that is a link outside the data directory', async () => {
    const outside = fs.mkdtempSync(path.join(dataDir, '..', 'mlops-outside-'));
    const other = path.join(dataDir, 'bucket', 'linked-pipeline');
    fs.mkdirSync(other, { recursive: true });
    fs.symlinkSync(outside, path.join(other, 'rejected'));
    fs.writeFileSync(path.join(other, 'drop.csv'), 'a,b\n1,2\n');
    // Seen, stable, handled (set aside is what would write through the link).
    await sleep(3000);
    await (engine as any).bucket.settled();
    expect(fs.readdirSync(outside)).toEqual([]);
    fs.rmSync(outside, { recursive: true, force: true });
  });
});
