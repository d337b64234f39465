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
export { abaloneColumnsFromTable, abaloneDatasetSchema } from './abaloneTable';
export { readAbaloneCsv } from './csvStream';
export type { ColumnsParseResult, ReadCsvOptions } from './csvStream';
export {
  readColumnsFile,
  readMatrixFile,
  readTableFile,
  writeChunksAtomic,
  writeColumnsFile,
  writeLabeledCsvFile,
  writeMatrixFile,
  writeTableFile,
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
export { warmUpTrainer } from './xgboost/warmup';
export type { WarmUpOptions } from './xgboost/warmup';
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
  FLAT_METRIC_KEYS,
  flatMetrics,
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
export { createModelScorer, createPredictor } from './predictor';
export {
  LEGACY_PREPROCESSOR_FORMAT,
  upgradeLegacyPreprocessor,
} from './legacyModel';
export type { ClassPrediction, ModelScorer, Predictor } from './predictor';
export { mulberry32 } from './random';
export {
  RUN_FILES,
  specHyperparameters,
  trainTable,
  writeTableRun,
} from './tableRun';
export type { TableRun } from './tableRun';
export * from './monitoring';
export {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MISSING_VALUES,
  DEFAULT_SPLIT,
  TASK_OBJECTIVES,
  TRAINER_HYPERPARAMETERS,
  defaultObjective,
} from './spec/constants';
export {
  MAX_SPEC_BYTES,
  RETRAINING_WINDOW_MS,
  SpecError,
  parseSpec,
  specDurationMs,
} from './spec/parseSpec';
export type { SpecProblem } from './spec/parseSpec';
export {
  DEFAULT_SAMPLE_ROWS,
  MAX_COLUMNS,
  MAX_PROFILE_CATEGORIES,
  SchemaError,
  inferSchema,
} from './schema/infer';
export type {
  ColumnProfile,
  InferOptions,
  InferredSchema,
} from './schema/infer';
export {
  guessTask,
  resolveSchema,
  resolveSchemaDetailed,
} from './schema/resolve';
export type { ResolvedSchema } from './schema/resolve';
export { buildSignature, validateRecords } from './schema/signature';
export type { RecordFieldError } from './schema/signature';
export {
  cellValue,
  columnOf,
  concatTables,
  tableFromRecords,
} from './dataset/records';
export type { RecordValue } from './dataset/records';
export {
  TABLE_PREPROCESSOR_FORMAT,
  checkTablePreprocessor,
  encodeLabels,
  fitTablePreprocessor,
  otherColumnName,
  transformTable,
} from './dataset/preprocessor';
export type {
  FeatureEncoder,
  TablePreprocessorArtifact,
} from './dataset/preprocessor';
export { groupRows, splitTable } from './dataset/split';
export type { RowGroups, TableSplit } from './dataset/split';
export { checkTable, preprocessTable } from './dataset/prepare';
export type {
  TableCheckResult,
  TablePreprocessOutput,
} from './dataset/prepare';
export {
  decodeTable,
  encodeTable,
  parseDecimal,
  parseTableCsv,
  readTableCsv,
  splitCsvLine,
} from './table';
export type { ReadTableOptions, ReadTableResult } from './table';
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
  RetrainingSpec,
  DeploymentSpec,
  RetrainingWindow,
  SignatureInput,
  SplitSpec,
  Table,
  TableRowError,
  Task,
  TrainingSpec,
} from './spec/types';
