import {
  AGE_OFFSET_YEARS,
  NUMERIC_FEATURE_SPECS,
  NumericFeature,
  NumericFeatureSpec,
} from '@mlops-portal/abalone-schema';
import type { AbaloneFeatures } from './types';

// The schema lives in @mlops-portal/abalone-schema; these names are kept so
// the plugins' imports from mlops-common stay as they were.
export {
  ABALONE_SCALE,
  AGE_OFFSET_YEARS,
  NUMERIC_FEATURES,
  SEX_VALUES,
} from '@mlops-portal/abalone-schema';
export type { NumericFeature } from '@mlops-portal/abalone-schema';

export type FeatureInfo = NumericFeatureSpec;

export const FEATURE_INFO: Readonly<Record<NumericFeature, FeatureInfo>> =
  NUMERIC_FEATURE_SPECS;

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
