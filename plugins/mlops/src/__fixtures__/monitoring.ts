import type {
  BinaryEvaluationPlots,
  EvaluationPlots,
  FeatureDriftResult,
  MulticlassEvaluationPlots,
  MonitoringResponse,
  TrafficPoint,
} from '@mlops-portal/plugin-mlops-common';

/** Five 1-minute buckets of traffic on the endpoint; the fourth had errors. */
export const trafficPoints: TrafficPoint[] = [
  {
    time: '2026-11-26T11:00:00.000Z',
    invocations: 12,
    errors4xx: 0,
    errors5xx: 0,
    p50Ms: 3.1,
    p99Ms: 9.4,
  },
  {
    time: '2026-11-26T11:01:00.000Z',
    invocations: 30,
    errors4xx: 0,
    errors5xx: 0,
    p50Ms: 2.8,
    p99Ms: 8.7,
  },
  {
    time: '2026-11-26T11:02:00.000Z',
    invocations: 0,
    errors4xx: 0,
    errors5xx: 0,
  },
  {
    time: '2026-11-26T11:03:00.000Z',
    invocations: 18,
    errors4xx: 2,
    errors5xx: 1,
    p50Ms: 3.5,
    p99Ms: 14.2,
  },
  {
    time: '2026-11-26T11:04:00.000Z',
    invocations: 20,
    errors4xx: 0,
    errors5xx: 0,
    p50Ms: 3.0,
    p99Ms: 9.9,
  },
];

const numeric = (
  feature: string,
  psi: number,
  ks: number,
  status: FeatureDriftResult['status'],
): FeatureDriftResult => ({
  feature,
  psi,
  ks,
  status,
  sampleCount: 80,
  distribution: [
    {
      label: '0.00–0.30',
      baseline: 0.2,
      recent: status === 'drift' ? 0.05 : 0.18,
    },
    {
      label: '0.30–0.50',
      baseline: 0.5,
      recent: status === 'drift' ? 0.25 : 0.52,
    },
    {
      label: '0.50–0.80',
      baseline: 0.3,
      recent: status === 'drift' ? 0.7 : 0.3,
    },
  ],
});

/** GET monitoring?window=1h: version 2 serving, `length` drifted, `height` warns. */
export const monitoring: MonitoringResponse = {
  endpointName: 'abalone-age-predictor-prod',
  modelVersion: 2,
  window: '1h',
  totals: {
    invocations: 80,
    errors4xx: 2,
    errors5xx: 1,
    p50Ms: 3.1,
    p99Ms: 12.5,
  },
  traffic: trafficPoints,
  drift: {
    status: 'drift',
    sampleCount: 80,
    baselineVersion: 2,
    analyzedAt: '2026-11-26T11:05:00.000Z',
    features: [
      numeric('length', 0.42, 0.31, 'drift'),
      numeric('height', 0.14, 0.12, 'warn'),
      numeric('diameter', 0.02, 0.04, 'ok'),
      {
        feature: 'sex',
        psi: null,
        ks: null,
        status: 'insufficient_data',
        sampleCount: 3,
      },
    ],
  },
};

/** An endpoint that serves but got no requests in the window. */
export const quietMonitoring: MonitoringResponse = {
  ...monitoring,
  totals: { invocations: 0, errors4xx: 0, errors5xx: 0 },
  traffic: trafficPoints.map(p => ({
    time: p.time,
    invocations: 0,
    errors4xx: 0,
    errors5xx: 0,
  })),
  drift: {
    status: 'insufficient_data',
    sampleCount: 0,
    baselineVersion: 2,
    features: monitoring.drift.features.map(f => ({
      ...f,
      psi: null,
      ks: null,
      status: 'insufficient_data' as const,
      sampleCount: 0,
      distribution: undefined,
    })),
  },
};

/** evaluation-plots.json of version 3. */
export const evaluationPlots: EvaluationPlots = {
  format: 'mlops-portal/evaluation-plots',
  version: 1,
  predictedVsActual: {
    total: 4,
    points: [
      { actual: 7, predicted: 7.6 },
      { actual: 9, predicted: 8.4 },
      { actual: 11, predicted: 10.1 },
      { actual: 15, predicted: 12.2 },
    ],
  },
  residualHistogram: {
    bins: [
      { lower: -1, upper: 0, count: 1 },
      { lower: 0, upper: 1, count: 2 },
      { lower: 1, upper: 3, count: 1 },
    ],
  },
  featureImportance: {
    importanceType: 'gain',
    features: [
      { feature: 'shellWeight', gain: 41.2, totalGain: 2060, weight: 50 },
      { feature: 'shuckedWeight', gain: 18.5, totalGain: 740, weight: 40 },
      { feature: 'sex_I', gain: 9.1, totalGain: 182, weight: 20 },
    ],
  },
};

/** A binary classifier's plots (ml-core's evaluation-plots.json, version 2). */
export const binaryEvaluationPlots: BinaryEvaluationPlots = {
  format: 'mlops-portal/evaluation-plots',
  version: 2,
  task: 'binary',
  classes: ['benign', 'malignant'],
  total: 86,
  rocCurve: {
    auc: 0.987,
    points: [
      { falsePositiveRate: 0, truePositiveRate: 0 },
      { falsePositiveRate: 0.02, truePositiveRate: 0.9 },
      { falsePositiveRate: 1, truePositiveRate: 1 },
    ],
  },
  precisionRecallCurve: {
    averagePrecision: 0.979,
    points: [
      { recall: 0, precision: 1 },
      { recall: 0.9, precision: 0.97 },
      { recall: 1, precision: 0.4 },
    ],
  },
  confusionMatrix: {
    labels: ['benign', 'malignant'],
    counts: [
      [52, 2],
      [3, 29],
    ],
    threshold: 0.5,
  },
  calibration: {
    bins: [
      {
        lower: 0,
        upper: 0.5,
        count: 55,
        meanPredicted: 0.05,
        fractionPositive: 0.05,
      },
      {
        lower: 0.5,
        upper: 1,
        count: 31,
        meanPredicted: 0.93,
        fractionPositive: 0.94,
      },
    ],
  },
  featureImportance: {
    importanceType: 'gain',
    features: [
      {
        feature: 'worst_concave_points',
        gain: 30.1,
        totalGain: 120,
        weight: 4,
      },
    ],
  },
};

/** A multiclass classifier's plots. */
export const multiclassEvaluationPlots: MulticlassEvaluationPlots = {
  format: 'mlops-portal/evaluation-plots',
  version: 2,
  task: 'multiclass',
  classes: ['Adelie', 'Chinstrap', 'Gentoo'],
  total: 52,
  confusionMatrix: {
    labels: ['Adelie', 'Chinstrap', 'Gentoo'],
    counts: [
      [22, 1, 0],
      [0, 10, 0],
      [0, 0, 19],
    ],
  },
  perClass: [
    { label: 'Adelie', precision: 1, recall: 0.957, f1: 0.978, support: 23 },
    { label: 'Chinstrap', precision: 0.909, recall: 1, f1: 0.952, support: 10 },
    { label: 'Gentoo', precision: 1, recall: 1, f1: 1, support: 19 },
  ],
  featureImportance: {
    importanceType: 'gain',
    features: [
      { feature: 'flipper_length_mm', gain: 12.5, totalGain: 80, weight: 6 },
    ],
  },
};
