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
