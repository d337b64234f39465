/**
 * Names and defaults shared by the stacks. Resource names the portal reads
 * (pipeline, model package group, endpoint, release pipeline) are fixed
 * physical names so catalog annotations stay valid across deployments.
 */
export interface MlopsNames {
  /** SageMaker pipeline name (catalog annotation mlops.io/pipeline). */
  pipelineName: string;
  /** Model package group (mlops.io/model-package-group). */
  modelPackageGroupName: string;
  /** SageMaker endpoint (mlops.io/endpoint). */
  endpointName: string;
  /** CodePipeline name (mlops.io/release-pipeline). */
  releasePipelineName: string;
}

export const DEFAULT_NAMES: MlopsNames = {
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-age-endpoint',
  releasePipelineName: 'abalone-release',
};

/** Key prefix in the data bucket whose objects form the training data set. */
export const DATA_PREFIX = 'data/';
/** Key of the data manifest (zip for CodePipeline's S3 source, json for humans). */
export const MANIFEST_ZIP_KEY = 'manifest/data-manifest.zip';
export const MANIFEST_JSON_KEY = 'manifest/data-manifest.json';
/** Key of the zipped repository that the release pipeline's code source watches. */
export const CODE_SOURCE_KEY = 'source/repo.zip';

/** Age in years = rings + this (UCI Abalone). */
export const AGE_OFFSET_YEARS = 1.5;

/**
 * Pipeline parameters. Names and defaults must stay identical to
 * plugins/mlops-common/src/parameters.ts (the portal's "Train now" sends
 * them); infra/ does not import the plugin so it stays deployable alone,
 * and test/parameters.test.ts checks the two lists agree.
 */
export interface PipelineParameterSpec {
  name: string;
  type: 'Integer' | 'Float' | 'String';
  default: number | string;
  /** XGBoost hyperparameter the value feeds, if any. */
  hyperparameter?: string;
}

export const MODEL_PARAMETERS: PipelineParameterSpec[] = [
  { name: 'MseThreshold', type: 'Float', default: 6.0 },
  {
    name: 'ModelApprovalStatus',
    type: 'String',
    default: 'PendingManualApproval',
  },
  {
    name: 'MaxDepth',
    type: 'Integer',
    default: 5,
    hyperparameter: 'max_depth',
  },
  { name: 'Eta', type: 'Float', default: 0.2, hyperparameter: 'eta' },
  { name: 'Gamma', type: 'Float', default: 4, hyperparameter: 'gamma' },
  {
    name: 'MinChildWeight',
    type: 'Float',
    default: 6,
    hyperparameter: 'min_child_weight',
  },
  {
    name: 'Subsample',
    type: 'Float',
    default: 0.7,
    hyperparameter: 'subsample',
  },
  {
    name: 'NumRound',
    type: 'Integer',
    default: 50,
    hyperparameter: 'num_round',
  },
  {
    name: 'EarlyStoppingRounds',
    type: 'Integer',
    default: 10,
    hyperparameter: 'early_stopping_rounds',
  },
  { name: 'Seed', type: 'Integer', default: 0, hyperparameter: 'seed' },
];

export const DEFAULT_PROCESSING_INSTANCE_TYPE = 'ml.m5.xlarge';
export const DEFAULT_TRAINING_INSTANCE_TYPE = 'ml.m5.xlarge';
export const DEFAULT_ENDPOINT_INSTANCE_TYPE = 'ml.m5.large';

/** Abalone features in the order the preprocessor expects them (CSV columns). */
export const FEATURE_COLUMNS = [
  'sex',
  'length',
  'diameter',
  'height',
  'wholeWeight',
  'shuckedWeight',
  'visceraWeight',
  'shellWeight',
] as const;

/**
 * Accepted ranges (data set units, mm/200 and g/200) — the data set maximum
 * plus ~25%, as in mlops-common's FEATURE_INFO, so the API refuses the same
 * inputs the portal refuses.
 */
export const FEATURE_RANGES: Record<
  Exclude<(typeof FEATURE_COLUMNS)[number], 'sex'>,
  { min: number; max: number }
> = {
  length: { min: 0, max: 1.0 },
  diameter: { min: 0, max: 0.8 },
  height: { min: 0, max: 1.4 },
  wholeWeight: { min: 0, max: 3.5 },
  shuckedWeight: { min: 0, max: 1.9 },
  visceraWeight: { min: 0, max: 0.95 },
  shellWeight: { min: 0, max: 1.3 },
};

export const SEX_VALUES = ['M', 'F', 'I'] as const;
export const MAX_PREDICT_INSTANCES = 1000;

/**
 * Buckets other stacks read get deterministic names (account + region make
 * them unique), so consumers reference them by name instead of by
 * cross-stack export and their IAM statements stay readable.
 */
export function sharedBucketName(
  purpose: 'data' | 'manifest' | 'artifacts',
  account: string,
  region: string,
): string {
  return `mlops-${purpose}-${account}-${region}`;
}
