import { sortedPresentAt } from './sortedValues';

describe('sortedPresentAt', () => {
  it('sortedPresentAt drops missing values, reads the given rows, and caches per (rows, column)', () => {
    const column = Float64Array.from([3, NaN, 1, 2, NaN]);
    const rows = Uint32Array.from([0, 1, 3]);
    expect(Array.from(sortedPresentAt(column, rows))).toEqual([2, 3]);
    expect(sortedPresentAt(column, rows)).toBe(sortedPresentAt(column, rows));
    expect(Array.from(sortedPresentAt(column))).toEqual([1, 2, 3]);
  });
});
