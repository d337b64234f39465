/* eslint-disable no-console */
/**
 * Abalone through the generic path (spec → schema → table preprocessor →
 * duplicate-aware split) vs real XGBoost on exactly the same split and
 * preprocessed CSVs, seeds 0..N-1, the spec's hyperparameters. With
 * `--repeat-rows K` the data set is first repeated K times (every row K
 * copies), which shows that copies of test rows no longer reach training.
 * Run: npx tsx bench/generic-parity.ts [--seeds 10] [--repeat-rows 100]
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  type Table,
  preprocessTable,
  regressionMetrics,
  toLabeledCsv,
  trainXGBoost,
  preprocess,
  parseAbaloneCsv,
} from '../src';
import { loadDemo } from '../src/dataset/testing';
import {
  argValue,
  median,
  pythonXgboostVersion,
  runReference,
  tempDir,
} from './common';

function repeatRows(table: Table, times: number): Table {
  const n = table.rowCount;
  return {
    rowCount: n * times,
    names: table.names,
    columns: table.columns.map(c => {
      if (c.type === 'numeric') {
        const values = new Float64Array(n * times);
        for (let t = 0; t < times; t++) values.set(c.values, t * n);
        return { type: 'numeric', values };
      }
      const codes = new Int32Array(n * times);
      for (let t = 0; t < times; t++) codes.set(c.codes, t * n);
      return { ...c, codes };
    }),
  };
}

function main() {
  const version = pythonXgboostVersion();
  const seeds = Number(argValue('seeds', '10'));
  const times = Number(argValue('repeat-rows', '1'));
  const {
    spec,
    schema,
    table: original,
    text,
  } = loadDemo('abalone', 'abalone.data');
  const table = times > 1 ? repeatRows(original, times) : original;
  const hp = spec.spec.training?.hyperparameters ?? {};
  const params = Object.fromEntries(
    Object.entries(hp).filter(([, v]) => typeof v === 'number'),
  ) as Record<string, number>;
  const dir = tempDir('ml-core-generic-parity-');
  const rows: Array<Record<string, number | string>> = [];
  const legacyRecords = parseAbaloneCsv(text).records;
  for (let seed = 0; seed < seeds; seed++) {
    const pre = preprocessTable(table, schema, {
      ...spec.spec.training?.split,
      seed,
    });
    const ts = trainXGBoost({ ...params, seed }, pre.train, pre.validation);
    const m = regressionMetrics(pre.test.labels, ts.booster.predict(pre.test));
    const row: Record<string, number | string> = {
      seed,
      duplicateRows: pre.split.groups.duplicateRows,
      trainRows: pre.train.rows,
      testRows: pre.test.rows,
      mlCoreMse: m.mse,
    };
    if (times > 1) {
      // The old split (shuffle rows, not groups) on the same repeated rows.
      const legacy = preprocess(
        Array.from({ length: times }, () => legacyRecords).flat(),
        { seed },
      );
      const tl = trainXGBoost(
        { ...params, seed },
        legacy.train,
        legacy.validation,
      );
      row.rowSplitMse = regressionMetrics(
        legacy.test.labels,
        tl.booster.predict(legacy.test),
      ).mse;
    }
    if (version) {
      const d = join(dir, `seed-${seed}`);
      mkdirSync(d);
      writeFileSync(join(d, 'train.csv'), toLabeledCsv(pre.train));
      writeFileSync(join(d, 'validation.csv'), toLabeledCsv(pre.validation));
      writeFileSync(join(d, 'test.csv'), toLabeledCsv(pre.test));
      const ref = runReference([
        '--dir',
        d,
        '--params',
        JSON.stringify({ ...params, seed }),
        '--tree-method',
        'auto',
      ]);
      row.xgboostMse = ref.mse;
    }
    rows.push(row);
  }
  rmSync(dir, { recursive: true, force: true });
  const med = (k: string) =>
    rows[0][k] === undefined
      ? undefined
      : median(rows.map(r => r[k] as number));
  const mlCore = med('mlCoreMse')!;
  const xgboost = med('xgboostMse');
  console.log(
    JSON.stringify(
      {
        xgboost: version ?? 'not installed (apt-get install python3-xgboost)',
        data: `abalone${times > 1 ? ` ×${times}` : ''}`,
        rows: table.rowCount,
        seeds,
        hyperparameters: params,
        medianTestMse: {
          mlCoreGenericPath: mlCore,
          xgboostSameSplits: xgboost,
          ratio: xgboost ? mlCore / xgboost : undefined,
          ...(times > 1 ? { rowSplit: med('rowSplitMse') } : {}),
        },
        perSeed: rows,
      },
      null,
      2,
    ),
  );
}

main();
