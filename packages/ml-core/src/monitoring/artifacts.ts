import { mkdir, writeFile } from 'fs/promises';
import { join } from 'path';
import type { AbaloneRecord } from '../csv';
import type { AbaloneColumns } from '../columns';
import { EvaluationPlotsInput, evaluationPlots } from './evaluationPlots';
import { baselineStatistics } from './statistics';

/** File names next to preprocessor.json / evaluation.json in a run's output. */
export const STATISTICS_FILE = 'statistics.json';
export const EVALUATION_PLOTS_FILE = 'evaluation-plots.json';

async function writeJson(dir: string, file: string, value: unknown) {
  await mkdir(dir, { recursive: true });
  const path = join(dir, file);
  await writeFile(path, JSON.stringify(value, null, 2));
  return path;
}

/** Writes statistics.json (the drift baseline) of the training records; returns its path. */
export async function writeBaselineStatistics(
  outDir: string,
  trainRecords: readonly AbaloneRecord[] | AbaloneColumns,
): Promise<string> {
  return writeJson(outDir, STATISTICS_FILE, baselineStatistics(trainRecords));
}

/** Writes evaluation-plots.json for the test predictions; returns its path. */
export async function writeEvaluationPlots(
  outDir: string,
  input: EvaluationPlotsInput,
): Promise<string> {
  return writeJson(outDir, EVALUATION_PLOTS_FILE, evaluationPlots(input));
}
