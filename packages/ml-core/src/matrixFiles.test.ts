import fs from 'fs';
import os from 'os';
import path from 'path';
import { parseAbaloneCsv } from './csv';
import { columnsFromRecords } from './columns';
import {
  readColumnsFile,
  readMatrixFile,
  writeColumnsFile,
  writeLabeledCsvFile,
  writeMatrixFile,
} from './matrixFiles';
import { parseLabeledCsv, preprocess, toLabeledCsv } from './preprocess';
import { mulberry32 } from './random';

const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');

describe('matrix and columns files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-core-files-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { records } = parseAbaloneCsv(fs.readFileSync(DATA, 'utf8'));
  const out = preprocess(records, { seed: 7 });

  it('writes the same labeled CSV as toLabeledCsv, in chunks, atomically', async () => {
    const file = path.join(dir, 'train.csv');
    await writeLabeledCsvFile(file, out.train);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toBe(toLabeledCsv(out.train));
    expect(parseLabeledCsv(text).rows).toBe(out.train.rows);
    // no temp file is left next to it
    expect(fs.readdirSync(dir).filter(f => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes byte-identical text across chunk boundaries, with missing cells', async () => {
    const rows = 15_000;
    const cols = 11;
    const rng = mulberry32(5);
    const m = {
      rows,
      cols,
      labels: Float32Array.from({ length: rows }, () => Math.floor(rng() * 30)),
      data: Float32Array.from({ length: rows * cols }, (_, i) => {
        if (i % 97 === 0) return NaN;
        // one-hot columns (0/1) after the scaled numerics
        if (i % 11 >= 8) return i % 3 === 0 ? 1 : 0;
        return (rng() - 0.5) * 8;
      }),
    };
    const file = path.join(dir, 'big.csv');
    await writeLabeledCsvFile(file, m);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.length).toBeGreaterThan(1 << 20);
    expect(text).toBe(toLabeledCsv(m));
  }, 30_000);

  it('writes byte-identical text for repeated values (its text cache), -0, NaN and a matrix inside a larger buffer', async () => {
    const rows = 20_000;
    const cols = 6;
    const rng = mulberry32(11);
    const few = Array.from({ length: 500 }, () => (rng() - 0.5) * 6);
    const buffer = new Float32Array(8 + rows * cols);
    const data = buffer.subarray(8);
    for (let i = 0; i < data.length; i++) {
      // 1 % missing, 1 % negative zero, about half repeated values, the rest free
      const r = rng();
      if (r < 0.01) data[i] = NaN;
      else if (r < 0.02) data[i] = -0;
      else if (r < 0.5) data[i] = few[i % 500];
      else data[i] = rng() * 1e4;
    }
    const m = {
      rows,
      cols,
      labels: Float32Array.from({ length: rows }, (_, i) => i % 7),
      data,
    };
    const file = path.join(dir, 'repeats.csv');
    await writeLabeledCsvFile(file, m);
    expect(fs.readFileSync(file, 'utf8')).toBe(toLabeledCsv(m));
  }, 30_000);

  it('round-trips a labeled matrix through its binary twin', async () => {
    const file = path.join(dir, 'train.f32');
    await writeMatrixFile(file, out.train);
    const back = await readMatrixFile(file);
    expect(back.rows).toBe(out.train.rows);
    expect(back.cols).toBe(out.train.cols);
    expect(back.labels).toEqual(out.train.labels);
    expect(back.data).toEqual(out.train.data);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    await expect(readMatrixFile(file)).rejects.toThrow(/expected size/);
  });

  it('round-trips the columns of the data set', async () => {
    const file = path.join(dir, 'abalone.columns');
    const cols = columnsFromRecords(records);
    await writeColumnsFile(file, cols);
    expect(await readColumnsFile(file)).toEqual(cols);
  });

  it('preprocess on columns equals preprocess on records', () => {
    const fromColumns = preprocess(columnsFromRecords(records), { seed: 7 });
    expect(fromColumns.preprocessor).toEqual(out.preprocessor);
    expect(fromColumns.train.data).toEqual(out.train.data);
    expect(fromColumns.test.labels).toEqual(out.test.labels);
    expect(fromColumns.trainRows.rows).toBe(out.train.rows);
  });
});
