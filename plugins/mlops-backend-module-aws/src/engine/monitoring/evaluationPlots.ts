import type { EvaluationPlots } from '@mlops-portal/plugin-mlops-common';
import { z } from 'zod';
import { parseJsonAs } from './parseJson';

/** File the Evaluate step writes beside evaluation.json. */
export const EVALUATION_PLOTS_FILE = 'evaluation-plots.json';

/** evaluation.json's URI → the plots file in the same output folder. */
export function plotsUriFor(evaluationUri: string): string {
  const slash = evaluationUri.lastIndexOf('/');
  return `${evaluationUri.slice(0, slash + 1)}${EVALUATION_PLOTS_FILE}`;
}

const finite = z.number().finite();

/** ml-core's evaluation-plots.json, format version 1 (what evaluate.py writes). */
export const evaluationPlotsSchema = z.object({
  format: z.literal('mlops-portal/evaluation-plots'),
  version: z.literal(1),
  predictedVsActual: z.object({
    total: z.number().int().nonnegative(),
    points: z.array(z.object({ actual: finite, predicted: finite })),
  }),
  residualHistogram: z.object({
    bins: z.array(
      z.object({
        lower: finite,
        upper: finite,
        count: z.number().int().nonnegative(),
      }),
    ),
  }),
  featureImportance: z.object({
    importanceType: z.literal('gain'),
    features: z.array(
      z.object({
        feature: z.string(),
        gain: finite,
        totalGain: finite,
        weight: finite,
      }),
    ),
  }),
});

/** Parses the file; the error names the first field that does not fit. */
export function parseEvaluationPlots(
  text: string,
  uri: string,
): EvaluationPlots {
  return parseJsonAs(text, uri, evaluationPlotsSchema) as EvaluationPlots;
}
