import {
  EVALUATION_PLOTS_FILE,
  PSI_BINS,
  binOf,
  decileEdges,
  populationStabilityIndex,
} from '@mlops-portal/ml-core';
import type {
  EvaluationPlots,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs/promises';
import path from 'path';

/**
 * What a version predicted on its own test split at training, as buckets
 * live predictions are counted into: the class labels it predicted
 * (classifiers: the confusion matrix's column sums) or deciles of its
 * predicted values (regression: the predicted-vs-actual points). The
 * prediction-drift alarm compares the two with PSI.
 */
export interface PredictionBaseline {
  kind: 'classes' | 'bins';
  /** Class labels (classes) or interior bin edges, ascending (bins). */
  labels?: string[];
  edges?: number[];
  /** Share of the test split per bucket; sums to 1. */
  shares: number[];
}

/** The baseline from evaluation-plots.json in a model package; undefined when it has none. */
export async function readPredictionBaseline(
  modelDir: string,
): Promise<PredictionBaseline | undefined> {
  let plots: EvaluationPlots;
  try {
    plots = JSON.parse(
      await fs.readFile(path.join(modelDir, EVALUATION_PLOTS_FILE), 'utf8'),
    );
  } catch {
    return undefined;
  }
  return predictionBaselineOf(plots);
}

export function predictionBaselineOf(
  plots: EvaluationPlots,
): PredictionBaseline | undefined {
  if ('confusionMatrix' in plots) {
    const { labels, counts } = plots.confusionMatrix;
    const predicted = labels.map((_, c) =>
      counts.reduce((sum, row) => sum + (row[c] ?? 0), 0),
    );
    const total = predicted.reduce((a, b) => a + b, 0);
    if (total === 0) return undefined;
    return {
      kind: 'classes',
      labels,
      shares: predicted.map(n => n / total),
    };
  }
  if ('predictedVsActual' in plots) {
    const values = plots.predictedVsActual.points
      .map(p => p.predicted)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (values.length < PSI_BINS) return undefined;
    const edges = decileEdges(values);
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) counts[binOf(edges, v)]++;
    return {
      kind: 'bins',
      edges,
      shares: counts.map(n => n / values.length),
    };
  }
  return undefined;
}

/**
 * The bucket a live prediction falls in; a class label the baseline never
 * predicted counts in an extra last bucket (which the baseline has at 0).
 */
export function bucketOf(
  baseline: PredictionBaseline,
  prediction: Prediction,
): number {
  if (baseline.kind === 'classes') {
    const i = baseline.labels!.indexOf(String(prediction.value));
    return i >= 0 ? i : baseline.shares.length;
  }
  const v = Number(prediction.value);
  return Number.isFinite(v)
    ? binOf(baseline.edges!, v)
    : baseline.shares.length;
}

/** Population stability index of live bucket counts against the baseline shares. */
export function predictionPsi(
  baseline: PredictionBaseline,
  counts: readonly number[],
): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  // One bucket more than the baseline: labels it never predicted.
  const n = Math.max(baseline.shares.length + 1, counts.length);
  const expected = Array.from({ length: n }, (_, b) => baseline.shares[b] ?? 0);
  const actual = Array.from({ length: n }, (_, b) => (counts[b] ?? 0) / total);
  return populationStabilityIndex(expected, actual);
}
