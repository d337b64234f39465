/**
 * Warm-up of the trainer's hot loops. V8 compiles a loop to optimised
 * machine code only after it has run for a while, so the first training in
 * a fresh process (every CLI run, a new engine worker) runs its kernels in
 * slower tiers for much of its time. A few short trainings on synthetic
 * rows, with the same code paths (hist, row sampling, missing values,
 * validation rows), get them compiled first; a process that will train
 * (e.g. a spare worker waiting for a job) can run this while idle.
 */
import type { LabeledMatrix } from '../preprocess';
import { mulberry32 } from '../random';
import type { Objective } from '../spec/types';
import { trainXGBoost } from './train';

/**
 * Rows with the column kinds real tables have, so every branch the trainer
 * takes on them has run (a branch first met in the real training deopts
 * its function back to the slow tiers): measurements with and without
 * missing values, one-hot 0/1 columns and small integers (few distinct
 * values: one bin each).
 */
function synthetic(rows: number, cols: number, seed: number): LabeledMatrix {
  const rng = mulberry32(seed);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const hot = Math.floor(rng() * 3);
    for (let c = 0; c < cols; c++) {
      let v: number;
      if (c < 3) v = rng() < 0.01 ? NaN : rng() * 2 - 1;
      else if (c < 5) v = rng() * 2 - 1;
      else if (c < 8) v = c - 5 === hot ? 1 : 0;
      else v = Math.floor(rng() * 20);
      data[r * cols + c] = v;
    }
  }
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = (data[r * cols] || 0) + rng() > 0.5 ? 1 : 0;
  }
  return { rows, cols, data, labels };
}

export interface WarmUpOptions {
  /** Trainings per objective (default 4). */
  rounds?: number;
  /** Objectives to warm (default all three). */
  objectives?: Objective[];
}

/**
 * Runs short hist trainings on synthetic data; returns the seconds spent.
 * Models are not kept; results of later trainings do not change.
 */
export function warmUpTrainer(options: WarmUpOptions = {}): number {
  const start = process.hrtime.bigint();
  const train = synthetic(6000, 10, 1);
  const validation = synthetic(1000, 10, 2);
  const objectives = options.objectives ?? [
    'reg:squarederror',
    'binary:logistic',
    'multi:softprob',
  ];
  for (let i = 0; i < (options.rounds ?? 4); i++) {
    for (const objective of objectives) {
      trainXGBoost(
        {
          objective,
          num_class: objective === 'multi:softprob' ? 2 : undefined,
          tree_method: 'hist',
          max_depth: 5,
          subsample: 0.7,
          num_round: 10,
          seed: i,
        },
        train,
        validation,
      );
    }
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}
