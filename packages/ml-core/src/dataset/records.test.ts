import { parseTableCsv } from '../table';
import type { DatasetSchema } from '../spec/types';
import { cellValue, columnOf, concatTables } from './records';

const schema: DatasetSchema = {
  header: false,
  columns: [
    { name: 'colour', type: 'categorical' },
    { name: 'size', type: 'numeric' },
    { name: 'label', type: 'categorical' },
  ],
  target: 'label',
  task: 'binary',
  classes: ['no', 'yes'],
  missingValues: ['', 'NA'],
  maxCategories: 50,
};

describe('concatTables', () => {
  it('stacks tables read separately, remapping category codes onto one level list', () => {
    const a = parseTableCsv('red,1,yes\nblue,2,no\n', schema).table;
    const b = parseTableCsv('green,3,no\nred,NA,yes\n,5,no\n', schema).table;
    const t = concatTables([a, b]);
    expect(t.rowCount).toBe(5);
    expect(t.names).toEqual(['colour', 'size', 'label']);
    const colours = [0, 1, 2, 3, 4].map(i => cellValue(columnOf(t, 'colour'), i));
    expect(colours).toEqual(['red', 'blue', 'green', 'red', null]);
    const sizes = [0, 1, 2, 3, 4].map(i => cellValue(columnOf(t, 'size'), i));
    expect(sizes).toEqual([1, 2, 3, null, 5]);
    expect([0, 1, 2, 3, 4].map(i => cellValue(columnOf(t, 'label'), i))).toEqual([
      'yes',
      'no',
      'no',
      'yes',
      'no',
    ]);
  });

  it('returns a single table as is and refuses tables of different columns', () => {
    const a = parseTableCsv('red,1,yes\n', schema).table;
    expect(concatTables([a])).toBe(a);
    expect(() =>
      concatTables([a, { ...a, names: ['x', 'size', 'label'] }]),
    ).toThrow(/columns differ/);
  });
});
