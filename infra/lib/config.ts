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

/** Names derived from the spec's metadata.name (each may be overridden). */
export function namesForSystem(systemName: string): MlopsNames {
  return {
    pipelineName: `${systemName}-pipeline`,
    modelPackageGroupName: `${systemName}-models`,
    endpointName: systemName,
    releasePipelineName: `${systemName}-release`,
  };
}

/** Key prefix in the data bucket under which each system's data set lives (`data/<system>/`). */
export const DATA_ROOT = 'data/';
/** Where the manifest writer writes each system's manifest (`manifest/<system>/…`). */
export const MANIFEST_ROOT = 'manifest/';
export const MANIFEST_ZIP_FILE = 'data-manifest.zip';
export const MANIFEST_JSON_FILE = 'data-manifest.json';
/** A system's prefixes: data set, manifest and artifacts (code, spec, runs, monitoring). */
export const dataPrefix = (system: string) => `${DATA_ROOT}${system}/`;
export const manifestZipKey = (system: string) =>
  `${MANIFEST_ROOT}${system}/${MANIFEST_ZIP_FILE}`;
export const manifestJsonKey = (system: string) =>
  `${MANIFEST_ROOT}${system}/${MANIFEST_JSON_FILE}`;
export const artifactPrefix = (system: string) => `systems/${system}/`;
/** Key of the zipped repository that the release pipeline's code source watches. */
export const CODE_SOURCE_KEY = 'source/repo.zip';

/**
 * Pipeline parameters. Names must stay those of
 * plugins/mlops-common/src/parameters.ts (the portal's "Train now" sends
 * them); infra/ does not import the plugin so it stays deployable alone, and
 * test/units.test.ts checks the names agree. The gate threshold
 * (MseThreshold there) is not a parameter here: it is the spec's.
 */
export interface PipelineParameterSpec {
  name: string;
  type: 'Integer' | 'Float' | 'String';
  default: number | string;
  /** XGBoost hyperparameter the value feeds, if any. */
  hyperparameter?: string;
}

/** The parameters with XGBoost's own defaults, used where a spec gives no value. */
export const MODEL_PARAMETERS: PipelineParameterSpec[] = [
  {
    name: 'ModelApprovalStatus',
    type: 'String',
    default: 'PendingManualApproval',
  },
  {
    name: 'MaxDepth',
    type: 'Integer',
    default: 6,
    hyperparameter: 'max_depth',
  },
  { name: 'Eta', type: 'Float', default: 0.3, hyperparameter: 'eta' },
  { name: 'Gamma', type: 'Float', default: 0, hyperparameter: 'gamma' },
  {
    name: 'MinChildWeight',
    type: 'Float',
    default: 1,
    hyperparameter: 'min_child_weight',
  },
  {
    name: 'Subsample',
    type: 'Float',
    default: 1,
    hyperparameter: 'subsample',
  },
  {
    name: 'NumRound',
    type: 'Integer',
    default: 100,
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

/** The parameters of one system: defaults from its spec (hyperparameters, approval). */
export function modelParameters(system: {
  hyperparameters: Record<string, number | string>;
  preApprove: boolean;
}): PipelineParameterSpec[] {
  return MODEL_PARAMETERS.map(p => {
    if (p.name === 'ModelApprovalStatus')
      return {
        ...p,
        default: system.preApprove ? 'Approved' : 'PendingManualApproval',
      };
    const value = p.hyperparameter
      ? system.hyperparameters[p.hyperparameter]
      : undefined;
    return value === undefined ? p : { ...p, default: Number(value) };
  });
}

export const DEFAULT_PROCESSING_INSTANCE_TYPE = 'ml.m5.xlarge';
export const DEFAULT_TRAINING_INSTANCE_TYPE = 'ml.m5.xlarge';
export const DEFAULT_ENDPOINT_INSTANCE_TYPE = 'ml.m5.large';

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
