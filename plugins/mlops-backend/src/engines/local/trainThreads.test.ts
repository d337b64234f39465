import { mulberry32, writeMatrixFile } from '@mlops-portal/ml-core';
import fs from 'fs';
import path from 'path';
import { tempDataDir } from './__testUtils__/localEngine';
import { StepWorker } from './workerClient';

/** Rows enough for the trainer's worker threads (it trains alone below 50,000). */
const ROWS = 60_000;

function matrix(rows: number, seed: number) {
  const rng = mulberry32(seed);
  const cols = 4;
  const data = new Float32Array(rows * cols).map(() => rng());
  const labels = Float32Array.from(
    { length: rows },
    (_, r) => 3 * data[r * cols] - data[r * cols + 1] + 0.1 * rng(),
  );
  return { rows, cols, data, labels };
}

describe('the Train step with the engine’s training threads', () => {
  it('trains the same model.json with 1 and 2 threads, and a spec’s nthread wins', async () => {
    const dir = tempDataDir();
    const worker = new StepWorker();
    try {
      const trainMatrix = path.join(dir, 'train.f32');
      const validationMatrix = path.join(dir, 'validation.f32');
      await writeMatrixFile(trainMatrix, matrix(ROWS, 1));
      await writeMatrixFile(validationMatrix, matrix(ROWS / 5, 2));
      const train = async (
        name: string,
        threads: number | undefined,
        extra: Record<string, number> = {},
      ) => {
        const logs: string[] = [];
        const result = await worker.run<'train'>(
          {
            step: 'train',
            args: {
              trainCsv: path.join(dir, 'unused-train.csv'),
              validationCsv: path.join(dir, 'unused-validation.csv'),
              trainMatrix,
              validationMatrix,
              outDir: path.join(dir, name),
              hyperparameters: {
                objective: 'reg:squarederror',
                tree_method: 'hist',
                num_round: 8,
                max_depth: 4,
                subsample: 0.8,
                seed: 3,
                ...extra,
              },
              threads,
            },
          },
          { onLog: (_level, message) => logs.push(message) },
        );
        const used = logs.join('\n').match(/on (\d+) thread/)?.[1];
        return { model: fs.readFileSync(result.artifacts.model, 'utf8'), used };
      };
      const one = await train('one', 1);
      const two = await train('two', 2);
      const spec = await train('spec', 2, { nthread: 1 });
      const none = await train('none', undefined);
      expect(
        JSON.parse(one.model).learner.gradient_booster.model.trees,
      ).toHaveLength(8);
      expect([one.used, two.used, spec.used, none.used]).toEqual([
        '1',
        '2',
        '1',
        '1',
      ]);
      expect(two.model).toBe(one.model);
      expect(spec.model).toBe(one.model);
      expect(none.model).toBe(one.model);
    } finally {
      worker.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
