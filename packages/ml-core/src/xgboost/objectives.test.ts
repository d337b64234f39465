import type { LabeledMatrix } from '../preprocess';
import { mulberry32 } from '../random';
import { Booster } from './booster';
import {
  baseMargin,
  evalMetric,
  logisticGradient,
  rocAuc,
  sigmoid,
  softmaxGradient,
  softmaxRows,
} from './objectives';
import { resolveParams } from './params';
import { trainXGBoost } from './train';

const f32 = (a: number[]) => Float32Array.from(a);

function classes(rows: number, k: number, seed: number): LabeledMatrix {
  const rng = mulberry32(seed);
  const cols = 4;
  const data = new Float32Array(rows * cols).map(() => rng() * 2 - 1);
  const labels = new Float32Array(rows).map((_, r) => {
    const s = data[r * cols] + 0.5 * data[r * cols + 1] + 0.4 * rng();
    return Math.min(k - 1, Math.floor(((s + 1.7) / 3.4) * k));
  });
  return { rows, cols, data, labels };
}

describe('gradients (XGBoost 1.7)', () => {
  it('binary:logistic: p − y and max(p(1 − p), eps)', () => {
    const margin = f32([0, 2, -40, 40]);
    const grad = new Float32Array(4);
    const hess = new Float32Array(4);
    logisticGradient(margin, f32([1, 0, 0, 1]), grad, hess);
    const p2 = 1 / (1 + Math.exp(-2));
    expect(grad[0]).toBeCloseTo(-0.5, 7);
    expect(hess[0]).toBeCloseTo(0.25, 7);
    expect(grad[1]).toBeCloseTo(p2, 6);
    expect(hess[1]).toBeCloseTo(p2 * (1 - p2), 6);
    // saturated: the hessian never reaches 0
    expect(hess[2]).toBeGreaterThan(0);
    expect(hess[3]).toBeGreaterThan(0);
  });

  it('multi:softprob: softmax, p − [y = k] and 2p(1 − p)', () => {
    const margins = [f32([0, 1]), f32([0, 0]), f32([0, -1])];
    const prob = new Float32Array(6);
    softmaxRows(margins, 2, prob);
    expect(prob[0]).toBeCloseTo(1 / 3, 6);
    const e = [Math.E, 1, 1 / Math.E];
    const sum = e[0] + e[1] + e[2];
    expect(prob[3]).toBeCloseTo(e[0] / sum, 6);
    const grad = new Float32Array(2);
    const hess = new Float32Array(2);
    softmaxGradient(prob, 3, 0, f32([0, 2]), grad, hess);
    expect(grad[0]).toBeCloseTo(1 / 3 - 1, 6);
    expect(hess[0]).toBeCloseTo(2 * (1 / 3) * (2 / 3), 6);
    expect(grad[1]).toBeCloseTo(e[0] / sum, 6);
  });

  it('base_score is a probability for binary:logistic (margin = logit)', () => {
    expect(baseMargin('binary:logistic', 0.5)).toBe(0);
    expect(baseMargin('binary:logistic', 0.8)).toBeCloseTo(Math.log(4), 6);
    expect(baseMargin('multi:softprob', 0.5)).toBe(0.5);
    expect(() => baseMargin('binary:logistic', 1)).toThrow(/base_score=1/);
  });
});

describe('evaluation metrics', () => {
  it('logloss, error and auc of binary margins', () => {
    const labels = f32([1, 0, 1, 0]);
    const margins = [f32([2, -1, 0, 0.5])];
    const p = [2, -1, 0, 0.5].map(sigmoid);
    const ll =
      -(
        Math.log(p[0]) +
        Math.log(1 - p[1]) +
        Math.log(p[2]) +
        Math.log(1 - p[3])
      ) / 4;
    expect(
      evalMetric('logloss', 'binary:logistic', margins, labels),
    ).toBeCloseTo(ll, 6);
    // p > 0.5 is class 1: row 2 (p = 0.5) and row 3 are wrong
    expect(evalMetric('error', 'binary:logistic', margins, labels)).toBe(0.5);
    // pairs (pos, neg): (2,-1) ok, (2,.5) ok, (0,-1) ok, (0,.5) wrong → 3/4
    expect(evalMetric('auc', 'binary:logistic', margins, labels)).toBe(0.75);
  });

  it('auc counts ties as half and is NaN with one class', () => {
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(rocAuc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])).toBe(0.875);
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNaN();
  });

  it('mlogloss and merror of softmax margins', () => {
    const margins = [f32([0, 2]), f32([0, 0]), f32([0, 0])];
    const labels = f32([1, 0]);
    const e2 = Math.exp(2);
    const expected = -(Math.log(1 / 3) + Math.log(e2 / (e2 + 2))) / 2;
    expect(
      evalMetric('mlogloss', 'multi:softprob', margins, labels),
    ).toBeCloseTo(expected, 6);
    // row 0: a three-way tie → class 0 (first), label 1: wrong
    expect(evalMetric('merror', 'multi:softprob', margins, labels)).toBe(0.5);
  });
});

describe('classification hyperparameters', () => {
  it('defaults the eval metric by objective and refuses what does not fit', () => {
    expect(resolveParams({ objective: 'binary:logistic' }).eval_metric).toBe(
      'logloss',
    );
    expect(
      resolveParams({ objective: 'multi:softprob', num_class: 3 }).eval_metric,
    ).toBe('mlogloss');
    expect(resolveParams({}).eval_metric).toBe('rmse');
    expect(() => resolveParams({ objective: 'multi:softprob' })).toThrow(
      /num_class=0: multi:softprob needs an integer >= 2/,
    );
    expect(() =>
      resolveParams({ objective: 'binary:logistic', eval_metric: 'rmse' }),
    ).toThrow(/eval_metric=rmse: binary:logistic supports logloss, error, auc/);
    expect(() => resolveParams({ objective: 'reg:logistic' as any })).toThrow(
      /objective=reg:logistic/,
    );
  });

  it('names the row of a label the objective cannot take', () => {
    const m = classes(50, 2, 1);
    m.labels[7] = 2;
    expect(() =>
      trainXGBoost({ objective: 'binary:logistic', num_round: 1 }, m),
    ).toThrow(
      /training data: label of row 8 is 2; binary:logistic needs 0 or 1/,
    );
    const v = classes(50, 3, 2);
    v.labels[3] = 1.5;
    expect(() =>
      trainXGBoost(
        { objective: 'multi:softprob', num_class: 3, num_round: 1 },
        classes(50, 3, 3),
        v,
      ),
    ).toThrow(
      /validation data: label of row 4 is 1.5; multi:softprob needs a class index in \[0, 2\]/,
    );
  });
});

describe('training classifiers', () => {
  it.each(['exact', 'hist'] as const)(
    'multi:softprob grows num_class trees per round and early-stops on mlogloss (%s)',
    tree_method => {
      const train = classes(1500, 3, 4);
      const validation = classes(400, 3, 5);
      const r = trainXGBoost(
        {
          objective: 'multi:softprob',
          num_class: 3,
          tree_method,
          max_depth: 3,
          eta: 0.5,
          num_round: 200,
          early_stopping_rounds: 5,
        },
        train,
        validation,
      );
      expect(r.history.length).toBeLessThan(200);
      expect(r.history.length).toBe(r.bestIteration + 6);
      expect(r.booster.numTrees).toBe(3 * (r.bestIteration + 1));
      expect(r.history[0].metric).toBe('mlogloss');
      expect(r.bestScore).toBe(
        Math.min(...r.history.map(h => h.validationScore!)),
      );
      const p = r.booster.predict(validation);
      expect(p.length).toBe(3 * validation.rows);
      let correct = 0;
      for (let i = 0; i < validation.rows; i++) {
        const row = [p[3 * i], p[3 * i + 1], p[3 * i + 2]];
        expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 6);
        if (row.indexOf(Math.max(...row)) === validation.labels[i]) correct++;
      }
      expect(correct / validation.rows).toBeGreaterThan(0.8);
      // The last round's validation mlogloss is what the kept model scores.
      expect(
        evalMetric(
          'mlogloss',
          'multi:softprob',
          [0, 1, 2].map(k =>
            Float32Array.from({ length: validation.rows }, (_, i) =>
              Math.log(p[3 * i + k]),
            ),
          ),
          validation.labels,
        ),
      ).toBeCloseTo(r.bestScore!, 4);
    },
  );

  it('early stopping on auc keeps the round with the largest auc', () => {
    const r = trainXGBoost(
      {
        objective: 'binary:logistic',
        eval_metric: 'auc',
        num_round: 60,
        early_stopping_rounds: 5,
        eta: 0.5,
      },
      classes(600, 2, 6),
      classes(200, 2, 7),
    );
    const scores = r.history.map(h => h.validationScore!);
    expect(r.bestScore).toBe(Math.max(...scores));
    expect(r.bestIteration).toBe(scores.indexOf(Math.max(...scores)));
  });

  it.each([
    ['binary:logistic', 2],
    ['multi:softprob', 3],
  ] as const)(
    '%s: nthread 2 grows the same model as nthread 1',
    (objective, k) => {
      const train = classes(60000, k, 8);
      const validation = classes(5000, k, 9);
      const params = {
        objective,
        num_class: k,
        num_round: 4,
        subsample: 0.8,
        tree_method: 'hist' as const,
      };
      const one = trainXGBoost({ ...params, nthread: 1 }, train, validation);
      const two = trainXGBoost({ ...params, nthread: 2 }, train, validation);
      expect(two.booster.toXGBoostJSONString()).toBe(
        one.booster.toXGBoostJSONString(),
      );
      expect(two.history).toEqual(one.history);
    },
    60_000,
  );

  it('model.json round trips with objective, num_class and tree_info', () => {
    const m = classes(300, 3, 10);
    const r = trainXGBoost(
      { objective: 'multi:softprob', num_class: 3, num_round: 4 },
      m,
    );
    const json = JSON.parse(r.booster.toXGBoostJSONString());
    expect(json.learner.objective).toEqual({
      name: 'multi:softprob',
      softmax_multiclass_param: { num_class: '3' },
    });
    expect(json.learner.learner_model_param.num_class).toBe('3');
    expect(json.learner.gradient_booster.model.tree_info).toEqual([
      0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2,
    ]);
    const back = Booster.fromXGBoostJSON(json);
    expect(back.numClass).toBe(3);
    expect(Array.from(back.predict(m))).toEqual(
      Array.from(r.booster.predict(m)),
    );
    const binary = trainXGBoost(
      { objective: 'binary:logistic', num_round: 3, base_score: 0.2 },
      classes(300, 2, 11),
    );
    const bj = JSON.parse(binary.booster.toXGBoostJSONString());
    expect(bj.learner.objective.name).toBe('binary:logistic');
    expect(bj.learner.learner_model_param.base_score).toBe('0.2');
    const margins = Booster.fromXGBoostJSON(bj).predictMargin(m);
    const probs = binary.booster.predict(m);
    expect(sigmoid(margins[0])).toBeCloseTo(probs[0], 7);
  });

  it('refuses a multiclass model whose trees are not grouped by class', () => {
    const r = trainXGBoost(
      { objective: 'multi:softprob', num_class: 3, num_round: 1 },
      classes(100, 3, 12),
    );
    const json: any = JSON.parse(r.booster.toXGBoostJSONString());
    json.learner.gradient_booster.model.tree_info = [0, 0, 1];
    expect(() => Booster.fromXGBoostJSON(json)).toThrow(/tree_info/);
  });
});
