import { mulberry32 } from '../random';
import { trainXGBoost } from '../xgboost/train';
import {
  BinaryEvaluationPlots,
  MulticlassEvaluationPlots,
  taskEvaluationPlots,
} from './classificationPlots';

function data(rows: number, k: number, seed: number) {
  const rng = mulberry32(seed);
  const x = new Float32Array(rows * 2).map(() => rng() * 2 - 1);
  const y = Float32Array.from({ length: rows }, (_, r) => {
    const s = x[2 * r] + 0.6 * (rng() - 0.5);
    return Math.min(k - 1, Math.max(0, Math.floor(((s + 1) / 2) * k)));
  });
  return { rows, cols: 2, data: x, labels: y };
}

describe('binary evaluation plots', () => {
  const m = data(300, 2, 1);
  const model = trainXGBoost(
    { objective: 'binary:logistic', num_round: 8, max_depth: 2 },
    m,
  ).booster;
  const plots = taskEvaluationPlots('binary', {
    actual: m.labels,
    predicted: model.predict(m),
    classes: ['no', 'yes'],
    model,
    featureNames: ['a', 'b'],
    maxPoints: 50,
  }) as BinaryEvaluationPlots;

  it('has ROC and PR curves from end to end, thinned to maxPoints', () => {
    expect(plots.task).toBe('binary');
    expect(plots.version).toBe(2);
    const roc = plots.rocCurve.points;
    expect(roc.length).toBeLessThanOrEqual(50);
    expect(roc[0]).toEqual({ falsePositiveRate: 0, truePositiveRate: 0 });
    expect(roc[roc.length - 1]).toMatchObject({
      falsePositiveRate: 1,
      truePositiveRate: 1,
    });
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i].falsePositiveRate).toBeGreaterThanOrEqual(
        roc[i - 1].falsePositiveRate,
      );
      expect(roc[i].threshold!).toBeLessThan(roc[i - 1].threshold ?? Infinity);
    }
    expect(plots.rocCurve.auc).toBeGreaterThan(0.85);
    const pr = plots.precisionRecallCurve.points;
    expect(pr[0]).toEqual({ recall: 0, precision: 1 });
    expect(pr[pr.length - 1].recall).toBe(1);
    expect(plots.precisionRecallCurve.averagePrecision).toBeGreaterThan(0.8);
  });

  it('confusion matrix at 0.5 and calibration bins add up to the rows', () => {
    const c = plots.confusionMatrix;
    expect(c.labels).toEqual(['no', 'yes']);
    expect(c.threshold).toBe(0.5);
    expect(c.counts.flat().reduce((a, b) => a + b, 0)).toBe(300);
    const positives = Array.from(m.labels).filter(v => v === 1).length;
    expect(c.counts[1][0] + c.counts[1][1]).toBe(positives);
    const bins = plots.calibration.bins;
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(300);
    for (const b of bins) {
      expect(b.meanPredicted).toBeGreaterThanOrEqual(b.lower);
      expect(b.meanPredicted).toBeLessThanOrEqual(b.upper);
      expect(b.fractionPositive).toBeGreaterThanOrEqual(0);
      expect(b.fractionPositive).toBeLessThanOrEqual(1);
    }
    expect(plots.featureImportance.features[0].feature).toBe('a');
  });

  it('refuses probabilities outside [0, 1] and a missing class list', () => {
    expect(() =>
      taskEvaluationPlots('binary', {
        actual: [0, 1],
        predicted: [0.2, 1.5],
        classes: ['no', 'yes'],
        model,
      }),
    ).toThrow(/probability of row 2 is 1.5/);
    expect(() =>
      taskEvaluationPlots('multiclass', { actual: [0], predicted: [1], model }),
    ).toThrow(/needs classes/);
  });
});

describe('multiclass evaluation plots', () => {
  it('confusion matrix and per-class metrics in class order', () => {
    const m = data(300, 3, 2);
    const model = trainXGBoost(
      { objective: 'multi:softprob', num_class: 3, num_round: 8, max_depth: 2 },
      m,
    ).booster;
    const plots = taskEvaluationPlots('multiclass', {
      actual: m.labels,
      predicted: model.predict(m),
      classes: ['x', 'y', 'z'],
      model,
    }) as MulticlassEvaluationPlots;
    expect(plots.task).toBe('multiclass');
    expect(plots.confusionMatrix.counts).toHaveLength(3);
    expect(plots.confusionMatrix.counts.flat().reduce((a, b) => a + b, 0)).toBe(
      300,
    );
    expect(plots.perClass.map(c => c.label)).toEqual(['x', 'y', 'z']);
    expect(plots.perClass.reduce((a, c) => a + c.support, 0)).toBe(300);
    plots.perClass.forEach((c, k) => {
      const row = plots.confusionMatrix.counts[k];
      expect(c.support).toBe(row[0] + row[1] + row[2]);
      expect(c.recall).toBeCloseTo(row[k] / c.support, 12);
    });
    expect(plots.featureImportance.features[0].feature).toBe('f0');
  });

  it('regression keeps the version-1 plots', () => {
    const m = data(100, 5, 3);
    const model = trainXGBoost({ num_round: 3 }, m).booster;
    const plots: any = taskEvaluationPlots('regression', {
      actual: m.labels,
      predicted: model.predict(m),
      model,
    });
    expect(plots.version).toBe(1);
    expect(plots.task).toBeUndefined();
    expect(plots.predictedVsActual.total).toBe(100);
  });
});
