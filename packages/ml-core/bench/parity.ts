/* eslint-disable no-console */
/**
 * Quality + interoperability + Abalone-size speed: ml-core vs real XGBoost on
 * exactly the same split and preprocessed CSVs (seeds 0..N-1, reference
 * hyperparameters). Run: npx tsx bench/parity.ts [--seeds 10]
 */
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  preprocess,
  REFERENCE_HYPERPARAMETERS,
  regressionMetrics,
  toLabeledCsv,
  trainXGBoost,
} from '../src';
import {
  argValue,
  loadAbalone,
  median,
  pythonXgboostVersion,
  runReference,
  tempDir,
} from './common';

function main() {
  const version = pythonXgboostVersion();
  if (!version) {
    console.log(
      JSON.stringify({
        skipped:
          'python3-xgboost is not installed (apt-get install python3-xgboost)',
      }),
    );
    return;
  }
  const seeds = Number(argValue('seeds', '10'));
  const records = loadAbalone();
  const params = REFERENCE_HYPERPARAMETERS;
  const dir = tempDir('ml-core-parity-');
  const rows: Array<Record<string, number | string>> = [];
  // V8 compiles the hot loops only after many runs; warm up (20 runs per
  // method on seed 0's data) so per-seed times compare compiled code with
  // compiled code (bench/speed.ts reports the cold first run separately).
  const warm = preprocess(records, { seed: 0 });
  for (let i = 0; i < 20; i++) {
    trainXGBoost(params, warm.train, warm.validation);
    trainXGBoost(
      { ...params, tree_method: 'exact' },
      warm.train,
      warm.validation,
    );
  }
  for (let seed = 0; seed < seeds; seed++) {
    const pre = preprocess(records, { seed });
    const d = join(dir, `seed-${seed}`);
    mkdirSync(d);
    writeFileSync(join(d, 'train.csv'), toLabeledCsv(pre.train));
    writeFileSync(join(d, 'validation.csv'), toLabeledCsv(pre.validation));
    writeFileSync(join(d, 'test.csv'), toLabeledCsv(pre.test));
    const cpu0 = process.cpuUsage();
    const ts = trainXGBoost({ ...params, seed }, pre.train, pre.validation);
    const cpu = process.cpuUsage(cpu0);
    const tsExact = trainXGBoost(
      { ...params, seed, tree_method: 'exact' },
      pre.train,
      pre.validation,
    );
    const pred = ts.booster.predict(pre.test);
    const m = regressionMetrics(pre.test.labels, pred);
    const mExact = regressionMetrics(
      pre.test.labels,
      tsExact.booster.predict(pre.test),
    );
    writeFileSync(join(d, 'model.json'), ts.booster.toXGBoostJSONString());
    writeFileSync(join(d, 'ts_pred.txt'), Array.from(pred).join('\n'));
    const ref = JSON.stringify({ ...params, seed });
    const auto = runReference([
      '--dir',
      d,
      '--params',
      ref,
      '--tree-method',
      'auto',
      '--check-model',
      join(d, 'model.json'),
      '--check-pred',
      join(d, 'ts_pred.txt'),
    ]);
    const hist = runReference([
      '--dir',
      d,
      '--params',
      ref,
      '--tree-method',
      'hist',
      '--nthread',
      '1',
      '--repeat',
      '3',
    ]);
    rows.push({
      seed,
      tsMse: m.mse,
      tsExactMse: mExact.mse,
      tsTreeMethod: ts.treeMethod,
      xgbMse: auto.mse,
      xgbHistMse: hist.mse,
      tsSeconds: ts.seconds,
      tsCpuSeconds: (cpu.user + cpu.system) / 1e6,
      tsExactSeconds: tsExact.seconds,
      xgbExactSeconds: auto.train_seconds,
      xgbHistSeconds: hist.train_seconds,
      xgbHistCpuSeconds: hist.train_cpu_seconds,
      tsBestIteration: ts.bestIteration,
      xgbBestIteration: auto.best_iteration,
      modelJsonMaxAbsDiff: auto.model_json_max_abs_diff,
    });
  }
  rmSync(dir, { recursive: true, force: true });
  const med = (k: string) => median(rows.map(r => r[k] as number));
  const summary = {
    xgboost: version,
    seeds,
    hyperparameters: params,
    medianTestMse: {
      mlCore: med('tsMse'),
      mlCoreExact: med('tsExactMse'),
      xgboost: med('xgbMse'),
      xgboostHist: med('xgbHistMse'),
      relativeDifference: med('tsMse') / med('xgbMse') - 1,
    },
    medianTrainSeconds: {
      mlCore: med('tsSeconds'),
      mlCoreExact: med('tsExactSeconds'),
      xgboostExact: med('xgbExactSeconds'),
      xgboostHist1Thread: med('xgbHistSeconds'),
      ratioVsXgboostHist: med('tsSeconds') / med('xgbHistSeconds'),
    },
    medianTrainCpuSeconds: {
      mlCore: med('tsCpuSeconds'),
      xgboostHist1Thread: med('xgbHistCpuSeconds'),
      ratio: med('tsCpuSeconds') / med('xgbHistCpuSeconds'),
    },
    modelJsonInXgboost: {
      maxAbsPredictionDiff: Math.max(
        ...rows.map(r => Number(r.modelJsonMaxAbsDiff)),
      ),
    },
    perSeed: rows,
  };
  console.log(JSON.stringify(summary, null, 2));
}

main();
