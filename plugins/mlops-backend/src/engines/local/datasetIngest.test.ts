import type { DataManifest } from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import fs from 'fs';
import path from 'path';
import { Readable } from 'stream';
import { DatasetValidationError } from '../../errors';
import { DataLayout } from './dataLayout';
import { DatasetIngest, summariseRowErrors } from './datasetIngest';
import { demoSystem } from '../../__testUtils__/demoSystems';
import { loadTable, schemaOf } from './tableLoader';
import {
  ABALONE_PATH,
  GUEST,
  PENGUIN_RESOURCES,
  RESOURCES,
  abaloneSubset,
} from './__testUtils__/localEngine';
import {
  PartsHarness,
  createPartsHarness,
  testExecution,
} from './__testUtils__/parts';

describe('DatasetIngest', () => {
  let h: PartsHarness;
  let ingest: DatasetIngest;
  let triggered: Array<{ manifest: DataManifest; fileName: string }>;

  beforeEach(async () => {
    h = await createPartsHarness();
    triggered = [];
    ingest = new DatasetIngest(
      h.store,
      new DataLayout(h.dataDir),
      h.logger,
      async (resources, manifest, actor, fileName) => {
        triggered.push({ manifest, fileName });
        return h.store.insertExecution(
          testExecution({ resources, triggeredBy: actor.ref }),
        );
      },
    );
  });
  afterEach(async () => {
    ingest.close();
    await h.close();
  });

  const upload = (text: string | Buffer, fileName = 'abalone.csv') =>
    ingest.upload(RESOURCES, {
      fileName,
      content: Buffer.isBuffer(text) ? text : Buffer.from(text),
      actor: GUEST,
    });
  const storedNothing = async () => {
    expect(fs.existsSync(path.join(h.dataDir, 'bucket'))).toBe(false);
    expect(fs.existsSync(path.join(h.dataDir, 'manifests'))).toBe(false);
    expect(await h.store.latestManifest(RESOURCES.pipelineName)).toBe(
      undefined,
    );
    expect(triggered).toEqual([]);
    // Staging files are gone too (a refused upload leaves no trace).
    const incoming = path.join(h.dataDir, 'incoming');
    expect(fs.existsSync(incoming) ? fs.readdirSync(incoming) : []).toEqual([]);
  };

  it('stores a valid upload under its manifest and triggers the pipeline', async () => {
    const text = abaloneSubset(100);
    const res = await upload(text);
    expect(res.manifest.rowCount).toBe(100);
    expect(res.manifest.createdBy).toBe(GUEST.ref);
    const [file] = res.manifest.files;
    expect(file.key).toBe(`${res.manifest.manifestId}/abalone.csv`);
    const object = new DataLayout(h.dataDir).bucketObject(
      RESOURCES.pipelineName,
      file.key,
    );
    expect(fs.readFileSync(object, 'utf8')).toBe(text);
    expect(JSON.parse(fs.readFileSync(res.manifest.uri!, 'utf8'))).toEqual(
      res.manifest,
    );
    expect(await h.store.latestManifest(RESOURCES.pipelineName)).toEqual(
      res.manifest,
    );
    expect(triggered).toEqual([
      { manifest: res.manifest, fileName: 'abalone.csv' },
    ]);
    expect(res.execution?.triggeredBy).toBe(GUEST.ref);
  });

  it('refuses bad names, empty files, bad rows and unparseable bytes, storing nothing', async () => {
    await expect(upload('x', '../evil.csv')).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^fileName must be/),
    });
    await expect(upload('')).rejects.toBeInstanceOf(DatasetValidationError);
    await expect(
      upload(
        'sex,length,diameter,height,wholeWeight,shuckedWeight,visceraWeight,shellWeight,rings\n',
      ),
    ).rejects.toThrow(/no data rows/);
    const badRow = await upload(
      `${abaloneSubset(3)}M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,-2\n`,
    ).catch(e => e);
    expect(badRow).toBeInstanceOf(DatasetValidationError);
    expect(badRow.rowErrors).toEqual([
      expect.objectContaining({ row: 4, column: 'rings' }),
    ]);
    const quote = await upload(`M,0.4"5,0.3,0.1,0.5,0.2,0.1,0.15,7\n`).catch(
      e => e,
    );
    expect(quote).toBeInstanceOf(DatasetValidationError);
    expect(quote.name).toBe('InputError');
    expect(quote.rowErrors[0]).toMatchObject({ row: 1, column: '*' });
    await storedNothing();
  });

  it('streams a large upload to disk, checks it in the worker once and keeps its parsed columns', async () => {
    // Over the inline limit (1 MB): parsed in the child, sent in 64 kB chunks.
    const text = abaloneSubset(4177).repeat(6);
    const bytes = Buffer.from(text);
    const chunks = Array.from(
      { length: Math.ceil(bytes.length / 65536) },
      (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536),
    );
    const res = await ingest.upload(RESOURCES, {
      fileName: 'big.csv',
      content: Readable.from(chunks),
      actor: GUEST,
    });
    const [file] = res.manifest.files;
    expect(file).toMatchObject({ size: bytes.length, rowCount: 6 * 4177 });
    expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const layout = new DataLayout(h.dataDir);
    const object = layout.bucketObject(RESOURCES.pipelineName, file.key);
    expect(fs.readFileSync(object).equals(bytes)).toBe(true);
    // The run's steps read the cached columns, after checking the bytes.
    const logs: string[] = [];
    const dataFile = {
      key: file.key,
      path: object,
      sha256: file.sha256,
      cachePath: layout.parseCache(file.sha256!, RESOURCES.system!.hash),
    };
    expect(fs.existsSync(dataFile.cachePath)).toBe(true);
    const schema = await schemaOf(demoSystem('abalone').spec, object);
    const table = await loadTable([dataFile], schema, m => logs.push(m));
    expect(table.rowCount).toBe(6 * 4177);
    expect(logs).toEqual([`${file.key}: ${6 * 4177} rows (parsed at upload)`]);
    // A bucket object changed after upload is refused, cache or not.
    fs.appendFileSync(object, 'M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n');
    await expect(loadTable([dataFile], schema, () => {})).rejects.toThrow(
      /does not match the manifest/,
    );
    // A child process and 25k rows: more than jest's 5 s on a busy machine.
  }, 30_000);

  it('removes the staging files an interrupted process left', async () => {
    const incoming = path.join(h.dataDir, 'incoming');
    fs.mkdirSync(incoming, { recursive: true });
    fs.writeFileSync(path.join(incoming, 'a1b2.csv'), 'M,0.4,0.3');
    fs.writeFileSync(path.join(incoming, 'a1b2.columns'), 'partial');
    await ingest.clearStaging();
    expect(fs.readdirSync(incoming)).toEqual([]);
    // and with nothing staged (or no directory yet) it is a no-op
    fs.rmSync(incoming, { recursive: true });
    await expect(ingest.clearStaging()).resolves.toBeUndefined();
  });

  it('stores nothing when the upload stream fails part-way', async () => {
    async function* cutOff() {
      yield Buffer.from(abaloneSubset(50));
      throw new Error('client went away');
    }
    await expect(
      ingest.upload(RESOURCES, {
        fileName: 'cut.csv',
        content: Readable.from(cutOff()),
        actor: GUEST,
      }),
    ).rejects.toThrow('client went away');
    await storedNothing();
  });

  it('checks an upload against the spec: a penguins file with an unknown island is refused naming row and column', async () => {
    const penguins = fs.readFileSync(demoSystem('penguins').dataPath, 'utf8');
    const lines = penguins.split('\n');
    // Line 3 of the file (row 3): an island the spec does not list.
    const header = lines[0].split(',');
    const island = header.indexOf('island');
    const cells = lines[2].split(',');
    cells[island] = 'Atlantis';
    lines[2] = cells.join(',');
    const refused = await ingest
      .upload(PENGUIN_RESOURCES, {
        fileName: 'penguins.csv',
        content: Buffer.from(lines.join('\n')),
        actor: GUEST,
      })
      .catch(e => e);
    expect(refused).toBeInstanceOf(DatasetValidationError);
    expect(refused.name).toBe('InputError');
    expect(refused.rowErrors).toEqual([
      expect.objectContaining({ row: 3, column: 'island', value: 'Atlantis' }),
    ]);
    expect(refused.message).toMatch(/row 3, column island/);
    expect(triggered).toEqual([]);
    // The same file unchanged is stored (header, categories, '.' as missing).
    const ok = await ingest.upload(PENGUIN_RESOURCES, {
      fileName: 'penguins.csv',
      content: Buffer.from(penguins),
      actor: GUEST,
    });
    expect(ok.manifest.rowCount).toBe(344);
  });

  it('refuses an upload for an entity without a spec, naming the annotation', async () => {
    const { system, ...noSpec } = RESOURCES;
    await expect(
      ingest.upload(noSpec, {
        fileName: 'abalone.csv',
        content: Buffer.from(abaloneSubset(10)),
        actor: GUEST,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('mlops.io/spec'),
    });
    await storedNothing();
  });

  it('refuses a file missing a column the spec names, as one header-row error', async () => {
    const penguins = fs.readFileSync(demoSystem('penguins').dataPath, 'utf8');
    const noIsland = penguins
      .split('\n')
      .map(l => l.split(',').filter((_, j) => j !== penguins.split('\n')[0].split(',').indexOf('island')).join(','))
      .join('\n');
    const refused = await ingest
      .upload(PENGUIN_RESOURCES, {
        fileName: 'penguins.csv',
        content: Buffer.from(noIsland),
        actor: GUEST,
      })
      .catch(e => e);
    expect(refused).toBeInstanceOf(DatasetValidationError);
    expect(refused.rowErrors[0]).toMatchObject({ row: 1 });
    expect(refused.rowErrors[0].reason).toMatch(/island/);
    expect(triggered).toEqual([]);
  });

  it('seeds an empty bucket once, by the seed spec, and logs a failed seed', async () => {
    const seed = {
      spec: path.join(path.dirname(ABALONE_PATH), 'ml-system.yaml'),
      source: ABALONE_PATH,
      resources: { ...RESOURCES, system: undefined },
      deploy: false,
    };
    const res = await ingest.seed(seed);
    expect(res?.manifest.rowCount).toBe(4177);
    expect(triggered).toHaveLength(1);
    expect(triggered[0].fileName).toBe('abalone.data');
    expect(triggered[0].manifest.rowCount).toBe(4177);
    // The seeded run carries the spec read from the seed's file.
    const run = await h.store.getExecution(res!.execution!.executionId);
    expect(run?.resources.system?.hash).toBe(RESOURCES.system!.hash);
    await ingest.seed(seed);
    expect(triggered).toHaveLength(1);

    await ingest.seed({
      ...seed,
      source: '/no/such/file',
      resources: { ...seed.resources, pipelineName: 'other' },
    });
    expect(h.logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/seeding of other from \/no\/such\/file failed/),
    );
  });
});

describe('summariseRowErrors', () => {
  it('lists the first errors and counts the rest, without cell values', () => {
    const errors = Array.from({ length: 7 }, (_, i) => ({
      row: i + 2,
      column: 'length',
      value: 'x',
      reason: 'not a number',
    }));
    expect(summariseRowErrors(errors, 2)).toBe(
      'row 2, column length: not a number; row 3, column length: not a number; and 5 more',
    );
    expect(
      summariseRowErrors([{ row: 1, column: 'sex', reason: 'empty' }]),
    ).toBe('row 1, column sex: empty');
  });
});
