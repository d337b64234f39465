/* eslint-disable no-console */
import { mkdir, readFile, writeFile } from 'fs/promises';
import { join } from 'path';
import { parseArgs } from 'util';
import { LabeledRecord, loadAbaloneSource, parseAbaloneCsv } from './csv';
import { regressionMetrics, taskMetrics, toEvaluationJson } from './metrics';
import { createPredictor } from './predictor';
import {
  writeBaselineStatistics,
  writeEvaluationPlots,
} from './monitoring/artifacts';
import { preprocess, splitDataset, toLabeledCsv } from './preprocess';
import { REFERENCE_HYPERPARAMETERS, XGBoostParams } from './xgboost/params';
import { trainXGBoost } from './xgboost/train';
import type {
  DatasetSchema,
  DatasetSpec,
  MlSystemSpec,
  Table,
  Task,
} from './spec/types';
import { parseSpec } from './spec/parseSpec';
import { inferSchema } from './schema/infer';
import { guessTask, resolveSchemaDetailed } from './schema/resolve';
import { parseTableCsv } from './table';
import {
  checkTablePreprocessor,
  encodeLabels,
  transformTable,
} from './dataset/preprocessor';
import { Booster } from './xgboost/booster';
import {
  RUN_FILES,
  specHyperparameters,
  trainTable,
  writeTableRun,
} from './tableRun';

const USAGE = `Usage:
  mlops-ml train    --data <csv> --out <dir> --spec <ml-system.yaml> [--seed N] [hyperparameters]
  mlops-ml train    --data <csv> --out <dir> --target <column> [--task regression|binary|multiclass]
                    [--header true|false] [--names a,b,c] [--seed N] [hyperparameters]
  mlops-ml evaluate --model <run dir> --data <labelled csv>
  mlops-ml predict  --model <run dir> --data <csv path|url>
  mlops-ml bench    --data <csv path|url> [--seeds 10] [hyperparameters]

Without --spec and --target, train/bench/predict read the Abalone CSV layout
(9 columns, no header) as before. With --target the rest (column types,
classes, task) is inferred from the data and printed.

Hyperparameters (XGBoost names; defaults = the reference Abalone pipeline):
  --max_depth --eta --gamma --min_child_weight --subsample --colsample_bytree
  --lambda --alpha --base_score --num_round --early_stopping_rounds --max_bin
  --tree_method auto|exact|hist --nthread`;

const NUMERIC_PARAMS = [
  'max_depth',
  'eta',
  'gamma',
  'min_child_weight',
  'subsample',
  'colsample_bytree',
  'lambda',
  'alpha',
  'base_score',
  'num_round',
  'early_stopping_rounds',
  'max_bin',
  'nthread',
] as const;

class UsageError extends Error {}

function hyperparameters(values: Record<string, unknown>): XGBoostParams {
  const params: XGBoostParams = { ...REFERENCE_HYPERPARAMETERS };
  for (const key of NUMERIC_PARAMS) {
    const raw = values[key];
    if (raw === undefined) continue;
    const v = Number(raw);
    if (raw === '' || Number.isNaN(v)) {
      throw new UsageError(`--${key} must be a number, got '${raw}'`);
    }
    (params as Record<string, number>)[key] = v;
  }
  if (values.tree_method !== undefined) {
    params.tree_method = values.tree_method as XGBoostParams['tree_method'];
  }
  return params;
}

function intOption(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v)) {
    throw new UsageError(`--${name} must be an integer, got '${raw}'`);
  }
  return v;
}

async function loadRecords(
  source: string,
  policy: 'reject' | 'skip',
  labelOptional = false,
): Promise<LabeledRecord[]> {
  const parsed = parseAbaloneCsv(await loadAbaloneSource(source), {
    policy,
    labelOptional,
  });
  if (parsed.errors.length > 0) {
    const lines = parsed.errors
      .slice(0, 20)
      .map(
        e =>
          `  row ${e.row}, column ${e.column}: ${e.reason}${
            e.value !== undefined ? ` ('${e.value}')` : ''
          }`,
      );
    const msg = `${source}: ${parsed.skippedRows} bad row(s)\n${lines.join(
      '\n',
    )}`;
    if (policy === 'reject')
      throw new UsageError(`${msg}\n(use --policy skip to drop bad rows)`);
    console.error(`${msg}\n(skipped)`);
  }
  if (parsed.records.length === 0) {
    throw new UsageError(`${source}: no usable rows`);
  }
  return parsed.records;
}

/** One full pipeline run (preprocess → train → evaluate) for a seed. */
function runPipeline(
  records: LabeledRecord[],
  seed: number,
  params: XGBoostParams,
) {
  const pre = preprocess(records, { seed });
  const result = trainXGBoost({ ...params, seed }, pre.train, pre.validation);
  const testPred = result.booster.predict(pre.test);
  const metrics = regressionMetrics(pre.test.labels, testPred);
  return { pre, result, metrics, testPred };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const OPTIONS = {
  data: { type: 'string' },
  spec: { type: 'string' },
  target: { type: 'string' },
  task: { type: 'string' },
  header: { type: 'string' },
  names: { type: 'string' },
  out: { type: 'string' },
  model: { type: 'string' },
  seed: { type: 'string' },
  seeds: { type: 'string' },
  policy: { type: 'string' },
  tree_method: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(NUMERIC_PARAMS.map(k => [k, { type: 'string' }])),
} as const;

export async function main(argv: string[]): Promise<number> {
  // Accept --max-depth as well as --max_depth.
  const args = argv.map(a =>
    a.startsWith('--') ? a.replace(/-/g, '_').replace(/^__/, '--') : a,
  );
  const [command, ...rest] = args;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const { values } = parseArgs({
    args: rest,
    options: OPTIONS as any,
    strict: true,
  }) as { values: Record<string, any> };
  const need = (name: string): string => {
    if (!values[name])
      throw new UsageError(`${command}: --${name} is required`);
    return values[name];
  };
  const policy = (values.policy ?? 'reject') as 'reject' | 'skip';
  if (policy !== 'reject' && policy !== 'skip') {
    throw new UsageError(`--policy must be reject or skip, got '${policy}'`);
  }

  if (command === 'train' && (values.spec || values.target)) {
    return trainGeneric(values, need('data'), need('out'));
  }
  if (command === 'evaluate') {
    return evaluateRun(need('model'), need('data'));
  }

  if (command === 'train') {
    const data = need('data');
    const out = need('out');
    const seed = intOption(values.seed, 'seed', 0);
    const params = hyperparameters(values);
    const records = await loadRecords(data, policy);
    const { pre, result, metrics, testPred } = runPipeline(
      records,
      seed,
      params,
    );
    await mkdir(out, { recursive: true });
    const evaluation = toEvaluationJson(metrics);
    await Promise.all([
      writeFile(
        join(out, 'preprocessor.json'),
        JSON.stringify(pre.preprocessor, null, 2),
      ),
      writeFile(join(out, 'model.json'), result.booster.toXGBoostJSONString()),
      writeFile(
        join(out, 'evaluation.json'),
        JSON.stringify(evaluation, null, 2),
      ),
      writeFile(join(out, 'train.csv'), toLabeledCsv(pre.train)),
      writeFile(join(out, 'validation.csv'), toLabeledCsv(pre.validation)),
      writeFile(join(out, 'test.csv'), toLabeledCsv(pre.test)),
      // Monitoring: the drift baseline (same split as preprocess) and plot data.
      writeBaselineStatistics(out, splitDataset(records, seed).train),
      writeEvaluationPlots(out, {
        actual: pre.test.labels,
        predicted: testPred,
        model: result.booster,
        featureNames: pre.preprocessor.featureNames,
      }),
    ]);
    console.log(
      JSON.stringify(
        {
          out,
          seed,
          rows: {
            train: pre.train.rows,
            validation: pre.validation.rows,
            test: pre.test.rows,
          },
          hyperparameters: { ...params, seed },
          treeMethod: result.treeMethod,
          bestIteration: result.bestIteration,
          bestValidationRmse: result.bestScore,
          trees: result.booster.numTrees,
          seconds: result.seconds,
          metrics,
          evaluation,
        },
        null,
        2,
      ),
    );
    return 0;
  }

  if (command === 'bench') {
    const data = need('data');
    const seeds = intOption(values.seeds, 'seeds', 10);
    if (seeds < 1) throw new UsageError('--seeds must be >= 1');
    const params = hyperparameters(values);
    const records = await loadRecords(data, policy);
    const perSeed = [];
    for (let seed = 0; seed < seeds; seed++) {
      const { result, metrics } = runPipeline(records, seed, params);
      perSeed.push({
        seed,
        mse: metrics.mse,
        mae: metrics.mae,
        r2: metrics.r2,
        trainSeconds: result.seconds,
        bestIteration: result.bestIteration,
      });
    }
    console.log(
      JSON.stringify(
        {
          data,
          rows: records.length,
          seeds,
          hyperparameters: params,
          median: {
            mse: median(perSeed.map(s => s.mse)),
            mae: median(perSeed.map(s => s.mae)),
            r2: median(perSeed.map(s => s.r2)),
            trainSeconds: median(perSeed.map(s => s.trainSeconds)),
          },
          perSeed,
        },
        null,
        2,
      ),
    );
    return 0;
  }

  if (command === 'predict') {
    const dir = need('model');
    const data = need('data');
    if (await isTableRun(dir)) return predictGeneric(dir, data);
    const readJson = async (name: string) => {
      try {
        return JSON.parse(await readFile(join(dir, name), 'utf8'));
      } catch (e) {
        throw new UsageError(
          `Cannot read ${join(dir, name)}: ${(e as Error).message}`,
        );
      }
    };
    const predictor = createPredictor(
      await readJson('preprocessor.json'),
      await readJson('model.json'),
    );
    const records = await loadRecords(data, policy, true);
    const pred = predictor.predict(records);
    process.stdout.write(`${Array.from(pred, v => String(v)).join('\n')}\n`);
    return 0;
  }

  throw new UsageError(`Unknown command '${command}'\n${USAGE}`);
}

/** Bytes of a file read to infer its schema. */
const SAMPLE_BYTES = 1 << 20;

async function readJsonFile(dir: string, name: string): Promise<any> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8'));
  } catch (e) {
    throw new UsageError(
      `Cannot read ${join(dir, name)}: ${(e as Error).message}`,
    );
  }
}

async function isTableRun(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, RUN_FILES.schema));
    return true;
  } catch {
    return false;
  }
}

/**
 * CSV text → table by the schema; any bad row is refused with the first 20
 * row errors (line, column, reason). Scoring input may leave out the label.
 */
function readTable(
  source: string,
  text: string,
  schema: DatasetSchema,
  labelOptional = false,
): Table {
  const read = parseTableCsv(text, schema, { labelOptional });
  if (read.errorCount > 0) {
    const lines = read.errors
      .slice(0, 20)
      .map(
        e =>
          `  row ${e.row}${e.column ? `, column ${e.column}` : ''}: ${
            e.reason
          }${e.value !== undefined ? ` ('${e.value}')` : ''}`,
      );
    throw new UsageError(
      `${source}: ${read.errorCount} error(s)\n${lines.join('\n')}`,
    );
  }
  if (read.table.rowCount === 0) throw new UsageError(`${source}: no rows`);
  return read.table;
}

function parseTask(raw: unknown): Task | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'regression' && raw !== 'binary' && raw !== 'multiclass')
    throw new UsageError(
      `--task must be regression, binary or multiclass, got '${raw}'`,
    );
  return raw;
}

/** The dataset section: from the spec, or inferred around --target. */
function datasetSpec(
  values: Record<string, any>,
  spec: MlSystemSpec | undefined,
  text: string,
  sampleCut: boolean,
): DatasetSpec {
  if (spec) return spec.spec.dataset;
  const header = values.header === undefined ? true : values.header === 'true';
  if (values.header !== undefined && !['true', 'false'].includes(values.header))
    throw new UsageError(
      `--header must be true or false, got '${values.header}'`,
    );
  const names: string[] | undefined = values.names
    ?.split(',')
    .map((n: string) => n.trim());
  if (!header && !names)
    throw new UsageError(
      '--header false needs --names (every column, file order)',
    );
  const target: string = values.target;
  let task = parseTask(values.task);
  if (!task) {
    task = guessTask(
      inferSchema(text, { header, names, truncated: sampleCut }),
      target,
    );
    console.error(
      `inferred: task ${task} (from column '${target}'; set --task to choose)`,
    );
  }
  return {
    header,
    target,
    task,
    ...(names ? { columns: names.map(name => ({ name })) } : {}),
  };
}

async function trainGeneric(
  values: Record<string, any>,
  data: string,
  out: string,
): Promise<number> {
  const spec = values.spec
    ? parseSpec(
        await readFile(values.spec, 'utf8').catch(e => {
          throw new UsageError(`Cannot read ${values.spec}: ${e.message}`);
        }),
        values.spec,
      )
    : undefined;
  if (spec && (values.target || values.task))
    throw new UsageError(
      '--target and --task come from the spec; give one or the other',
    );
  const text = await loadAbaloneSource(data);
  const sample = text.slice(0, SAMPLE_BYTES);
  const cut = sample.length < text.length;
  const dataset = datasetSpec(values, spec, sample, cut);
  const { schema, notes } = resolveSchemaDetailed(dataset, sample, {
    truncated: cut,
  });
  for (const note of notes) console.error(`inferred: ${note}`);
  const seed = intOption(
    values.seed,
    'seed',
    spec?.spec.training?.split?.seed ?? 0,
  );
  // Spec hyperparameters, else the reference ones; command-line values win.
  const base = spec
    ? specHyperparameters(spec)
    : { ...REFERENCE_HYPERPARAMETERS };
  const cli = hyperparameters(values);
  const params: XGBoostParams = { ...base };
  for (const key of [...NUMERIC_PARAMS, 'tree_method'] as const)
    if (values[key] !== undefined) (params as any)[key] = (cli as any)[key];
  const table = readTable(data, text, schema);
  const run = trainTable({ table, schema, spec, params, seed });
  await writeTableRun(out, run);
  console.log(
    JSON.stringify(
      {
        out,
        seed,
        task: schema.task,
        target: schema.target,
        ...(schema.classes ? { classes: schema.classes } : {}),
        checks: run.checks.checks,
        rows: {
          train: run.data.train.rows,
          validation: run.data.validation.rows,
          test: run.data.test.rows,
        },
        features: run.data.preprocessor.featureNames.length,
        hyperparameters: run.params,
        treeMethod: run.result.treeMethod,
        bestIteration: run.result.bestIteration,
        trees: run.result.booster.numTrees,
        seconds: run.result.seconds,
        evaluation: run.evaluation,
      },
      null,
      2,
    ),
  );
  return 0;
}

async function loadRun(dir: string) {
  const schema: DatasetSchema = await readJsonFile(dir, RUN_FILES.schema);
  const pre = await readJsonFile(dir, RUN_FILES.preprocessor);
  checkTablePreprocessor(pre);
  const model = Booster.fromXGBoostJSON(
    await readJsonFile(dir, RUN_FILES.model),
  );
  return { schema, pre, model };
}

/**
 * Prints one line per row: the prediction (regression), or the predicted
 * class then each class's probability (a header line names the columns).
 */
async function predictGeneric(dir: string, data: string): Promise<number> {
  const { schema, pre, model } = await loadRun(dir);
  const table = readTable(data, await loadAbaloneSource(data), schema, true);
  const pred = model.predict(transformTable(pre, table));
  if (schema.task === 'regression') {
    process.stdout.write(`${Array.from(pred, v => String(v)).join('\n')}\n`);
    return 0;
  }
  const classes = schema.classes ?? [];
  const k = classes.length;
  const lines = [['prediction', ...classes.map(c => `p_${c}`)].join(',')];
  for (let i = 0; i < table.rowCount; i++) {
    // binary:logistic gives P(classes[1]); multi:softprob gives k values.
    const probs =
      k === 2 && schema.task === 'binary'
        ? [1 - pred[i], pred[i]]
        : Array.from(pred.subarray(i * k, (i + 1) * k));
    let best = 0;
    for (let c = 1; c < probs.length; c++) if (probs[c] > probs[best]) best = c;
    lines.push([classes[best], ...probs.map(p => String(p))].join(','));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function evaluateRun(dir: string, data: string): Promise<number> {
  const { schema, pre, model } = await loadRun(dir);
  const table = readTable(data, await loadAbaloneSource(data), schema);
  const labels = encodeLabels(pre, table);
  const pred = model.predict(transformTable(pre, table));
  console.log(
    JSON.stringify(
      taskMetrics(schema.task, labels, pred, schema.classes),
      null,
      2,
    ),
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => {
      process.exitCode = code;
    },
    (e: Error) => {
      console.error(
        e instanceof UsageError || e.name === 'TypeError'
          ? e.message
          : e.stack ?? e.message,
      );
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
