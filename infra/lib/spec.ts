/**
 * An ML system's spec file (ml-system.yaml, `MlSystemSpec` of ml-core) as the
 * CDK app needs it: the resolved schema (every column typed), the names of its
 * AWS resources, the XGBoost objective and the quality gate. Everything the
 * stacks and step scripts know about a data set comes from here.
 */
import * as fs from 'fs';
import {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MISSING_VALUES,
  DEFAULT_SPLIT,
  defaultObjective,
  parseSpec,
  resolveSchema,
  SchemaError,
} from '@mlops-portal/ml-core';
import type {
  ColumnSchema,
  ColumnSpec,
  DatasetSchema,
  DatasetSpec,
  GateSpec,
  MlSystemSpec,
  OutputDisplaySpec,
  SplitSpec,
  Task,
} from '@mlops-portal/ml-core';
import reportMetrics from '../ml/report_metrics.json';
import { MODEL_PARAMETERS } from './config';
import {
  DeploymentStrategy,
  DeploymentStrategyError,
  parseDeploymentStrategy,
} from './rollout';

/** At most this much of a data file is read to infer unlisted columns (header + first rows). */
const SAMPLE_BYTES = 4 * 1024 * 1024;
/** SageMaker endpoint names are ≤ 63 characters and get suffixes like `-dq-v-123` here. */
const NAME_PATTERN = /^[a-z0-9](-?[a-z0-9]){0,39}$/;

/** Hyperparameters that feed pipeline parameters (numbers there). */
const NUMERIC_HYPERPARAMETERS = new Set(
  MODEL_PARAMETERS.flatMap(p => (p.hyperparameter ? [p.hyperparameter] : [])),
);

/** The Model Quality report section evaluate.py writes per task. */
export const REPORT_SECTIONS: Record<Task, string> = {
  regression: 'regression_metrics',
  binary: 'binary_classification_metrics',
  multiclass: 'multiclass_classification_metrics',
};

/** Metrics evaluate.py writes per task (ml/report_metrics.json, read by the Python tests too). */
export const REPORT_METRICS: Record<Task, string[]> = reportMetrics;

export class SpecError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SpecError';
  }
}

/**
 * Reads and checks a spec file: ml-core's parseSpec (the portal's own
 * reader, so a spec the portal accepts is the one deployed here), then what
 * only AWS adds — resource-name length, column names usable as JSON keys and
 * VTL references, a gate metric evaluate.py writes, hyperparameters that feed
 * numeric pipeline parameters.
 */
export function readSpecFile(file: string): MlSystemSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError(file, `not readable: ${(e as Error).message}`);
  }
  return checkSpec(parseSpec(text, file), file);
}

function checkSpec(spec: MlSystemSpec, file: string): MlSystemSpec {
  const fail = (field: string, why: string): never => {
    throw new SpecError(file, `${field}: ${why}`);
  };
  if (!NAME_PATTERN.test(spec.metadata.name))
    fail(
      'metadata.name',
      'lower-case letters, digits and single hyphens, at most 40 characters (SageMaker names get suffixes)',
    );
  const ds = spec.spec.dataset;
  if (!ds.header && !ds.columns?.length)
    fail('spec.dataset.columns', 'required (every column) without a header');
  const seen = new Set<string>();
  (ds.columns ?? []).forEach((c, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name))
      fail(
        `spec.dataset.columns[${i}].name`,
        'letters, digits and _ (it is a JSON key, a CSV column and a VTL reference)',
      );
    if (seen.has(c.name))
      fail(`spec.dataset.columns[${i}].name`, `${c.name} is listed twice`);
    seen.add(c.name);
  });
  const gate = spec.spec.gate;
  if (!REPORT_METRICS[ds.task].includes(gate.metric))
    fail(
      'spec.gate.metric',
      `${gate.metric} is not in the ${ds.task} report (${REPORT_METRICS[
        ds.task
      ].join(', ')})`,
    );
  for (const [k, v] of Object.entries(
    spec.spec.training?.hyperparameters ?? {},
  ))
    if (NUMERIC_HYPERPARAMETERS.has(k) && !Number.isFinite(Number(v)))
      fail(`spec.training.hyperparameters.${k}`, 'a number');
  return spec;
}

/** What the stacks and the step scripts need of one system. */
export interface ResolvedSystem {
  name: string;
  title: string;
  description?: string;
  schema: DatasetSchema;
  /** Model inputs in CSV order (the target left out). */
  inputs: ColumnSchema[];
  split: SplitSpec;
  gate: GateSpec;
  display?: OutputDisplaySpec;
  hyperparameters: Record<string, number | string>;
  /** Register passing versions as Approved. */
  preApprove: boolean;
  /** The spec's default rollout (`spec.deployment`); absent = all at once. */
  deployment?: DeploymentStrategy;
  /** The spec file it was read from (its name goes into the mlops.io/spec annotation). */
  specFile?: string;
}

/**
 * Resolves the schema. With a data file it is ml-core's resolveSchema over
 * the file's first rows — the portal's own resolution, so the API's inputs and
 * CSV order are those of the signature the portal builds: types the spec
 * leaves out are inferred (an inferred categorical gets no fixed categories;
 * training learns them), and values the spec does not allow are refused
 * naming the column. Without one every input must be typed (categorical ones
 * with their categories) in the spec. Throws naming the field.
 */
export function resolveSystem(
  spec: MlSystemSpec,
  options: { dataFile?: string; specFile?: string } = {},
): ResolvedSystem {
  const where = options.specFile ?? spec.metadata.name;
  const ds = spec.spec.dataset;
  const schema = options.dataFile
    ? schemaFromData(ds, options.dataFile)
    : schemaFromSpec(ds, where);
  const { task, classes } = schema;
  if (task !== 'regression' && !classes)
    throw new SpecError(
      where,
      'spec.dataset.classes: required for a classifier when no data file is given',
    );
  if (task === 'binary' && classes!.length !== 2)
    throw new SpecError(where, 'spec.dataset.classes: a binary task has 2');
  if (task === 'multiclass' && classes!.length < 3)
    throw new SpecError(
      where,
      'spec.dataset.classes: a multiclass task has at least 3',
    );

  const split = { ...DEFAULT_SPLIT, ...spec.spec.training?.split };
  if (split.stratify === undefined) split.stratify = task !== 'regression';
  return {
    name: spec.metadata.name,
    title: spec.metadata.title ?? spec.metadata.name,
    description: spec.metadata.description,
    schema,
    inputs: schema.columns.filter(c => c.name !== ds.target),
    split,
    gate: spec.spec.gate,
    display: spec.spec.prediction?.output,
    hyperparameters: spec.spec.training?.hyperparameters ?? {},
    preApprove: spec.spec.approval?.preApprove ?? false,
    deployment: specDeployment(spec, where),
  };
}

/**
 * The spec's `deployment` section checked with the portal's schema (parseSpec
 * may predate the section; the endpoint's DeploymentConfig must not).
 */
function specDeployment(
  spec: MlSystemSpec,
  where: string,
): DeploymentStrategy | undefined {
  const section = spec.spec.deployment;
  if (section === undefined) return undefined;
  try {
    return parseDeploymentStrategy(section, 'spec.deployment');
  } catch (e) {
    if (e instanceof DeploymentStrategyError)
      throw new SpecError(where, e.message);
    throw e;
  }
}

/** ml-core's resolution over the first SAMPLE_BYTES of the data file. */
function schemaFromData(ds: DatasetSpec, file: string): DatasetSchema {
  if (!fs.existsSync(file))
    throw new SpecError(
      file,
      'data file not found (needed to infer the columns the spec leaves out)',
    );
  const fd = fs.openSync(file, 'r');
  let sample: string;
  let truncated: boolean;
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buffer, 0, SAMPLE_BYTES, 0);
    sample = buffer.subarray(0, n).toString('utf8');
    truncated = n === SAMPLE_BYTES;
  } finally {
    fs.closeSync(fd);
  }
  try {
    return resolveSchema(ds, sample, { truncated });
  } catch (e) {
    if (e instanceof SchemaError) throw new SpecError(file, e.message);
    throw e;
  }
}

/** Every column typed by the spec itself (no data file to read). */
function schemaFromSpec(ds: DatasetSpec, where: string): DatasetSchema {
  const listed = ds.columns ?? [];
  const names = listed.map(c => c.name);
  if (ds.header && !names.includes(ds.target)) names.push(ds.target);
  if (names.length < 2)
    throw new SpecError(
      where,
      'spec.dataset.columns: with header: true, give every column with its type (and categories), or a data file to infer them from',
    );
  if (!names.includes(ds.target))
    throw new SpecError(where, `spec.dataset.target: no column ${ds.target}`);
  const byName = new Map(listed.map(c => [c.name, c]));
  const columns: ColumnSchema[] = names.map(name => {
    const given: ColumnSpec = byName.get(name) ?? { name };
    if (name === ds.target && !given.type) {
      // The target's type follows the task; classes come from the spec.
      if (ds.task === 'regression') return { ...given, type: 'numeric' };
      if (ds.classes)
        return { ...given, type: 'categorical', categories: ds.classes };
    }
    if (given.type && (given.type !== 'categorical' || given.categories))
      return { ...given, type: given.type };
    throw new SpecError(
      where,
      ds.header
        ? 'spec.dataset.columns: with header: true, give every column with its type (and categories), or a data file to infer them from'
        : `spec.dataset.columns: ${name} needs a type (and categories) when no data file is given`,
    );
  });
  const target = columns.find(c => c.name === ds.target)!;
  return {
    header: ds.header,
    columns,
    target: ds.target,
    task: ds.task,
    ...(ds.task === 'regression'
      ? {}
      : { classes: ds.classes ?? target.categories }),
    missingValues: [...(ds.missingValues ?? DEFAULT_MISSING_VALUES)],
    maxCategories: ds.maxCategories ?? DEFAULT_MAX_CATEGORIES,
  };
}

/** Reads a spec file and resolves it (the construct's entry point). */
export function loadSystem(
  specFile: string,
  dataFile?: string,
): ResolvedSystem {
  return {
    ...resolveSystem(readSpecFile(specFile), { dataFile, specFile }),
    specFile,
  };
}

/** Each task's default eval metric (XGBoost's default for its objective). */
const DEFAULT_EVAL_METRIC: Record<Task, string> = {
  regression: 'rmse',
  binary: 'logloss',
  multiclass: 'mlogloss',
};

/**
 * XGBoost settings the task fixes (the SageMaker XGBoost container's names):
 * objective and num_class; the eval metric (which drives early stopping) is
 * the spec's when it names one (parseSpec checked it fits the objective).
 */
export function taskTraining(system: ResolvedSystem): Record<string, string> {
  const { task, classes } = system.schema;
  const evalMetric = system.hyperparameters.eval_metric;
  return {
    objective: defaultObjective(task),
    ...(task === 'multiclass' ? { num_class: String(classes!.length) } : {}),
    eval_metric:
      typeof evalMetric === 'string' ? evalMetric : DEFAULT_EVAL_METRIC[task],
  };
}

/** The gate's pipeline step name: `Check` + metric upper-cased (CheckMSE, CheckAUC). */
export function gateStepName(gate: GateSpec): string {
  return `Check${gate.metric.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
}

/** JsonGet path of the gate's metric in evaluation.json. */
export function gateJsonPath(system: ResolvedSystem): string {
  return `${REPORT_SECTIONS[system.schema.task]}.${system.gate.metric}.value`;
}

/**
 * system.json: what the step scripts read (a processing input), so they
 * never know a data set. Same field names as ml-core's types.
 */
export function systemDocument(
  system: ResolvedSystem,
): Record<string, unknown> {
  return {
    format: 'mlops-portal/system',
    version: 1,
    name: system.name,
    schema: system.schema,
    split: system.split,
    gate: system.gate,
    display: system.display ?? null,
  };
}
