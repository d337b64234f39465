import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadDemo } from './dataset/testing';
import { parseLabeledCsv } from './preprocess';
import {
  RUN_FILES,
  specHyperparameters,
  trainTable,
  writeTableRun,
} from './tableRun';
import { main } from './cli';

describe('a training run on a table', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'ml-core-run-'));
    dirs.push(d);
    return d;
  };
  afterAll(() =>
    dirs.forEach(d => rmSync(d, { recursive: true, force: true })),
  );

  it('Abalone by its spec: checks, splits, model, signature, baseline, files', async () => {
    const { spec, schema, table } = loadDemo('abalone', 'abalone.data');
    const run = trainTable({
      table,
      schema,
      spec,
      params: specHyperparameters(spec),
      seed: 0,
    });
    expect(run.checks.duplicateRows).toBe(0);
    expect([
      run.data.train.rows,
      run.data.validation.rows,
      run.data.test.rows,
    ]).toEqual([2923, 627, 627]);
    const mse = (run.evaluation as any).regression_metrics.mse.value;
    expect(mse).toBeGreaterThan(3);
    expect(mse).toBeLessThan(6);
    expect(run.signature.outputs.target).toBe('rings');
    expect(run.statistics.dataset.item_count).toBe(2923);

    const out = tempDir();
    await writeTableRun(out, run);
    expect(readdirSync(out).sort()).toEqual(
      [...Object.values(RUN_FILES), 'evaluation-plots.json'].sort(),
    );
    const test = parseLabeledCsv(
      readFileSync(join(out, RUN_FILES.test), 'utf8'),
    );
    expect(test.rows).toBe(627);
    expect(test.cols).toBe(10);
    expect(Array.from(test.labels)).toEqual(Array.from(run.data.test.labels));
    expect(
      JSON.parse(readFileSync(join(out, RUN_FILES.preprocessor), 'utf8'))
        .format,
    ).toBe('mlops-portal/table-preprocessor');
  });

  it('penguins (multiclass, categorical features, missing cells) and breast cancer (binary)', async () => {
    const penguins = loadDemo('penguins', 'penguins.csv');
    const run = trainTable({
      ...penguins,
      params: specHyperparameters(penguins.spec),
      seed: 1,
    });
    expect(run.params).toMatchObject({
      objective: 'multi:softprob',
      num_class: 3,
    });
    expect(run.checks.missingCells).toBeGreaterThan(0);
    expect(run.data.preprocessor.featureNames).toEqual([
      'island_Biscoe',
      'island_Dream',
      'island_Torgersen',
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'sex_FEMALE',
      'sex_MALE',
    ]);
    const multi = (run.evaluation as any).multiclass_classification_metrics;
    expect(multi.accuracy.value).toBeGreaterThan(0.9);
    expect(run.signature.outputs.classes).toEqual([
      'Adelie',
      'Chinstrap',
      'Gentoo',
    ]);
    // Stratified: every class in every part.
    for (const part of [run.data.train, run.data.validation, run.data.test])
      expect(new Set(part.labels).size).toBe(3);

    const cancer = loadDemo('breast-cancer', 'breast-cancer.csv');
    const binary = trainTable({
      ...cancer,
      params: specHyperparameters(cancer.spec),
      seed: 0,
    });
    expect(binary.params.objective).toBe('binary:logistic');
    const b = (binary.evaluation as any).binary_classification_metrics;
    expect(b.auc.value).toBeGreaterThan(0.95);
    const out = tempDir();
    await writeTableRun(out, binary);
    const plots = JSON.parse(
      readFileSync(join(out, 'evaluation-plots.json'), 'utf8'),
    );
    expect(plots.task).toBe('binary');
    expect(binary.statistics.features).toHaveLength(30);
  });

  it('the CLI trains any CSV from --target alone and says what it inferred', async () => {
    const dir = tempDir();
    const csv = join(dir, 'data.csv');
    const rows = Array.from({ length: 200 }, (_, i) => {
      const plan = ['basic', 'pro', 'team'][i % 3];
      const usage = (i * 37) % 100;
      return `${usage},${plan},${i % 2 === 0},${usage > 50 ? 'yes' : 'no'}`;
    });
    writeFileSync(csv, ['usage,plan,active,churned', ...rows].join('\n'));
    const errors: string[] = [];
    const logs: string[] = [];
    const err = jest.spyOn(console, 'error').mockImplementation(m => {
      errors.push(String(m));
    });
    const log = jest.spyOn(console, 'log').mockImplementation(m => {
      logs.push(String(m));
    });
    try {
      const out = join(dir, 'run');
      expect(
        await main([
          'train',
          '--data',
          csv,
          '--target',
          'churned',
          '--out',
          out,
        ]),
      ).toBe(0);
      expect(errors).toEqual([
        "inferred: task binary (from column 'churned'; set --task to choose)",
        "inferred: column 'usage': numeric 0 … 99",
        "inferred: column 'plan': categorical (3 values: basic, pro, team)",
        "inferred: column 'active': boolean (2 values: false, true)",
        'inferred: classes (sorted, index order): no, yes',
      ]);
      const summary = JSON.parse(logs[0]);
      expect(summary).toMatchObject({ task: 'binary', classes: ['no', 'yes'] });
      const signature = JSON.parse(
        readFileSync(join(out, RUN_FILES.signature), 'utf8'),
      );
      expect(signature.inputs.map((i: any) => [i.name, i.type])).toEqual([
        ['usage', 'numeric'],
        ['plan', 'categorical'],
        ['active', 'boolean'],
      ]);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });

  it('the CLI refuses a bad spec with the field named', async () => {
    const dir = tempDir();
    const specPath = join(dir, 'ml-system.yaml');
    writeFileSync(
      specPath,
      'apiVersion: mlops.io/v1alpha1\nkind: MLSystem\nmetadata: {name: x}\nspec:\n  dataset: {header: true, target: y, task: regression}\n  gate: {metric: auc, comparison: LessThan, threshold: 1}\n',
    );
    await expect(
      main(['train', '--spec', specPath, '--data', specPath, '--out', dir]),
    ).rejects.toThrow(
      "spec.gate.metric: 'auc' is not a regression metric; must be one of mse, rmse, mae, r2",
    );
  });
});
