import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadAbaloneSource, parseAbaloneCsv } from './csv';

const GOOD = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15';
const GOOD2 = 'F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9';

describe('parseAbaloneCsv', () => {
  it('parses rows without a header', () => {
    const r = parseAbaloneCsv(`${GOOD}\n${GOOD2}\n`);
    expect(r.hasHeader).toBe(false);
    expect(r.errors).toEqual([]);
    expect(r.records).toHaveLength(2);
    expect(r.records[0]).toEqual({
      sex: 'M',
      length: 0.455,
      diameter: 0.365,
      height: 0.095,
      wholeWeight: 0.514,
      shuckedWeight: 0.2245,
      visceraWeight: 0.101,
      shellWeight: 0.15,
      rings: 15,
    });
  });

  it('detects and skips a header row', () => {
    const header =
      'Sex,Length,Diameter,Height,Whole weight,Shucked weight,Viscera weight,Shell weight,Rings';
    const r = parseAbaloneCsv(`${header}\n${GOOD}\n`);
    expect(r.hasHeader).toBe(true);
    expect(r.records).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('treats empty cells and ? as missing (NaN) values', () => {
    const r = parseAbaloneCsv('I,?,0.3,,0.2,0.1,0.05,0.06,7');
    expect(r.errors).toEqual([]);
    expect(r.records[0].length).toBeNaN();
    expect(r.records[0].height).toBeNaN();
    expect(r.records[0].diameter).toBe(0.3);
  });

  it('reports every bad row with line number, column and reason (reject policy)', () => {
    const text = [
      GOOD,
      'M,0.4,0.3,0.1,0.5', // wrong column count
      'X,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15', // bad sex
      'M,abc,0.365,0.095,0.514,0.2245,0.101,0.15,15', // not numeric
      'F,0.455,-0.365,0.095,0.514,0.2245,0.101,0.15,15', // negative
      'F,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,', // missing label
      GOOD2,
    ].join('\n');
    const r = parseAbaloneCsv(text);
    expect(r.records).toEqual([]);
    expect(r.skippedRows).toBe(5);
    expect(r.errors).toEqual([
      expect.objectContaining({
        row: 2,
        column: '*',
        reason: 'expected 9 columns, got 5',
      }),
      expect.objectContaining({ row: 3, column: 'sex', value: 'X' }),
      expect.objectContaining({
        row: 4,
        column: 'length',
        value: 'abc',
        reason: 'not a number',
      }),
      expect.objectContaining({
        row: 5,
        column: 'diameter',
        reason: 'must not be negative',
      }),
      expect.objectContaining({
        row: 6,
        column: 'rings',
        reason: 'label is missing',
      }),
    ]);
  });

  it('keeps the good rows under the skip policy and still lists errors', () => {
    const r = parseAbaloneCsv(`${GOOD}\nQ,1,1,1,1,1,1,1,1\n${GOOD2}`, {
      policy: 'skip',
    });
    expect(r.records.map(x => x.sex)).toEqual(['M', 'F']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].row).toBe(2);
    expect(r.skippedRows).toBe(1);
  });

  it('counts line numbers past blank lines and caps the error list', () => {
    const bad = 'Z,1,1,1,1,1,1,1,1';
    const r = parseAbaloneCsv(`${GOOD}\n\n${bad}\n${bad}\n${bad}`, {
      maxErrors: 2,
    });
    expect(r.errors.map(e => e.row)).toEqual([3, 4]);
    expect(r.skippedRows).toBe(3);
  });

  it('reports CSV grammar errors (stray quotes, binary bytes) as row errors instead of throwing', () => {
    const quoted = parseAbaloneCsv(
      `${GOOD}\nM,0.4"5,0.3,0.1,0.5,0.2,0.1,0.15,7\n${GOOD2}`,
    );
    expect(quoted.records).toEqual([]);
    expect(quoted.skippedRows).toBe(1);
    expect(quoted.errors).toEqual([
      expect.objectContaining({
        row: 2,
        column: '*',
        reason: expect.stringMatching(/^not valid CSV: Invalid Opening Quote/),
      }),
    ]);

    const skip = parseAbaloneCsv(
      `${GOOD}\nM,0.4"5,0.3,0.1,0.5,0.2,0.1,0.15,7\n${GOOD2}`,
      { policy: 'skip' },
    );
    expect(skip.records.map(x => x.sex)).toEqual(['M', 'F']);

    const garbage = Buffer.from([
      0x00, 0xff, 0x22, 0x0a, 0xc8, 0x22, 0x2c, 0x22, 0x41, 0x22, 0x42,
    ]).toString('utf8');
    const g = parseAbaloneCsv(`${GOOD}\n${garbage}`);
    expect(g.records).toEqual([]);
    expect(g.errors.length).toBeGreaterThan(0);
    expect(g.errors.every(e => e.row >= 2)).toBe(true);
    expect(g.errors[0].reason).toMatch(/^not valid CSV: /);

    // An unclosed quote swallows the rest of the file: reported where it opened.
    const open = parseAbaloneCsv(`${GOOD}\n"M,1,1,1,1,1,1,1,1\n${GOOD2}\n`);
    expect(open.records).toEqual([]);
    expect(open.errors).toEqual([
      expect.objectContaining({
        row: 2,
        reason: expect.stringMatching(/never closed/),
      }),
    ]);
  });

  it('accepts unlabeled rows only when asked', () => {
    const row = 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15';
    expect(parseAbaloneCsv(row).errors[0].reason).toMatch(/9 columns/);
    const r = parseAbaloneCsv(row, { labelOptional: true });
    expect(r.errors).toEqual([]);
    expect(r.records[0].rings).toBeNaN();
  });
});

describe('loadAbaloneSource', () => {
  it('reads a local file and fetches an http URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-core-src-'));
    const file = join(dir, 'a.csv');
    writeFileSync(file, GOOD);
    const server = createServer((req, res) => {
      if (req.url === '/abalone.data') {
        res.end(GOOD2);
      } else {
        res.statusCode = 404;
        res.end('nope');
      }
    });
    await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as { port: number };
    try {
      expect(await loadAbaloneSource(file)).toBe(GOOD);
      expect(
        await loadAbaloneSource(`http://127.0.0.1:${port}/abalone.data`),
      ).toBe(GOOD2);
      await expect(
        loadAbaloneSource(`http://127.0.0.1:${port}/missing`),
      ).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
