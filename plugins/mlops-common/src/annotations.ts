import type { SystemSpecResponse } from './systemSpec';

/**
 * Catalog annotations that tie an entity to its ML system. Both engines read
 * the same annotations; values are resource names in SageMaker's vocabulary.
 */

/** SageMaker pipeline name (aws) or local pipeline name. Required. */
export const ANNOTATION_PIPELINE = 'mlops.io/pipeline';
/** Model package group holding the entity's model versions. Required. */
export const ANNOTATION_MODEL_PACKAGE_GROUP = 'mlops.io/model-package-group';
/** Real-time endpoint serving the approved version. Required. */
export const ANNOTATION_ENDPOINT = 'mlops.io/endpoint';
/** CodePipeline (release pipeline) name. Optional: without it there is no release view. */
export const ANNOTATION_RELEASE_PIPELINE = 'mlops.io/release-pipeline';
/** AWS region of the resources (aws engine only). Optional: defaults to `mlops.aws.region`. */
export const ANNOTATION_AWS_REGION = 'mlops.io/aws-region';
/** AWS account id whose credentials to use (aws engine only). Optional. */
export const ANNOTATION_AWS_ACCOUNT_ID = 'mlops.io/aws-account-id';
/**
 * S3 data bucket (and prefix) uploads go to, e.g. `s3://my-data-bucket/data/`
 * (aws engine only). Optional: defaults to `mlops.aws.dataBucket`.
 */
export const ANNOTATION_AWS_DATA_BUCKET = 'mlops.io/data-bucket';

/**
 * `"true"` opts the entity's endpoint into the unauthenticated public predict
 * route (`POST /v1/public/endpoints/:endpointName/predict`). Optional: without
 * it the route answers 404 for the endpoint, as for an unknown one.
 */
export const ANNOTATION_PUBLIC_PREDICT = 'mlops.io/public-predict';

/** The annotations an entity must carry for the MLOps tab to apply. */
export const REQUIRED_ANNOTATIONS = [
  ANNOTATION_PIPELINE,
  ANNOTATION_MODEL_PACKAGE_GROUP,
  ANNOTATION_ENDPOINT,
] as const;

/** Minimal entity shape, so this module does not force a catalog-model version on callers. */
export interface AnnotatedEntity {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
}

/** Resources an entity names; a request may only touch these. */
export interface MlopsResources {
  /** e.g. `component:default/churn-predictor` */
  entityRef: string;
  pipelineName: string;
  modelPackageGroupName: string;
  endpointName: string;
  releasePipelineName?: string;
  region?: string;
  awsAccountId?: string;
  /** `s3://bucket/prefix` uploads go to (aws engine only). */
  dataBucketUri?: string;
  /**
   * The entity's ML system spec (`mlops.io/spec`), read and validated by the
   * plugin before an engine is called; engines run the system by it. Absent
   * when the entity names no spec.
   */
  system?: SystemSpecResponse;
}

/** True when the entity has every required MLOps annotation. */
export function isMlopsEntity(entity: AnnotatedEntity): boolean {
  const a = entity.metadata.annotations ?? {};
  return REQUIRED_ANNOTATIONS.every(
    k => typeof a[k] === 'string' && a[k].trim() !== '',
  );
}

/**
 * Reads the MLOps resources from an entity's annotations.
 * Returns undefined when a required annotation is missing.
 */
export function getMlopsResources(
  entity: AnnotatedEntity,
): MlopsResources | undefined {
  if (!isMlopsEntity(entity)) return undefined;
  const a = entity.metadata.annotations!;
  const ref = `${entity.kind.toLocaleLowerCase('en-US')}:${
    entity.metadata.namespace ?? 'default'
  }/${entity.metadata.name}`;
  return {
    entityRef: ref,
    pipelineName: a[ANNOTATION_PIPELINE].trim(),
    modelPackageGroupName: a[ANNOTATION_MODEL_PACKAGE_GROUP].trim(),
    endpointName: a[ANNOTATION_ENDPOINT].trim(),
    releasePipelineName: a[ANNOTATION_RELEASE_PIPELINE]?.trim() || undefined,
    region: a[ANNOTATION_AWS_REGION]?.trim() || undefined,
    awsAccountId: a[ANNOTATION_AWS_ACCOUNT_ID]?.trim() || undefined,
    dataBucketUri: a[ANNOTATION_AWS_DATA_BUCKET]?.trim() || undefined,
  };
}

/**
 * SageMaker's and CodePipeline's own name rules for the annotated resources
 * (CreatePipeline, CreateModelPackageGroup, CreateEndpoint, CreatePipeline in
 * CodePipeline). Both engines hold names to them, so no name is a path
 * (`..`, `a/b`) and the local engine never maps two names to one folder.
 */
export const RESOURCE_NAME_RULES: ReadonlyArray<{
  annotation: string;
  field: Exclude<keyof MlopsResources, 'system'>;
  pattern: RegExp;
  rule: string;
}> = [
  {
    annotation: ANNOTATION_PIPELINE,
    field: 'pipelineName',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/,
    rule: 'letters, digits and inner hyphens, at most 256 characters',
  },
  {
    annotation: ANNOTATION_MODEL_PACKAGE_GROUP,
    field: 'modelPackageGroupName',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
    rule: 'letters, digits and inner hyphens, at most 63 characters',
  },
  {
    annotation: ANNOTATION_ENDPOINT,
    field: 'endpointName',
    pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
    rule: 'letters, digits and inner hyphens, at most 63 characters',
  },
  {
    annotation: ANNOTATION_RELEASE_PIPELINE,
    field: 'releasePipelineName',
    pattern: /^[A-Za-z0-9.@_-]{1,100}$/,
    rule: 'letters, digits, ".", "@", "_" and "-", at most 100 characters',
  },
];

/** Which annotated names break their rule, as `annotation: why` sentences (empty: all good). */
export function invalidResourceNames(resources: MlopsResources): string[] {
  const problems: string[] = [];
  for (const r of RESOURCE_NAME_RULES) {
    const value = resources[r.field];
    if (value === undefined) continue;
    if (!r.pattern.test(value) || value.includes('..')) {
      problems.push(
        `${r.annotation}: '${value.slice(0, 64)}' is not a valid name (${
          r.rule
        })`,
      );
    }
  }
  return problems;
}
