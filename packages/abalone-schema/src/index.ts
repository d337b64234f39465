/**
 * The UCI Abalone schema, written once: feature names and their order, units,
 * accepted ranges and the Sex categories. ml-core, mlops-common and the
 * consumer app import it; it has no dependencies so each of them can.
 * `schema.json` is `abaloneSchemaJson()` written out.
 *
 * @packageDocumentation
 */

/** Sex values the data set and the APIs accept (the UCI file's order). */
export const SEX_VALUES = ['M', 'F', 'I'] as const;

export type Sex = (typeof SEX_VALUES)[number];

/** Categories of the one-hot Sex encoding, in output column order (sorted, like scikit-learn). */
export const SEX_CATEGORIES = ['F', 'I', 'M'] as const;

/** Human-readable Sex labels for forms. */
export const SEX_LABELS: Readonly<Record<Sex, string>> = {
  M: 'Male',
  F: 'Female',
  I: 'Infant',
};

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

/** Model input columns in CSV order (what the preprocessors and endpoints read). */
export const FEATURE_COLUMNS = ['sex', ...NUMERIC_FEATURES] as const;

export type FeatureColumn = (typeof FEATURE_COLUMNS)[number];

/** The regression target. */
export const LABEL_COLUMN = 'rings';

/** Every column of the UCI file, in file order (the file has no header). */
export const ABALONE_COLUMNS = [...FEATURE_COLUMNS, LABEL_COLUMN] as const;

/** Values in the data set are millimetres / grams divided by this. */
export const ABALONE_SCALE = 200;

/** Age in years = rings + this. */
export const AGE_OFFSET_YEARS = 1.5;

export interface NumericFeatureSpec {
  key: NumericFeature;
  label: string;
  /** Unit of the measurement as taken; the data set stores it divided by ABALONE_SCALE. */
  unit: 'mm' | 'g';
  description: string;
  /** Observed range in the UCI data set (scaled units). */
  datasetMin: number;
  datasetMax: number;
  /** Accepted range (scaled units): the observed one with a margin. */
  min: number;
  max: number;
}

// Accepted max is the data set's max plus ~25%: predictions far outside the
// training range are extrapolation, so they are refused rather than guessed.
export const NUMERIC_FEATURE_SPECS: Readonly<
  Record<NumericFeature, NumericFeatureSpec>
> = {
  length: {
    key: 'length',
    label: 'Length',
    unit: 'mm',
    description: 'Longest shell measurement',
    datasetMin: 0.075,
    datasetMax: 0.815,
    min: 0,
    max: 1.0,
  },
  diameter: {
    key: 'diameter',
    label: 'Diameter',
    unit: 'mm',
    description: 'Perpendicular to length',
    datasetMin: 0.055,
    datasetMax: 0.65,
    min: 0,
    max: 0.8,
  },
  height: {
    key: 'height',
    label: 'Height',
    unit: 'mm',
    description: 'With meat in shell',
    datasetMin: 0,
    datasetMax: 1.13,
    min: 0,
    max: 1.4,
  },
  wholeWeight: {
    key: 'wholeWeight',
    label: 'Whole weight',
    unit: 'g',
    description: 'Whole abalone',
    datasetMin: 0.002,
    datasetMax: 2.8255,
    min: 0,
    max: 3.5,
  },
  shuckedWeight: {
    key: 'shuckedWeight',
    label: 'Shucked weight',
    unit: 'g',
    description: 'Weight of meat',
    datasetMin: 0.001,
    datasetMax: 1.488,
    min: 0,
    max: 1.9,
  },
  visceraWeight: {
    key: 'visceraWeight',
    label: 'Viscera weight',
    unit: 'g',
    description: 'Gut weight (after bleeding)',
    datasetMin: 0.0005,
    datasetMax: 0.76,
    min: 0,
    max: 0.95,
  },
  shellWeight: {
    key: 'shellWeight',
    label: 'Shell weight',
    unit: 'g',
    description: 'After being dried',
    datasetMin: 0.0015,
    datasetMax: 1.005,
    min: 0,
    max: 1.3,
  },
};

/**
 * The schema as plain JSON, for copies that cannot import TypeScript (the
 * Python step scripts). `schema.json` in this package is this value; a test
 * keeps the file and the function equal.
 */
export function abaloneSchemaJson() {
  return {
    featureColumns: [...FEATURE_COLUMNS],
    numericFeatures: [...NUMERIC_FEATURES],
    labelColumn: LABEL_COLUMN,
    sexValues: [...SEX_VALUES],
    sexCategories: [...SEX_CATEGORIES],
    scale: ABALONE_SCALE,
    ageOffsetYears: AGE_OFFSET_YEARS,
    numericFeatureSpecs: NUMERIC_FEATURES.map(k => ({
      ...NUMERIC_FEATURE_SPECS[k],
    })),
  };
}
