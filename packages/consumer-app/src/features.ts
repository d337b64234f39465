/**
 * The abalone measurements the model takes, with the plausible ranges the
 * form accepts. Names, units and ranges come from @mlops-portal/abalone-schema
 * (the same module the portal's API validates with); it has no dependencies,
 * so this app, deployed on its own (CloudFront), still needs no Backstage
 * package.
 */
import {
  NUMERIC_FEATURES,
  NUMERIC_FEATURE_SPECS,
  SEX_LABELS,
  SEX_VALUES,
} from '@mlops-portal/abalone-schema';
import type { NumericFeature, Sex } from '@mlops-portal/abalone-schema';

export { ABALONE_SCALE, AGE_OFFSET_YEARS } from '@mlops-portal/abalone-schema';
export type { Sex } from '@mlops-portal/abalone-schema';

export const SEX_OPTIONS: ReadonlyArray<{ value: Sex; label: string }> =
  SEX_VALUES.map(value => ({ value, label: SEX_LABELS[value] }));

/** Measurement keys, in the data set's column order (after Sex). */
export const MEASUREMENTS = NUMERIC_FEATURES;

export type Measurement = NumericFeature;

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

export const MEASUREMENT_INFO = Object.fromEntries(
  MEASUREMENTS.map(key => {
    const { label, unit, description, min, max } = NUMERIC_FEATURE_SPECS[key];
    return [
      key,
      { key, label, unit, description, scaledMin: min, scaledMax: max },
    ];
  }),
) as Record<Measurement, MeasurementInfo>;

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
