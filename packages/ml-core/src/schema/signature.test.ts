import type { DatasetSchema } from '../spec/types';
import { fitTablePreprocessor } from '../dataset/preprocessor';
import { tableFromRecords } from '../dataset/records';
import { loadDemo } from '../dataset/testing';
import { buildSignature, validateRecords } from './signature';

describe('buildSignature', () => {
  it('Abalone: inputs with type, units, accepted and observed ranges; output with display', () => {
    const { spec, schema, table } = loadDemo('abalone', 'abalone.data');
    const pre = fitTablePreprocessor(table, schema);
    const sig = buildSignature(table, schema, pre, spec);
    expect(sig.format).toBe('mlops-portal/signature');
    expect(sig.inputs.map(i => i.name)).toEqual([
      'sex',
      'length',
      'diameter',
      'height',
      'wholeWeight',
      'shuckedWeight',
      'visceraWeight',
      'shellWeight',
    ]);
    expect(sig.inputs[0]).toEqual({
      name: 'sex',
      type: 'categorical',
      datatype: 'BYTES',
      label: 'Sex',
      categories: ['M', 'F', 'I'],
      fixedCategories: true,
      categoryLabels: { M: 'Male', F: 'Female', I: 'Infant' },
      missingRate: 0,
    });
    expect(sig.inputs[1]).toEqual({
      name: 'length',
      type: 'numeric',
      datatype: 'FP64',
      label: 'Length',
      description: 'Longest shell measurement',
      unit: 'mm',
      scale: 200,
      min: 0,
      max: 1,
      observedMin: 0.075,
      observedMax: 0.815,
      missingRate: 0,
    });
    expect(sig.outputs).toEqual({
      task: 'regression',
      target: 'rings',
      display: { name: 'age', label: 'Age', unit: 'years', offset: 1.5 },
    });
    // Real rows, raw values, the target left out.
    expect(sig.examples?.[0]).toEqual({
      sex: 'M',
      length: 0.455,
      diameter: 0.365,
      height: 0.095,
      wholeWeight: 0.514,
      shuckedWeight: 0.2245,
      visceraWeight: 0.101,
      shellWeight: 0.15,
    });
  });

  const schema: DatasetSchema = {
    header: true,
    columns: [
      { name: 'age', type: 'numeric', min: 0, max: 120 },
      { name: 'plan', type: 'categorical' },
      { name: 'region', type: 'categorical', categories: ['eu', 'us'] },
      { name: 'active', type: 'boolean' },
      { name: 'churned', type: 'categorical' },
    ],
    target: 'churned',
    task: 'binary',
    classes: ['no', 'yes'],
    missingValues: [''],
    maxCategories: 50,
  };
  const table = tableFromRecords(schema, [
    { age: 30, plan: 'pro', region: 'eu', active: true, churned: 'no' },
    { age: null, plan: 'basic', region: 'us', active: false, churned: 'yes' },
    { age: 50, plan: 'pro', region: null, active: true, churned: 'no' },
    { age: 70, plan: 'team', region: 'us', active: null, churned: 'yes' },
  ]);
  const sig = buildSignature(
    table,
    schema,
    fitTablePreprocessor(table, schema),
  );

  it('classification: classes in index order, seen categories, missing rates', () => {
    expect(sig.outputs).toEqual({
      task: 'binary',
      target: 'churned',
      classes: ['no', 'yes'],
    });
    expect(sig.inputs.map(i => [i.name, i.datatype, i.missingRate])).toEqual([
      ['age', 'FP64', 0.25],
      ['plan', 'BYTES', 0],
      ['region', 'BYTES', 0.25],
      ['active', 'BOOL', 0.25],
    ]);
    expect(sig.inputs[0]).toMatchObject({ observedMin: 30, observedMax: 70 });
    expect(sig.inputs[1].categories).toEqual(['basic', 'pro', 'team']);
    expect(sig.inputs[1].fixedCategories).toBeUndefined();
    expect(sig.examples).toHaveLength(3);
    expect(sig.examples?.[1]).toEqual({
      age: null,
      plan: 'basic',
      region: 'us',
      active: false,
    });
  });

  it('validateRecords names each bad field of each record', () => {
    const ok = { age: 40, plan: 'enterprise', region: 'eu', active: false };
    expect(
      validateRecords(sig, [ok, { ...ok, age: '41', active: 'TRUE' }]),
    ).toEqual([]);
    // null is a missing value (imputed as in training); an unseen plan is encoded as unknown.
    expect(validateRecords(sig, [{ ...ok, age: null, plan: 'new' }])).toEqual(
      [],
    );
    expect(
      validateRecords(sig, [
        { plan: 'pro', region: 'asia', active: 'maybe', age: 121 },
        { ...ok, age: 'forty', colour: 'red' },
        { ...ok, plan: { nested: 1 } },
        'not a record' as unknown as Record<string, unknown>,
        { region: 'eu', plan: 'pro', active: true },
      ]),
    ).toEqual([
      { record: 0, field: 'age', reason: 'must be in [0, 120], got 121' },
      { record: 0, field: 'region', reason: "'asia' is not one of eu, us" },
      { record: 0, field: 'active', reason: 'must be true or false' },
      { record: 1, field: 'colour', reason: 'is not an input of this model' },
      { record: 1, field: 'age', reason: 'must be a number' },
      { record: 2, field: 'plan', reason: 'must be a category (text)' },
      { record: 3, field: '*', reason: 'must be an object of input fields' },
      { record: 4, field: 'age', reason: 'is missing' },
    ]);
    // The target may come along (a labelled row) and is not an error.
    expect(validateRecords(sig, [{ ...ok, churned: 'yes' }])).toEqual([]);
  });

  it('bounds the number of errors it lists', () => {
    const many = Array.from({ length: 500 }, () => ({}));
    expect(validateRecords(sig, many)).toHaveLength(100);
  });
});
