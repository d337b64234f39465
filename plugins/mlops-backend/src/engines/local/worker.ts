/**
 * Child process running the CPU-heavy ML steps with the ML core, so training
 * never blocks the backend's event loop and Stop can simply kill the process.
 * Talks to the engine over IPC (workerProtocol.ts). Artifacts are written
 * atomically; the engine only trusts a step once its `result` arrives.
 */
import {
  Booster,
  parseLabeledCsv,
  preprocess,
  readMatrixFile,
  regressionMetrics,
  toEvaluationJson,
  trainXGBoost,
  warmUpTrainer,
  writeBaselineStatistics,
  writeEvaluationPlots,
  writeLabeledCsvFile,
  writeMatrixFile,
} from '@mlops-portal/ml-core';
import type { AbaloneColumns, XGBoostParams } from '@mlops-portal/ml-core';
import fs from 'fs/promises';
import path from 'path';
import { checkTrainingData } from './dataChecks';
import { type DataFile, checkUploadFile, loadTable } from './tableLoader';
import { writeFileAtomic } from './fsutil';
import type {
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

/**
 * The table of the last files loaded: Validate and Preprocess of a run go
 * to the same child one after the other, so the data is read once.
 */
let lastTable: { key: string; table: AbaloneColumns } | undefined;

async function tableOf(id: number, files: DataFile[]) {
  const key = JSON.stringify(files.map(f => [f.path, f.sha256]));
  if (lastTable?.key === key) return lastTable.table;
  lastTable = undefined;
  const table = await loadTable(files, message =>
    send({ type: 'log', id, level: 'info', message }),
  );
  lastTable = { key, table };
  return table;
}

async function validate(id: number, args: ValidateArgs) {
  const result = checkTrainingData(await tableOf(id, args.files), args.minRows);
  for (const c of result.checks)
    send({ type: 'log', id, level: 'info', message: `check passed: ${c}` });
  return { ...result };
}

async function runPreprocess(id: number, args: PreprocessArgs) {
  const table = await tableOf(id, args.files);
  // Preprocess is the table's last reader: let Train have the memory.
  lastTable = undefined;
  const out = preprocess(table, { seed: args.seed });
  const at = (name: string) => path.join(args.outDir, name);
  const files = {
    preprocessor: at('preprocessor.json'),
    train: at('train.csv'),
    validation: at('validation.csv'),
    test: at('test.csv'),
  };
  // The CSVs are the SageMaker-shaped artifacts; the Float32 twins are what
  // Train and Evaluate load (one read, no text parsing).
  const matrices = {
    train: at('train.f32'),
    validation: at('validation.f32'),
    test: at('test.f32'),
  };
  await writeFileAtomic(files.preprocessor, JSON.stringify(out.preprocessor));
  for (const part of ['train', 'validation', 'test'] as const) {
    await writeLabeledCsvFile(files[part], out[part]);
    await writeMatrixFile(matrices[part], out[part]);
  }
  // The drift baseline: raw training rows, as captured requests arrive.
  const statistics = await writeBaselineStatistics(args.outDir, out.trainRows);
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
    matrices,
    rows,
    features: out.train.cols,
  };
}

/** A step input: its Float32 twin when Preprocess wrote one, else the CSV. */
async function readLabeled(csv: string, matrix?: string) {
  if (matrix) return readMatrixFile(matrix);
  return parseLabeledCsv(await fs.readFile(csv, 'utf8'));
}

async function runTrain(id: number, args: TrainArgs) {
  const train = await readLabeled(args.trainCsv, args.trainMatrix);
  const validation = await readLabeled(
    args.validationCsv,
    args.validationMatrix,
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
  const test = await readLabeled(args.testCsv, args.testMatrix);
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

async function handle(req: WorkerRequest) {
  try {
    let outputs: Record<string, unknown>;
    switch (req.step) {
      case 'checkUpload':
        outputs = { ...(await checkUploadFile(req.args)) };
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
// While idle (the pool keeps this child as its spare), compile the trainer's
// hot loops: the first training in a fresh process would otherwise run
// them in V8's slower tiers. A run that arrives meanwhile waits for it.
setImmediate(() => warmUpTrainer());
