/**
 * A demo system's data as a training run prepares it in the test process:
 * schema, table, the seeded split and preprocessing, the signature, the
 * rows as feature records and the training parameters by task. Shared by
 * the test helpers that train real models to serve. Test-only.
 */
import {
  buildSignature,
  cellValue,
  defaultObjective,
  parseTableCsv,
  preprocessTable,
  resolveSchema,
} from '@mlops-portal/ml-core';
import type { XGBoostParams } from '@mlops-portal/ml-core';
import type {
  FeatureRecord,
  ModelSignature,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import { DemoSystemName, demoSystem } from '../../../__testUtils__/demoSystems';

/** The seed of the split and of every training. */
const SEED = 1;

export function prepareDemoTraining(name: DemoSystemName) {
  const { spec, dataPath } = demoSystem(name);
  const text = fs.readFileSync(dataPath, 'utf8');
  const schema = resolveSchema(spec.spec.dataset, text);
  const read = parseTableCsv(text, schema);
  if (read.errorCount > 0) throw new Error(JSON.stringify(read.errors));
  const { table } = read;
  const data = preprocessTable(table, schema, {
    ...spec.spec.training?.split,
    seed: SEED,
  });
  const signature = buildSignature(
    table,
    schema,
    data.preprocessor,
    spec,
    data.split.train,
  ) as unknown as ModelSignature;
  const col = (n: string) => table.columns[table.names.indexOf(n)];
  const inputs = signature.inputs.map(i => i.name);
  const records: FeatureRecord[] = [];
  const targets: Array<number | string | boolean | null> = [];
  for (let r = 0; r < table.rowCount; r++) {
    const rec: FeatureRecord = {};
    for (const n of inputs) rec[n] = cellValue(col(n), r);
    records.push(rec);
    targets.push(cellValue(col(schema.target), r));
  }
  /** The spec's hyperparameters with the task's objective, `overrides` last. */
  const params = (overrides: Partial<XGBoostParams>): XGBoostParams =>
    ({
      ...(spec.spec.training?.hyperparameters ?? {}),
      objective: spec.spec.training?.objective ?? defaultObjective(schema.task),
      ...(schema.task === 'multiclass'
        ? { num_class: schema.classes?.length ?? 0 }
        : {}),
      seed: SEED,
      ...overrides,
    } as XGBoostParams);
  return { schema, table, data, signature, records, targets, params };
}
