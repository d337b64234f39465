/**
 * Warm-up of the trainer's hot loops. V8 compiles a loop to optimised
 * machine code only after it has run for a while, so the first training in
 * a fresh process (every CLI run, a new engine worker) runs its kernels in
 * slower tiers for much of its time. A few short trainings on synthetic
 * rows, with the same code paths (hist, row sampling, missing values,
 * validation rows), get them compiled first; a process that will train
 * (e.g. a spare worker waiting for a job) can run this while idle.
 */
import type { Objective } from '../spec/types';
import { syntheticRows } from './synthetic';
import { trainXGBoost } from './train';

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
  const train = syntheticRows(6000, 10, 1);
  const validation = syntheticRows(1000, 10, 2);
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
