import {
  NUMERIC_FEATURES,
  NUMERIC_FEATURE_SPECS,
  NumericFeature,
} from '@mlops-portal/abalone-schema';

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

/**
 * The Abalone schema (column order, ranges, Sex values, age offset) comes from
 * @mlops-portal/abalone-schema, a dependency-free package, so the API Gateway
 * model refuses exactly what the portal refuses.
 */
export {
  AGE_OFFSET_YEARS,
  FEATURE_COLUMNS,
  SEX_VALUES,
} from '@mlops-portal/abalone-schema';

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

/** Accepted ranges (data set units, mm/200 and g/200) per numeric feature. */
export const FEATURE_RANGES: Record<
  NumericFeature,
  { min: number; max: number }
> = Object.fromEntries(
  NUMERIC_FEATURES.map(k => [
    k,
    { min: NUMERIC_FEATURE_SPECS[k].min, max: NUMERIC_FEATURE_SPECS[k].max },
  ]),
) as Record<NumericFeature, { min: number; max: number }>;

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
