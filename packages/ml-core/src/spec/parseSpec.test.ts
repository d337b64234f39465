import { readFileSync, readdirSync, existsSync } from 'fs';
import { resolve } from 'path';
import { stringify } from 'yaml';
import {
  MAX_SPEC_BYTES,
  SpecError,
  parseSpec,
  specDurationMs,
} from './parseSpec';
import { TASK_METRICS } from '../metrics';

const demoRoot = resolve(__dirname, '../../../demo-systems');

const base = () => ({
  apiVersion: 'mlops.io/v1alpha1',
  kind: 'MLSystem',
  metadata: { name: 'churn' },
  spec: {
    dataset: { header: true, target: 'churned', task: 'binary' },
    gate: { metric: 'auc', comparison: 'GreaterThanOrEqualTo', threshold: 0.8 },
  } as Record<string, any>,
});

function problemsOf(yamlText: string): string[] {
  try {
    parseSpec(yamlText, 'test.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    expect((e as Error).message).toMatch(/^test\.yaml: \d+ problems?:/);
    return (e as SpecError).problems.map(p => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a SpecError');
}

describe('parseSpec', () => {
  it('parses every demo system spec', () => {
    const systems = readdirSync(demoRoot).filter(d =>
      existsSync(resolve(demoRoot, d, 'ml-system.yaml')),
    );
    expect(systems).toEqual(
      expect.arrayContaining(['abalone', 'breast-cancer', 'penguins']),
    );
    for (const system of systems) {
      const spec = parseSpec(
        readFileSync(resolve(demoRoot, system, 'ml-system.yaml'), 'utf8'),
        system,
      );
      expect(spec.kind).toBe('MLSystem');
      const metrics = TASK_METRICS[spec.spec.dataset.task].metrics;
      expect(metrics.map(m => m.name)).toContain(spec.spec.gate.metric);
    }
    const abalone = parseSpec(
      readFileSync(resolve(demoRoot, 'abalone/ml-system.yaml'), 'utf8'),
    );
    expect(abalone.spec.dataset.columns?.[1]).toMatchObject({
      name: 'length',
      unit: 'mm',
      scale: 200,
    });
  });

  it('a minimal spec with a header needs only target, task and gate', () => {
    const spec = parseSpec(stringify(base()));
    expect(spec.spec.dataset).toEqual({
      header: true,
      target: 'churned',
      task: 'binary',
    });
  });

  it('lists every shape problem at once, each with its field path', () => {
    const doc = base();
    doc.metadata.name = 'Not A Name';
    doc.spec.gate.comparison = 'Less';
    doc.spec.gate.threshold = 'high';
    doc.spec.dataset.typo = 1;
    delete doc.spec.dataset.task;
    expect(problemsOf(stringify(doc))).toEqual([
      expect.stringMatching(/^metadata\.name: must be lower-case letters/),
      'spec.dataset.task: is required',
      "spec.dataset: unknown field 'typo'",
      'spec.gate.comparison: must be one of LessThanOrEqualTo, LessThan, GreaterThanOrEqualTo, GreaterThan, got "Less"',
      'spec.gate.threshold: must be a number, got "high"',
    ]);
  });

  it('cross-field rules: target, columns, classes, metric, objective, split, hyperparameters', () => {
    const doc = base();
    doc.spec.dataset = {
      header: false,
      target: 'price',
      task: 'regression',
      classes: ['a', 'b'],
      columns: [
        { name: 'x', type: 'categorical', min: 0 },
        { name: 'x', type: 'numeric' },
      ],
    };
    doc.spec.training = {
      objective: 'binary:logistic',
      hyperparameters: {
        max_depth: 0,
        learning_rate: 0.1,
        tree_method: 'gpu',
        constructor: 1,
      },
      split: { train: 0.8, validation: 0.15, test: 0.15 },
    };
    expect(problemsOf(stringify(doc))).toEqual([
      'spec.dataset.columns[0].min: only for numeric columns (type is categorical)',
      "spec.dataset.columns[1].name: 'x' is listed twice",
      "spec.dataset.target: 'price' is not one of the listed columns",
      'spec.dataset.classes: only for the binary and multiclass tasks',
      "spec.gate.metric: 'auc' is not a regression metric; must be one of mse, rmse, mae, r2",
      'spec.training.objective: binary:logistic does not fit task regression; use reg:squarederror',
      'spec.training.split: train + validation + test must sum to 1, got 1.1',
      expect.stringMatching(
        /^spec\.training\.hyperparameters\.learning_rate: unknown hyperparameter; the trainer reads max_depth, eta/,
      ),
      'spec.training.hyperparameters.tree_method: must be one of auto, exact, hist, got "gpu"',
      expect.stringMatching(
        /^spec\.training\.hyperparameters\.constructor: unknown hyperparameter/,
      ),
      'spec.training.hyperparameters.max_depth: must be an integer in [1, 30]',
    ]);
  });

  it('header false needs every column; a regression target must be numeric', () => {
    const doc = base();
    doc.spec.dataset = { header: false, target: 'y', task: 'regression' };
    doc.spec.gate.metric = 'mse';
    expect(problemsOf(stringify(doc))).toEqual([
      'spec.dataset.columns: is required when header is false: list every column in file order',
    ]);
    doc.spec.dataset.columns = [
      { name: 'x' },
      { name: 'y', type: 'categorical' },
    ];
    expect(problemsOf(stringify(doc))).toEqual([
      'spec.dataset.columns[1].type: the target of a regression must be numeric (is categorical)',
    ]);
  });

  it('classification: binary has two classes, stratify and display rules', () => {
    const doc = base();
    doc.spec.dataset.classes = ['no', 'yes', 'maybe'];
    doc.spec.prediction = { output: { label: 'Churn', unit: '%' } };
    expect(problemsOf(stringify(doc))).toEqual([
      'spec.dataset.classes: a binary task has exactly 2 classes (negative, positive), got 3',
      'spec.prediction.output.unit: only for regression (a classifier outputs class probabilities)',
    ]);
    const multi = base();
    multi.spec.dataset.task = 'multiclass';
    multi.spec.gate.metric = 'weighted_f1';
    multi.spec.training = {
      hyperparameters: { num_class: 3, eval_metric: 'logloss' },
    };
    expect(problemsOf(stringify(multi))).toEqual([
      'spec.training.hyperparameters.num_class: follows from spec.dataset.classes; leave it out',
      'spec.training.hyperparameters.eval_metric: logloss does not fit objective multi:softprob; use mlogloss, merror, auc',
    ]);
  });

  it('refuses invalid YAML, oversized input and alias bombs with a clear message', () => {
    expect(problemsOf('a: [1, 2')[0]).toMatch(/^line \d+: invalid YAML/);
    expect(problemsOf(`x: "${'a'.repeat(MAX_SPEC_BYTES)}"`)).toEqual([
      `: is ${
        MAX_SPEC_BYTES + 5
      } bytes; a spec may be at most ${MAX_SPEC_BYTES}`,
    ]);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
            .fill(`*${'abcdefgh'[i]}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(problemsOf(bomb)[0]).toMatch(/invalid YAML/);
    expect(problemsOf('- just\n- a list')).toEqual([
      ': must be a mapping, got a list',
    ]);
  });

  it('reads the retraining section: schedule, drift trigger, autoApprove', () => {
    const spec = base();
    spec.spec.retraining = {
      schedule: { cron: '0 3 * * 1' },
      drift: { consecutiveWindows: 3, window: '1h', cooldown: '12h' },
      autoApprove: true,
    };
    expect(parseSpec(stringify(spec)).spec.retraining).toEqual({
      schedule: { cron: '0 3 * * 1' },
      drift: { consecutiveWindows: 3, window: '1h', cooldown: '12h' },
      autoApprove: true,
    });
    expect(specDurationMs('12h')).toBe(12 * 3_600_000);
    expect(specDurationMs('30m')).toBe(1_800_000);
    expect(specDurationMs('7d')).toBe(7 * 86_400_000);
    expect(specDurationMs('0h')).toBeUndefined();
    expect(specDurationMs('1w')).toBeUndefined();
  });

  it('names every bad retraining field', () => {
    const spec = base();
    spec.spec.retraining = {
      schedule: { cron: 'every monday' },
      drift: { consecutiveWindows: 0, window: '2h', cooldown: 'soon' },
      autoApprove: 'yes',
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.retraining.schedule.cron: must be a 5-field cron expression (minute hour day month weekday, UTC), e.g. "0 3 * * 1"',
      'spec.retraining.drift.consecutiveWindows: must be ≥ 1',
      'spec.retraining.drift.window: must be one of 1h, 24h, 7d, got "2h"',
      'spec.retraining.drift.cooldown: must be a duration such as 30m, 12h or 7d',
      'spec.retraining.autoApprove: must be true or false, got "yes"',
    ]);
    spec.spec.retraining = { autoApprove: true };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.retraining: needs a schedule, a drift trigger or both',
    ]);
    spec.spec.retraining = {
      drift: { consecutiveWindows: 2, window: '24h', cooldown: '6h' },
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.retraining.drift.cooldown: must be at least one window (24h): a shorter cooldown cannot hold back a second run',
    ]);
  });

  it('reads the deployment section (SageMaker BlueGreenUpdatePolicy)', () => {
    const spec = base();
    spec.spec.deployment = {
      trafficRouting: {
        type: 'LINEAR',
        waitIntervalInSeconds: 60,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
      },
      terminationWaitInSeconds: 0,
      maximumExecutionTimeoutInSeconds: 600,
      autoRollback: {
        errorRate: 0.05,
        p99LatencyMs: 500,
        predictionDrift: 0.5,
        minInvocations: 20,
      },
    };
    expect(parseSpec(stringify(spec)).spec.deployment).toEqual(
      spec.spec.deployment,
    );
    spec.spec.deployment = {
      trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
    };
    expect(parseSpec(stringify(spec)).spec.deployment).toEqual(
      spec.spec.deployment,
    );
  });

  it('names every bad deployment field with SageMaker limits', () => {
    const spec = base();
    spec.spec.deployment = {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 3601,
        canarySize: { type: 'CAPACITY_PERCENT', value: 51 },
      },
      terminationWaitInSeconds: -1,
      maximumExecutionTimeoutInSeconds: 599,
      autoRollback: { errorRate: 1.5, p99LatencyMs: 0, minInvocations: 0.5 },
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.deployment.trafficRouting.waitIntervalInSeconds: must be ≤ 3600',
      'spec.deployment.trafficRouting.canarySize.value: must be ≤ 50',
      'spec.deployment.terminationWaitInSeconds: must be ≥ 0',
      'spec.deployment.maximumExecutionTimeoutInSeconds: must be ≥ 600',
      'spec.deployment.autoRollback.errorRate: must be ≤ 1',
      'spec.deployment.autoRollback.p99LatencyMs: must be > 0',
      'spec.deployment.autoRollback.minInvocations: must be an integer, got 0.5',
    ]);
    spec.spec.deployment = {
      trafficRouting: {
        type: 'SHADOW',
        waitIntervalInSeconds: 10,
        bakeTime: 3,
      },
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.deployment.trafficRouting.type: must be one of ALL_AT_ONCE, CANARY, LINEAR, got "SHADOW"',
      "spec.deployment.trafficRouting: unknown field 'bakeTime'",
    ]);
  });

  it('requires each size with its own routing type only', () => {
    const spec = base();
    spec.spec.deployment = {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 60,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 20 },
      },
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.deployment.trafficRouting.canarySize: is required for CANARY',
      'spec.deployment.trafficRouting.linearStepSize: applies to LINEAR only',
    ]);
    spec.spec.deployment = {
      trafficRouting: {
        type: 'LINEAR',
        waitIntervalInSeconds: 60,
        linearStepSize: { type: 'CAPACITY_PERCENT', value: 5 },
      },
    };
    expect(problemsOf(stringify(spec))).toEqual([
      'spec.deployment.trafficRouting.linearStepSize.value: must be ≥ 10',
    ]);
  });
});
