import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { AbaloneRecord, parseAbaloneCsv } from '../csv';
import { fitPreprocessor, splitDataset } from '../preprocess';
import { KLL_PARAMETERS, baselineStatistics } from './statistics';

const row = (sex: string, length: number): AbaloneRecord => ({
  sex,
  length,
  diameter: 0.3,
  height: 0.1,
  wholeWeight: 0.5,
  shuckedWeight: 0.2,
  visceraWeight: 0.1,
  shellWeight: 0.15,
});

describe('baselineStatistics', () => {
  const rows = [row('M', 0.2), row('F', 0.4), row('I', NaN), row('M', 0.6)];
  const stats = baselineStatistics(rows);

  it("uses Model Monitor's statistics.json shape", () => {
    expect(stats.version).toBe(0);
    expect(stats.dataset).toEqual({ item_count: 4 });
    expect(stats.features.map(f => [f.name, f.inferred_type])).toEqual([
      ['sex', 'String'],
      ['length', 'Fractional'],
      ['diameter', 'Fractional'],
      ['height', 'Fractional'],
      ['wholeWeight', 'Fractional'],
      ['shuckedWeight', 'Fractional'],
      ['visceraWeight', 'Fractional'],
      ['shellWeight', 'Fractional'],
    ]);
  });

  it('numerical statistics skip missing values (hand-computed)', () => {
    const f = stats.features[1];
    if (f.inferred_type !== 'Fractional') throw new Error('not numerical');
    const s = f.numerical_statistics;
    expect(s.common).toEqual({ num_present: 3, num_missing: 1 });
    expect(s.sum).toBeCloseTo(1.2, 12);
    expect(s.mean).toBeCloseTo(0.4, 12);
    // population std of 0.2, 0.4, 0.6
    expect(s.std_dev).toBeCloseTo(Math.sqrt(0.08 / 3), 12);
    expect([s.min, s.max]).toEqual([0.2, 0.6]);
    const { buckets, sketch } = s.distribution.kll;
    expect(buckets).toHaveLength(10);
    expect(buckets[0].lower_bound).toBe(0.2);
    expect(buckets[9].upper_bound).toBe(0.6);
    expect(buckets.map(b => b.count)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(sketch.parameters).toEqual({ ...KLL_PARAMETERS });
    expect(sketch.data).toEqual([[0.2, 0.4, 0.6]]);
  });

  it('a constant column gets one bucket', () => {
    const f = stats.features[2];
    if (f.inferred_type !== 'Fractional') throw new Error('not numerical');
    expect(f.numerical_statistics.std_dev).toBe(0);
    expect(f.numerical_statistics.distribution.kll.buckets).toEqual([
      { lower_bound: 0.3, upper_bound: 0.3, count: 4 },
    ]);
  });

  it('string statistics count each Sex category', () => {
    const f = stats.features[0];
    if (f.inferred_type !== 'String') throw new Error('not a string');
    expect(f.string_statistics).toEqual({
      common: { num_present: 4, num_missing: 0 },
      distinct_count: 3,
      distribution: {
        categorical: {
          buckets: [
            { value: 'M', count: 2 },
            { value: 'F', count: 1 },
            { value: 'I', count: 1 },
          ],
        },
      },
    });
  });

  it('keeps k evenly spaced order statistics above k values', () => {
    const many = Array.from({ length: 5000 }, (_, i) => row('M', i / 5000));
    const f = baselineStatistics(many).features[1];
    if (f.inferred_type !== 'Fractional') throw new Error('not numerical');
    const [level] = f.numerical_statistics.distribution.kll.sketch.data;
    expect(level).toHaveLength(KLL_PARAMETERS.k);
    expect(level[0]).toBe(0);
    expect(level[level.length - 1]).toBe(4999 / 5000);
    expect([...level].sort((a, b) => a - b)).toEqual(level);
  });

  it('refuses zero rows', () => {
    expect(() => baselineStatistics([])).toThrow(/no rows/);
  });
});

const ABALONE = resolve(
  __dirname,
  '../../../demo-systems/abalone/abalone.data',
);
(existsSync(ABALONE) ? describe : describe.skip)('on Abalone', () => {
  it('the training split statistics agree with the preprocessor', () => {
    const { records } = parseAbaloneCsv(readFileSync(ABALONE, 'utf8'));
    const { train } = splitDataset(records, 0);
    const stats = baselineStatistics(train);
    const pre = fitPreprocessor(train);
    expect(stats.dataset.item_count).toBe(train.length);
    pre.numericFeatures.forEach((name, j) => {
      const f = stats.features.find(x => x.name === name)!;
      if (f.inferred_type !== 'Fractional') throw new Error('not numerical');
      expect(f.numerical_statistics.mean).toBeCloseTo(pre.means[j], 9);
      expect(f.numerical_statistics.std_dev).toBeCloseTo(pre.scales[j], 9);
      const buckets = f.numerical_statistics.distribution.kll.buckets;
      expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(train.length);
    });
  });
});
