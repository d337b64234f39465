/**
 * How a deployed model behaves: endpoint traffic (CloudWatch's AWS/SageMaker
 * endpoint metrics: Invocations, Invocation4XXErrors, Invocation5XXErrors,
 * ModelLatency), data drift of captured inputs against the deployed version's
 * training baseline (Model Monitor's statistics.json), and per-version
 * evaluation plots. Both engines answer in these shapes.
 */

/** The windows the monitoring API accepts. */
export const MONITORING_WINDOWS = ['1h', '24h', '7d'] as const;
/**
 * Request header of POST …/predict that tags where a prediction came from;
 * `portal` (the portal's own prediction widget) keeps it out of the
 * endpoint's traffic, error rates and drift.
 * @public
 */
export const PREDICTION_SOURCE_HEADER = 'x-mlops-prediction-source';

/** @public */
export type MonitoringWindow = (typeof MONITORING_WINDOWS)[number];

/**
 * Traffic in one time bucket (1 min for 1h, 15 min for 24h, 1 h for 7d).
 * @public
 */
export interface TrafficPoint {
  /** Start of the bucket, ISO 8601. */
  time: string;
  invocations: number;
  errors4xx: number;
  errors5xx: number;
  /** Model latency percentiles in ms; absent when the bucket has no invocations. */
  p50Ms?: number;
  p99Ms?: number;
}

/** @public */
export interface TrafficTotals {
  invocations: number;
  errors4xx: number;
  errors5xx: number;
  p50Ms?: number;
  p99Ms?: number;
}

/**
 * `insufficient_data`: too few captured samples to judge — never an alarm.
 * @public
 */
export type DriftStatus = 'ok' | 'warn' | 'drift' | 'insufficient_data';

/**
 * One bucket of a feature's distribution (numeric: a range; Sex: a value).
 * @public
 */
export interface DistributionBucket {
  /** e.g. "0.45–0.52" or "M" */
  label: string;
  /** Share of the rows in this bucket, 0..1. */
  baseline: number;
  recent: number;
}

/** @public */
export interface FeatureDriftResult {
  /** Input name as in the version's signature. */
  feature: string;
  /** The signature's column type (categorical features have no KS distance). */
  type?: 'numeric' | 'categorical' | 'boolean';
  /** Population stability index vs the baseline; null without enough data. */
  psi: number | null;
  /** Two-sample Kolmogorov–Smirnov distance (numeric features only). */
  ks: number | null;
  /** L-infinity distance of the category shares (categorical features; Model Monitor's). */
  linf?: number | null;
  /** Categories seen in the window that the baseline never saw (at most 20, each cut to 64 characters). */
  unseenCategories?: string[];
  status: DriftStatus;
  /** Present values in the window. */
  sampleCount: number;
  /** Baseline vs recent distribution, for the UI (optional on engines that cannot give it). */
  distribution?: DistributionBucket[];
}

/** @public */
export interface DriftSummary {
  /** The worst feature status. */
  status: DriftStatus;
  /** Captured inputs in the window that were compared. */
  sampleCount: number;
  /** The model version whose training baseline was used. */
  baselineVersion?: number;
  features: FeatureDriftResult[];
  /**
   * Classifiers: share of each predicted class in the window against the
   * test split's predictions at training time.
   */
  predictions?: DistributionBucket[];
  /** ISO time of the analysis (aws: the Model Monitor execution's end time). */
  analyzedAt?: string;
}

/**
 * `GET /v1/entity/:namespace/:kind/:name/monitoring?window=1h|24h|7d`
 * @public
 */
export interface MonitoringResponse {
  endpointName: string;
  /** The version the endpoint serves now. */
  modelVersion?: number;
  window: MonitoringWindow;
  totals: TrafficTotals;
  traffic: TrafficPoint[];
  drift: DriftSummary;
}

/**
 * Gain importance per feature (every task's plots carry it).
 * @public
 */
export interface FeatureImportancePlot {
  importanceType: 'gain';
  features: Array<{
    feature: string;
    gain: number;
    totalGain: number;
    weight: number;
  }>;
}

/**
 * A regression version's evaluation plots (ml-core's evaluation-plots.json, version 1).
 * @public
 */
export interface RegressionEvaluationPlots {
  format: 'mlops-portal/evaluation-plots';
  version: 1;
  task?: 'regression';
  predictedVsActual: {
    total: number;
    points: Array<{ actual: number; predicted: number }>;
  };
  residualHistogram: {
    /** residual = actual − predicted */
    bins: Array<{ lower: number; upper: number; count: number }>;
  };
  featureImportance: FeatureImportancePlot;
}

/**
 * Counts: rows = actual class, columns = predicted class, in `labels` order.
 * @public
 */
export interface ConfusionMatrixPlot {
  labels: string[];
  counts: number[][];
}

/**
 * A binary classifier's plots (version 2): ROC, precision-recall, confusion
 * matrix at 0.5 and calibration.
 * @public
 */
export interface BinaryEvaluationPlots {
  format: 'mlops-portal/evaluation-plots';
  version: 2;
  task: 'binary';
  classes: string[];
  total: number;
  rocCurve: {
    auc: number;
    points: Array<{ threshold?: number; falsePositiveRate: number; truePositiveRate: number }>;
  };
  precisionRecallCurve: {
    averagePrecision: number;
    points: Array<{ threshold?: number; recall: number; precision: number }>;
  };
  confusionMatrix: ConfusionMatrixPlot & { threshold: number };
  calibration: {
    bins: Array<{ lower: number; upper: number; count: number; meanPredicted: number; fractionPositive: number }>;
  };
  featureImportance: FeatureImportancePlot;
}

/**
 * A multiclass classifier's plots (version 2): confusion matrix and per-class metrics.
 * @public
 */
export interface MulticlassEvaluationPlots {
  format: 'mlops-portal/evaluation-plots';
  version: 2;
  task: 'multiclass';
  classes: string[];
  total: number;
  confusionMatrix: ConfusionMatrixPlot;
  perClass: Array<{ label: string; precision: number; recall: number; f1: number; support: number }>;
  featureImportance: FeatureImportancePlot;
}

/**
 * Per-version evaluation plots of any task (ml-core's evaluation-plots.json).
 * @public
 */
export type EvaluationPlots =
  | RegressionEvaluationPlots
  | BinaryEvaluationPlots
  | MulticlassEvaluationPlots;
