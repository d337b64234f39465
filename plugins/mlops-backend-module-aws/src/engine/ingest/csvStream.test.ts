import { parseAbaloneCsv } from '@mlops-portal/ml-core';
import { monitorEventLoopDelay } from 'perf_hooks';
import { Readable } from 'stream';
import { CsvStreamValidator } from './csvStream';
import { validateCsv } from './validateCsv';

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
    const whole = parseAbaloneCsv(csv.toString('utf8'), { policy: 'skip' });
    const v = new CsvStreamValidator();
    // odd chunk sizes split lines and multi-byte boundaries alike
    for (let i = 0; i < csv.length; i += 77_777)
      v.write(csv.subarray(i, i + 77_777));
    const result = v.end();
    expect(result.rowCount).toBe(whole.records.length);
    expect(result.errors).toEqual(whole.errors);
    expect(result.errors[0].row).toBe(40_001);
    expect(result.sizeBytes).toBe(csv.length);
  });

  it('reports a header row that is not on the first line', () => {
    const header =
      'Sex,Length,Diameter,Height,Whole,Shucked,Viscera,Shell,Rings\n';
    const v = new CsvStreamValidator();
    v.write(Buffer.from(ROW.repeat(30_000)));
    v.write(Buffer.from(header + ROW));
    const { errors, rowCount } = v.end();
    expect(rowCount).toBe(30_001);
    expect(errors).toEqual([
      expect.objectContaining({
        row: 30_001,
        reason: expect.stringContaining('header'),
      }),
    ]);
  });

  it('gives up on a line far too long to be a row, without holding it', () => {
    const v = new CsvStreamValidator();
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

describe('validateCsv (worker thread)', () => {
  it('validates a 25 MB CSV while the event loop stays responsive', async () => {
    const csv = bigCsv(25 * 1024 * 1024, 123_456);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = Date.now();
    const result = await validateCsv(csv);
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
    const result = await validateCsv(overTheCap(), { maxHeapMb: 48 });
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
    );
    expect(result.errors).toEqual([]);
    expect(result.sizeBytes).toBe(csv.length);
  });
});
