export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
  /** Standard deviation of the residuals (SageMaker reports it next to MSE). */
  residualStd: number;
}

/** Constant labels make R² undefined: 1 for a perfect fit, else 0 (scikit-learn's convention). */
function rSquared(sse: number, sst: number): number {
  if (sst > 0) return 1 - sse / sst;
  return sse === 0 ? 1 : 0;
}

export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): RegressionMetrics {
  const n = yTrue.length;
  if (n !== yPred.length) {
    throw new Error(
      `regressionMetrics: ${n} labels but ${yPred.length} predictions`,
    );
  }
  if (n === 0) throw new Error('regressionMetrics: no rows');
  let sumY = 0;
  let sumRes = 0;
  for (let i = 0; i < n; i++) {
    sumY += yTrue[i];
    sumRes += yTrue[i] - yPred[i];
  }
  const meanY = sumY / n;
  const meanRes = sumRes / n;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  let resVar = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    sse += e * e;
    sae += Math.abs(e);
    sst += (yTrue[i] - meanY) ** 2;
    resVar += (e - meanRes) ** 2;
  }
  const mse = sse / n;
  return {
    mse,
    rmse: Math.sqrt(mse),
    mae: sae / n,
    r2: rSquared(sse, sst),
    residualStd: Math.sqrt(resVar / n),
  };
}

/** SageMaker's evaluation.json schema plus mae/r2 (same value/standard_deviation shape). */
export function toEvaluationJson(m: RegressionMetrics): object {
  return {
    regression_metrics: {
      mse: { value: m.mse, standard_deviation: m.residualStd },
      rmse: { value: m.rmse, standard_deviation: m.residualStd },
      mae: { value: m.mae, standard_deviation: m.residualStd },
      // A spread of R² over rows is not defined, so only its value is given.
      r2: { value: m.r2 },
    },
  };
}
