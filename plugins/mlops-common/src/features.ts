import type { AbaloneFeatures } from './types';

/** Numeric feature keys, in the data set's column order (after Sex). */
export const NUMERIC_FEATURES = [
  'length',
  'diameter',
  'height',
  'wholeWeight',
  'shuckedWeight',
  'visceraWeight',
  'shellWeight',
] as const;

export type NumericFeature = (typeof NUMERIC_FEATURES)[number];

export interface FeatureInfo {
  key: NumericFeature;
  label: string;
  /** Unit of the measurement as taken; the data set stores it divided by 200. */
  unit: 'mm' | 'g';
  description: string;
  /** Observed range in the UCI data set (scaled units). */
  datasetMin: number;
  datasetMax: number;
  /** Accepted range (scaled units): the observed one with a margin. */
  min: number;
  max: number;
}

/** Values in the data set are millimetres / grams divided by this. */
export const ABALONE_SCALE = 200;

/** Age in years = rings + this. */
export const AGE_OFFSET_YEARS = 1.5;

// Accepted max is the data set's max plus ~25%: predictions far outside the
// training range are extrapolation, so they are refused rather than guessed.
export const FEATURE_INFO: Record<NumericFeature, FeatureInfo> = {
  length: { key: 'length', label: 'Length', unit: 'mm', description: 'Longest shell measurement', datasetMin: 0.075, datasetMax: 0.815, min: 0, max: 1.0 },
  diameter: { key: 'diameter', label: 'Diameter', unit: 'mm', description: 'Perpendicular to length', datasetMin: 0.055, datasetMax: 0.65, min: 0, max: 0.8 },
  height: { key: 'height', label: 'Height', unit: 'mm', description: 'With meat in shell', datasetMin: 0, datasetMax: 1.13, min: 0, max: 1.4 },
  wholeWeight: { key: 'wholeWeight', label: 'Whole weight', unit: 'g', description: 'Whole abalone', datasetMin: 0.002, datasetMax: 2.8255, min: 0, max: 3.5 },
  shuckedWeight: { key: 'shuckedWeight', label: 'Shucked weight', unit: 'g', description: 'Weight of meat', datasetMin: 0.001, datasetMax: 1.488, min: 0, max: 1.9 },
  visceraWeight: { key: 'visceraWeight', label: 'Viscera weight', unit: 'g', description: 'Gut weight (after bleeding)', datasetMin: 0.0005, datasetMax: 0.76, min: 0, max: 0.95 },
  shellWeight: { key: 'shellWeight', label: 'Shell weight', unit: 'g', description: 'After being dried', datasetMin: 0.0015, datasetMax: 1.005, min: 0, max: 1.3 },
};

export const SEX_VALUES = ['M', 'F', 'I'] as const;

/** A typical adult from the data set, for examples and presets. */
export const EXAMPLE_ABALONE: AbaloneFeatures = {
  sex: 'M',
  length: 0.455,
  diameter: 0.365,
  height: 0.095,
  wholeWeight: 0.514,
  shuckedWeight: 0.2245,
  visceraWeight: 0.101,
  shellWeight: 0.15,
};

export function ageFromRings(rings: number): number {
  return rings + AGE_OFFSET_YEARS;
}
