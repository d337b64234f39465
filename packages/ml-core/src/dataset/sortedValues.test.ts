import { mulberry32 } from '../random';
import { sortValues, sortedPresentAt } from './sortedValues';

describe('sortedPresentAt', () => {
  it('sortedPresentAt drops missing values, reads the given rows, and caches per (rows, column)', () => {
    const column = Float64Array.from([3, NaN, 1, 2, NaN]);
    const rows = Uint32Array.from([0, 1, 3]);
    expect(Array.from(sortedPresentAt(column, rows))).toEqual([2, 3]);
    expect(sortedPresentAt(column, rows)).toBe(sortedPresentAt(column, rows));
    expect(Array.from(sortedPresentAt(column))).toEqual([1, 2, 3]);
    // A row given twice counts twice.
    expect(
      Array.from(sortedPresentAt(column, Uint32Array.from([3, 0, 3]))),
    ).toEqual([2, 2, 3]);
  });
});

describe('sortValues', () => {
  /** n values with the given decimals (undefined: full precision), some -0 and 0. */
  function column(n: number, decimals?: number): Float64Array {
    const rng = mulberry32(7);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = (rng() - 0.3) * 40;
      a[i] = decimals === undefined ? v : Number(v.toFixed(decimals));
    }
    a[3] = -0;
    a[10] = 0;
    a[11] = -0;
    return a;
  }

  it.each([
    ['few distinct values (counted)', 0],
    ['a file of 2 decimals (counted)', 2],
    ['all distinct (sorted)', undefined],
  ])(
    '%s: the same array as Float64Array#sort, -0 before 0',
    (_name, decimals) => {
      const values = column(200_000, decimals);
      const expected = values.slice().sort();
      const sorted = sortValues(values);
      expect(sorted).toBe(values);
      expect(sorted.length).toBe(expected.length);
      let mismatches = 0;
      for (let i = 0; i < expected.length; i++)
        if (!Object.is(sorted[i], expected[i])) mismatches++;
      expect(mismatches).toBe(0);
      expect(Object.is(sorted[sorted.indexOf(0)], -0)).toBe(true);
    },
  );
});
