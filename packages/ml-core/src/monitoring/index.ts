export {
  KLL_BUCKETS,
  KLL_PARAMETERS,
  MAX_BASELINE_CATEGORIES,
  baselineStatistics,
  tableBaselineStatistics,
} from './statistics';
export type {
  BaselineStatistics,
  CommonStatistics,
  FeatureStatistics,
  KllBucket,
  NumericalStatistics,
  StringStatistics,
} from './statistics';
export { DEFAULT_DRIFT_THRESHOLDS, drift, tableDrift } from './drift';
export {
  PSI_BINS,
  PSI_EPSILON,
  binOf,
  decileEdges,
  populationStabilityIndex,
} from './psi';
export type {
  DriftReport,
  DriftStatus,
  DriftThresholds,
  FeatureDrift,
} from './drift';
export { evaluationPlots, featureImportance } from './evaluationPlots';
export type { HistogramBin } from './histogram';
export type {
  EvaluationPlots,
  EvaluationPlotsInput,
  FeatureImportance,
} from './evaluationPlots';
export {
  binaryEvaluationPlots,
  multiclassEvaluationPlots,
  taskEvaluationPlots,
} from './classificationPlots';
export type {
  BinaryEvaluationPlots,
  ClassificationPlotsHeader,
  ClassificationPlotsInput,
  ConfusionMatrixPlot,
  MulticlassEvaluationPlots,
  TaskEvaluationPlots,
} from './classificationPlots';
export {
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  writeBaselineStatistics,
  writeEvaluationPlots,
} from './artifacts';
