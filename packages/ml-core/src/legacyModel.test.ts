import fs from 'fs';
import path from 'path';
import { parseAbaloneCsv } from './csv';
import { fitPreprocessor, transform } from './preprocess';
import { createPredictor, createModelScorer } from './predictor';
import { trainXGBoost } from './xgboost/train';
import { transformTable } from './dataset/preprocessor';
import { tableFromRecords } from './dataset/records';
import type { DatasetSchema } from './spec/types';
import { upgradeLegacyPreprocessor } from './legacyModel';

const DATA = path.resolve(__dirname, '../../demo-systems/abalone/abalone.data');

describe('upgradeLegacyPreprocessor', () => {
  it('serves a first-release model through the table path with identical predictions', () => {
    const text = fs
      .readFileSync(DATA, 'utf8')
      .split('\n')
      .slice(0, 600)
      .join('\n');
    const { records } = parseAbaloneCsv(text);
    const pre = fitPreprocessor(records);
    const x = transform(pre, records);
    const y = Float32Array.from(records.map(r => r.rings));
    const { booster } = trainXGBoost(
      { max_depth: 3, eta: 0.3, num_round: 10 },
      { ...x, labels: y },
    );
    const model = JSON.parse(JSON.stringify(booster.toXGBoostJSON()));
    const legacy = createPredictor(pre, model).predict(records.slice(0, 50));

    const upgraded = upgradeLegacyPreprocessor(JSON.parse(JSON.stringify(pre)));
    expect(upgraded).toBeDefined();
    const { preprocessor, signature } = upgraded!;
    expect(signature.outputs).toEqual({
      task: 'regression',
      target: 'rings',
      display: { name: 'age', label: 'Age', unit: 'years', offset: 1.5 },
    });
    expect(signature.inputs.map(i => i.name)).toEqual([
      'sex',
      ...pre.numericFeatures,
    ]);
    // the schema the endpoint reads records with (the signature's inputs)
    const schema: DatasetSchema = {
      header: true,
      columns: signature.inputs.map(i => ({ name: i.name, type: i.type })),
      target: 'rings',
      task: 'regression',
      missingValues: [''],
      maxCategories: Number.MAX_SAFE_INTEGER,
    };
    const table = tableFromRecords(
      schema,
      records.slice(0, 50).map(({ rings: _, ...features }) => features),
    );
    const served = createModelScorer(model).predict(
      transformTable(preprocessor, table),
    );
    expect(Array.from(served)).toEqual(Array.from(legacy));
  });

  it('leaves other artifacts alone', () => {
    expect(upgradeLegacyPreprocessor(undefined)).toBeUndefined();
    expect(
      upgradeLegacyPreprocessor({ format: 'mlops-portal/table-preprocessor' }),
    ).toBeUndefined();
    expect(
      upgradeLegacyPreprocessor({
        format: 'mlops-portal/abalone-preprocessor',
        numericFeatures: ['length'],
        medians: [],
      }),
    ).toBeUndefined();
  });
});
