/**
 * A demo system trained with ml-core in the test process and written as a
 * model package directory the way training registers one: model.json,
 * preprocessor.json (table preprocessor), signature.json, statistics.json,
 * evaluation.json and evaluation-plots.json. Test-only.
 */
import {
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  tableBaselineStatistics,
  taskEvaluationPlots,
  taskMetrics,
  trainXGBoost,
} from '@mlops-portal/ml-core';
import type { Table } from '@mlops-portal/ml-core';
import { toPrediction } from '@mlops-portal/plugin-mlops-common';
import type {
  FeatureRecord,
  ModelSignature,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import path from 'path';
import type { DemoSystemName } from '../../../../__testUtils__/demoSystems';
import { prepareDemoTraining } from '../../__testUtils__/demoTraining';
import { checkRecords, type ServedModel } from '../../endpoint';

export interface TrainedSystem {
  signature: ModelSignature;
  /** The data set's rows as feature records (target left out), file order. */
  records: FeatureRecord[];
  /** Each row's target value, as records hold it. */
  targets: Array<number | string | boolean | null>;
  table: Table;
}

const cache = new Map<
  string,
  { files: Record<string, string> } & TrainedSystem
>();

/** Trains once per system and test file (seeded), then copies the artifacts into `dir`. */
export function writeTrainedSystem(
  name: DemoSystemName,
  dir: string,
): TrainedSystem {
  let run = cache.get(name);
  if (!run) {
    const { schema, table, data, signature, records, targets, params } =
      prepareDemoTraining(name);
    // Few rounds: the tests serve the model, they do not judge it.
    const { booster } = trainXGBoost(
      params({ num_round: 10 }),
      data.train,
      data.validation,
    );
    const predicted = booster.predict(data.test);
    const json = (v: unknown) => JSON.stringify(v);
    const files: Record<string, string> = {
      'model.json': booster.toXGBoostJSONString(),
      'preprocessor.json': json(data.preprocessor),
      'signature.json': json(signature),
      'evaluation.json': json(
        taskMetrics(schema.task, data.test.labels, predicted, schema.classes),
      ),
      [STATISTICS_FILE]: json(
        tableBaselineStatistics(table, schema, data.split.train),
      ),
      [EVALUATION_PLOTS_FILE]: json(
        taskEvaluationPlots(schema.task, {
          actual: data.test.labels,
          predicted,
          classes: schema.classes,
          model: booster,
          featureNames: data.preprocessor.featureNames,
        }),
      ),
    };
    run = { files, signature, records, targets, table };
    cache.set(name, run);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(run.files))
    fs.writeFileSync(path.join(dir, file), text);
  return run;
}

/** A regression signature over the first data set's eight inputs (protocol tests). */
export const ABALONE_LIKE_SIGNATURE: ModelSignature = {
  format: 'mlops-portal/signature',
  version: 1,
  inputs: [
    {
      name: 'sex',
      type: 'categorical',
      datatype: 'BYTES',
      categories: ['F', 'I', 'M'],
      fixedCategories: true,
      missingRate: 0,
    },
    ...[
      'length',
      'diameter',
      'height',
      'wholeWeight',
      'shuckedWeight',
      'visceraWeight',
      'shellWeight',
    ].map(name => ({
      name,
      type: 'numeric' as const,
      datatype: 'FP64' as const,
      min: 0,
      max: 3,
      missingRate: 0,
    })),
  ],
  outputs: {
    task: 'regression',
    target: 'rings',
    display: { name: 'age', offset: 1.5, unit: 'years' },
  },
};

/**
 * A served model that checks records by its signature like the real one and
 * always predicts `value`: for tests of the protocol, not of the model.
 */
export function fixedValueModel(
  signature: ModelSignature,
  value: number,
): ServedModel {
  return {
    signature,
    predict(records) {
      checkRecords(signature, records);
      return {
        records: [...records],
        scores: records.map(() => value),
        predictions: records.map(() => toPrediction(signature.outputs, value)),
      };
    },
  };
}
