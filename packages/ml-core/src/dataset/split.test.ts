import type { DatasetSchema, Table } from '../spec/types';
import { splitIndices } from '../preprocess';
import { checkTable } from './prepare';
import { tableFromRecords } from './records';
import { groupRows, splitTable } from './split';
import { loadDemo } from './testing';

/** The table's rows at `indices`, repeated `times` (copies of every row). */
function repeat(table: Table, times: number): Table {
  const n = table.rowCount;
  return {
    rowCount: n * times,
    names: table.names,
    columns: table.columns.map(c => {
      if (c.type === 'numeric') {
        const values = new Float64Array(n * times);
        for (let t = 0; t < times; t++) values.set(c.values, t * n);
        return { type: 'numeric', values };
      }
      const codes = new Int32Array(n * times);
      for (let t = 0; t < times; t++) codes.set(c.codes, t * n);
      return { ...c, codes };
    }),
  };
}

describe('duplicate-aware split', () => {
  const abalone = loadDemo('abalone', 'abalone.data');

  it('without duplicates it is exactly the shuffle-and-cut split of splitIndices', () => {
    const s = splitTable(abalone.table, abalone.schema, { seed: 7 });
    const { order, trainEnd, validationEnd } = splitIndices(
      abalone.table.rowCount,
      7,
    );
    expect(Array.from(s.train)).toEqual(
      Array.from(order.subarray(0, trainEnd)),
    );
    expect(Array.from(s.validation)).toEqual(
      Array.from(order.subarray(trainEnd, validationEnd)),
    );
    expect(Array.from(s.test)).toEqual(
      Array.from(order.subarray(validationEnd)),
    );
    expect(s.groups.duplicateRows).toBe(0);
  });

  it('Abalone repeated 100×: no copy of a test row is in training, and the data check reports the rate', () => {
    const big = repeat(abalone.table, 100);
    const s = splitTable(big, abalone.schema, { seed: 1 });
    const n = abalone.table.rowCount;
    expect(s.groups.groupCount).toBe(n);
    expect(s.groups.duplicateRows).toBe(99 * n);
    const original = (i: number) => i % n;
    const trainOriginals = new Set(Array.from(s.train, original));
    const leaked = Array.from(s.test, original).filter(i =>
      trainOriginals.has(i),
    );
    expect(leaked).toHaveLength(0);
    const validationOriginals = Array.from(s.validation, original);
    expect(validationOriginals.some(i => trainOriginals.has(i))).toBe(false);
    // Still 70/15/15 of the rows (cut at group boundaries).
    expect(s.train.length + s.validation.length + s.test.length).toBe(100 * n);
    expect(Math.abs(s.train.length / (100 * n) - 0.7)).toBeLessThan(0.001);
    const check = checkTable(big, abalone.schema);
    expect(check.duplicateRows).toBe(99 * n);
    expect(check.duplicateRate).toBeCloseTo(0.99, 5);
    expect(check.checks).toContain(
      'duplicate rows: 413523 (99.0%), kept on one side of the split',
    );
  });

  it('identical rows group together; a missing cell, -0 and 0 compare as the same value', () => {
    const schema: DatasetSchema = {
      header: true,
      columns: [
        { name: 'x', type: 'numeric' },
        { name: 'c', type: 'categorical' },
        { name: 'y', type: 'numeric' },
      ],
      target: 'y',
      task: 'regression',
      missingValues: [''],
      maxCategories: 50,
    };
    const t = tableFromRecords(schema, [
      { x: 0, c: 'a', y: 1 },
      { x: -0, c: 'a', y: 1 },
      { x: null, c: 'b', y: 1 },
      { x: null, c: 'b', y: 1 },
      { x: null, c: 'b', y: 2 },
      { x: 0, c: null, y: 1 },
    ]);
    const g = groupRows(t);
    expect(Array.from(g.groupOf)).toEqual([0, 0, 1, 1, 2, 3]);
    expect(g.duplicateRows).toBe(2);
  });

  it('stratifies classification splits: each class keeps its share in every part', () => {
    const schema: DatasetSchema = {
      header: true,
      columns: [
        { name: 'x', type: 'numeric' },
        { name: 'y', type: 'categorical' },
      ],
      target: 'y',
      task: 'binary',
      classes: ['no', 'yes'],
      missingValues: [''],
      maxCategories: 50,
    };
    // 10% positives.
    const t = tableFromRecords(
      schema,
      Array.from({ length: 1000 }, (_, i) => ({
        x: i,
        y: i % 10 === 0 ? 'yes' : 'no',
      })),
    );
    const yes = (rows: Uint32Array) =>
      Array.from(rows).filter(i => i % 10 === 0).length;
    const s = splitTable(t, schema, { seed: 4 });
    expect(s.stratified).toBe(true);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([
      700, 150, 150,
    ]);
    expect([yes(s.train), yes(s.validation), yes(s.test)]).toEqual([
      70, 15, 15,
    ]);
    // Same seed, same split; another seed, another one.
    expect(Array.from(splitTable(t, schema, { seed: 4 }).test)).toEqual(
      Array.from(s.test),
    );
    expect(Array.from(splitTable(t, schema, { seed: 5 }).test)).not.toEqual(
      Array.from(s.test),
    );
    const plain = splitTable(t, schema, { seed: 4, stratify: false });
    expect(plain.stratified).toBe(false);
    // Fractions from the spec.
    const s2 = splitTable(t, schema, {
      train: 0.6,
      validation: 0.2,
      test: 0.2,
    });
    expect([s2.train.length, s2.validation.length, s2.test.length]).toEqual([
      600, 200, 200,
    ]);
  });

  it('data checks name a feature column without any value', () => {
    const schema: DatasetSchema = {
      header: true,
      columns: [
        { name: 'x', type: 'numeric' },
        { name: 'empty', type: 'numeric' },
        { name: 'y', type: 'numeric' },
      ],
      target: 'y',
      task: 'regression',
      missingValues: [''],
      maxCategories: 50,
    };
    const t = tableFromRecords(
      schema,
      Array.from({ length: 30 }, (_, i) => ({ x: i, empty: null, y: i % 7 })),
    );
    const result = checkTable(t, schema);
    expect(result.missingCells).toBe(30);
    expect(result.checks).toContain(
      'no values at all (a constant feature, no information): empty',
    );
  });

  it('data checks refuse a constant target and a single present class', () => {
    const schema: DatasetSchema = {
      ...abalone.schema,
    };
    const constant = tableFromRecords(
      schema,
      Array.from({ length: 30 }, (_, i) => ({ sex: 'M', length: i, rings: 5 })),
    );
    expect(() => checkTable(constant, schema)).toThrow(
      'data check: every row has the same rings value; nothing to learn',
    );
    expect(() => checkTable(constant, schema, { minRows: 50 })).toThrow(
      'data check: 30 rows, at least 50 are needed',
    );
    const cls: DatasetSchema = {
      header: true,
      columns: [
        { name: 'x', type: 'numeric' },
        { name: 'y', type: 'categorical' },
      ],
      target: 'y',
      task: 'binary',
      classes: ['no', 'yes'],
      missingValues: [''],
      maxCategories: 50,
    };
    const oneClass = tableFromRecords(
      cls,
      Array.from({ length: 30 }, (_, i) => ({ x: i, y: 'no' })),
    );
    expect(() => checkTable(oneClass, cls)).toThrow(
      'data check: only 1 of the classes (no, yes) occur; a classifier needs at least 2',
    );
  });
});
