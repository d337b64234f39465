import { parse } from 'csv-parse/sync';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Readable } from 'stream';
import { abaloneColumnsFromTable, abaloneDatasetSchema } from '../abaloneTable';
import { parseAbaloneCsv } from '../csv';
import { columnsFromRecords } from '../columns';
import { mulberry32 } from '../random';
import type { ColumnSchema, DatasetSchema, Table } from '../spec/types';
import { parseTableCsv, readTableCsv } from './readTable';
import { writeTableFile } from '../matrixFiles';
import { decodeTable, encodeTable, readTableFile } from './tableFile';

const DATA = path.resolve(
  __dirname,
  '../../../demo-systems/abalone/abalone.data',
);

function schemaOf(
  columns: ColumnSchema[],
  over: Partial<DatasetSchema> = {},
): DatasetSchema {
  return {
    header: false,
    columns,
    target: columns[columns.length - 1].name,
    task: 'regression',
    missingValues: ['', 'NA', '?'],
    maxCategories: 50,
    ...over,
  };
}

const MIXED = schemaOf([
  { name: 'kind', type: 'categorical' },
  { name: 'size', type: 'numeric' },
  { name: 'ok', type: 'boolean' },
  { name: 'y', type: 'numeric' },
]);

/** Rows of a table as plain values (categories as text, missing as null). */
function rowsOf(t: Table): unknown[][] {
  return Array.from({ length: t.rowCount }, (_, r) =>
    t.columns.map(c => {
      if (c.type === 'numeric')
        return Number.isNaN(c.values[r]) ? null : c.values[r];
      return c.codes[r] < 0 ? null : c.levels[c.codes[r]];
    }),
  );
}

/** Bytes in pieces of `size`, so cells, CRLFs and BOMs straddle chunks. */
function chunks(text: string | Buffer, size: number): Readable {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size)
    parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('parseTableCsv: grammar', () => {
  it('reads quoted cells (commas, line breaks, doubled quotes), CRLF, a BOM, blank lines and spaces around cells', () => {
    const text =
      '\ufeffa,1.5,true,3\r\n"b,c", 2 ,FALSE,4\r\n\r\n"x""y\nz",.5e1,yes,5\n  d  ,-7,0,6';
    const r = parseTableCsv(text, MIXED);
    expect(r.errors).toEqual([]);
    expect(r.rows).toBe(4);
    expect(rowsOf(r.table)).toEqual([
      ['a', 1.5, 'true', 3],
      ['b,c', 2, 'false', 4],
      ['x"y\nz', 5, 'true', 5],
      ['d', -7, 'false', 6],
    ]);
    expect(r.table.names).toEqual(['kind', 'size', 'ok', 'y']);
  });

  it('treats the schema missing tokens as missing (NaN, code -1)', () => {
    const r = parseTableCsv('NA,?,,1\n"",NA,?,2\n', MIXED);
    expect(r.errors).toEqual([]);
    expect(rowsOf(r.table)).toEqual([
      [null, null, null, 1],
      [null, null, null, 2],
    ]);
  });

  it('reads a header row by name, in any order, ignoring case and unknown columns', () => {
    const r = parseTableCsv('Y,note,OK,kind,size\n3,hello,no,a,1\n4,,1,b,2\n', {
      ...MIXED,
      header: true,
    });
    expect(r.errors).toEqual([]);
    expect(r.ignoredColumns).toEqual(['note']);
    expect(rowsOf(r.table)).toEqual([
      ['a', 1, 'false', 3],
      ['b', 2, 'true', 4],
    ]);
  });

  it('names a column missing from the header and reads nothing', () => {
    const r = parseTableCsv('kind,y\na,1\n', { ...MIXED, header: true });
    expect(r.table.rowCount).toBe(0);
    expect(r.errors).toEqual([
      { row: 1, column: 'size', reason: 'column missing from the header' },
      { row: 1, column: 'ok', reason: 'column missing from the header' },
    ]);
  });

  it('skips a header-like first row only when asked (detectHeader)', () => {
    const text = 'kind,size,ok,y\na,1,1,2\n';
    const detected = parseTableCsv(text, MIXED, { detectHeader: true });
    expect(detected.headerSkipped).toBe(true);
    expect(detected.table.rowCount).toBe(1);
    const plain = parseTableCsv(text, MIXED);
    expect(plain.errors[0]).toMatchObject({ row: 1, column: 'size' });
  });
});

describe('numbers', () => {
  const schema = schemaOf([
    { name: 'x', type: 'numeric' },
    { name: 'y', type: 'numeric' },
  ]);

  it('reads every decimal form exactly as Number() does, in any chunking', async () => {
    const rng = mulberry32(9);
    const forms = [
      '1.',
      '.5',
      '-0',
      '+5',
      '007',
      '0.1',
      '-2.675',
      '1e3',
      '1E-3',
      '2.5e+2',
      '123456789012345',
      '1234567890123456789',
      '0.30000000000000004',
      '9007199254740993',
      '1e-320',
      '5e-324',
      '1.7976931348623157e308',
      ' 4.25 ',
      '"3.5"',
    ];
    for (let i = 0; i < 3000; i++) {
      const int = Math.floor(rng() * 10 ** Math.floor(rng() * 12));
      const frac = Math.floor(rng() * 10 ** Math.floor(rng() * 8));
      forms.push(`${rng() < 0.3 ? '-' : ''}${int}.${frac}`);
    }
    const text = forms.map(f => `${f},${f}`).join('\n');
    for (const size of [3, 4096]) {
      const r = await readTableCsv(chunks(text, size), schema);
      expect(r.errors).toEqual([]);
      const want = forms.map(f => Number(f.replace(/"/g, '')));
      expect(
        Array.from(
          r.table.columns[0].type === 'numeric'
            ? r.table.columns[0].values
            : [],
        ),
      ).toEqual(want);
    }
  });

  it('keeps a number-like missing token (e.g. -999) missing', () => {
    const r = parseTableCsv(
      '-999,1\n2,-999\n',
      {
        ...schema,
        missingValues: ['', '-999'],
      },
      { labelOptional: true },
    );
    expect(rowsOf(r.table)).toEqual([
      [null, 1],
      [2, null],
    ]);
  });
});

describe('parseTableCsv: row errors', () => {
  const fixed = schemaOf(
    [
      { name: 'sex', type: 'categorical', categories: ['M', 'F', 'I'] },
      { name: 'len', type: 'numeric', min: 0, max: 10 },
      { name: 'rings', type: 'numeric' },
    ],
    { missingValues: ['', '?'] },
  );

  it('names row, column, value and reason for each bad cell and record', () => {
    const text = [
      'M,1,2', // 1 good
      'm,1,2', // 2 good: a fixed category in another case
      'Q,1,2', // 3 unknown category
      'F,abc,2', // 4 not a number
      'F,1e999,2', // 5 not finite
      'F,-1,2', // 6 below min 0
      'F,11,2', // 7 above max
      'F,1,', // 8 label missing
      'F,1', // 9 column count
      'F,0x10,2', // 10 hex is not decimal
      'I,"1"2,3', // 11 grammar
    ].join('\n');
    const r = parseTableCsv(text, fixed, { policy: 'skip' });
    expect(r.errors).toEqual([
      { row: 3, column: 'sex', value: 'Q', reason: 'must be one of M, F, I' },
      { row: 4, column: 'len', value: 'abc', reason: 'not a number' },
      { row: 5, column: 'len', value: '1e999', reason: 'not a finite number' },
      { row: 6, column: 'len', value: '-1', reason: 'must not be negative' },
      { row: 7, column: 'len', value: '11', reason: 'must be ≤ 10' },
      { row: 8, column: 'rings', value: '', reason: 'label is missing' },
      { row: 9, value: 'F,1', reason: 'expected 3 columns, got 2' },
      { row: 10, column: 'len', value: '0x10', reason: 'not a number' },
      {
        row: 11,
        reason: expect.stringMatching(/^not valid CSV: Invalid Closing Quote/),
      },
    ]);
    expect(r.errorCount).toBe(9);
    expect(r.skippedRows).toBe(9);
    expect(r.rows).toBe(11);
    expect(rowsOf(r.table)).toEqual([
      ['M', 1, 2],
      ['M', 1, 2],
    ]);
    // reject (the default): one bad row voids the table, errors still listed
    const rejected = parseTableCsv(text, fixed);
    expect(rejected.table.rowCount).toBe(0);
    expect(rejected.errors).toEqual(r.errors);
  });

  it('reports a stray quote, an unclosed quote and binary garbage on their lines', () => {
    const stray = parseTableCsv('M,1,2\nM,0.4"5,2\nF,1,2\n', fixed, {
      policy: 'skip',
    });
    expect(stray.errors).toEqual([
      {
        row: 2,
        reason: expect.stringMatching(/^not valid CSV: Invalid Opening Quote/),
      },
    ]);
    expect(stray.table.rowCount).toBe(2);
    const open = parseTableCsv('M,1,2\n"M,1,2\nF,1,2\n', fixed);
    expect(open.errors).toEqual([
      { row: 2, reason: expect.stringMatching(/never closed/) },
    ]);
    const garbage = parseTableCsv(
      Buffer.concat([
        Buffer.from('M,1,2\n'),
        Buffer.from([0x00, 0xff, 0x22, 0x0a, 0xc8, 0x22, 0x2c, 0x22, 0x41]),
      ]),
      fixed,
    );
    expect(garbage.errors.length).toBeGreaterThan(0);
    expect(garbage.errors.every(e => e.row >= 2)).toBe(true);
  });

  it('caps the errors kept, counts them all and cuts values to 64 characters', () => {
    const long = 'x'.repeat(5000);
    const text = Array.from({ length: 500 }, () => `M,${long},1`).join('\n');
    const r = parseTableCsv(text, fixed, { maxErrors: 10 });
    expect(r.errors).toHaveLength(10);
    expect(r.errorCount).toBe(500);
    expect(r.errors[0].value).toBe('x'.repeat(64));
    expect(r.errors.map(e => e.row)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('new categories of a refused row are not kept', () => {
    const open = schemaOf([
      { name: 'c', type: 'categorical' },
      { name: 'y', type: 'numeric' },
    ]);
    const r = parseTableCsv('a,1\nb,x\nc,2\n', open, { policy: 'skip' });
    expect(r.table.columns[0]).toMatchObject({ levels: ['a', 'c'] });
    expect(rowsOf(r.table)).toEqual([
      ['a', 1],
      ['c', 2],
    ]);
  });

  it('refuses a categorical column with more distinct values than maxLevels', () => {
    const open = schemaOf([
      { name: 'id', type: 'categorical' },
      { name: 'y', type: 'numeric' },
    ]);
    const text = Array.from({ length: 50 }, (_, i) => `u${i},1`).join('\n');
    const r = parseTableCsv(text, open, { maxLevels: 20 });
    expect(r.table.rowCount).toBe(0);
    expect(r.errors[0]).toMatchObject({
      row: 21,
      column: 'id',
      reason: expect.stringMatching(/more than 20 distinct values/),
    });
  });

  it('accepts rows without the label when labelOptional', () => {
    const r = parseTableCsv('M,1\nF,2,7\n', fixed, { labelOptional: true });
    expect(r.errors).toEqual([]);
    expect(rowsOf(r.table)).toEqual([
      ['M', 1, null],
      ['F', 2, 7],
    ]);
    const header = parseTableCsv(
      'len,sex\n1,M\n',
      { ...fixed, header: true },
      {
        labelOptional: true,
      },
    );
    expect(rowsOf(header.table)).toEqual([['M', 1, null]]);
  });
});

describe('readTableCsv: streaming and bounds', () => {
  const text = fs.readFileSync(DATA, 'utf8');

  it('reads the Abalone data exactly as the csv-parse reader does, across any chunk size', async () => {
    // Byte by byte on the first 100 rows, then larger chunks on all of it.
    const head = `${text.split('\n').slice(0, 100).join('\n')}\n`;
    for (const [part, size] of [
      [head, 1],
      [text, 7],
      [text, 1013],
      [text, 1 << 20],
    ] as const) {
      const r = await readTableCsv(chunks(part, size), abaloneDatasetSchema());
      expect(r.errors).toEqual([]);
      expect(abaloneColumnsFromTable(r.table)).toEqual(
        columnsFromRecords(parseAbaloneCsv(part).records),
      );
    }
  });

  it('sizes columns from expectedBytes and still trims them exactly', async () => {
    const r = await readTableCsv(chunks(text, 65536), abaloneDatasetSchema(), {
      expectedBytes: Buffer.byteLength(text),
    });
    expect(r.table.rowCount).toBe(4177);
    for (const c of r.table.columns) {
      const a = c.type === 'numeric' ? c.values : c.codes;
      expect(a.length).toBe(4177);
    }
  });

  it('refuses a 100 MB single-line upload with one error and bounded memory', async () => {
    const piece = Buffer.alloc(1 << 20, '1,');
    async function* hugeLine() {
      for (let i = 0; i < 100; i++) yield piece;
      yield Buffer.from('\nM,1,2\n');
    }
    const before = process.memoryUsage().rss;
    const fixedSchema = schemaOf([
      { name: 'sex', type: 'categorical', categories: ['M', 'F', 'I'] },
      { name: 'len', type: 'numeric' },
      { name: 'rings', type: 'numeric' },
    ]);
    const r = await readTableCsv(hugeLine(), fixedSchema, { policy: 'skip' });
    // Bounded: the record is dropped at the cap, never gathered whole.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
    expect(r.errors).toEqual([
      { row: 1, reason: expect.stringMatching(/longer than 1 MiB/) },
    ]);
    expect(rowsOf(r.table)).toEqual([['M', 1, 2]]);
  });

  it('skips an over-long quoted record up to its real end', () => {
    const big = 'y'.repeat(3000);
    const schema = schemaOf([
      { name: 'c', type: 'categorical' },
      { name: 'y', type: 'numeric' },
    ]);
    const r = parseTableCsv(`"a\n${big}\n,b",1\nok,2\n`, schema, {
      maxRecordBytes: 1000,
      policy: 'skip',
    });
    expect(r.errors).toEqual([
      { row: 1, reason: expect.stringMatching(/longer than 1000 bytes/) },
    ]);
    expect(rowsOf(r.table)).toEqual([['ok', 2]]);
  });

  it('reads wide tables (300 columns) column by column', () => {
    const columns: ColumnSchema[] = Array.from({ length: 300 }, (_, i) => ({
      name: `f${i}`,
      type: i % 3 === 0 ? 'categorical' : 'numeric',
    }));
    const rng = mulberry32(3);
    const lines = Array.from({ length: 200 }, () =>
      columns
        .map((c, i) =>
          c.type === 'numeric' ? (rng() * 10).toFixed(3) : `c${i % 7}`,
        )
        .join(','),
    );
    const r = parseTableCsv(lines.join('\n'), schemaOf(columns));
    expect(r.errors).toEqual([]);
    expect(r.table.rowCount).toBe(200);
    expect(rowsOf(r.table)[17].map(String)).toEqual(
      lines[17]
        .split(',')
        .map(v => String(Number.isNaN(Number(v)) ? v : Number(v))),
    );
  });
});

describe('the scanner against csv-parse (generated files)', () => {
  const rng = mulberry32(1234);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const plain = 'abcxyz019.-_ ';
  const cell = (): string => {
    const r = rng();
    if (r < 0.15) return '';
    const len = 1 + Math.floor(rng() * 6);
    let s = '';
    for (let i = 0; i < len; i++) s += pick([...plain]);
    if (r < 0.55) return s.trim() === '' ? 'k' : s.trim();
    // quoted: commas, line breaks, doubled quotes inside
    const inner = [
      ...s,
      ...Array.from({ length: 3 }, () => pick([',', '\n', '\r\n', '"', 'q'])),
    ]
      .sort(() => rng() - 0.5)
      .join('');
    return `"${inner.replace(/"/g, '""')}"`;
  };

  it('gives the same records as csv-parse on 200 random files, streamed in random chunks', async () => {
    for (let f = 0; f < 200; f++) {
      const cols = 2 + Math.floor(rng() * 4);
      const eol = rng() < 0.5 ? '\n' : '\r\n';
      const lines: string[] = [];
      const rows = 1 + Math.floor(rng() * 30);
      for (let i = 0; i < rows; i++) {
        lines.push(Array.from({ length: cols }, cell).join(','));
        if (rng() < 0.1) lines.push('');
      }
      const text = lines.join(eol) + (rng() < 0.5 ? eol : '');
      const expected: string[][] = parse(text, {
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      });
      const schema = schemaOf(
        Array.from({ length: cols }, (_, i) => ({
          name: `c${i}`,
          type: 'categorical' as const,
        })),
        { missingValues: [] },
      );
      const r = await readTableCsv(
        chunks(text, 1 + Math.floor(rng() * 40)),
        schema,
      );
      expect({ f, errors: r.errors }).toEqual({ f, errors: [] });
      expect({ f, rows: rowsOf(r.table) }).toEqual({ f, rows: expected });
    }
  });
});

describe('encodeTable / decodeTable (the parse cache)', () => {
  it('round-trips a table of every column type and refuses other files', () => {
    const r = parseTableCsv('a,1.5,yes,3\nb,,no,4\n,2,,5\n', MIXED);
    const bytes = Buffer.concat(encodeTable(r.table));
    expect(bytes.indexOf(10) % 8).toBe(7);
    expect(decodeTable(bytes)).toEqual(r.table);
    expect(() => decodeTable(bytes.subarray(0, bytes.length - 8))).toThrow(
      /truncated|expected/,
    );
    expect(() => decodeTable(Buffer.from('{"format":"x"}\n'))).toThrow(
      /not a table file/,
    );
  });
});

describe('readTableFile', () => {
  it('reads what writeTableFile wrote, column by column, and refuses a cut file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'table-file-'));
    try {
      const r = parseTableCsv('a,1.5,yes,3\nb,,no,4\n,2,,5\n', MIXED);
      const file = path.join(dir, 't.table');
      await writeTableFile(file, r.table);
      expect(await readTableFile(file)).toEqual(r.table);
      fs.truncateSync(file, fs.statSync(file).size - 8);
      await expect(readTableFile(file)).rejects.toThrow(/truncated|expected/);
      fs.writeFileSync(file, 'MLOPSCOL1 and more');
      await expect(readTableFile(file)).rejects.toThrow(/not a table file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
