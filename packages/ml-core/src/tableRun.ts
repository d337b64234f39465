import { mkdir, writeFile } from 'fs/promises';
import { join } from 'path';
import type {
  DatasetSchema,
  MlSystemSpec,
  ModelSignature,
  Table,
} from './spec/types';
import {
  type TableCheckResult,
  checkTable,
  preprocessTable,
} from './dataset/prepare';
import type { TablePreprocessOutput } from './dataset/prepare';
import { buildSignature } from './schema/signature';
import { type ModelQualityReport, taskMetrics } from './metrics';
import { defaultObjective } from './spec/constants';
import {
  type BaselineStatistics,
  tableBaselineStatistics,
} from './monitoring/statistics';
import { EVALUATION_PLOTS_FILE, STATISTICS_FILE } from './monitoring/artifacts';
import { taskEvaluationPlots } from './monitoring/classificationPlots';
import { writeLabeledCsvFile } from './matrixFiles';
import type { XGBoostParams } from './xgboost/params';
import { type TrainResult, trainXGBoost } from './xgboost/train';

/** The trainer's hyperparameters a spec states (numbers and tree_method). */
export function specHyperparameters(spec: MlSystemSpec): XGBoostParams {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(
    spec.spec.training?.hyperparameters ?? {},
  ))
    out[k] = v;
  return out as XGBoostParams;
}

export interface TableRun {
  schema: DatasetSchema;
  checks: TableCheckResult;
  data: TablePreprocessOutput;
  params: XGBoostParams;
  result: TrainResult;
  testPredictions: ArrayLike<number>;
  /** evaluation.json: the task's Model Quality report. */
  evaluation: ModelQualityReport;
  signature: ModelSignature;
  /** statistics.json: the drift baseline of the training rows. */
  statistics: BaselineStatistics;
}

/**
 * One training run on a table: data checks → split + preprocess → train →
 * evaluate on the test part → signature and baseline of the training rows.
 */
export function trainTable(input: {
  table: Table;
  schema: DatasetSchema;
  spec?: MlSystemSpec;
  params: XGBoostParams;
  seed: number;
}): TableRun {
  const { table, schema, spec, seed } = input;
  const checks = checkTable(table, schema);
  const data = preprocessTable(table, schema, {
    ...spec?.spec.training?.split,
    seed,
  });
  // The objective follows the task; multi:softprob needs the class count.
  const params: XGBoostParams = {
    ...input.params,
    objective: spec?.spec.training?.objective ?? defaultObjective(schema.task),
    ...(schema.task === 'multiclass'
      ? { num_class: schema.classes?.length ?? 0 }
      : {}),
    seed,
  };
  const result = trainXGBoost(params, data.train, data.validation);
  const testPredictions = result.booster.predict(data.test);
  const evaluation = taskMetrics(
    schema.task,
    data.test.labels,
    testPredictions,
    schema.classes,
  );
  return {
    schema,
    checks,
    data,
    params,
    result,
    testPredictions,
    evaluation,
    signature: buildSignature(
      table,
      schema,
      data.preprocessor,
      spec,
      data.split.train,
    ),
    statistics: tableBaselineStatistics(table, schema, data.split.train),
  };
}

/** File names of a run directory. */
export const RUN_FILES = {
  schema: 'schema.json',
  preprocessor: 'preprocessor.json',
  model: 'model.json',
  signature: 'signature.json',
  evaluation: 'evaluation.json',
  statistics: STATISTICS_FILE,
  train: 'train.csv',
  validation: 'validation.csv',
  test: 'test.csv',
} as const;

/**
 * Writes a run directory: the processed train/validation/test CSVs (label
 * first, no header, so real XGBoost can be run on the very same splits),
 * model.json, preprocessor.json, schema.json, signature.json,
 * evaluation.json, statistics.json and evaluation-plots.json (by task).
 */
export async function writeTableRun(out: string, run: TableRun): Promise<void> {
  await mkdir(out, { recursive: true });
  const json = (file: string, value: unknown) =>
    writeFile(join(out, file), JSON.stringify(value, null, 2));
  await Promise.all([
    json(RUN_FILES.schema, run.schema),
    json(RUN_FILES.preprocessor, run.data.preprocessor),
    writeFile(
      join(out, RUN_FILES.model),
      run.result.booster.toXGBoostJSONString(),
    ),
    json(RUN_FILES.signature, run.signature),
    json(RUN_FILES.evaluation, run.evaluation),
    json(RUN_FILES.statistics, run.statistics),
    writeLabeledCsvFile(join(out, RUN_FILES.train), run.data.train),
    writeLabeledCsvFile(join(out, RUN_FILES.validation), run.data.validation),
    writeLabeledCsvFile(join(out, RUN_FILES.test), run.data.test),
    json(
      EVALUATION_PLOTS_FILE,
      taskEvaluationPlots(run.schema.task, {
        actual: run.data.test.labels,
        predicted: run.testPredictions,
        classes: run.schema.classes,
        model: run.result.booster,
        featureNames: run.data.preprocessor.featureNames,
      }),
    ),
  ]);
}
