/**
 * Two genuinely different versions of one demo system, trained with ml-core
 * in the test process (different rounds and depth) and written as model
 * package directories, so a shadow test compares real models. Test-only.
 */
import {
  buildSignature,
  cellValue,
  defaultObjective,
  parseTableCsv,
  preprocessTable,
  resolveSchema,
  trainXGBoost,
} from '@mlops-portal/ml-core';
import type { XGBoostParams } from '@mlops-portal/ml-core';
import type { FeatureRecord } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import path from 'path';
import {
  DemoSystemName,
  demoSystem,
} from '../../../../__testUtils__/demoSystems';

export interface TrainedVersions {
  /** The data set's rows as feature records (target left out). */
  records: FeatureRecord[];
  /** Writes version `which` (1: shallow and short; 2: deeper and longer) into `dir`. */
  write(which: 1 | 2, dir: string): void;
}

const PARAMS: Record<1 | 2, Partial<XGBoostParams>> = {
  1: { num_round: 3, max_depth: 2 },
  2: { num_round: 12, max_depth: 5 },
};

const cache = new Map<DemoSystemName, TrainedVersions>();

export function trainTwoVersions(name: DemoSystemName): TrainedVersions {
  const hit = cache.get(name);
  if (hit) return hit;
  const { spec, dataPath } = demoSystem(name);
  const text = fs.readFileSync(dataPath, 'utf8');
  const schema = resolveSchema(spec.spec.dataset, text);
  const { table } = parseTableCsv(text, schema);
  const data = preprocessTable(table, schema, {
    ...spec.spec.training?.split,
    seed: 1,
  });
  const signature = buildSignature(
    table,
    schema,
    data.preprocessor,
    spec,
    data.split.train,
  );
  const files = ([1, 2] as const).map(which => {
    const params = {
      ...(spec.spec.training?.hyperparameters ?? {}),
      objective: spec.spec.training?.objective ?? defaultObjective(schema.task),
      ...(schema.task === 'multiclass'
        ? { num_class: schema.classes?.length ?? 0 }
        : {}),
      early_stopping_rounds: undefined,
      seed: 1,
      ...PARAMS[which],
    } as XGBoostParams;
    const { booster } = trainXGBoost(params, data.train, data.validation);
    return {
      'model.json': booster.toXGBoostJSONString(),
      'preprocessor.json': JSON.stringify(data.preprocessor),
      'signature.json': JSON.stringify(signature),
    };
  });
  const inputs = signature.inputs.map(i => i.name);
  const col = (n: string) => table.columns[table.names.indexOf(n)];
  const records: FeatureRecord[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const rec: FeatureRecord = {};
    for (const n of inputs) rec[n] = cellValue(col(n), r);
    records.push(rec);
  }
  const trained: TrainedVersions = {
    records,
    write(which, dir) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [file, body] of Object.entries(files[which - 1]))
        fs.writeFileSync(path.join(dir, file), body);
    },
  };
  cache.set(name, trained);
  return trained;
}
