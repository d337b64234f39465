import type { AbaloneRecord } from './csv';
import { FEATURE_COUNT, PreprocessorArtifact, transform } from './preprocess';
import { Booster } from './xgboost/booster';

export interface Predictor {
  /** Predicted rings for each record. */
  predict(records: AbaloneRecord[]): Float64Array;
  featureCount: number;
}

/** Batch predictor from preprocessor.json + model.json (both parsed objects). */
export function createPredictor(
  preprocessor: PreprocessorArtifact,
  model: object,
): Predictor {
  const booster = Booster.fromXGBoostJSON(model);
  const featureCount =
    preprocessor.numericFeatures?.length + preprocessor.sexCategories?.length;
  if (!(featureCount > 0)) {
    throw new Error('Invalid preprocessor artifact (preprocessor.json)');
  }
  if (booster.numFeature > featureCount) {
    throw new Error(
      `model.json expects ${booster.numFeature} features but preprocessor.json produces ${featureCount}`,
    );
  }
  return {
    featureCount: featureCount ?? FEATURE_COUNT,
    predict(records: AbaloneRecord[]): Float64Array {
      return booster.predict(transform(preprocessor, records));
    },
  };
}
