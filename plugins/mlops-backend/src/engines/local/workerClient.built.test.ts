import { resolvePackagePath } from '@backstage/backend-plugin-api';
import fs from 'fs';
import { demoSystem } from '../../__testUtils__/demoSystems';
import path from 'path';
import { abaloneSubset, tempDataDir } from './__testUtils__/localEngine';
import { StepWorker, workerEntry } from './workerClient';

// The bundled worker exists only after `npm run build` (CI builds first).
const built = fs.existsSync(
  resolvePackagePath(
    '@mlops-portal/plugin-mlops-backend',
    'dist/worker.cjs.js',
  ),
);

describe('workerEntry', () => {
  it('forks the TypeScript source through tsx when running from source', () => {
    const entry = workerEntry(true);
    expect(entry.file).toMatch(/src[\\/]engines[\\/]local[\\/]worker\.ts$/);
    expect(entry.execArgv).toEqual(['--require', require.resolve('tsx/cjs')]);
  });

  it('forks the bundled dist/worker.cjs.js with plain node when built', () => {
    const entry = workerEntry(false);
    expect(entry.file).toMatch(/dist[\\/]worker\.cjs\.js$/);
    expect(entry.execArgv).toEqual([]);
  });
});

(built ? describe : describe.skip)(
  'the built worker (dist/worker.cjs.js)',
  () => {
    it('runs preprocess, train and evaluate steps with plain node', async () => {
      const dir = tempDataDir();
      const csv = path.join(dir, 'abalone.csv');
      fs.writeFileSync(csv, abaloneSubset(600));
      const worker = new StepWorker(workerEntry(false));
      try {
        const files = [{ key: 'abalone.csv', path: csv }];
        const { spec } = demoSystem('abalone');
        const checked = await worker.run<'validate'>({
          step: 'validate',
          args: { files, minRows: 30, spec },
        });
        expect(checked.rowCount).toBe(600);
        const pre = await worker.run<'preprocess'>({
          step: 'preprocess',
          args: {
            files,
            outDir: path.join(dir, 'pre'),
            seed: 1,
            spec,
            schema: checked.schema,
          },
        });
        const split = pre.artifacts;
        expect(fs.existsSync(split.signature)).toBe(true);
        const train = await worker.run({
          step: 'train',
          args: {
            trainCsv: split.train,
            validationCsv: split.validation,
            outDir: path.join(dir, 'train'),
            hyperparameters: {
              objective: 'reg:squarederror',
              num_round: 5,
              max_depth: 3,
              seed: 1,
            },
          },
        });
        const model = train.artifacts.model;
        expect(fs.existsSync(model)).toBe(true);
        const evaluation = await worker.run({
          step: 'evaluate',
          args: {
            testCsv: split.test,
            modelPath: model,
            outDir: path.join(dir, 'eval'),
            task: 'regression',
          },
        });
        const metrics = evaluation.metrics;
        expect(metrics.mse).toBeGreaterThan(0);
        expect(Number.isFinite(metrics.mse)).toBe(true);
        expect(metrics.r2).toBeLessThanOrEqual(1);
      } finally {
        worker.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
