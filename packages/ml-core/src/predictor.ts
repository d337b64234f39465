import type { AbaloneRecord } from './csv';
import {
  FEATURE_COUNT,
  Matrix,
  PreprocessorArtifact,
  transform,
} from './preprocess';
import type { Task } from './spec/types';
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

/** One classified row: the most probable class and every class's probability. */
export interface ClassPrediction {
  label: string;
  /** Keyed by class label, in class-index order. */
  probabilities: Record<string, number>;
}

/** A model.json ready to score feature matrices, whatever its task. */
export interface ModelScorer {
  task: Task;
  /** Class labels in index order (classification). */
  classes?: string[];
  numFeature: number;
  /**
   * Regression: the values; binary: P(classes[1]); multiclass: each class's
   * probability, row-major (row r, class k at r·classes.length + k).
   */
  predict(m: Matrix): Float64Array;
  /** Classification only: label and probabilities per row. */
  predictClasses(m: Matrix): ClassPrediction[];
}

const TASK_OF_OBJECTIVE: Record<string, Task> = {
  'binary:logistic': 'binary',
  'multi:softprob': 'multiclass',
};

/**
 * Scorer for a model.json (parsed). Classifiers need their class labels in
 * index order (the signature's `outputs.classes`): 2 for binary:logistic,
 * num_class for multi:softprob.
 */
export function createModelScorer(
  model: object,
  classes?: string[],
): ModelScorer {
  const booster = Booster.fromXGBoostJSON(model);
  const task = TASK_OF_OBJECTIVE[booster.objective] ?? 'regression';
  if (task !== 'regression') {
    const expected = task === 'binary' ? 2 : booster.numClass;
    if (!classes || classes.length !== expected) {
      throw new Error(
        `model.json (${
          booster.objective
        }) needs ${expected} class labels, got ${
          classes ? classes.length : 'none'
        }`,
      );
    }
  }
  const k = classes?.length ?? 1;
  return {
    task,
    classes: task === 'regression' ? undefined : classes,
    numFeature: booster.numFeature,
    predict: m => booster.predict(m),
    predictClasses(m: Matrix): ClassPrediction[] {
      if (task === 'regression' || !classes) {
        throw new Error('predictClasses: the model is a regression model');
      }
      const p = booster.predict(m);
      return Array.from({ length: m.rows }, (_, r) => {
        const probs =
          task === 'binary'
            ? [1 - p[r], p[r]]
            : Array.from(p.subarray(r * k, (r + 1) * k));
        let best = 0;
        for (let c = 1; c < probs.length; c++)
          if (probs[c] > probs[best]) best = c;
        // Binary: class 1 from p ≥ 0.5, the threshold the metrics use.
        if (task === 'binary') best = p[r] >= 0.5 ? 1 : 0;
        const probabilities: Record<string, number> = {};
        classes.forEach((label, c) => {
          probabilities[label] = probs[c];
        });
        return { label: classes[best], probabilities };
      });
    },
  };
}
