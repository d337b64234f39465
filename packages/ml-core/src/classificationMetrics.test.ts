import { averagePrecision } from './classificationMetrics';
import { reportMetricValue, TASK_METRICS, taskMetrics } from './metrics';
import { mulberry32 } from './random';

describe('binary classification metrics', () => {
  // labels 1,1,0,0,1,0 ; probabilities: at 0.5 → predicted 1,0,1,0,1,0
  const labels = [1, 1, 0, 0, 1, 0];
  const probs = [0.9, 0.4, 0.6, 0.2, 0.5, 0.1];
  const report: any = taskMetrics('binary', labels, probs, [
    'benign',
    'malignant',
  ]);
  const m = report.binary_classification_metrics;

  it('counts at threshold 0.5, keyed actual → predicted by class label', () => {
    expect(m.confusion_matrix).toEqual({
      benign: { benign: 2, malignant: 1 },
      malignant: { benign: 1, malignant: 2 },
    });
    expect(m.accuracy.value).toBeCloseTo(4 / 6, 12);
    expect(m.precision.value).toBeCloseTo(2 / 3, 12);
    expect(m.recall.value).toBeCloseTo(2 / 3, 12);
    expect(m.f1.value).toBeCloseTo(2 / 3, 12);
    expect(m.false_positive_rate.value).toBeCloseTo(1 / 3, 12);
    expect(m.true_negative_rate.value).toBeCloseTo(2 / 3, 12);
    // F-beta with P = R = 2/3 is 2/3 for every beta
    expect(m.f0_5.value).toBeCloseTo(2 / 3, 12);
    expect(m.f2.value).toBeCloseTo(2 / 3, 12);
    // Model Monitor's constant baseline always says "positive"
    expect(m.accuracy_best_constant_classifier.value).toBe(0.5);
    expect(m.precision_best_constant_classifier.value).toBe(0.5);
    expect(m.recall_best_constant_classifier.value).toBe(1);
    expect(m.f1_best_constant_classifier.value).toBeCloseTo(2 / 3, 12);
    // F2 = 5PR / (4P + R) = 2.5 / 3
    expect(m.f2_best_constant_classifier.value).toBeCloseTo(2.5 / 3, 12);
  });

  it("writes Model Monitor's ROC and precision-recall curve arrays", () => {
    const roc = m.receiver_operating_characteristic_curve;
    expect(roc.false_positive_rates[0]).toBe(0);
    expect(roc.true_positive_rates[0]).toBe(0);
    expect(roc.false_positive_rates.at(-1)).toBe(1);
    expect(roc.true_positive_rates.at(-1)).toBe(1);
    // 6 distinct scores → 7 points; at 0.9 one positive, at 0.6 one negative
    expect(roc.true_positive_rates.slice(0, 3)).toEqual([0, 1 / 3, 1 / 3]);
    expect(roc.false_positive_rates.slice(0, 3)).toEqual([0, 0, 1 / 3]);
    const pr = m.precision_recall_curve;
    expect(pr.precisions.slice(0, 3)).toEqual([1, 1, 0.5]);
    expect(pr.recalls.at(-1)).toBe(1);
  });

  it('ranks: ROC AUC, PR AUC (average precision) and log loss', () => {
    // positives .9,.4,.5 vs negatives .6,.2,.1: 7 of 9 pairs ordered
    expect(m.auc.value).toBeCloseTo(7 / 9, 12);
    // ranked .9+ .6- .5+ .4+ ...: AP = (1·1 + 1·2/3 + 1·3/4)/3 (scikit-learn: 0.8055…)
    expect(m.pr_auc.value).toBeCloseTo((1 + 2 / 3 + 3 / 4) / 3, 12);
    const ll =
      -(
        Math.log(0.9) +
        Math.log(0.4) +
        Math.log(0.4) +
        Math.log(0.8) +
        Math.log(0.5) +
        Math.log(0.9)
      ) / 6;
    expect(m.logloss.value).toBeCloseTo(ll, 12);
  });

  it('writes "NaN" standard deviations below 200 rows, numbers from 200 on', () => {
    expect(m.auc.standard_deviation).toBe('NaN');
    const rng = mulberry32(1);
    const y = Array.from({ length: 400 }, () => (rng() < 0.4 ? 1 : 0));
    const p = y.map(v => Math.min(1, Math.max(0, 0.3 * v + 0.7 * rng())));
    const big: any = taskMetrics('binary', y, p, ['no', 'yes']);
    const sd = big.binary_classification_metrics.auc.standard_deviation;
    expect(typeof sd).toBe('number');
    expect(sd).toBeGreaterThan(0);
    expect(sd).toBeLessThan(0.05);
    // deterministic
    expect(
      (taskMetrics('binary', y, p, ['no', 'yes']) as any)
        .binary_classification_metrics.auc,
    ).toEqual(big.binary_classification_metrics.auc);
  });

  it('average precision handles tied scores as one threshold', () => {
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  it('refuses labels that are not class indices and mismatched lengths', () => {
    expect(() => taskMetrics('binary', [0, 2], [0.1, 0.2], ['a', 'b'])).toThrow(
      /label of row 2 is 2/,
    );
    expect(() => taskMetrics('binary', [0, 1], [0.1], ['a', 'b'])).toThrow(
      /2 labels need 2 probabilities, got 1/,
    );
    expect(() => taskMetrics('binary', [0, 1], [0.1, 0.2])).toThrow(
      /needs classes/,
    );
  });
});

describe('multiclass classification metrics', () => {
  // 3 classes, rows: (label, argmax) = (0,0) (0,1) (1,1) (2,2) (2,1) (2,2)
  const labels = [0, 0, 1, 2, 2, 2];
  const probs = [
    [0.7, 0.2, 0.1],
    [0.3, 0.6, 0.1],
    [0.1, 0.8, 0.1],
    [0.1, 0.1, 0.8],
    [0.2, 0.5, 0.3],
    [0.0, 0.4, 0.6],
  ].flat();
  const classes = ['Adelie', 'Chinstrap', 'Gentoo'];
  const m = (taskMetrics('multiclass', labels, probs, classes) as any)
    .multiclass_classification_metrics;

  it('confusion matrix, accuracy, per-class and averaged F1', () => {
    expect(m.confusion_matrix).toEqual({
      Adelie: { Adelie: 1, Chinstrap: 1, Gentoo: 0 },
      Chinstrap: { Adelie: 0, Chinstrap: 1, Gentoo: 0 },
      Gentoo: { Adelie: 0, Chinstrap: 1, Gentoo: 2 },
    });
    expect(m.accuracy.value).toBeCloseTo(4 / 6, 12);
    // Adelie p=1 r=.5 f1=2/3; Chinstrap p=1/3 r=1 f1=.5; Gentoo p=1 r=2/3 f1=.8
    expect(m.per_class.Adelie.f1.value).toBeCloseTo(2 / 3, 12);
    expect(m.per_class.Chinstrap.precision.value).toBeCloseTo(1 / 3, 12);
    expect(m.per_class.Chinstrap.f1.value).toBeCloseTo(0.5, 12);
    expect(m.per_class.Gentoo.recall.value).toBeCloseTo(2 / 3, 12);
    expect(m.per_class.Gentoo.support.value).toBe(3);
    expect(m.macro_f1.value).toBeCloseTo((2 / 3 + 0.5 + 0.8) / 3, 12);
    expect(m.weighted_f1.value).toBeCloseTo(
      (2 * (2 / 3) + 0.5 + 3 * 0.8) / 6,
      12,
    );
    expect(m.weighted_recall.value).toBeCloseTo(4 / 6, 12);
    // F-beta = (1 + b²)PR / (b²P + R) per class, weighted by support 2, 1, 3
    const fb = (p: number, r: number, b: number) =>
      ((1 + b * b) * p * r) / (b * b * p + r);
    const pr: Array<[number, number, number]> = [
      [1, 0.5, 2],
      [1 / 3, 1, 1],
      [1, 2 / 3, 3],
    ];
    for (const [key, b] of [
      ['weighted_f0_5', 0.5],
      ['weighted_f2', 2],
    ] as const) {
      const expected = pr.reduce((s, [p, r, w]) => s + w * fb(p, r, b), 0) / 6;
      expect(m[key].value).toBeCloseTo(expected, 12);
    }
    // The constant baseline always says "Gentoo" (3 of 6 rows)
    expect(m.accuracy_best_constant_classifier.value).toBe(0.5);
    expect(m.weighted_precision_best_constant_classifier.value).toBe(0.25);
    expect(m.weighted_recall_best_constant_classifier.value).toBe(0.5);
    expect(m.weighted_f1_best_constant_classifier.value).toBeCloseTo(
      0.5 * (2 / 3),
      12,
    );
  });

  it('log loss of the true class, clipped at eps', () => {
    const ll =
      -(
        Math.log(0.7) +
        Math.log(0.3) +
        Math.log(0.8) +
        Math.log(0.8) +
        Math.log(0.3) +
        Math.log(0.6)
      ) / 6;
    expect(m.logloss.value).toBeCloseTo(ll, 12);
    const zero: any = taskMetrics('multiclass', [0], [0, 1, 0], classes);
    expect(zero.multiclass_classification_metrics.logloss.value).toBeCloseTo(
      -Math.log(1e-16),
      6,
    );
  });
});

describe('TASK_METRICS and reportMetricValue', () => {
  it('names metrics that each task report has', () => {
    const reports = {
      regression: taskMetrics('regression', [1, 2, 3], [1, 2, 4]),
      binary: taskMetrics('binary', [0, 1], [0.2, 0.7], ['a', 'b']),
      multiclass: taskMetrics(
        'multiclass',
        [0, 1],
        [0.9, 0.1, 0.3, 0.7],
        ['a', 'b'],
      ),
    };
    for (const [task, info] of Object.entries(TASK_METRICS)) {
      const report = reports[task as keyof typeof reports];
      expect(Object.keys(report)).toEqual([info.section]);
      for (const metric of info.metrics) {
        expect(typeof reportMetricValue(report, metric.name)).toBe('number');
      }
    }
    expect(reportMetricValue(reports.binary, 'auc')).toBe(1);
    expect(reportMetricValue(reports.binary, 'mse')).toBeUndefined();
  });
});
