/**
 * The abalone measurements the model takes, with the plausible ranges the
 * form accepts.
 *
 * The numbers are copied from plugins/mlops-common/src/features.ts
 * (FEATURE_INFO, ABALONE_SCALE, AGE_OFFSET_YEARS). This app is deployed on
 * its own (CloudFront), so it does not depend on the Backstage packages;
 * src/features.test.ts reads that file and fails if the copies drift apart.
 */

export type Sex = 'M' | 'F' | 'I';

export const SEX_OPTIONS: ReadonlyArray<{ value: Sex; label: string }> = [
  { value: 'M', label: 'Male' },
  { value: 'F', label: 'Female' },
  { value: 'I', label: 'Infant' },
];

/** Measurement keys, in the data set's column order (after Sex). */
export const MEASUREMENTS = [
  'length',
  'diameter',
  'height',
  'wholeWeight',
  'shuckedWeight',
  'visceraWeight',
  'shellWeight',
] as const;

export type Measurement = (typeof MEASUREMENTS)[number];

export interface MeasurementInfo {
  key: Measurement;
  label: string;
  /** Unit the user measures in; the data set stores the value divided by 200. */
  unit: 'mm' | 'g';
  description: string;
  /** Accepted range in the data set's scaled units (value / 200). */
  scaledMin: number;
  scaledMax: number;
}

/** Values in the data set are millimetres / grams divided by this. */
export const ABALONE_SCALE = 200;

/** Age in years = rings + this. */
export const AGE_OFFSET_YEARS = 1.5;

export const MEASUREMENT_INFO: Record<Measurement, MeasurementInfo> = {
  length: {
    key: 'length',
    label: 'Length',
    unit: 'mm',
    description: 'Longest shell measurement',
    scaledMin: 0,
    scaledMax: 1.0,
  },
  diameter: {
    key: 'diameter',
    label: 'Diameter',
    unit: 'mm',
    description: 'Perpendicular to length',
    scaledMin: 0,
    scaledMax: 0.8,
  },
  height: {
    key: 'height',
    label: 'Height',
    unit: 'mm',
    description: 'With meat in shell',
    scaledMin: 0,
    scaledMax: 1.4,
  },
  wholeWeight: {
    key: 'wholeWeight',
    label: 'Whole weight',
    unit: 'g',
    description: 'Whole abalone',
    scaledMin: 0,
    scaledMax: 3.5,
  },
  shuckedWeight: {
    key: 'shuckedWeight',
    label: 'Shucked weight',
    unit: 'g',
    description: 'Weight of meat',
    scaledMin: 0,
    scaledMax: 1.9,
  },
  visceraWeight: {
    key: 'visceraWeight',
    label: 'Viscera weight',
    unit: 'g',
    description: 'Gut weight (after bleeding)',
    scaledMin: 0,
    scaledMax: 0.95,
  },
  shellWeight: {
    key: 'shellWeight',
    label: 'Shell weight',
    unit: 'g',
    description: 'After being dried',
    scaledMin: 0,
    scaledMax: 1.3,
  },
};

/** One abalone as the API takes it (scaled units). */
export interface AbaloneInstance {
  sex: Sex;
  length: number;
  diameter: number;
  height: number;
  wholeWeight: number;
  shuckedWeight: number;
  visceraWeight: number;
  shellWeight: number;
}

/**
 * A typical adult male from the data set (its first row), in real units, so
 * the "Fill in an example" button gives a plausible prediction.
 */
export const EXAMPLE_INPUT: Record<'sex' | Measurement, string> = {
  sex: 'M',
  length: '91',
  diameter: '73',
  height: '19',
  wholeWeight: '102.8',
  shuckedWeight: '44.9',
  visceraWeight: '20.2',
  shellWeight: '30',
};
