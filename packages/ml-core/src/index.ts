/**
 * ML core of the MLOps portal: Abalone CSV parsing, preprocessing, an
 * XGBoost-compatible gradient boosted trees trainer/scorer and metrics.
 * No Backstage or express imports, so it runs in any Node process.
 *
 * @packageDocumentation
 */
export {
  ABALONE_COLUMNS,
  ABALONE_UCI_URL,
  NUMERIC_COLUMNS,
  SEX_VALUES,
  loadAbaloneSource,
  parseAbaloneCsv,
} from './csv';
export type {
  AbaloneRecord,
  CsvRowError,
  LabeledRecord,
  NumericColumn,
  ParseResult,
  Sex,
} from './csv';
export {
  ColumnsBuilder,
  NO_SEX,
  columnsFromRecords,
  decodeColumns,
  encodeColumns,
  numericColumn,
  selectRows,
  sexIndexOf,
} from './columns';
export type { AbaloneColumns } from './columns';
export { readAbaloneCsv } from './csvStream';
export type { ColumnsParseResult, ReadCsvOptions } from './csvStream';
export {
  readColumnsFile,
  readMatrixFile,
  writeChunksAtomic,
  writeColumnsFile,
  writeLabeledCsvFile,
  writeMatrixFile,
} from './matrixFiles';
export {
  FEATURE_COUNT,
  formatCsvNumber,
  SEX_CATEGORIES,
  fitPreprocessor,
  parseLabeledCsv,
  preprocess,
  splitDataset,
  splitIndices,
  toLabeledCsv,
  transform,
} from './preprocess';
export type {
  LabeledMatrix,
  Matrix,
  PreprocessOutput,
  PreprocessorArtifact,
} from './preprocess';
export {
  Booster,
  formatFloat32,
  stringifyXGBoostJSON,
} from './xgboost/booster';
export {
  DEFAULT_PARAMS,
  REFERENCE_HYPERPARAMETERS,
  resolveParams,
} from './xgboost/params';
export type { ResolvedParams, XGBoostParams } from './xgboost/params';
export type { BoosterOptions } from './xgboost/booster';
export type { TreeArrays } from './xgboost/tree';
export type { RegParams } from './xgboost/split';
export { trainXGBoost } from './xgboost/train';
export {
  OBJECTIVES,
  OBJECTIVE_METRICS,
  evalMetric,
  maximizes,
  rocAuc,
  sigmoid,
} from './xgboost/objectives';
export type { EvalMetric } from './xgboost/objectives';
export type {
  IterationInfo,
  TrainCallbacks,
  TrainResult,
} from './xgboost/train';
export { calcGain, calcWeight, splitGain } from './xgboost/split';
export {
  regressionMetrics,
  reportMetricValue,
  TASK_METRICS,
  taskMetrics,
  toEvaluationJson,
} from './metrics';
export type {
  ModelQualityReport,
  RegressionMetrics,
  TaskMetricInfo,
} from './metrics';
export {
  averagePrecision,
  binaryClassificationMetrics,
  multiclassClassificationMetrics,
} from './classificationMetrics';
export type {
  BinaryClassificationMetrics,
  ConfusionMatrix,
  MetricValue,
  MulticlassClassificationMetrics,
  PerClassMetrics,
} from './classificationMetrics';
export { createPredictor } from './predictor';
export type { Predictor } from './predictor';
export { mulberry32 } from './random';
export * from './monitoring';
export type {
  ApprovalSpec,
  ColumnData,
  ColumnSchema,
  ColumnSpec,
  ColumnType,
  DatasetSchema,
  DatasetSpec,
  GateComparison,
  GateSpec,
  MlSystemSpec,
  ModelSignature,
  MonitoringSpec,
  Objective,
  OutputDisplaySpec,
  SignatureInput,
  SplitSpec,
  Table,
  TableRowError,
  Task,
  TrainingSpec,
} from './spec/types';
