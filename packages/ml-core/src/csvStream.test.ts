import fs from 'fs';
import path from 'path';
import { Readable } from 'stream';
import { createHash } from 'crypto';
import { MAX_RECORD_CHARS, parseAbaloneCsv } from './csv';
import { readAbaloneCsv } from './csvStream';
import {
  columnsFromRecords,
  decodeColumns,
  encodeColumns,
  selectRows,
} from './columns';

const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');

/** The text in chunks of `size` bytes, so rows and cells straddle chunks. */
function chunked(text: string, size: number) {
  const buf = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size)
    parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('readAbaloneCsv (streaming, columns)', () => {
  const text = fs.readFileSync(DATA, 'utf8');

  it('reads the real data set exactly as parseAbaloneCsv does, across chunk boundaries', async () => {
    const sync = parseAbaloneCsv(text);
    const streamed = await readAbaloneCsv(chunked(text, 1013));
    expect(streamed.errors).toEqual([]);
    expect(streamed.columns.rows).toBe(4177);
    expect(streamed.dataRows).toBe(4177);
    expect(streamed.columns).toEqual(columnsFromRecords(sync.records));
    expect(streamed.bytes).toBe(Buffer.byteLength(text));
    expect(streamed.sha256).toBe(
      createHash('sha256').update(text).digest('hex'),
    );
  });

  it('skips a header and reports the same row errors as the sync parser', async () => {
    const bad = [
      'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings',
      'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15',
      'X,0.35,0.265,0.09,0.2255,0.0995,0.0485,0.07,7',
      'F,0.53,abc,0.135,0.677,0.2565,0.1415,0.21,',
      'M,0.44,0.365,0.125,0.516,0.2155,0.114,0.155,10,99',
      'I,0.33,"0.2"55,0.08,0.205,0.0895,0.0395,0.055,7',
    ].join('\n');
    const sync = parseAbaloneCsv(bad);
    const streamed = await readAbaloneCsv(chunked(bad, 7));
    expect(streamed.hasHeader).toBe(true);
    expect(streamed.errors).toEqual(sync.errors);
    expect(streamed.errors.map(e => [e.row, e.column])).toEqual([
      [3, 'sex'],
      [4, 'diameter'],
      [4, 'rings'],
      [5, '*'],
      // a stray quote: the grammar error and the short record it leaves
      [6, '*'],
      [6, '*'],
    ]);
    // policy reject: one bad row voids the file
    expect(streamed.columns.rows).toBe(0);
    const skipped = await readAbaloneCsv(chunked(bad, 7), { policy: 'skip' });
    expect(skipped.columns.rows).toBe(1);
    expect(skipped.skippedRows).toBe(
      parseAbaloneCsv(bad, { policy: 'skip' }).skippedRows,
    );
  });

  it('names the line of an unclosed quote and of binary garbage', async () => {
    const unclosed = await readAbaloneCsv(
      Readable.from([
        'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n',
        'F,"0.5,1,2\n',
      ]),
    );
    expect(unclosed.errors[0]).toMatchObject({ row: 2, column: '*' });
    expect(unclosed.errors[0].reason).toContain('never closed');
    const garbage = await readAbaloneCsv(
      Readable.from([
        Buffer.from([
          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x22, 0x00, 0xff,
          0x22, 0x41,
        ]),
      ]),
    );
    expect(garbage.errors.length).toBeGreaterThan(0);
    expect(garbage.errors[0].row).toBeGreaterThanOrEqual(1);
    expect(garbage.columns.rows).toBe(0);
  });

  it('round-trips columns through the binary cache format', async () => {
    const { columns } = await readAbaloneCsv(chunked(text, 65536));
    const part = selectRows(columns, [5, 0, 4176, 17]);
    const bytes = Buffer.concat(encodeColumns(part));
    expect(decodeColumns(bytes)).toEqual(part);
    const all = Buffer.concat(encodeColumns(columns));
    expect(decodeColumns(all)).toEqual(columns);
    expect(() => decodeColumns(all.subarray(0, all.length - 8))).toThrow(
      /expected/,
    );
    expect(() => decodeColumns(Buffer.from('{"format":"x"}\n'))).toThrow(
      /not an Abalone columns file/,
    );
  });

  it('never echoes a huge row: values clipped, records capped in size', async () => {
    const good = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n';
    // A wrong column count quotes only the start of the row.
    const wide = `M,${'1,'.repeat(20_000)}1\n${good}`;
    const a = await readAbaloneCsv(chunked(wide, 4096));
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0].reason).toContain('expected 9 columns');
    expect(a.errors[0].value!.length).toBeLessThan(120);
    // One long cell is clipped, with its length.
    const longCell = `M,${'9'.repeat(
      5000,
    )}x,0.365,0.095,0.514,0.2245,0.101,0.15,15\n`;
    const b = await readAbaloneCsv(chunked(longCell, 4096));
    expect(b.errors[0].value).toMatch(/^9{64}… \(5001 characters\)$/);
    // A record over the size cap is one row error, read without keeping it.
    const huge = Buffer.alloc(MAX_RECORD_CHARS * 3, '1,');
    const c = await readAbaloneCsv(chunked(huge.toString(), 65536));
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatchObject({ row: 1, column: '*' });
    expect(JSON.stringify(c.errors).length).toBeLessThan(300);
    expect(c.columns.rows).toBe(0);
  });

  it('refuses numbers that overflow to Infinity (1e999) at upload', async () => {
    const r = await readAbaloneCsv(
      chunked('M,0.455,0.365,0.095,0.514,0.2245,0.101,1e999,15\n', 16),
    );
    expect(r.errors).toEqual([
      expect.objectContaining({
        row: 1,
        column: 'shellWeight',
        value: '1e999',
        reason: 'not a number',
      }),
    ]);
    expect(r.columns.rows).toBe(0);
  });
});
