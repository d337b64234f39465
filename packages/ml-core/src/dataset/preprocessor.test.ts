import type { DatasetSchema } from '../spec/types';
import { parseAbaloneCsv } from '../csv';
import { preprocess } from '../preprocess';
import {
  encodeLabels,
  fitTablePreprocessor,
  otherColumnName,
  transformTable,
} from './preprocessor';
import { preprocessTable } from './prepare';
import { tableFromRecords } from './records';
import { loadDemo } from './testing';

const schema: DatasetSchema = {
  header: true,
  columns: [
    { name: 'size', type: 'numeric' },
    { name: 'color', type: 'categorical' },
    { name: 'member', type: 'boolean' },
    { name: 'kind', type: 'categorical' },
  ],
  target: 'kind',
  task: 'multiclass',
  classes: ['cat', 'dog', 'fox'],
  missingValues: ['', 'NA', '?'],
  maxCategories: 50,
};

const records = [
  { size: 1, color: 'red', member: true, kind: 'cat' },
  { size: 3, color: 'blue', member: false, kind: 'dog' },
  { size: null, color: 'red', member: null, kind: 'fox' },
  { size: 5, color: '?', member: true, kind: 'cat' },
];

describe('table preprocessor', () => {
  it('shuffled, repeated and few rows each give row i of the matrix from table row rows[i]', () => {
    const table = tableFromRecords(schema, records);
    const pre = fitTablePreprocessor(table, schema);
    const all = transformTable(pre, table);
    const rowOf = (m: { data: Float32Array; cols: number }, i: number) =>
      Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
    // Shuffled (the table read in order, rows scattered), a row given twice
    // (gathered), and one row of four.
    for (const rows of [[3, 0, 2, 1], [2, 2, 0], [1]]) {
      const m = transformTable(pre, table, Uint32Array.from(rows));
      expect(m.rows).toBe(rows.length);
      rows.forEach((r, i) => expect(rowOf(m, i)).toEqual(rowOf(all, r)));
    }
  });

  it('median-imputes and standard-scales numerics (population std)', () => {
    const table = tableFromRecords(schema, records);
    const pre = fitTablePreprocessor(table, schema);
    // Present 1, 3, 5 → median 3; imputed 1, 3, 3, 5 → mean 3, std √2.
    expect(pre.features[0]).toEqual({
      name: 'size',
      type: 'numeric',
      median: 3,
      mean: 3,
      scale: Math.sqrt(2),
    });
    const m = transformTable(pre, table);
    expect(m.cols).toBe(4);
    expect(pre.featureNames).toEqual([
      'size',
      'color_blue',
      'color_red',
      'member',
    ]);
    const row = (i: number) => Array.from(m.data.subarray(i * 4, i * 4 + 4));
    const s = Math.fround(-2 / Math.sqrt(2));
    expect(row(0)).toEqual([s, 0, 1, 1]);
    expect(row(1)).toEqual([0, 1, 0, 0]);
    // Missing size → median; missing member → the more frequent (true).
    expect(row(2)).toEqual([0, 0, 1, 1]);
    // Missing color ('?') → the most frequent category (red).
    expect(row(3)).toEqual([-s, 0, 1, 1]);
  });

  it('a constant numeric gets scale 1; an all-missing one becomes a constant 0', () => {
    const s2: DatasetSchema = {
      ...schema,
      columns: [
        { name: 'c', type: 'numeric' },
        { name: 'e', type: 'numeric' },
        schema.columns[3],
      ],
    };
    const t = tableFromRecords(s2, [
      { c: 7, e: null, kind: 'cat' },
      { c: 7, e: 'NA', kind: 'dog' },
    ]);
    const pre = fitTablePreprocessor(t, s2);
    expect(pre.features.map(f => f.type === 'numeric' && f.scale)).toEqual([
      1, 1,
    ]);
    expect(Array.from(transformTable(pre, t).data)).toEqual([0, 0, 0, 0]);
  });

  it('unknown categories become all zeros; labels become class indices', () => {
    const train = tableFromRecords(schema, records);
    const pre = fitTablePreprocessor(train, schema);
    expect(Array.from(encodeLabels(pre, train))).toEqual([0, 1, 2, 0]);
    const later = tableFromRecords(schema, [
      { size: 3, color: 'green', member: false },
    ]);
    expect(Array.from(transformTable(pre, later).data)).toEqual([0, 0, 0, 0]);
    expect(() =>
      encodeLabels(
        pre,
        tableFromRecords(schema, [{ ...records[0], kind: 'owl' }]),
      ),
    ).toThrow(
      "data row 1: label 'owl' is not one of the classes (cat, dog, fox)",
    );
    expect(() => encodeLabels(pre, later)).toThrow(
      "data row 1: label 'kind' is missing",
    );
  });

  it('caps the one-hot width: rarer categories (and unseen ones) share an other column', () => {
    const capped = { ...schema, maxCategories: 2 };
    const colors = ['a', 'a', 'a', 'b', 'b', 'c', 'd'];
    const table = tableFromRecords(
      capped,
      colors.map((color, i) => ({ size: i, color, member: true, kind: 'cat' })),
    );
    const pre = fitTablePreprocessor(table, capped);
    expect(pre.features[1]).toEqual({
      name: 'color',
      type: 'categorical',
      categories: ['a', 'b'],
      other: true,
      mostFrequent: 'a',
    });
    expect(pre.featureNames).toEqual([
      'size',
      'color_a',
      'color_b',
      otherColumnName('color'),
      'member',
    ]);
    const m = transformTable(
      pre,
      tableFromRecords(capped, [
        { size: 1, color: 'b', member: true },
        { size: 1, color: 'd', member: true },
        { size: 1, color: 'never-seen', member: true },
      ]),
    );
    const oneHot = (i: number) =>
      Array.from(m.data.subarray(i * 5 + 1, i * 5 + 4));
    expect(oneHot(0)).toEqual([0, 1, 0]);
    expect(oneHot(1)).toEqual([0, 0, 1]);
    expect(oneHot(2)).toEqual([0, 0, 1]);
  });

  it('a high-cardinality column stays within maxCategories + 1 columns', () => {
    const wide = { ...schema, maxCategories: 50 };
    const table = tableFromRecords(
      wide,
      Array.from({ length: 5000 }, (_, i) => ({
        size: i,
        color: `id-${i}`,
        member: i % 2 === 0,
        kind: 'cat',
      })),
    );
    const pre = fitTablePreprocessor(table, wide);
    expect(pre.featureNames).toHaveLength(1 + 51 + 1);
  });

  it('fixed (spec) categories each keep a column, seen or not', () => {
    const fixed: DatasetSchema = {
      ...schema,
      columns: [
        {
          name: 'color',
          type: 'categorical',
          categories: ['red', 'green', 'blue'],
        },
        schema.columns[3],
      ],
    };
    const pre = fitTablePreprocessor(tableFromRecords(fixed, records), fixed);
    expect(pre.featureNames).toEqual([
      'color_blue',
      'color_green',
      'color_red',
    ]);
  });

  it("on Abalone it gives the Abalone preprocessor's matrix (columns reordered) on the same split", () => {
    const {
      schema: abalone,
      table,
      text,
    } = loadDemo('abalone', 'abalone.data');
    const generic = preprocessTable(table, abalone, { seed: 3 });
    const legacy = preprocess(parseAbaloneCsv(text).records, { seed: 3 });
    expect(generic.split.groups.duplicateRows).toBe(0);
    for (const part of ['train', 'validation', 'test'] as const) {
      const g = generic[part];
      const l = legacy[part];
      expect(g.rows).toBe(l.rows);
      expect(Array.from(g.labels)).toEqual(Array.from(l.labels));
      // Legacy: 7 numerics then sex_F, sex_I, sex_M; generic: schema order.
      const names = generic.preprocessor.featureNames;
      const order = legacy.preprocessor.featureNames.map(n => names.indexOf(n));
      expect(order.every(j => j >= 0)).toBe(true);
      let maxDiff = 0;
      for (let i = 0; i < g.rows; i++)
        for (let k = 0; k < order.length; k++)
          maxDiff = Math.max(
            maxDiff,
            Math.abs(g.data[i * g.cols + order[k]] - l.data[i * l.cols + k]),
          );
      expect(maxDiff).toBe(0);
    }
  });
});
