import {
  flatMetrics,
  regressionMetrics,
  taskMetrics,
  toEvaluationJson,
} from './metrics';

describe('regressionMetrics', () => {
  it('computes hand-checkable values', () => {
    // residuals 1, -1, 2, 0 ; mean label 4.5
    const m = regressionMetrics([3, 4, 5, 6], [2, 5, 3, 6]);
    expect(m.mse).toBeCloseTo(6 / 4, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.r2).toBeCloseTo(1 - 6 / 5, 12);
    // residual mean 0.5 → deviations .5,-1.5,1.5,-.5 → var 5/4
    expect(m.residualStd).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it('rejects mismatched or empty inputs', () => {
    expect(() => regressionMetrics([1, 2], [1])).toThrow(/2 labels but 1/);
    expect(() => regressionMetrics([], [])).toThrow(/no rows/);
  });

  it('writes SageMaker evaluation.json', () => {
    const m = regressionMetrics([1, 2, 3], [1, 2, 4]);
    const j = toEvaluationJson(m) as any;
    expect(j.regression_metrics.mse).toEqual({
      value: m.mse,
      standard_deviation: m.residualStd,
    });
    expect(j.regression_metrics.mae.value).toBe(m.mae);
    expect(j.regression_metrics.r2.value).toBe(m.r2);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe('flatMetrics', () => {
  it('reads the regression report as { mse, rmse, mae, r2, residualStd }', () => {
    const report = taskMetrics('regression', [1, 2, 3, 4], [1.5, 2, 2.5, 4]);
    const flat = flatMetrics('regression', report);
    expect(Object.keys(flat).sort()).toEqual(
      ['mae', 'mse', 'r2', 'residualStd', 'rmse'].sort(),
    );
    expect(flat.mse).toBeCloseTo(0.125, 10);
    expect(flat.rmse).toBeCloseTo(Math.sqrt(0.125), 10);
  });

  it('keeps only the contract keys of a classification report', () => {
    const binary = flatMetrics(
      'binary',
      taskMetrics('binary', [0, 1, 1, 0], [0.2, 0.9, 0.6, 0.4], ['no', 'yes']),
    );
    expect(binary.accuracy).toBe(1);
    expect(binary.auc).toBe(1);
    expect(binary).toHaveProperty('logloss');
    expect(binary).not.toHaveProperty('true_positive_rate');
    const multi = flatMetrics(
      'multiclass',
      taskMetrics(
        'multiclass',
        [0, 2],
        [0.8, 0.1, 0.1, 0.2, 0.2, 0.6],
        ['a', 'b', 'c'],
      ),
    );
    expect(multi.accuracy).toBe(1);
    expect(Object.keys(multi)).toEqual(
      expect.arrayContaining(['accuracy', 'weighted_f1', 'macro_f1', 'logloss']),
    );
  });
});
