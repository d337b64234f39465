/*
 * Signatures as GET …/model-versions/:version/signature returns them, one per
 * demo system's task, written from packages/demo-systems' specs and rows.
 */
import type {
  ModelSignature,
  PredictResponse,
  SignatureColumn,
} from '@mlops-portal/plugin-mlops-common';

const mm = (
  name: string,
  label: string,
  description: string,
  max: number,
  observedMax: number,
): SignatureColumn => ({
  name,
  type: 'numeric',
  datatype: 'FP64',
  label,
  description,
  unit: 'mm',
  scale: 200,
  min: 0,
  max,
  observedMin: 0.01,
  observedMax,
  missingRate: 0,
});
const grams = (
  name: string,
  label: string,
  description: string,
  max: number,
  observedMax: number,
): SignatureColumn => ({
  ...mm(name, label, description, max, observedMax),
  unit: 'g',
});

/** The reference regression system (stored units: mm and g ÷ 200). */
export const abaloneSignature: ModelSignature = {
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
    mm('length', 'Length', 'Longest shell measurement', 1.0, 0.815),
    mm('diameter', 'Diameter', 'Perpendicular to length', 0.8, 0.65),
    mm('height', 'Height', 'With meat in shell', 1.4, 1.13),
    grams('wholeWeight', 'Whole weight', 'Whole abalone', 3.5, 2.8255),
    grams('shuckedWeight', 'Shucked weight', 'Weight of meat', 1.9, 1.488),
    grams(
      'visceraWeight',
      'Viscera weight',
      'Gut weight (after bleeding)',
      0.95,
      0.76,
    ),
    grams('shellWeight', 'Shell weight', 'After being dried', 1.3, 1.005),
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
      rings: 15,
    },
    {
      sex: 'I',
      length: 0.33,
      diameter: 0.255,
      height: 0.08,
      wholeWeight: 0.205,
      shuckedWeight: 0.0895,
      visceraWeight: 0.0395,
      shellWeight: 0.055,
      rings: 7,
    },
    {
      sex: 'F',
      length: 0.7,
      diameter: 0.545,
      height: 0.19,
      wholeWeight: 1.67,
      shuckedWeight: 0.6,
      visceraWeight: 0.35,
      shellWeight: 0.5,
      rings: 19,
    },
  ],
};

const num = (
  name: string,
  label: string,
  unit: string,
  min: number,
  max: number,
  observed: [number, number],
  missingRate = 0,
): SignatureColumn => ({
  name,
  type: 'numeric',
  datatype: 'FP64',
  label,
  unit,
  min,
  max,
  observedMin: observed[0],
  observedMax: observed[1],
  missingRate,
});

/** A multiclass system with categorical features and missing values. */
export const penguinsSignature: ModelSignature = {
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
    num('bill_length_mm', 'Bill length', 'mm', 20, 70, [32.1, 59.6], 0.006),
    num('bill_depth_mm', 'Bill depth', 'mm', 10, 25, [13.1, 21.5], 0.006),
    num(
      'flipper_length_mm',
      'Flipper length',
      'mm',
      150,
      250,
      [172, 231],
      0.006,
    ),
    num('body_mass_g', 'Body mass', 'g', 2000, 7000, [2700, 6300], 0.006),
    {
      name: 'sex',
      type: 'categorical',
      datatype: 'BYTES',
      label: 'Sex',
      categories: ['FEMALE', 'MALE'],
      fixedCategories: true,
      categoryLabels: { FEMALE: 'Female', MALE: 'Male' },
      missingRate: 0.032,
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
      species: 'Adelie',
    },
    {
      island: 'Biscoe',
      bill_length_mm: 46.1,
      bill_depth_mm: 13.2,
      flipper_length_mm: 211,
      body_mass_g: 4500,
      sex: null,
      species: 'Gentoo',
    },
  ],
};

/** A binary classifier (30 numeric inputs in the demo; three kept here). */
export const breastCancerSignature: ModelSignature = {
  format: 'mlops-portal/signature',
  version: 1,
  inputs: [
    num('mean_radius', 'Mean radius', '', 0, 50, [6.98, 28.11]),
    num('mean_texture', 'Mean texture', '', 0, 50, [9.71, 39.28]),
    num('worst_concave_points', 'Worst concave points', '', 0, 1, [0, 0.291]),
  ].map(c => ({ ...c, unit: undefined })),
  outputs: {
    task: 'binary',
    target: 'diagnosis',
    classes: ['benign', 'malignant'],
  },
  examples: [
    {
      mean_radius: 17.99,
      mean_texture: 10.38,
      worst_concave_points: 0.2654,
      diagnosis: 'malignant',
    },
  ],
};

/** A classifier's answer (toPrediction's shape). */
export const penguinsPredictResponse: PredictResponse = {
  predictions: [
    {
      value: 'Gentoo',
      species: 'Gentoo',
      probabilities: { Adelie: 0.04, Chinstrap: 0.01, Gentoo: 0.95 },
    },
  ],
  modelVersion: 4,
  endpointName: 'penguin-species-endpoint',
};
