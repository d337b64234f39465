import type { ModelSignature } from '@mlops-portal/plugin-mlops-common';
import { abaloneSignature, penguinsSignature } from '../../__fixtures__';
import {
  exampleLabel,
  numericHint,
  scaledColumns,
  toForm,
  toRecord,
  validateFeature,
} from './signatureForm';

const withBoolean: ModelSignature = {
  ...penguinsSignature,
  inputs: [
    ...penguinsSignature.inputs,
    {
      name: 'tagged',
      type: 'boolean',
      datatype: 'BOOL',
      missingRate: 0,
    },
  ],
};

describe('signature form', () => {
  it('round-trips a record through display units (× scale) and back', () => {
    const example = abaloneSignature.examples![0];
    const form = toForm(abaloneSignature, example);
    expect(form.length).toBe('91');
    expect(form.sex).toBe('M');
    const record = toRecord(abaloneSignature, form);
    expect(record.length).toBeCloseTo(0.455, 10);
    expect(record.sex).toBe('M');
    // the target of an example row is not an input
    expect(record).not.toHaveProperty('rings');
  });

  it('turns empty fields into missing values, booleans into booleans', () => {
    const form = toForm(withBoolean, {
      ...penguinsSignature.examples![1],
      tagged: true,
    });
    expect(form.sex).toBe('');
    expect(form.tagged).toBe('true');
    expect(toRecord(withBoolean, { ...form, tagged: 'false' })).toMatchObject({
      sex: null,
      tagged: false,
      body_mass_g: 4500,
    });
  });

  it('validates by column type, range and whether training had missing values', () => {
    const col = (name: string) =>
      withBoolean.inputs.find(c => c.name === name)!;
    expect(validateFeature(col('island'), 'Atlantis')).toBe(
      'Island must be one of Biscoe, Dream, Torgersen',
    );
    expect(validateFeature(col('island'), '')).toBe('Island is required');
    expect(validateFeature(col('sex'), '')).toBeUndefined();
    expect(validateFeature(col('body_mass_g'), '7001')).toBe(
      'Body mass must be ≤ 7000 g',
    );
    expect(validateFeature(col('tagged'), 'yes')).toBe(
      'tagged must be true or false',
    );
    expect(numericHint(col('bill_length_mm'))).toBe(
      'training data 32.1–59.6 mm',
    );
  });

  it('names presets and scales from the signature', () => {
    expect(
      exampleLabel(penguinsSignature, penguinsSignature.examples![1], 1),
    ).toBe('Example 2 (species Gentoo)');
    expect(exampleLabel(penguinsSignature, { island: 'Dream' }, 0)).toBe(
      'Example 1',
    );
    expect(scaledColumns(penguinsSignature)).toEqual([]);
    expect(scaledColumns(abaloneSignature)).toEqual([
      {
        scale: 200,
        labels: [
          'Length',
          'Diameter',
          'Height',
          'Whole weight',
          'Shucked weight',
          'Viscera weight',
          'Shell weight',
        ],
      },
    ]);
  });
});
