import { LabeledRecord } from './csv';
import {
  fitPreprocessor,
  parseLabeledCsv,
  preprocess,
  splitDataset,
  toLabeledCsv,
  transform,
} from './preprocess';

function rec(sex: string, v: number, rings = 5): LabeledRecord {
  return {
    sex,
    length: v,
    diameter: v,
    height: v,
    wholeWeight: v,
    shuckedWeight: v,
    visceraWeight: v,
    shellWeight: v,
    rings,
  };
}

describe('preprocessor', () => {
  it('imputes medians, standard-scales and one-hot encodes sex', () => {
    const records = [rec('M', 1), rec('F', 2), rec('I', 3), rec('M', NaN)];
    const pre = fitPreprocessor(records);
    // median of 1,2,3 = 2; imputed column 1,2,3,2 → mean 2, population std sqrt(0.5)
    expect(pre.medians[0]).toBe(2);
    expect(pre.means[0]).toBe(2);
    expect(pre.scales[0]).toBeCloseTo(Math.sqrt(0.5), 12);
    const m = transform(pre, [...records, rec('?', 3)]);
    expect(m.cols).toBe(10);
    expect(m.rows).toBe(5);
    const row = (i: number) => Array.from(m.data.subarray(i * 10, i * 10 + 10));
    expect(row(0)[0]).toBeCloseTo(-1 / Math.sqrt(0.5), 5);
    expect(row(3)[0]).toBe(0); // imputed with the median
    expect(row(0).slice(7)).toEqual([0, 0, 1]); // F, I, M
    expect(row(1).slice(7)).toEqual([1, 0, 0]);
    expect(row(2).slice(7)).toEqual([0, 1, 0]);
    expect(row(4).slice(7)).toEqual([0, 0, 0]); // unknown sex → zeros
    // JSON round trip gives the same transform
    const again = transform(JSON.parse(JSON.stringify(pre)), records);
    expect(Array.from(again.data)).toEqual(Array.from(m.data.subarray(0, 40)));
  });

  it('uses scale 1 for a constant column', () => {
    const pre = fitPreprocessor([rec('M', 2), rec('F', 2)]);
    expect(pre.scales.every(s => s === 1)).toBe(true);
  });

  it('rejects a malformed artifact', () => {
    expect(() => transform({} as any, [rec('M', 1)])).toThrow(/preprocessor/);
  });
});

describe('splitDataset', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => i);

  it('splits 70/15/15 into disjoint parts covering all rows', () => {
    const s = splitDataset(rows, 1);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([
      700, 150, 150,
    ]);
    const all = [...s.train, ...s.validation, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(rows);
  });

  it('is reproducible per seed and differs across seeds', () => {
    expect(splitDataset(rows, 7)).toEqual(splitDataset(rows, 7));
    expect(splitDataset(rows, 7).train).not.toEqual(
      splitDataset(rows, 8).train,
    );
    expect(rows[0]).toBe(0); // input not mutated
  });
});

describe('labeled CSV', () => {
  it('round-trips label-first rows with missing values', () => {
    const records = [rec('M', 0.1, 3), rec('F', 0.25, 11), rec('I', 0.4, 8)];
    const out = preprocess([...records, ...records, ...records], { seed: 0 });
    const text = toLabeledCsv(out.train);
    expect(text.split('\n')[0].split(',')).toHaveLength(11);
    const back = parseLabeledCsv(text);
    expect(back.rows).toBe(out.train.rows);
    expect(Array.from(back.labels)).toEqual(Array.from(out.train.labels));
    expect(Array.from(back.data)).toEqual(Array.from(out.train.data));
    const withNaN = parseLabeledCsv('1,,2\n3,4,?\n');
    expect(Number.isNaN(withNaN.data[0])).toBe(true);
    expect(Number.isNaN(withNaN.data[3])).toBe(true);
    expect(() => parseLabeledCsv('1,2\n3,x\n')).toThrow(/row 2, column 2/);
    expect(() => parseLabeledCsv('1,2\n3\n')).toThrow(
      /row 2: expected 2 columns/,
    );
  });
});
