import { readFileSync } from 'fs';
import type { DatasetSpec } from '../spec/types';
import { demoPath, loadDemo } from '../dataset/testing';
import { SchemaError, inferSchema } from './infer';
import { guessTask, resolveSchema, resolveSchemaDetailed } from './resolve';

const CSV = [
  'age,plan,active,score,notes,label',
  '31,basic,true,0.5,,yes',
  '45,pro,FALSE,1.25,NA,no',
  '?,basic,true,-2,,yes',
  '52,"pro, annual",false,3e2,,no',
].join('\n');

function schemaErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return (e as SchemaError).problems;
  }
  throw new Error('expected a SchemaError');
}

describe('inferSchema', () => {
  it('infers numeric, categorical and boolean columns, missing cells, ranges and categories', () => {
    const s = inferSchema(CSV);
    expect(s.names).toEqual([
      'age',
      'plan',
      'active',
      'score',
      'notes',
      'label',
    ]);
    expect(s.rows).toBe(4);
    const [age, plan, active, score, notes, label] = s.columns;
    expect(age).toMatchObject({
      type: 'numeric',
      present: 3,
      missing: 1,
      min: 31,
      max: 52,
      integer: true,
    });
    expect(plan).toMatchObject({
      type: 'categorical',
      distinct: 3,
      values: ['basic', 'pro', 'pro, annual'],
      firstText: { row: 2, value: 'basic' },
    });
    expect(active).toMatchObject({
      type: 'boolean',
      values: ['FALSE', 'false', 'true'],
    });
    expect(score).toMatchObject({
      type: 'numeric',
      min: -2,
      max: 300,
      integer: false,
    });
    expect(notes).toMatchObject({ type: 'numeric', present: 0, missing: 4 });
    expect(label).toMatchObject({ type: 'categorical', values: ['no', 'yes'] });
  });

  it('reads a file without a header with the given names, and a cut sample', () => {
    const s = inferSchema('1,a\n2,b\n3,c', {
      header: false,
      names: ['x', 'y'],
      truncated: true,
    });
    expect(s.rows).toBe(2);
    expect(s.columns[1].values).toEqual(['a', 'b']);
    expect(schemaErrors(() => inferSchema('1,2', { header: false }))).toEqual([
      'the file has no header: give the column names (spec.dataset.columns)',
    ]);
  });

  it('names bad rows and headers', () => {
    expect(schemaErrors(() => inferSchema('a,b\n1,2,3\n4'))).toEqual([
      'row 2: expected 2 columns, got 3',
      'row 3: expected 2 columns, got 1',
    ]);
    expect(schemaErrors(() => inferSchema('a,a,\n1,2,3'))).toEqual([
      "header names column 'a' twice",
      'header column 3 has no name',
    ]);
    expect(schemaErrors(() => inferSchema(''))).toEqual([
      'the file has no rows',
    ]);
  });

  it('reads at most maxRows rows and bounds the listed values', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `id${i},${i % 2}`);
    const s = inferSchema(['id,y', ...rows].join('\n'), { maxRows: 2500 });
    expect(s.rows).toBe(2500);
    expect(s.columns[0]).toMatchObject({ distinct: 1000, moreValues: true });
    expect(s.columns[0].values).toHaveLength(1000);
  });
});

describe('resolveSchema', () => {
  const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
    header: true,
    target: 'label',
    task: 'binary',
    ...over,
  });

  it('infers what the spec leaves out and keeps its overrides', () => {
    const { schema, notes } = resolveSchemaDetailed(
      spec({
        columns: [{ name: 'age', type: 'numeric', unit: 'years', min: 0 }],
      }),
      CSV,
    );
    expect(schema.columns.map(c => [c.name, c.type])).toEqual([
      ['age', 'numeric'],
      ['plan', 'categorical'],
      ['active', 'boolean'],
      ['score', 'numeric'],
      ['notes', 'numeric'],
      ['label', 'categorical'],
    ]);
    expect(schema.columns[0]).toEqual({
      name: 'age',
      type: 'numeric',
      unit: 'years',
      min: 0,
    });
    // Inferred categories are reported, never turned into hard checks.
    expect(schema.columns[1].categories).toBeUndefined();
    expect(schema.classes).toEqual(['no', 'yes']);
    expect(schema.columns[5].categories).toEqual(['no', 'yes']);
    expect(schema).toMatchObject({
      missingValues: ['', 'NA', '?'],
      maxCategories: 50,
    });
    expect(notes).toEqual(
      expect.arrayContaining([
        "column 'plan': categorical (3 values: basic, pro, pro, annual)",
        "column 'notes' has no values in the sample: kept as numeric, imputed to a constant (no information)",
        'classes (sorted, index order): no, yes',
      ]),
    );
  });

  it('an unknown target or column is an error listing the file columns', () => {
    expect(
      schemaErrors(() => resolveSchema(spec({ target: 'churn' }), CSV)),
    ).toEqual([
      "target 'churn' is not a column of the file (its columns: age, plan, active, score, notes, label)",
    ]);
    expect(
      schemaErrors(() =>
        resolveSchema(
          spec({ columns: [{ name: 'agee', type: 'numeric' }] }),
          CSV,
        ),
      ),
    ).toEqual([
      "column 'agee' of the spec is not in the file (its columns: age, plan, active, score, notes, label)",
    ]);
  });

  it('a text target on a regression spec is refused, naming a value and its row', () => {
    expect(
      schemaErrors(() => resolveSchema(spec({ task: 'regression' }), CSV)),
    ).toEqual([
      "target 'label' holds text ('yes' in row 2) but the task is regression: use task binary or multiclass, or fix the column",
    ]);
  });

  it('a single-class target, a binary target with 3 classes and an all-missing target are refused', () => {
    const one = 'x,y\n1,a\n2,a\n3,a';
    expect(
      schemaErrors(() => resolveSchema(spec({ target: 'y' }), one)),
    ).toEqual([
      "target 'y' has a single class ('a'); a classifier needs at least 2",
    ]);
    const three = 'x,y\n1,a\n2,b\n3,c';
    expect(
      schemaErrors(() => resolveSchema(spec({ target: 'y' }), three)),
    ).toEqual([
      "target 'y' has 3 classes; the binary task needs exactly 2 (use task multiclass)",
    ]);
    expect(
      resolveSchema(spec({ target: 'y', task: 'multiclass' }), three).classes,
    ).toEqual(['a', 'b', 'c']);
    expect(
      schemaErrors(() =>
        resolveSchema(spec({ target: 'notes', task: 'regression' }), CSV),
      ),
    ).toEqual(["target 'notes' has no values (every cell is missing)"]);
  });

  it('a true/false target of a classification keeps its labels as written', () => {
    const schema = resolveSchema(spec({ target: 'y' }), 'x,y\n1,True\n2,False');
    expect(schema.classes).toEqual(['False', 'True']);
    expect(schema.columns[1]).toMatchObject({ type: 'categorical' });
  });

  it('classes from the spec keep their order; labels outside them are refused', () => {
    const text = 'x,y\n1,10\n2,9\n3,10';
    expect(
      resolveSchema(spec({ target: 'y', classes: ['10', '9'] }), text).classes,
    ).toEqual(['10', '9']);
    // Inferred numeric labels sort as numbers.
    expect(resolveSchema(spec({ target: 'y' }), text).classes).toEqual([
      '9',
      '10',
    ]);
    expect(
      schemaErrors(() =>
        resolveSchema(spec({ target: 'y', classes: ['9', '11'] }), text),
      ),
    ).toEqual(["target 'y' holds '10', not in spec.dataset.classes (9, 11)"]);
  });

  it('values the spec does not allow are refused by column', () => {
    expect(
      schemaErrors(() =>
        resolveSchema(
          spec({
            columns: [
              { name: 'plan', type: 'numeric' },
              { name: 'score', type: 'boolean' },
              { name: 'label', categories: ['yes'] },
            ],
          }),
          CSV,
        ),
      ),
    ).toEqual([
      "column 'plan' is numeric in the spec but holds text ('basic' in row 2)",
      "column 'score' is boolean in the spec but holds values other than true/false",
    ]);
    expect(
      schemaErrors(() =>
        resolveSchema(
          spec({
            columns: [
              { name: 'plan', type: 'categorical', categories: ['basic'] },
            ],
          }),
          CSV,
        ),
      ),
    ).toEqual([
      "column 'plan' holds 'pro', 'pro, annual', not among its categories in the spec (basic)",
    ]);
  });

  it('resolves every demo system (Abalone: no header, its units and scale kept)', () => {
    const { schema } = loadDemo('abalone', 'abalone.data');
    expect(schema.header).toBe(false);
    expect(schema.columns).toHaveLength(9);
    expect(schema.columns[0]).toMatchObject({
      name: 'sex',
      type: 'categorical',
      categories: ['M', 'F', 'I'],
    });
    expect(schema.columns[1]).toMatchObject({ unit: 'mm', scale: 200 });
    expect(schema.classes).toBeUndefined();
  });

  it('guesses the task from the target column', () => {
    const abalone = inferSchema(
      readFileSync(demoPath('abalone', 'abalone.data'), 'utf8'),
      { header: false, names: 'abcdefgh'.split('').concat('rings') },
    );
    expect(guessTask(abalone, 'rings')).toBe('regression');
    expect(guessTask(abalone, 'a')).toBe('multiclass');
    const s = inferSchema(CSV);
    expect(guessTask(s, 'label')).toBe('binary');
    expect(guessTask(s, 'score')).toBe('regression');
    expect(schemaErrors(() => guessTask(s, 'nope'))[0]).toMatch(
      /^target 'nope' is not a column/,
    );
  });
});
