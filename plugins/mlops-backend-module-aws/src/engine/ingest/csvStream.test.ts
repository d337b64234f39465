import { parseTableCsv, resolveSchema } from '@mlops-portal/ml-core';
import fs from 'fs';
import { monitorEventLoopDelay } from 'perf_hooks';
import { Readable } from 'stream';
import { demoSystem } from '../__testUtils__/demoSystems';
import { PENGUINS_SIGNATURE } from '../__fixtures__/signatures';
import { CsvStreamValidator } from './csvStream';
import type { UploadSchema } from './uploadSchema';
import { validateCsv } from './validateCsv';

// The Abalone system's spec: a header-less file, a categorical first column.
const abalone = demoSystem('abalone');
const ABALONE: UploadSchema = {
  source: 'spec',
  dataset: abalone.spec.spec.dataset,
};

const ROW = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';

function bigCsv(targetBytes: number, badRow?: number): Buffer {
  const rows = Math.ceil(targetBytes / ROW.length);
  const lines: string[] = new Array(rows).fill(ROW);
  if (badRow) lines[badRow - 1] = 'X,0.4,abc,0.1,0.5,0.2,0.1,0.15,10\n';
  return Buffer.from(
    `Sex,Length,Diameter,Height,Whole,Shucked,Viscera,Shell,Rings\n${lines.join(
      '',
    )}`,
  );
}

describe('CsvStreamValidator', () => {
  it('finds what ml-core finds on the whole text, with whole-file row numbers, whatever the chunking', () => {
    const csv = bigCsv(3_000_000, 40_000);
    const text = csv.toString('utf8');
    const whole = parseTableCsv(
      text,
      resolveSchema(
        abalone.spec.spec.dataset,
        text.slice(text.indexOf('\n') + 1),
      ),
      { policy: 'skip', detectHeader: true, maxErrors: 1000 },
    );
    const v = new CsvStreamValidator(ABALONE);
    // odd chunk sizes split lines and multi-byte boundaries alike
    for (let i = 0; i < csv.length; i += 77_777)
      v.write(csv.subarray(i, i + 77_777));
    const result = v.end();
    expect(result.rowCount).toBe(whole.rows - whole.skippedRows);
    expect(result.errors).toEqual(
      whole.errors.map(e => ({ ...e, column: e.column ?? '*' })),
    );
    expect(result.errors[0].row).toBe(40_001);
    expect(result.sizeBytes).toBe(csv.length);
  });

  it('reports a header row that is not on the first line as a bad row, cell by cell', () => {
    const header =
      'Sex,Length,Diameter,Height,Whole,Shucked,Viscera,Shell,Rings\n';
    const v = new CsvStreamValidator(ABALONE);
    v.write(Buffer.from(ROW.repeat(30_000)));
    v.write(Buffer.from(header + ROW));
    const { errors, rowCount } = v.end();
    expect(rowCount).toBe(30_001);
    expect(new Set(errors.map(e => e.row))).toEqual(new Set([30_001]));
    expect(errors).toContainEqual({
      row: 30_001,
      column: 'length',
      value: 'Length',
      reason: 'not a number',
    });
  });

  it('gives up on a line far too long to be a row, without holding it', () => {
    const v = new CsvStreamValidator(ABALONE);
    v.write(Buffer.from(ROW));
    const junk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 8; i++) v.write(junk);
    const { errors, sizeBytes } = v.end();
    expect(sizeBytes).toBe(ROW.length + 8 * junk.length);
    expect(errors).toEqual([
      expect.objectContaining({
        row: 2,
        reason: expect.stringContaining('longer than'),
      }),
    ]);
  });
});

describe('CsvStreamValidator for any ML system', () => {
  const penguins = demoSystem('penguins');
  const PENGUINS: UploadSchema = {
    source: 'spec',
    dataset: penguins.spec.spec.dataset,
  };
  const data = fs.readFileSync(penguins.dataPath);

  it("reads the penguins data (a header, categories, missing values) by its spec, in batches, with the file's row numbers", () => {
    const lines = data.toString('utf8').trimEnd().split('\n');
    // Enough rows for several batches; two bad rows far apart.
    const body = Array.from({ length: 200 }, () => lines.slice(1)).flat();
    body[10] = body[10].replace(/^Adelie,Torgersen/, 'Adelie,Atlantis');
    body[30_000] = body[30_000].replace(/,\d+(\.\d+)?,/, ',lots,');
    const csv = Buffer.from(`${lines[0]}\n${body.join('\n')}\n`);
    const v = new CsvStreamValidator(PENGUINS);
    for (let i = 0; i < csv.length; i += 65_537)
      v.write(csv.subarray(i, i + 65_537));
    const result = v.end();
    expect(csv.length).toBeGreaterThan(2 * (1 << 20));
    expect(result.rowCount).toBe(body.length - 2);
    expect(result.errors).toEqual([
      {
        row: 12,
        column: 'island',
        value: 'Atlantis',
        reason: expect.stringContaining('Biscoe'),
      },
      expect.objectContaining({ row: 30_002, value: 'lots' }),
    ]);
  });

  it('names a column the header lacks, on row 1', () => {
    const v = new CsvStreamValidator(PENGUINS);
    v.write(
      Buffer.from(
        'species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,sex\nAdelie,Dream,39,18,181,MALE\n',
      ),
    );
    const { errors } = v.end();
    expect(errors).toEqual([
      {
        row: 1,
        column: '*',
        reason: expect.stringContaining("column 'body_mass_g'"),
      },
    ]);
  });

  it("checks against the newest version's signature when there is no spec (by header, or by position)", () => {
    const bySignature: UploadSchema = {
      source: 'signature',
      signature: PENGUINS_SIGNATURE,
    };
    const withHeader = new CsvStreamValidator(bySignature);
    withHeader.write(data);
    const read = withHeader.end();
    // A signature does not carry the spec's missing-value markers: the one
    // '.' sex of the data is a bad category without the spec.
    expect(read.errors).toEqual([
      {
        row: 338,
        column: 'sex',
        value: '.',
        reason: 'must be one of FEMALE, MALE',
      },
    ]);
    expect(read.rowCount).toBe(
      data.toString('utf8').trimEnd().split('\n').length - 2,
    );
    // No header: inputs in signature order, then the target.
    const positional = new CsvStreamValidator(bySignature);
    positional.write(
      Buffer.from(
        'Dream,39,18,181,3700,MALE,Adelie\n"Biscoe",,,,,,Gentoo\nDream,39,18,181,3700,MALE,Emperor\n',
      ),
    );
    const { errors, rowCount } = positional.end();
    expect(rowCount).toBe(2);
    expect(errors).toEqual([
      expect.objectContaining({ row: 3, column: 'species', value: 'Emperor' }),
    ]);
  });

  it('refuses a file the spec cannot be settled from, on row 1', () => {
    const v = new CsvStreamValidator(PENGUINS);
    v.write(Buffer.from('a,b\n1,2\n'));
    const { errors, rowCount } = v.end();
    expect(rowCount).toBe(0);
    expect(errors).toEqual([expect.objectContaining({ row: 1, column: '*' })]);
  });
});

describe('validateCsv (worker thread)', () => {
  it('validates a 25 MB CSV while the event loop stays responsive', async () => {
    const csv = bigCsv(25 * 1024 * 1024, 123_456);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const result = await validateCsv(csv, ABALONE);
    const elapsedMs = Date.now() - started;
    delay.disable();
    const maxDelayMs = delay.max / 1e6;
    // eslint-disable-next-line no-console
    console.log(
      `25 MB validated in ${elapsedMs} ms; max event-loop delay ${maxDelayMs.toFixed(
        1,
      )} ms`,
    );
    expect(result.rowCount).toBe(
      Math.ceil((25 * 1024 * 1024) / ROW.length) - 1,
    );
    expect(result.errors.map(e => e.row)).toEqual([123_457, 123_457]);
    expect(elapsedMs).toBeGreaterThan(300);
    expect(maxDelayMs).toBeLessThan(elapsedMs / 4);
  }, 60_000);

  it('streams a file larger than its heap cap (memory stays bounded)', async () => {
    const chunk = Buffer.from(ROW.repeat(20_000)); // ~0.9 MB
    async function* overTheCap() {
      for (let i = 0; i < 60; i++) yield chunk;
    }
    const result = await validateCsv(overTheCap(), ABALONE, { maxHeapMb: 48 });
    expect(result.sizeBytes).toBe(60 * chunk.length);
    // more bytes than the worker's whole heap may hold
    expect(result.sizeBytes).toBeGreaterThan(48 * 1024 * 1024);
    expect(result.rowCount).toBe(60 * 20_000);
    expect(result.errors).toEqual([]);
  }, 60_000);

  it('reads a stream, such as an S3 GetObject body', async () => {
    const csv = bigCsv(2_000_000);
    const result = await validateCsv(
      Readable.from([csv.subarray(0, 999), csv.subarray(999)]),
      ABALONE,
    );
    expect(result.errors).toEqual([]);
    expect(result.sizeBytes).toBe(csv.length);
  });
});
