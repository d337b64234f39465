/* eslint-disable no-console */
/**
 * Per-row cost of the batch predictor (preprocessor.json + model.json → rings)
 * on 100× Abalone raw records. No Python needed. Run: npx tsx bench/predictor.ts
 */
import {
  createPredictor,
  preprocess,
  REFERENCE_HYPERPARAMETERS,
  trainXGBoost,
} from '../src';
import { loadAbalone, median } from './common';
import { replicate } from './speed';

function main() {
  const records = loadAbalone();
  const pre = preprocess(records, { seed: 0 });
  const { booster } = trainXGBoost(
    { ...REFERENCE_HYPERPARAMETERS, early_stopping_rounds: undefined },
    pre.train,
    pre.validation,
  );
  const predictor = createPredictor(
    JSON.parse(JSON.stringify(pre.preprocessor)),
    JSON.parse(booster.toXGBoostJSONString()),
  );
  const batch = replicate(records, 100);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    predictor.predict(batch);
    times.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch.length);
  }
  const single: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    predictor.predict([records[i]]);
    single.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  console.log(
    JSON.stringify(
      {
        trees: booster.numTrees,
        batchRows: batch.length,
        batchMicrosecondsPerRow: median(times),
        singleRowCallMicroseconds: median(single),
      },
      null,
      2,
    ),
  );
}

main();
