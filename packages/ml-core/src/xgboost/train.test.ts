import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { parseAbaloneCsv } from '../csv';
import { regressionMetrics } from '../metrics';
import { LabeledMatrix, Matrix, preprocess } from '../preprocess';
import { mulberry32 } from '../random';
import { Booster, formatFloat32, stringifyXGBoostJSON } from './booster';
import { REFERENCE_HYPERPARAMETERS } from './params';
import { calcGain, calcWeight, splitGain, thresholdL1 } from './split';
import { trainXGBoost } from './train';

function matrix(rows: number[][], labels?: number[]): LabeledMatrix {
  const cols = rows[0].length;
  return {
    data: Float32Array.from(rows.flat()),
    rows: rows.length,
    cols,
    labels: Float32Array.from(labels ?? rows.map(() => 0)),
  };
}

function randomData(n: number, cols: number, seed: number): LabeledMatrix {
  const rng = mulberry32(seed);
  const rows = Array.from({ length: n }, () =>
    Array.from({ length: cols }, () => rng() * 2 - 1),
  );
  const labels = rows.map(r => 3 * r[0] - 2 * r[1] * r[1] + (rng() - 0.5));
  return matrix(rows, labels);
}

const P = { lambda: 1, alpha: 0, min_child_weight: 1 };

describe('split arithmetic', () => {
  it('matches XGBoost formulas on hand-checkable sums', () => {
    expect(calcWeight(P, -8, 4)).toBeCloseTo(8 / 5, 12);
    expect(calcGain(P, -8, 4)).toBeCloseTo(64 / 5, 12);
    // x = 1,2,3,4, y = 1,1,3,3, base 0 → g = -y, h = 1; split at 2.5
    expect(splitGain(P, -2, 2, -8, 4)).toBeCloseTo(4 / 3 + 12 - 12.8, 12);
    expect(thresholdL1(-8, 1)).toBe(-7);
    expect(thresholdL1(0.5, 1)).toBe(0);
    expect(calcWeight({ ...P, alpha: 1 }, -8, 4)).toBeCloseTo(7 / 5, 12);
    // below min_child_weight a node has no weight and no gain
    expect(calcWeight({ ...P, min_child_weight: 5 }, -8, 4)).toBe(0);
    expect(calcGain({ ...P, min_child_weight: 5 }, -8, 4)).toBe(0);
  });

  it.each(['exact', 'hist'] as const)(
    'grows the hand-computed stump (%s)',
    tree_method => {
      const data = matrix([[1], [2], [3], [4]], [1, 1, 3, 3]);
      const r = trainXGBoost(
        { max_depth: 1, eta: 0.3, base_score: 0, num_round: 1, tree_method },
        data,
      );
      const json = r.booster.toXGBoostJSON() as any;
      const tree = json.learner.gradient_booster.model.trees[0];
      expect(tree.left_children).toEqual([1, -1, -1]);
      expect(tree.split_indices[0]).toBe(0);
      // exact splits between the values, hist at the next cut: same partition
      expect(tree.split_conditions[0]).toBe(tree_method === 'exact' ? 2.5 : 3);
      expect(tree.loss_changes[0]).toBeCloseTo(4 / 3 + 12 - 12.8, 5);
      expect(tree.sum_hessian).toEqual([4, 2, 2]);
      expect(tree.base_weights[1]).toBeCloseTo(2 / 3, 6);
      expect(tree.split_conditions[1]).toBeCloseTo(0.2, 6);
      expect(tree.split_conditions[2]).toBeCloseTo(0.6, 6);
      expect(Array.from(r.booster.predict(data))).toEqual(
        [0.2, 0.2, 0.6, 0.6].map(Math.fround),
      );
    },
  );

  it.each(['exact', 'hist'] as const)(
    'gamma removes splits whose loss change is smaller (%s)',
    tree_method => {
      const data = matrix([[1], [2], [3], [4]], [1, 1, 3, 3]);
      const r = trainXGBoost(
        {
          max_depth: 3,
          eta: 0.3,
          base_score: 0,
          num_round: 1,
          gamma: 1,
          tree_method,
        },
        data,
      );
      const tree = (r.booster.toXGBoostJSON() as any).learner.gradient_booster
        .model.trees[0];
      expect(tree.left_children).toEqual([-1]);
      expect(tree.split_conditions[0]).toBeCloseTo(0.3 * 1.6, 6);
    },
  );
});

describe('trainXGBoost', () => {
  it('is deterministic for a seed and depends on it when sampling', () => {
    const data = randomData(400, 4, 1);
    const params = {
      ...REFERENCE_HYPERPARAMETERS,
      colsample_bytree: 0.75,
      num_round: 10,
    };
    const a = trainXGBoost(
      { ...params, seed: 5 },
      data,
    ).booster.toXGBoostJSONString();
    const b = trainXGBoost(
      { ...params, seed: 5 },
      data,
    ).booster.toXGBoostJSONString();
    const c = trainXGBoost(
      { ...params, seed: 6 },
      data,
    ).booster.toXGBoostJSONString();
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it.each(['exact', 'hist'] as const)('fits a signal (%s)', tree_method => {
    const train = randomData(2000, 3, 2);
    const test = randomData(500, 3, 3);
    const r = trainXGBoost(
      { max_depth: 4, eta: 0.3, num_round: 40, tree_method },
      train,
    );
    const m = regressionMetrics(test.labels, r.booster.predict(test));
    expect(r.treeMethod).toBe(tree_method);
    expect(m.r2).toBeGreaterThan(0.9);
  });

  it('stops early and keeps the best iteration', () => {
    // Pure-noise labels: validation error soon stops improving.
    const rng = mulberry32(9);
    const noisy = (n: number) =>
      matrix(
        Array.from({ length: n }, () => [rng(), rng()]),
        Array.from({ length: n }, () => rng()),
      );
    const train = noisy(300);
    const valid = noisy(300);
    const r = trainXGBoost(
      {
        max_depth: 6,
        eta: 0.5,
        min_child_weight: 0,
        base_score: 0.5,
        num_round: 200,
        early_stopping_rounds: 5,
      },
      train,
      valid,
    );
    const val = r.history.map(h => h.validationRmse!);
    const best = val.indexOf(Math.min(...val));
    expect(r.bestIteration).toBe(best);
    expect(r.bestScore).toBe(val[best]);
    expect(r.history).toHaveLength(best + 1 + 5);
    expect(r.booster.numTrees).toBe(best + 1);
    // the kept model scores exactly the best validation RMSE
    const m = regressionMetrics(valid.labels, r.booster.predict(valid));
    expect(m.rmse).toBeCloseTo(r.bestScore!, 5);
    expect(r.booster.attributes.best_iteration).toBe(String(best));
  });

  it('reports progress and validates hyperparameters', () => {
    const data = randomData(50, 2, 4);
    const seen: number[] = [];
    trainXGBoost({ num_round: 3 }, data, data, {
      onIteration: i => seen.push(i.iteration),
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(() => trainXGBoost({ eta: 0 }, data)).toThrow(/eta/);
    expect(() => trainXGBoost({ subsample: 1.5 }, data)).toThrow(/subsample/);
    expect(() => trainXGBoost({ max_depth: 2.5 }, data)).toThrow(/max_depth/);
    const bad = {
      ...data,
      labels: Float32Array.from(data.labels, (v, i) => (i === 3 ? NaN : v)),
    };
    expect(() => trainXGBoost({}, bad)).toThrow(/row 4/);
  });

  it.each(['exact', 'hist'] as const)(
    'learns a default direction for missing values (%s)',
    tree_method => {
      // Missing x means a high label; present values are all low.
      const rows: number[][] = [];
      const labels: number[] = [];
      for (let i = 0; i < 200; i++) {
        const missing = i % 4 === 0;
        rows.push([missing ? NaN : i / 200]);
        labels.push(missing ? 10 : 1 + (i % 3) * 0.01);
      }
      const data = matrix(rows, labels);
      const r = trainXGBoost(
        { max_depth: 2, eta: 1, num_round: 3, tree_method },
        data,
      );
      const pred = r.booster.predict(matrix([[NaN], [0.5], [0.01]]));
      expect(pred[0]).toBeCloseTo(10, 1);
      expect(pred[1]).toBeCloseTo(1, 1);
      expect(pred[2]).toBeCloseTo(1, 1);
      // the root split separates missing from present through default_left
      const t = (r.booster.toXGBoostJSON() as any).learner.gradient_booster
        .model.trees[0];
      const missingChild = t.default_left[0]
        ? t.left_children[0]
        : t.right_children[0];
      const presentChild =
        t.split_conditions[0] > 0.5 ? t.left_children[0] : t.right_children[0];
      expect(missingChild).not.toBe(presentChild);
    },
  );

  /** Random rows with a third of column 1 missing. */
  function withMissing(n: number, seed: number): LabeledMatrix {
    const m = randomData(n, 6, seed);
    for (let r = 0; r < n; r += 3) m.data[r * m.cols + 1] = NaN;
    return m;
  }

  it('updates training predictions from the row partition exactly as the trees predict (hist, subsample)', () => {
    const data = withMissing(3000, 8);
    const r = trainXGBoost(
      { tree_method: 'hist', subsample: 0.6, max_depth: 4, num_round: 6 },
      data,
    );
    expect(r.booster.trees).toHaveLength(6);
    const rmse = regressionMetrics(data.labels, r.booster.predict(data)).rmse;
    expect(r.history[5].trainRmse).toBeCloseTo(rmse, 10);
  });

  it('follows the validation rows through each tree exactly as walking the tree would, values beyond the training range included', () => {
    const data = withMissing(60000, 11);
    const validation = withMissing(20000, 12);
    const { cols } = data;
    for (let r = 0; r < validation.rows; r++) {
      const at = r * cols + (r % cols);
      if (r % 7 === 0) validation.data[at] = -1e6; // below every training value
      else if (r % 7 === 1) validation.data[at] = 1e6; // above the last cut
      else if (r % 7 === 2)
        // exactly a training value: cut points are training values
        validation.data[at] = data.data[(r % data.rows) * cols + (r % cols)];
    }
    const params = {
      ...REFERENCE_HYPERPARAMETERS,
      tree_method: 'hist' as const,
      num_round: 10,
      early_stopping_rounds: undefined,
    };
    // nthread 1: the validation rows follow the splits (a row set); with
    // helpers (nthread 2) every tree is walked for every validation row.
    const one = trainXGBoost({ ...params, nthread: 1 }, data, validation);
    const two = trainXGBoost({ ...params, nthread: 2 }, data, validation);
    expect(one.booster.toXGBoostJSONString()).toBe(
      two.booster.toXGBoostJSONString(),
    );
    expect(one.history.map(h => h.validationScore)).toEqual(
      two.history.map(h => h.validationScore),
    );
    // And the last round's score is the RMSE of the model's own predictions.
    expect(one.history[9].validationScore).toBeCloseTo(
      regressionMetrics(validation.labels, one.booster.predict(validation))
        .rmse,
      5,
    );
  });

  it('grows the same model with histogram worker threads (nthread 2)', () => {
    const data = withMissing(60000, 9);
    // The last columns (a worker's share) carry signal too.
    for (let r = 0; r < data.rows; r++) {
      data.labels[r] += 4 * data.data[r * data.cols + 5];
    }
    const params = {
      ...REFERENCE_HYPERPARAMETERS,
      tree_method: 'hist' as const,
      num_round: 8,
    };
    const validation = withMissing(20000, 10);
    const one = trainXGBoost({ ...params, nthread: 1 }, data, validation);
    const two = trainXGBoost({ ...params, nthread: 2 }, data, validation);
    expect(two.booster.trees[0].left.length).toBeGreaterThan(7);
    expect(two.booster.toXGBoostJSONString()).toBe(
      one.booster.toXGBoostJSONString(),
    );
    // The helpers also partition rows and add leaf values to the training
    // predictions: the RMSE of every round (from those predictions) matches.
    expect(two.history).toEqual(one.history);
    const last = two.booster.trees.length - 1;
    expect(two.history[last].trainRmse).toBeCloseTo(
      regressionMetrics(data.labels, two.booster.predict(data)).rmse,
      10,
    );
    expect(Array.from(two.booster.predict(validation))).toEqual(
      Array.from(one.booster.predict(validation)),
    );
    expect(() => trainXGBoost({ nthread: 0 }, data)).toThrow(/nthread/);
  });
});

describe('model.json', () => {
  it('round-trips through the XGBoost JSON schema with identical predictions', () => {
    const data = randomData(300, 3, 11);
    data.data[5] = NaN;
    const r = trainXGBoost(
      { ...REFERENCE_HYPERPARAMETERS, num_round: 8 },
      data,
    );
    const text = r.booster.toXGBoostJSONString();
    const json = JSON.parse(text);
    expect(json.learner.objective.name).toBe('reg:squarederror');
    expect(json.learner.learner_model_param.base_score).toBe('0.5');
    expect(
      json.learner.gradient_booster.model.gbtree_model_param.num_trees,
    ).toBe('8');
    const tree = json.learner.gradient_booster.model.trees[0];
    expect(tree.parents[0]).toBe(2147483647);
    // XGBoost only accepts float literals in float arrays
    expect(text).toMatch(/"sum_hessian":\[\d+\.\d/);
    expect(text).not.toMatch(/"loss_changes":\[[^\]]*[\[,]0[,\]]/);
    const back = Booster.fromXGBoostJSON(json);
    expect(Array.from(back.predict(data))).toEqual(
      Array.from(r.booster.predict(data)),
    );
    expect(stringifyXGBoostJSON(back.toXGBoostJSON())).toBe(text);
  });

  it('formats float32 values with their shortest round-tripping text', () => {
    expect(formatFloat32(100)).toBe('100.0');
    expect(formatFloat32(0.2)).toBe('0.2');
    expect(formatFloat32(1e-7)).toBe('1e-7');
    expect(Math.fround(Number(formatFloat32(Math.PI)))).toBe(
      Math.fround(Math.PI),
    );
  });

  it('loads a model trained by real XGBoost and predicts what XGBoost predicted', () => {
    const dir = resolve(__dirname, '../__fixtures__');
    const model = JSON.parse(readFileSync(`${dir}/xgboost-model.json`, 'utf8'));
    const expected = JSON.parse(
      readFileSync(`${dir}/xgboost-predictions.json`, 'utf8'),
    );
    const booster = Booster.fromXGBoostJSON(model);
    expect(booster.numTrees).toBe(expected.num_boost_round);
    const inputs: Array<Array<number | null>> = expected.inputs;
    const m: Matrix = {
      data: Float32Array.from(inputs.flat(), v => (v === null ? NaN : v)),
      rows: inputs.length,
      cols: inputs[0].length,
    };
    const pred = booster.predict(m);
    expected.predictions.forEach((p: number, i: number) => {
      expect(Math.abs(pred[i] - p)).toBeLessThan(1e-5);
    });
    // and writes it back in a form that reloads to the same scores
    const again = Booster.fromXGBoostJSON(
      JSON.parse(booster.toXGBoostJSONString()),
    );
    expect(Array.from(again.predict(m))).toEqual(Array.from(pred));
  });

  it('rejects models it cannot score', () => {
    expect(() => Booster.fromXGBoostJSON({})).toThrow(/learner/);
    const model = JSON.parse(
      readFileSync(
        resolve(__dirname, '../__fixtures__/xgboost-model.json'),
        'utf8',
      ),
    );
    model.learner.objective.name = 'binary:logistic';
    expect(() => Booster.fromXGBoostJSON(model)).toThrow(/binary:logistic/);
  });
});

const ABALONE = resolve(
  __dirname,
  '../../../demo-systems/abalone/abalone.data',
);
(existsSync(ABALONE) ? describe : describe.skip)(
  'on the Abalone data set',
  () => {
    it('trains the reference pipeline to a sensible test MSE', () => {
      const parsed = parseAbaloneCsv(readFileSync(ABALONE, 'utf8'));
      expect(parsed.records).toHaveLength(4177);
      const pre = preprocess(parsed.records, { seed: 0 });
      const r = trainXGBoost(
        { ...REFERENCE_HYPERPARAMETERS, seed: 0 },
        pre.train,
        pre.validation,
      );
      const m = regressionMetrics(pre.test.labels, r.booster.predict(pre.test));
      expect(m.mse).toBeGreaterThan(3);
      expect(m.mse).toBeLessThan(6);
      expect(m.r2).toBeGreaterThan(0.4);
    });
  },
);
