/**
 * Child process running the CPU-heavy ML steps with the ML core, so training
 * never blocks the backend's event loop and Stop can simply kill the process.
 * Talks to the engine over IPC (workerProtocol.ts). Artifacts are written
 * atomically; the engine only trusts a step once its `result` arrives.
 * Every step runs by the system's spec and the schema resolved from it.
 */
import {
  Booster,
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  buildSignature,
  checkTable,
  flatMetrics,
  parseLabeledCsv,
  preprocessTable,
  readMatrixFile,
  tableBaselineStatistics,
  taskEvaluationPlots,
  taskMetrics,
  trainXGBoost,
  warmUpTrainer,
  writeLabeledCsvFile,
  writeMatrixFile,
} from '@mlops-portal/ml-core';
import type {
  DatasetSchema,
  Table,
  XGBoostParams,
} from '@mlops-portal/ml-core';
import fs from 'fs/promises';
import path from 'path';
import {
  type DataFile,
  checkUploadFile,
  loadTable,
  schemaOf,
} from './tableLoader';
import { writeFileAtomic } from './fsutil';
import type {
  EvaluateArgs,
  EvaluateResult,
  PreprocessArgs,
  PreprocessResult,
  TrainArgs,
  TrainResult,
  ValidateArgs,
  ValidateResult,
  WorkerMessage,
  WorkerRequest,
  WorkerResults,
  WorkerStep,
} from './workerProtocol';

function send(msg: WorkerMessage) {
  process.send?.(msg);
}

/** Real training rows a signature carries as examples (forms, presets). */
const SIGNATURE_EXAMPLES = 5;

/**
 * The table of the last files loaded: Validate and Preprocess of a run go
 * to the same child one after the other, so the data is read once.
 */
let lastTable: { key: string; table: Table } | undefined;

async function tableOf(id: number, files: DataFile[], schema: DatasetSchema) {
  const key = JSON.stringify([files.map(f => [f.path, f.sha256]), schema]);
  if (lastTable?.key === key) return lastTable.table;
  lastTable = undefined;
  const table = await loadTable(files, schema, message =>
    send({ type: 'log', id, level: 'info', message }),
  );
  lastTable = { key, table };
  return table;
}

async function validate(
  id: number,
  args: ValidateArgs,
): Promise<ValidateResult> {
  if (args.files.length === 0) throw new Error('no data files to validate');
  // The schema: the spec, with what it leaves open inferred from the data.
  const schema = await schemaOf(args.spec, args.files[0].path);
  const table = await tableOf(id, args.files, schema);
  const result = checkTable(table, schema, { minRows: args.minRows });
  for (const c of result.checks)
    send({ type: 'log', id, level: 'info', message: `check passed: ${c}` });
  return {
    rowCount: result.rowCount,
    checks: result.checks,
    missingCells: result.missingCells,
    schema,
  };
}

async function runPreprocess(
  id: number,
  args: PreprocessArgs,
): Promise<PreprocessResult> {
  const { schema, spec } = args;
  const table = await tableOf(id, args.files, schema);
  // Preprocess is the table's last reader: let Train have the memory.
  lastTable = undefined;
  const out = preprocessTable(table, schema, {
    ...spec.spec.training?.split,
    seed: args.seed,
  });
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
  // The drift baseline and the signature: of the training rows only.
  const statistics = at(STATISTICS_FILE);
  await writeFileAtomic(
    statistics,
    JSON.stringify(tableBaselineStatistics(table, schema, out.split.train)),
  );
  const signature = buildSignature(
    table,
    schema,
    out.preprocessor,
    spec,
    out.split.train,
  );
  signature.examples = (signature.examples ?? []).slice(0, SIGNATURE_EXAMPLES);
  const signaturePath = at('signature.json');
  await writeFileAtomic(signaturePath, JSON.stringify(signature, null, 2));
  const schemaPath = at('schema.json');
  await writeFileAtomic(schemaPath, JSON.stringify(schema, null, 2));
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
    artifacts: {
      ...files,
      statistics,
      signature: signaturePath,
      schema: schemaPath,
    },
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

async function runTrain(id: number, args: TrainArgs): Promise<TrainResult> {
  const train = await readLabeled(args.trainCsv, args.trainMatrix);
  const validation = await readLabeled(
    args.validationCsv,
    args.validationMatrix,
  );
  const params = {
    nthread: args.threads,
    ...args.hyperparameters,
  } as XGBoostParams;
  let lastSent = 0;
  let evalMetric = '';
  const result = trainXGBoost(params, train, validation, {
    onIteration(info) {
      evalMetric = info.metric;
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
            trainScore: info.trainScore,
            ...(info.validationScore !== undefined
              ? { validationScore: info.validationScore }
              : {}),
          },
        });
      }
      if (done % 10 === 0) {
        send({
          type: 'log',
          id,
          level: 'info',
          message: `[${done}/${info.totalRounds}] train-${
            info.metric
          } ${info.trainScore.toFixed(4)}${
            info.validationScore !== undefined
              ? ` validation-${info.metric} ${info.validationScore.toFixed(4)}`
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
    } rounds in ${result.seconds.toFixed(2)} s on ${
      params.nthread ?? 1
    } thread(s), best iteration ${result.bestIteration}`,
  });
  return {
    artifacts: { model: modelPath },
    roundsCompleted: result.history.length,
    bestIteration: result.bestIteration,
    bestScore: result.bestScore,
    evalMetric,
    ...(last ? { trainScore: last.trainScore } : {}),
    ...(last?.validationScore !== undefined
      ? { validationScore: last.validationScore }
      : {}),
    seconds: result.seconds,
  };
}

async function runEvaluate(
  id: number,
  args: EvaluateArgs,
): Promise<EvaluateResult> {
  const test = await readLabeled(args.testCsv, args.testMatrix);
  const booster = Booster.fromXGBoostJSON(
    JSON.parse(await fs.readFile(args.modelPath, 'utf8')),
  );
  const preds = booster.predict(test);
  // evaluation.json: the task's SageMaker Model Quality report.
  const report = taskMetrics(args.task, test.labels, preds, args.classes);
  const metrics = flatMetrics(args.task, report);
  await fs.mkdir(args.outDir, { recursive: true });
  const evaluationPath = path.join(args.outDir, 'evaluation.json');
  await writeFileAtomic(evaluationPath, JSON.stringify(report, null, 2));
  const featureNames = args.preprocessorPath
    ? JSON.parse(await fs.readFile(args.preprocessorPath, 'utf8')).featureNames
    : undefined;
  const plotsPath = path.join(args.outDir, EVALUATION_PLOTS_FILE);
  await writeFileAtomic(
    plotsPath,
    JSON.stringify(
      taskEvaluationPlots(args.task, {
        actual: test.labels,
        predicted: preds,
        classes: args.classes,
        model: booster,
        featureNames,
      }),
    ),
  );
  send({
    type: 'log',
    id,
    level: 'info',
    message: `test ${Object.entries(metrics)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ')} on ${test.rows} rows`,
  });
  return {
    artifacts: { evaluation: evaluationPath, plots: plotsPath },
    metrics,
  };
}

async function handle(req: WorkerRequest) {
  try {
    let outputs: WorkerResults[WorkerStep];
    switch (req.step) {
      case 'checkUpload':
        outputs = await checkUploadFile(req.args);
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
        throw new Error(`unknown step ${(req as { step?: unknown }).step}`);
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
