import type { ModelSignature } from '@mlops-portal/plugin-mlops-common';

/**
 * signature.json of two demo systems, as infra's Preprocess step writes them
 * next to each run (`packages/demo-systems/*`): Abalone (regression, a
 * categorical first column, age = rings + 1.5) and penguins (multiclass,
 * categorical features, missing values). fixtures.test.ts checks them
 * against ml-core's reading of the demo specs and data.
 */
const numeric = (
  name: string,
  min: number,
  max: number,
  missingRate = 0,
): ModelSignature['inputs'][number] => ({
  name,
  type: 'numeric',
  datatype: 'FP64',
  min,
  max,
  missingRate,
});

export const ABALONE_SIGNATURE: ModelSignature = {
  format: 'mlops-portal/signature',
  version: 1,
  inputs: [
    {
      name: 'sex',
      type: 'categorical',
      datatype: 'BYTES',
      label: 'Sex',
      categories: ['M', 'F', 'I'],
      fixedCategories: true,
      categoryLabels: { M: 'Male', F: 'Female', I: 'Infant' },
      missingRate: 0,
    },
    { ...numeric('length', 0, 1), unit: 'mm', scale: 200 },
    { ...numeric('diameter', 0, 0.8), unit: 'mm', scale: 200 },
    { ...numeric('height', 0, 1.4), unit: 'mm', scale: 200 },
    { ...numeric('wholeWeight', 0, 3.5), unit: 'g', scale: 200 },
    { ...numeric('shuckedWeight', 0, 1.9), unit: 'g', scale: 200 },
    { ...numeric('visceraWeight', 0, 0.95), unit: 'g', scale: 200 },
    { ...numeric('shellWeight', 0, 1.3), unit: 'g', scale: 200 },
  ],
  outputs: {
    task: 'regression',
    target: 'rings',
    display: { name: 'age', label: 'Age', unit: 'years', offset: 1.5 },
  },
  examples: [
    {
      sex: 'M',
      length: 0.455,
      diameter: 0.365,
      height: 0.095,
      wholeWeight: 0.514,
      shuckedWeight: 0.2245,
      visceraWeight: 0.101,
      shellWeight: 0.15,
    },
  ],
};

/** The Abalone example row (UCI's first), the request old clients send. */
export const ABALONE_RECORD = ABALONE_SIGNATURE.examples![0];

export const PENGUINS_SIGNATURE: ModelSignature = {
  format: 'mlops-portal/signature',
  version: 1,
  inputs: [
    {
      name: 'island',
      type: 'categorical',
      datatype: 'BYTES',
      label: 'Island',
      categories: ['Biscoe', 'Dream', 'Torgersen'],
      fixedCategories: true,
      missingRate: 0,
    },
    { ...numeric('bill_length_mm', 20, 70, 0.004), unit: 'mm' },
    { ...numeric('bill_depth_mm', 10, 25, 0.004), unit: 'mm' },
    { ...numeric('flipper_length_mm', 150, 250, 0.004), unit: 'mm' },
    { ...numeric('body_mass_g', 2000, 7000, 0.004), unit: 'g' },
    {
      name: 'sex',
      type: 'categorical',
      datatype: 'BYTES',
      label: 'Sex',
      categories: ['FEMALE', 'MALE'],
      fixedCategories: true,
      categoryLabels: { FEMALE: 'Female', MALE: 'Male' },
      missingRate: 0.03,
    },
  ],
  outputs: {
    task: 'multiclass',
    target: 'species',
    classes: ['Adelie', 'Chinstrap', 'Gentoo'],
  },
  examples: [
    {
      island: 'Torgersen',
      bill_length_mm: 39.1,
      bill_depth_mm: 18.7,
      flipper_length_mm: 181,
      body_mass_g: 3750,
      sex: 'MALE',
    },
  ],
};

/** A binary classifier's signature (breast-cancer's shape, two of its 30 columns). */
export const BINARY_SIGNATURE: ModelSignature = {
  format: 'mlops-portal/signature',
  version: 1,
  inputs: [numeric('mean_radius', 0, 50), numeric('mean_texture', 0, 50)],
  outputs: {
    task: 'binary',
    target: 'diagnosis',
    classes: ['benign', 'malignant'],
  },
};
