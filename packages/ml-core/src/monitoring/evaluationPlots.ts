import type { Booster } from '../xgboost/booster';
import { HistogramBin, equalWidthHistogram } from './histogram';

export interface EvaluationPlotsInput {
  actual: ArrayLike<number>;
  predicted: ArrayLike<number>;
  model: Booster;
  /** Model input names (preprocessor.json's featureNames); default f0, f1, … as XGBoost. */
  featureNames?: readonly string[];
  /** At most this many predicted-vs-actual points (default 500). */
  maxPoints?: number;
  /** Residual histogram bins (default 20). */
  residualBins?: number;
}

export interface FeatureImportance {
  feature: string;
  /** Average loss change of the feature's splits: get_score(importance_type='gain'). */
  gain: number;
  /** Sum of the loss changes: importance_type='total_gain'. */
  totalGain: number;
  /** Number of splits on the feature: importance_type='weight'. */
  weight: number;
}

export interface EvaluationPlots {
  format: 'mlops-portal/evaluation-plots';
  version: 1;
  predictedVsActual: {
    /** Rows evaluated; points is an evenly spaced subset when larger than maxPoints. */
    total: number;
    points: Array<{ actual: number; predicted: number }>;
  };
  residualHistogram: {
    /** residual = actual − predicted */
    bins: HistogramBin[];
  };
  featureImportance: {
    importanceType: 'gain';
    /** Features used in at least one split, highest average gain first. */
    features: FeatureImportance[];
  };
}

/**
 * Split gains per feature, mirroring XGBoost's Booster.get_score: only
 * splits reachable from each root count, gain = loss_changes of the node.
 */
export function featureImportance(
  model: Booster,
  featureNames?: readonly string[],
): FeatureImportance[] {
  const total = new Map<number, number>();
  const count = new Map<number, number>();
  for (const tree of model.trees) {
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (tree.left[node] === -1) continue;
      const f = tree.feature[node];
      total.set(f, (total.get(f) ?? 0) + tree.lossChange[node]);
      count.set(f, (count.get(f) ?? 0) + 1);
      stack.push(tree.left[node], tree.right[node]);
    }
  }
  return [...count.keys()]
    .map(f => {
      if (featureNames && f >= featureNames.length) {
        throw new Error(
          `featureImportance: split on feature ${f} but only ${featureNames.length} feature names`,
        );
      }
      const weight = count.get(f)!;
      const totalGain = total.get(f)!;
      const feature = featureNames ? featureNames[f] : `f${f}`;
      return { feature, gain: totalGain / weight, totalGain, weight };
    })
    .sort((a, b) => b.gain - a.gain);
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(`evaluationPlots: ${name} must be a positive integer`);
  }
  return v;
}

/** Data behind the evaluation charts: predicted vs actual, residuals, importance. */
export function evaluationPlots(input: EvaluationPlotsInput): EvaluationPlots {
  const { actual, predicted } = input;
  const n = actual.length;
  if (n !== predicted.length) {
    throw new Error(
      `evaluationPlots: ${n} actual values but ${predicted.length} predictions`,
    );
  }
  if (n === 0) throw new Error('evaluationPlots: no rows');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(actual[i]) || !Number.isFinite(predicted[i])) {
      throw new Error(`evaluationPlots: row ${i + 1} is not a finite number`);
    }
  }
  const maxPoints = positiveInt(input.maxPoints ?? 500, 'maxPoints');
  const bins = positiveInt(input.residualBins ?? 20, 'residualBins');
  const take = Math.min(n, maxPoints);
  const points = Array.from({ length: take }, (_, k) => {
    // Evenly spaced indices: deterministic, and the test split is already shuffled.
    const i = Math.floor((k * n) / take);
    return { actual: actual[i], predicted: predicted[i] };
  });
  return {
    format: 'mlops-portal/evaluation-plots',
    version: 1,
    predictedVsActual: { total: n, points },
    residualHistogram: {
      bins: equalWidthHistogram(
        Float64Array.from({ length: n }, (_, i) => actual[i] - predicted[i]),
        bins,
      ),
    },
    featureImportance: {
      importanceType: 'gain',
      features: featureImportance(input.model, input.featureNames),
    },
  };
}
