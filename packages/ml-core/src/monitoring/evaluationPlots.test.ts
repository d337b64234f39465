import model from '../__fixtures__/xgboost-model.json';
import reference from '../__fixtures__/xgboost-importance.json';
import { Booster } from '../xgboost/booster';
import { ROOT_PARENT, TreeArrays } from '../xgboost/tree';
import { evaluationPlots, featureImportance } from './evaluationPlots';

/** A tree from per-node [left, right, feature, lossChange] rows (leaves: left = -1). */
function tree(nodes: Array<[number, number, number, number]>): TreeArrays {
  const n = nodes.length;
  const parent = new Int32Array(n).fill(ROOT_PARENT);
  nodes.forEach(([l, r], i) => {
    if (l !== -1) parent[l] = parent[r] = i;
  });
  return {
    left: Int32Array.from(nodes, x => x[0]),
    right: Int32Array.from(nodes, x => x[1]),
    parent,
    feature: Int32Array.from(nodes, x => x[2]),
    condition: new Float32Array(n),
    defaultLeft: new Uint8Array(n),
    baseWeight: new Float32Array(n),
    lossChange: Float32Array.from(nodes, x => x[3]),
    sumHessian: new Float32Array(n).fill(1),
  };
}

// Tree 0: root splits f0 (gain 10), its left child splits f1 (gain 4).
// Node 5 is a leftover of pruning (unreachable) and must not count.
// Tree 1: one split on f0 with gain 2.
const tiny = new Booster({
  trees: [
    tree([
      [1, 2, 0, 10],
      [3, 4, 1, 4],
      [-1, -1, 0, 0],
      [-1, -1, 0, 0],
      [-1, -1, 0, 0],
      [-1, -1, 2, 100],
    ]),
    tree([
      [1, 2, 0, 2],
      [-1, -1, 0, 0],
      [-1, -1, 0, 0],
    ]),
  ],
  baseScore: 0.5,
  numFeature: 3,
});

describe('featureImportance', () => {
  it('averages and sums the loss changes of reachable splits (hand-computed)', () => {
    expect(featureImportance(tiny, ['length', 'diameter', 'height'])).toEqual([
      { feature: 'length', gain: 6, totalGain: 12, weight: 2 },
      { feature: 'diameter', gain: 4, totalGain: 4, weight: 1 },
    ]);
    expect(featureImportance(tiny).map(f => f.feature)).toEqual(['f0', 'f1']);
  });

  it("matches real XGBoost 1.7.4's get_score on a model it trained", () => {
    const booster = Booster.fromXGBoostJSON(model);
    const ours = featureImportance(booster);
    expect(ours.map(f => f.feature).sort()).toEqual(
      Object.keys(reference.gain).sort(),
    );
    for (const f of ours) {
      const key = f.feature as keyof typeof reference.gain;
      // XGBoost sums in float32; we sum in float64.
      expect(f.gain).toBeCloseTo(reference.gain[key], 3);
      expect(f.totalGain).toBeCloseTo(reference.total_gain[key], 2);
      expect(f.weight).toBe(reference.weight[key]);
    }
  });

  it('names the problem when feature names are too few', () => {
    expect(() => featureImportance(tiny, ['length'])).toThrow(
      /split on feature 1 but only 1 feature names/,
    );
  });
});

describe('evaluationPlots', () => {
  const n = 1234;
  const actual = Float64Array.from({ length: n }, (_, i) => 5 + (i % 17));
  const predicted = Float64Array.from(actual, (a, i) => a + ((i % 7) - 3));

  it('downsamples the points evenly and bins every residual', () => {
    const plots = evaluationPlots({
      actual,
      predicted,
      model: tiny,
      maxPoints: 100,
      residualBins: 7,
    });
    expect(plots.format).toBe('mlops-portal/evaluation-plots');
    expect(plots.predictedVsActual.total).toBe(n);
    expect(plots.predictedVsActual.points).toHaveLength(100);
    expect(plots.predictedVsActual.points[1]).toEqual({
      actual: actual[12],
      predicted: predicted[12],
    });
    const bins = plots.residualHistogram.bins;
    expect(bins).toHaveLength(7);
    expect(bins[0].lower).toBe(-3);
    expect(bins[6].upper).toBe(3);
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(n);
    // residual = actual − predicted = 3 − (i mod 7): each value is one bin
    const zeroBin = bins.find(b => b.lower <= 0 && b.upper > 0)!;
    expect(zeroBin.count).toBe(actual.filter((_, i) => i % 7 === 3).length);
    expect(plots.featureImportance.features[0].feature).toBe('f0');
  });

  it('keeps every point when there are few rows; one bin for equal residuals', () => {
    const plots = evaluationPlots({
      actual: [1, 2, 3],
      predicted: [0, 1, 2],
      model: tiny,
    });
    expect(plots.predictedVsActual.points).toHaveLength(3);
    expect(plots.residualHistogram.bins).toEqual([
      { lower: 1, upper: 1, count: 3 },
    ]);
  });

  it('rejects mismatched, empty or non-finite input with the reason', () => {
    expect(() =>
      evaluationPlots({ actual: [1, 2], predicted: [1], model: tiny }),
    ).toThrow(/2 actual values but 1 predictions/);
    expect(() =>
      evaluationPlots({ actual: [], predicted: [], model: tiny }),
    ).toThrow(/no rows/);
    expect(() =>
      evaluationPlots({ actual: [1, NaN], predicted: [1, 2], model: tiny }),
    ).toThrow(/row 2 is not a finite number/);
    expect(() =>
      evaluationPlots({
        actual: [1],
        predicted: [1],
        model: tiny,
        maxPoints: 0,
      }),
    ).toThrow(/maxPoints must be a positive integer/);
  });
});
