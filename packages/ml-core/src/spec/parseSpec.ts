import { parseDocument } from 'yaml';
import { z } from 'zod';
import { resolveParams } from '../xgboost/params';
import { TASK_METRICS } from '../metrics';
import { OBJECTIVE_METRICS } from '../xgboost/objectives';
import {
  defaultObjective,
  TASK_OBJECTIVES,
  TRAINER_HYPERPARAMETERS,
} from './constants';
import type { MlSystemSpec, Task } from './types';

/** A spec file larger than this is refused before it is parsed. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** At most this many problems are listed (the rest are counted). */
const MAX_PROBLEMS = 50;

/** One thing wrong with a spec: where (`spec.gate.comparison`) and what. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** A spec file that cannot be used; `problems` lists every problem found. */
export class SpecError extends Error {
  readonly problems: SpecProblem[];

  constructor(source: string, problems: SpecProblem[]) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more =
      problems.length > shown.length
        ? `\n  … and ${problems.length - shown.length} more`
        : '';
    super(
      `${source}: ${problems.length} problem${
        problems.length === 1 ? '' : 's'
      }:\n${shown
        .map(p => `  - ${p.path ? `${p.path}: ` : ''}${p.message}`)
        .join('\n')}${more}`,
    );
    this.name = 'SpecError';
    this.problems = shown;
  }
}

// Names end up in JSON keys, CSV headers, forms and resource names: printable,
// bounded, no control characters.
const columnName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
const shortText = z.string().max(128);
const longText = z.string().max(2000);
const category = z.string().max(256);
const finite = z.number().finite();

const columnSpec = z.strictObject({
  name: columnName,
  type: z.enum(['numeric', 'categorical', 'boolean']).optional(),
  label: shortText.optional(),
  description: longText.optional(),
  unit: z.string().max(32).optional(),
  scale: finite.refine(v => v !== 0, 'must not be 0').optional(),
  min: finite.optional(),
  max: finite.optional(),
  categories: z.array(category).min(1).max(10_000).optional(),
  categoryLabels: z.record(category, shortText).optional(),
});

const fraction = finite.min(0).max(1);

const DURATION_UNITS_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Milliseconds of a spec duration (`30m`, `12h`, `7d`); undefined when the
 * text is not one.
 */
export function specDurationMs(text: string): number | undefined {
  const m = /^([1-9][0-9]{0,4})([mhd])$/.exec(text);
  return m ? Number(m[1]) * DURATION_UNITS_MS[m[2]] : undefined;
}

/** Milliseconds of each retraining window (the monitoring API's windows). */
export const RETRAINING_WINDOW_MS = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
} as const;

// Five cron fields of the usual characters; the backend's cron library
// checks the values (a spec read without it still fails early on shape).
const CRON_FIELD = /^[0-9A-Za-z*\/,?-]+$/;

/**
 * SageMaker's `BlueGreenUpdatePolicy` limits. The portal's
 * `deploymentStrategySchema` (plugin-mlops-common) states the same rules; the
 * ML core may not import plugin packages, so they are mirrored here and a
 * backend test (deploymentSpecParity.test.ts) proves both accept and refuse
 * the same cases.
 */
const DEPLOYMENT_SPEC_LIMITS = {
  waitIntervalInSeconds: { min: 0, max: 3600 },
  terminationWaitInSeconds: { min: 0, max: 3600 },
  maximumExecutionTimeoutInSeconds: { min: 600, max: 28800 },
  canaryPercent: { min: 1, max: 50 },
  linearStepPercent: { min: 10, max: 50 },
} as const;

const wholeSeconds = (lim: { min: number; max: number }) =>
  z.number().int().min(lim.min).max(lim.max);
const capacityPercent = (lim: { min: number; max: number }) =>
  z.strictObject({
    type: z.literal('CAPACITY_PERCENT'),
    value: z.number().int().min(lim.min).max(lim.max),
  });

const deploymentSchema = z.strictObject({
  trafficRouting: z.strictObject({
    type: z.enum(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
    waitIntervalInSeconds: wholeSeconds(
      DEPLOYMENT_SPEC_LIMITS.waitIntervalInSeconds,
    ),
    canarySize: capacityPercent(
      DEPLOYMENT_SPEC_LIMITS.canaryPercent,
    ).optional(),
    linearStepSize: capacityPercent(
      DEPLOYMENT_SPEC_LIMITS.linearStepPercent,
    ).optional(),
  }),
  terminationWaitInSeconds: wholeSeconds(
    DEPLOYMENT_SPEC_LIMITS.terminationWaitInSeconds,
  ).optional(),
  maximumExecutionTimeoutInSeconds: wholeSeconds(
    DEPLOYMENT_SPEC_LIMITS.maximumExecutionTimeoutInSeconds,
  ).optional(),
  autoRollback: z
    .strictObject({
      errorRate: z.number().min(0).max(1).optional(),
      p99LatencyMs: z.number().positive().max(600_000).optional(),
      predictionDrift: z.number().positive().max(100).optional(),
      minInvocations: z.number().int().min(1).max(1_000_000).optional(),
    })
    .optional(),
});

const specSchema = z.strictObject({
  apiVersion: z.literal('mlops.io/v1alpha1'),
  kind: z.literal('MLSystem'),
  metadata: z.strictObject({
    // Becomes part of resource names and paths.
    name: z
      .string()
      .max(63)
      .regex(
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
        'must be lower-case letters, digits and dashes (at most 63), starting and ending with a letter or digit',
      ),
    title: shortText.optional(),
    description: longText.optional(),
  }),
  spec: z.strictObject({
    dataset: z.strictObject({
      header: z.boolean(),
      columns: z.array(columnSpec).min(1).max(5000).optional(),
      target: columnName,
      task: z.enum(['regression', 'binary', 'multiclass']),
      classes: z.array(category.min(1)).max(1000).optional(),
      missingValues: z.array(z.string().max(32)).max(32).optional(),
      maxCategories: z.number().int().min(1).max(1000).optional(),
    }),
    training: z
      .strictObject({
        objective: z
          .enum(['reg:squarederror', 'binary:logistic', 'multi:softprob'])
          .optional(),
        hyperparameters: z
          .record(z.string().max(64), z.union([finite, z.string().max(64)]))
          .optional(),
        split: z
          .strictObject({
            train: fraction,
            validation: fraction,
            test: fraction,
            seed: z.number().int().optional(),
            stratify: z.boolean().optional(),
          })
          .optional(),
      })
      .optional(),
    gate: z.strictObject({
      metric: z.string().max(64),
      comparison: z.enum([
        'LessThanOrEqualTo',
        'LessThan',
        'GreaterThanOrEqualTo',
        'GreaterThan',
      ]),
      threshold: finite,
    }),
    approval: z
      .strictObject({
        preApprove: z.boolean().optional(),
        fourEyes: z.boolean().optional(),
      })
      .optional(),
    prediction: z
      .strictObject({
        output: z
          .strictObject({
            // a field predictions also carry the display value under (old clients' `age`)
            name: z
              .string()
              .regex(
                /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
                'must be an identifier (letters, digits, _; at most 64)',
              )
              .optional(),
            label: shortText.optional(),
            unit: z.string().max(32).optional(),
            scale: finite.optional(),
            offset: finite.optional(),
          })
          .optional(),
      })
      .optional(),
    monitoring: z
      .strictObject({
        drift: z
          .strictObject({
            psiThreshold: finite.min(0).optional(),
            distanceThreshold: finite.min(0).max(1).optional(),
          })
          .optional(),
      })
      .optional(),
    retraining: z
      .strictObject({
        schedule: z
          .strictObject({
            cron: z
              .string()
              .max(120)
              .refine(v => {
                const fields = v.trim().split(/\s+/);
                return (
                  fields.length === 5 && fields.every(f => CRON_FIELD.test(f))
                );
              }, 'must be a 5-field cron expression (minute hour day month weekday, UTC), e.g. "0 3 * * 1"'),
          })
          .optional(),
        drift: z
          .strictObject({
            consecutiveWindows: z.number().int().min(1).max(100),
            window: z.enum(['1h', '24h', '7d']),
            cooldown: z
              .string()
              .refine(
                v => specDurationMs(v) !== undefined,
                'must be a duration such as 30m, 12h or 7d',
              ),
          })
          .optional(),
        autoApprove: z.boolean().optional(),
      })
      .optional(),
    deployment: deploymentSchema.optional(),
  }),
});

const KIND_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** zod issues in the words a spec author reads (the field path is added separately). */
function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  // A key left out (zod reports no input for it).
  if (iss.input === undefined && iss.code !== 'unrecognized_keys')
    return 'is required';
  switch (iss.code) {
    case 'invalid_type':
      return `must be ${
        KIND_NAMES[iss.expected] ?? iss.expected
      }, got ${describe(iss.input)}`;
    case 'invalid_value':
      return iss.values.length === 1
        ? `must be ${String(iss.values[0])}, got ${describe(iss.input)}`
        : `must be one of ${iss.values.join(', ')}, got ${describe(iss.input)}`;
    case 'unrecognized_keys':
      return `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys
        .map(k => `'${k.slice(0, 64)}'`)
        .join(', ')}`;
    case 'too_small':
      if (iss.origin === 'array') return `must list at least ${iss.minimum}`;
      if (iss.origin === 'string') return 'must not be empty';
      return `must be ${iss.inclusive === false ? '>' : '≥'} ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'array') return `must list at most ${iss.maximum}`;
      if (iss.origin === 'string')
        return `must be at most ${iss.maximum} characters`;
      return `must be ${iss.inclusive === false ? '<' : '≤'} ${iss.maximum}`;
    default:
      return undefined;
  }
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Keys people put under hyperparameters that belong elsewhere. */
const HYPERPARAMETER_HINTS: Record<string, string> = {
  objective: 'set the objective as spec.training.objective',
  num_class: 'follows from spec.dataset.classes; leave it out',
};
const unknownHyperparameter = `unknown hyperparameter; the trainer reads ${Object.keys(
  TRAINER_HYPERPARAMETERS,
).join(', ')}`;

/** Cross-field rules the shape alone cannot say. */
function crossChecks(spec: MlSystemSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (path: string, message: string) =>
    problems.push({ path, message });
  const { dataset, training, gate, prediction } = spec.spec;
  const task: Task = dataset.task;
  const classification = task !== 'regression';
  const columns = dataset.columns ?? [];

  const seen = new Set<string>();
  columns.forEach((c, i) => {
    const at = `spec.dataset.columns[${i}]`;
    if (seen.has(c.name)) add(`${at}.name`, `'${c.name}' is listed twice`);
    seen.add(c.name);
    if (c.categories && c.type && c.type !== 'categorical')
      add(
        `${at}.categories`,
        `only for categorical columns (type is ${c.type})`,
      );
    if (c.categories && new Set(c.categories).size !== c.categories.length)
      add(`${at}.categories`, 'must not repeat a category');
    for (const key of ['min', 'max', 'unit', 'scale'] as const)
      if (c[key] !== undefined && c.type && c.type !== 'numeric')
        add(`${at}.${key}`, `only for numeric columns (type is ${c.type})`);
    if (c.min !== undefined && c.max !== undefined && c.min > c.max)
      add(`${at}.min`, `must be ≤ max (${c.max})`);
    if (c.categoryLabels) {
      if (!c.categories)
        add(`${at}.categoryLabels`, 'needs the categories it labels');
      else
        for (const key of Object.keys(c.categoryLabels))
          if (!c.categories.includes(key))
            add(
              `${at}.categoryLabels`,
              `'${key.slice(0, 64)}' is not one of the categories`,
            );
    }
  });

  if (!dataset.header && columns.length === 0)
    add(
      'spec.dataset.columns',
      'is required when header is false: list every column in file order',
    );
  const targetIndex = columns.findIndex(c => c.name === dataset.target);
  if (!dataset.header && columns.length > 0 && targetIndex < 0)
    add(
      'spec.dataset.target',
      `'${dataset.target}' is not one of the listed columns`,
    );
  const targetColumn = columns[targetIndex];
  if (targetColumn) {
    const at = `spec.dataset.columns[${targetIndex}].type`;
    if (
      task === 'regression' &&
      targetColumn.type &&
      targetColumn.type !== 'numeric'
    )
      add(
        at,
        `the target of a regression must be numeric (is ${targetColumn.type})`,
      );
    if (classification && targetColumn.categories && dataset.classes)
      add(
        `spec.dataset.columns[${targetIndex}].categories`,
        "give the target column's labels once, as spec.dataset.classes",
      );
  }
  if (columns.length > 0 && targetIndex >= 0 && columns.length < 2)
    add(
      'spec.dataset.columns',
      'needs at least one feature besides the target',
    );

  if (dataset.classes) {
    if (!classification)
      add('spec.dataset.classes', 'only for the binary and multiclass tasks');
    else if (new Set(dataset.classes).size !== dataset.classes.length)
      add('spec.dataset.classes', 'must not repeat a class');
    else if (task === 'binary' && dataset.classes.length !== 2)
      add(
        'spec.dataset.classes',
        `a binary task has exactly 2 classes (negative, positive), got ${dataset.classes.length}`,
      );
    else if (dataset.classes.length < 2)
      add('spec.dataset.classes', 'a classifier needs at least 2 classes');
  }

  // The task's Model Quality report metrics (one list, read by the gate too).
  const metrics = TASK_METRICS[task].metrics.map(m => m.name);
  if (!metrics.includes(gate.metric))
    add(
      'spec.gate.metric',
      `'${gate.metric}' is not a ${task} metric; must be one of ${metrics.join(
        ', ',
      )}`,
    );

  const objective = training?.objective;
  if (objective && !TASK_OBJECTIVES[task].includes(objective))
    add(
      'spec.training.objective',
      `${objective} does not fit task ${task}; use ${TASK_OBJECTIVES[task].join(
        ' or ',
      )}`,
    );

  const split = training?.split;
  if (split) {
    const sum = split.train + split.validation + split.test;
    if (Math.abs(sum - 1) > 1e-9)
      add(
        'spec.training.split',
        `train + validation + test must sum to 1, got ${Number(
          sum.toPrecision(12),
        )}`,
      );
    if (split.train <= 0) add('spec.training.split.train', 'must be > 0');
    if (split.test <= 0) add('spec.training.split.test', 'must be > 0');
    if (split.stratify && !classification)
      add(
        'spec.training.split.stratify',
        'only for the binary and multiclass tasks',
      );
  }

  const hp = training?.hyperparameters ?? {};
  const numeric: Record<string, number> = {};
  for (const [key, value] of Object.entries(hp)) {
    const at = `spec.training.hyperparameters.${key}`;
    // Own keys only: 'constructor' is not a hyperparameter.
    const kind = Object.hasOwn(TRAINER_HYPERPARAMETERS, key)
      ? TRAINER_HYPERPARAMETERS[key]
      : undefined;
    if (!kind) {
      add(
        at,
        Object.hasOwn(HYPERPARAMETER_HINTS, key)
          ? HYPERPARAMETER_HINTS[key]
          : unknownHyperparameter,
      );
    } else if (kind === 'number') {
      if (typeof value !== 'number')
        add(at, `must be a number, got ${describe(value)}`);
      else numeric[key] = value;
    } else if (typeof value !== 'string' || !kind.includes(value)) {
      add(at, `must be one of ${kind.join(', ')}, got ${describe(value)}`);
    }
  }
  // Ranges: the trainer's own rules, one field at a time so every bad value is named.
  for (const [key, value] of Object.entries(numeric)) {
    try {
      resolveParams({ [key]: value });
    } catch (e) {
      const why = (e as Error).message.replace(/^.*?: /, '');
      add(`spec.training.hyperparameters.${key}`, why);
    }
  }
  const evalMetric = hp.eval_metric;
  const fits: readonly string[] =
    OBJECTIVE_METRICS[objective ?? defaultObjective(task)];
  if (typeof evalMetric === 'string' && !fits.includes(evalMetric))
    add(
      'spec.training.hyperparameters.eval_metric',
      `${evalMetric} does not fit objective ${
        objective ?? defaultObjective(task)
      }; use ${fits.join(', ')}`,
    );
  if (hp.early_stopping_rounds !== undefined && split && split.validation <= 0)
    add(
      'spec.training.split.validation',
      'must be > 0: early_stopping_rounds needs a validation part',
    );

  const retraining = spec.spec.retraining;
  if (retraining && !retraining.schedule && !retraining.drift)
    add('spec.retraining', 'needs a schedule, a drift trigger or both');
  const drift = retraining?.drift;
  const cooldownMs = drift ? specDurationMs(drift.cooldown) : undefined;
  if (
    drift &&
    cooldownMs !== undefined &&
    cooldownMs < RETRAINING_WINDOW_MS[drift.window]
  )
    add(
      'spec.retraining.drift.cooldown',
      `must be at least one window (${drift.window}): a shorter cooldown cannot hold back a second run`,
    );

  const routing = spec.spec.deployment?.trafficRouting;
  if (routing) {
    // Each size belongs to its own routing type, as SageMaker requires.
    const sizes = [
      ['canarySize', 'CANARY'],
      ['linearStepSize', 'LINEAR'],
    ] as const;
    for (const [field, type] of sizes) {
      const at = `spec.deployment.trafficRouting.${field}`;
      if (routing.type === type && !routing[field])
        add(at, `is required for ${type}`);
      if (routing.type !== type && routing[field])
        add(at, `applies to ${type} only`);
    }
  }

  const output = prediction?.output;
  if (output && classification)
    for (const key of ['name', 'unit', 'scale', 'offset'] as const)
      if (output[key] !== undefined)
        add(
          `spec.prediction.output.${key}`,
          'only for regression (a classifier outputs class probabilities)',
        );
  return problems;
}

/**
 * Parses and validates an ML system spec (YAML). Throws a SpecError listing
 * every problem with its field path, e.g.
 * `spec.gate.comparison: must be one of LessThanOrEqualTo, …`.
 */
export function parseSpec(yamlText: string, sourceName = 'spec'): MlSystemSpec {
  const source = String(sourceName).slice(0, 200);
  if (typeof yamlText !== 'string')
    throw new SpecError(source, [{ path: '', message: 'is not text' }]);
  const bytes = Buffer.byteLength(yamlText, 'utf8');
  if (bytes > MAX_SPEC_BYTES)
    throw new SpecError(source, [
      {
        path: '',
        message: `is ${bytes} bytes; a spec may be at most ${MAX_SPEC_BYTES}`,
      },
    ]);
  const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0)
    throw new SpecError(
      source,
      doc.errors.map(e => ({
        path: e.linePos ? `line ${e.linePos[0].line}` : '',
        message: `invalid YAML: ${e.message
          .split('\n')[0]
          .replace(/ at line \d+, column \d+:?$/, '')
          .slice(0, 200)}`,
      })),
    );
  let data: unknown;
  try {
    // Aliases bounded: a "billion laughs" file must not expand.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new SpecError(source, [
      {
        path: '',
        message: `invalid YAML: ${(e as Error).message.slice(0, 200)}`,
      },
    ]);
  }
  const parsed = specSchema.safeParse(data, { error: issueMessage });
  if (!parsed.success)
    throw new SpecError(
      source,
      parsed.error.issues.map(i => ({
        path: pathText(i.path),
        message: i.message,
      })),
    );
  const spec = parsed.data as MlSystemSpec;
  const problems = crossChecks(spec);
  if (problems.length > 0) throw new SpecError(source, problems);
  return spec;
}
