import { readFileSync } from 'fs';
import { resolve } from 'path';
import {
  ABALONE_COLUMNS,
  FEATURE_COLUMNS,
  NUMERIC_FEATURES,
  NUMERIC_FEATURE_SPECS,
  SEX_CATEGORIES,
  SEX_LABELS,
  SEX_VALUES,
  abaloneSchemaJson,
} from '.';

describe('abalone schema', () => {
  it('lists the UCI columns in file order', () => {
    expect(ABALONE_COLUMNS).toEqual([
      'sex',
      'length',
      'diameter',
      'height',
      'wholeWeight',
      'shuckedWeight',
      'visceraWeight',
      'shellWeight',
      'rings',
    ]);
    expect(FEATURE_COLUMNS.slice(1)).toEqual([...NUMERIC_FEATURES]);
  });

  it('one-hot categories are the accepted sexes, sorted', () => {
    expect([...SEX_CATEGORIES]).toEqual([...SEX_VALUES].sort());
    expect(Object.keys(SEX_LABELS).sort()).toEqual([...SEX_CATEGORIES]);
  });

  it.each(NUMERIC_FEATURES)(
    '%s: spec keyed by itself, accepted range covers the observed one',
    key => {
      const s = NUMERIC_FEATURE_SPECS[key];
      expect(s.key).toBe(key);
      expect(s.min).toBeLessThanOrEqual(s.datasetMin);
      expect(s.datasetMin).toBeLessThan(s.datasetMax);
      expect(s.datasetMax).toBeLessThan(s.max);
    },
  );

  it('schema.json is the current export (run `npm run export-json -w @mlops-portal/abalone-schema`)', () => {
    const file = JSON.parse(
      readFileSync(resolve(__dirname, '..', 'schema.json'), 'utf8'),
    );
    expect(file).toEqual(abaloneSchemaJson());
  });
});
