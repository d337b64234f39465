/**
 * Child process running the CPU-heavy ML steps with the ML core, so training
 * never blocks the backend's event loop and Stop can simply kill the process.
 * Talks to the engine over IPC (workerProtocol.ts). Artifacts are written
 * atomically; the engine only trusts a step once its `result` arrives.
 */
import {
  Booster,
  parseAbaloneCsv,
  parseLabeledCsv,
  preprocess,
  regressionMetrics,
  splitDataset,
  toEvaluationJson,
  toLabeledCsv,
  trainXGBoost,
  writeBaselineStatistics,
  writeEvaluationPlots,
} from '@mlops-portal/ml-core';
import type { LabeledRecord, XGBoostParams } from '@mlops-portal/ml-core';
import { createHash } from 'crypto';
import fs from 'fs/promises';
import path from 'path';
import { checkTrainingData } from './dataChecks';
import { writeFileAtomic } from './fsutil';
import type {
  CheckUploadArgs,
  EvaluateArgs,
  PreprocessArgs,
  TrainArgs,
  ValidateArgs,
  WorkerMessage,
  WorkerRequest,
} from './workerProtocol';

function send(msg: WorkerMessage) {
  process.send?.(msg);
}

async function readRecords(
  id: number,
  files: Array<{ key: string; path: string; sha256?: string }>,
): Promise<LabeledRecord[]> {
  const all: LabeledRecord[] = [];
  for (const f of files) {
    const buf = await fs.readFile(f.path);
    if (f.sha256) {
      const sha = createHash('sha256').update(buf).digest('hex');
      if (sha !== f.sha256) {
        throw new Error(
          `${f.key}: sha256 ${sha} does not match the manifest (${f.sha256}); the file changed after upload`,
        );
      }
    }
    const parsed = parseAbaloneCsv(buf.toString('utf8'), { policy: 'reject' });
    if (parsed.errors.length > 0) {
      const e = parsed.errors[0];
      throw new Error(
        `${f.key}: ${parsed.errors.length} row error(s), first: row ${e.row}, column ${e.column}: ${e.reason}`,
      );
    }
    send({
      type: 'log',
      id,
      level: 'info',
      message: `${f.key}: ${parsed.records.length} rows${
        parsed.hasHeader ? ' (header skipped)' : ''
      }`,
    });
    for (const r of parsed.records) all.push(r);
  }
  return all;
}

async function validate(id: number, args: ValidateArgs) {
  const result = checkTrainingData(
    await readRecords(id, args.files),
    args.minRows,
  );
  for (const c of result.checks)
    send({ type: 'log', id, level: 'info', message: `check passed: ${c}` });
  return { ...result };
}

async function runPreprocess(id: number, args: PreprocessArgs) {
  const records = await readRecords(id, args.files);
  const out = preprocess(records, { seed: args.seed });
  const files = {
    preprocessor: path.join(args.outDir, 'preprocessor.json'),
    train: path.join(args.outDir, 'train.csv'),
    validation: path.join(args.outDir, 'validation.csv'),
    test: path.join(args.outDir, 'test.csv'),
  };
  await writeFileAtomic(files.preprocessor, JSON.stringify(out.preprocessor));
  await writeFileAtomic(files.train, toLabeledCsv(out.train));
  await writeFileAtomic(files.validation, toLabeledCsv(out.validation));
  await writeFileAtomic(files.test, toLabeledCsv(out.test));
  // The drift baseline: raw training rows, as captured requests arrive.
  const statistics = await writeBaselineStatistics(
    args.outDir,
    splitDataset(records, args.seed).train,
  );
  const rows = {
    train: out.train.rows,
    validation: out.validation.rows,
    test: out.test.rows,
  };
  send({
    type: 'log',
    id,
    level: 'info',
    message: `split ${rows.train}/${rows.validation}/${rows.test} rows (train/validation/test), ${out.train.cols} features`,
  });
  return {
    artifacts: { ...files, statistics },
    rows,
    features: out.train.cols,
  };
}

async function runTrain(id: number, args: TrainArgs) {
  const train = parseLabeledCsv(await fs.readFile(args.trainCsv, 'utf8'));
  const validation = parseLabeledCsv(
    await fs.readFile(args.validationCsv, 'utf8'),
  );
  const params = args.hyperparameters as XGBoostParams;
  let lastSent = 0;
  const result = trainXGBoost(params, train, validation, {
    onIteration(info) {
      const done = info.iteration + 1;
      const now = Date.now();
      // Every round is cheap to report, but bound IPC chatter for long runs.
      if (now - lastSent >= 50 || done === info.totalRounds) {
        lastSent = now;
        send({
          type: 'progress',
          id,
          done,
          total: info.totalRounds,
          detail: {
            trainRmse: info.trainRmse,
            ...(info.validationRmse !== undefined
              ? { validationRmse: info.validationRmse }
              : {}),
          },
        });
      }
      if (done % 10 === 0) {
        send({
          type: 'log',
          id,
          level: 'info',
          message: `[${done}/${
            info.totalRounds
          }] train-rmse ${info.trainRmse.toFixed(4)}${
            info.validationRmse !== undefined
              ? ` validation-rmse ${info.validationRmse.toFixed(4)}`
              : ''
          }`,
        });
      }
    },
  });
  const modelPath = path.join(args.outDir, 'model.json');
  await writeFileAtomic(
    modelPath,
    JSON.stringify(result.booster.toXGBoostJSON()),
  );
  const last = result.history[result.history.length - 1];
  send({
    type: 'log',
    id,
    level: 'info',
    message: `trained ${
      result.history.length
    } rounds in ${result.seconds.toFixed(2)} s, best iteration ${
      result.bestIteration
    }`,
  });
  return {
    artifacts: { model: modelPath },
    roundsCompleted: result.history.length,
    bestIteration: result.bestIteration,
    bestScore: result.bestScore,
    trainRmse: last?.trainRmse,
    validationRmse: last?.validationRmse,
    seconds: result.seconds,
  };
}

async function runEvaluate(id: number, args: EvaluateArgs) {
  const test = parseLabeledCsv(await fs.readFile(args.testCsv, 'utf8'));
  const booster = Booster.fromXGBoostJSON(
    JSON.parse(await fs.readFile(args.modelPath, 'utf8')),
  );
  const preds = booster.predict(test);
  const metrics = regressionMetrics(test.labels, preds);
  const evaluationPath = path.join(args.outDir, 'evaluation.json');
  await writeFileAtomic(
    evaluationPath,
    JSON.stringify(toEvaluationJson(metrics), null, 2),
  );
  const featureNames = args.preprocessorPath
    ? JSON.parse(await fs.readFile(args.preprocessorPath, 'utf8')).featureNames
    : undefined;
  const plots = await writeEvaluationPlots(args.outDir, {
    actual: test.labels,
    predicted: preds,
    model: booster,
    featureNames,
  });
  send({
    type: 'log',
    id,
    level: 'info',
    message: `test MSE ${metrics.mse.toFixed(4)}, MAE ${metrics.mae.toFixed(
      4,
    )}, R² ${metrics.r2.toFixed(4)} on ${test.rows} rows`,
  });
  return { artifacts: { evaluation: evaluationPath, plots }, metrics };
}

async function checkUpload(args: CheckUploadArgs) {
  const buf = await fs.readFile(args.path);
  const parsed = parseAbaloneCsv(buf.toString('utf8'), {
    policy: 'reject',
    maxErrors: args.maxErrors,
  });
  return {
    rowCount: parsed.records.length,
    errors: parsed.errors,
    size: buf.length,
    sha256: createHash('sha256').update(buf).digest('hex'),
  };
}

async function handle(req: WorkerRequest) {
  try {
    let outputs: Record<string, unknown>;
    switch (req.step) {
      case 'checkUpload':
        outputs = await checkUpload(req.args);
        break;
      case 'validate':
        outputs = await validate(req.id, req.args);
        break;
      case 'preprocess':
        outputs = await runPreprocess(req.id, req.args);
        break;
      case 'train':
        outputs = await runTrain(req.id, req.args);
        break;
      case 'evaluate':
        outputs = await runEvaluate(req.id, req.args);
        break;
      default:
        throw new Error(`unknown step ${(req as any).step}`);
    }
    send({ type: 'result', id: req.id, outputs });
  } catch (e) {
    send({
      type: 'error',
      id: req.id,
      message: e instanceof Error ? e.message : String(e),
    });
  }
}

process.on('message', (msg: WorkerRequest) => {
  if (msg && msg.type === 'run') void handle(msg);
});
// The engine going away (crash, kill -9) closes the channel; do not linger.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
