import { mulberry32 } from '../random';
import { trainXGBoost } from './train';
import { warmUpTrainer } from './warmup';

describe('warmUpTrainer', () => {
  it('runs and leaves later models unchanged', () => {
    const rng = mulberry32(1);
    const rows = 2000;
    const data = new Float32Array(rows * 3).map(() => rng());
    const m = {
      rows,
      cols: 3,
      data,
      labels: Float32Array.from({ length: rows }, (_, r) => data[3 * r] * 4),
    };
    const params = {
      tree_method: 'hist' as const,
      num_round: 5,
      subsample: 0.8,
    };
    const before = trainXGBoost(params, m).booster.toXGBoostJSONString();
    const seconds = warmUpTrainer({ rounds: 1 });
    expect(seconds).toBeGreaterThan(0);
    expect(trainXGBoost(params, m).booster.toXGBoostJSONString()).toBe(before);
  });
});

describe('priming before the first large training', () => {
  it('runs once, only for large hist trainings, and leaves models unchanged', () => {
    jest.isolateModules(() => {
      // A fresh module: this "process" has not trained yet.
      const fresh = require('./train') as typeof import('./train');
      const { syntheticRows } =
        require('./synthetic') as typeof import('./synthetic');
      const params = { tree_method: 'hist' as const, num_round: 2, seed: 3 };
      fresh.trainXGBoost(params, syntheticRows(2000, 10, 3));
      expect(fresh.trainerPrimed('reg:squarederror')).toBe(false);
      const big = syntheticRows(50_000, 10, 4);
      const first = fresh.trainXGBoost(params, big);
      expect(fresh.trainerPrimed('reg:squarederror')).toBe(true);
      expect(fresh.trainerPrimed('binary:logistic')).toBe(false);
      const again = fresh.trainXGBoost(params, big);
      expect(first.booster.toXGBoostJSONString()).toBe(
        again.booster.toXGBoostJSONString(),
      );
      // The same model as another instance of the module trains.
      expect(first.booster.toXGBoostJSONString()).toBe(
        trainXGBoost(params, big).booster.toXGBoostJSONString(),
      );
    });
  });
});
