/**
 * Turns `cdk deploy --outputs-file` output into what the portal needs: the
 * catalog-info.yaml annotations of each ML system's entity and the aws
 * engine's app-config block. A system's stacks are <prefix>Pipeline,
 * <prefix>Release, <prefix>Serving (lib/ml-system.ts); the shared ones MlopsData.
 */
export type StackOutputs = Record<string, Record<string, string>>;

export interface PortalResources {
  pipelineName: string;
  modelPackageGroupName: string;
  endpointName: string;
  releasePipelineName: string;
  region: string;
  /** s3://bucket/prefix uploads go to (mlops.io/data-bucket / mlops.aws.dataBucket). */
  dataBucketUri?: string;
  /** KMS key encrypting the data bucket: uploads need kms:GenerateDataKey on it. */
  dataKeyArn?: string;
  /** Bucket of the runs' evaluation.json reports the portal reads. */
  artifactBucketName?: string;
  apiUrl?: string;
  consumerUrl?: string;
  /** The system's managed policy for rollouts and shadow tests (attach to the portal's role). */
  rolloutPolicyArn?: string;
  /** The served model's execution role (SAGEMAKER_EXECUTION_ROLE_ARN of the portal policy: shadow tests pass it). */
  modelRoleArn?: string;
  /** mlops.io/spec: the spec file, relative to the entity's catalog-info.yaml. */
  specAnnotation: string;
}

function pick(
  outputs: StackOutputs,
  stack: string,
  key: string,
  required: boolean,
): string | undefined {
  const value = outputs[stack]?.[key];
  if (required && (typeof value !== 'string' || value.trim() === '')) {
    throw new Error(
      `cdk outputs lack ${stack}.${key}; deploy ${stack} with --outputs-file first`,
    );
  }
  return value;
}

export const PLATFORM_STACK = 'MlopsData';

export function resourcesFromOutputs(
  outputs: StackOutputs,
  prefix = 'Mlops',
): PortalResources {
  const pipeline = `${prefix}Pipeline`;
  const serving = `${prefix}Serving`;
  return {
    pipelineName: pick(outputs, pipeline, 'PipelineName', true)!,
    modelPackageGroupName: pick(
      outputs,
      pipeline,
      'ModelPackageGroupName',
      true,
    )!,
    region: pick(outputs, pipeline, 'Region', true)!,
    releasePipelineName: pick(
      outputs,
      `${prefix}Release`,
      'ReleasePipelineName',
      true,
    )!,
    // The endpoint exists only after the first approved deploy; its name is fixed, so fall back to it.
    endpointName:
      pick(outputs, serving, 'EndpointName', false) ??
      pick(outputs, pipeline, 'EndpointName', true)!,
    dataBucketUri:
      pick(outputs, pipeline, 'InputDataUrl', false) ??
      pick(outputs, PLATFORM_STACK, 'InputDataUrl', false),
    dataKeyArn: pick(outputs, PLATFORM_STACK, 'DataKeyArn', false),
    artifactBucketName:
      pick(outputs, pipeline, 'ArtifactBucketName', false) ??
      pick(outputs, PLATFORM_STACK, 'ArtifactBucketName', false),
    // Outputs of stacks deployed before the annotation existed lack it; the spec's usual name.
    specAnnotation:
      pick(outputs, pipeline, 'SpecAnnotation', false) ?? './ml-system.yaml',
    apiUrl: pick(outputs, serving, 'ApiUrl', false),
    rolloutPolicyArn: pick(outputs, pipeline, 'PortalRolloutPolicyArn', false),
    modelRoleArn: pick(outputs, serving, 'ModelRoleArn', false),
    consumerUrl: pick(outputs, `${prefix}Hosting`, 'ConsumerUrl', false),
  };
}

/** Stack prefixes of the systems in the outputs (each <prefix>Pipeline stack with a PipelineName). */
export function systemPrefixes(outputs: StackOutputs): string[] {
  return Object.keys(outputs)
    .filter(k => k.endsWith('Pipeline') && outputs[k]?.PipelineName)
    .map(k => k.slice(0, -'Pipeline'.length))
    .sort();
}

/** Values are quoted so names like "MyModelPackageGroup" stay strings in YAML. */
const q = (v: string) => JSON.stringify(v);

export function catalogAnnotationsYaml(r: PortalResources): string {
  return [
    'metadata:',
    '  annotations:',
    `    mlops.io/pipeline: ${q(r.pipelineName)}`,
    `    mlops.io/model-package-group: ${q(r.modelPackageGroupName)}`,
    `    mlops.io/endpoint: ${q(r.endpointName)}`,
    `    mlops.io/release-pipeline: ${q(r.releasePipelineName)}`,
    `    mlops.io/aws-region: ${q(r.region)}`,
    ...(r.dataBucketUri
      ? [`    mlops.io/data-bucket: ${q(r.dataBucketUri)}`]
      : []),
    '    # the spec file the stacks were built from, relative to this catalog-info.yaml',
    `    mlops.io/spec: ${q(r.specAnnotation)}`,
    '',
  ].join('\n');
}

export function appConfigYaml(r: PortalResources): string {
  return [
    'mlops:',
    '  engine: aws',
    '  aws:',
    `    region: ${q(r.region)}`,
    ...(r.dataBucketUri ? [`    dataBucket: ${q(r.dataBucketUri)}`] : []),
    '',
  ].join('\n');
}

/**
 * Values of the placeholders in the backend's IAM policy
 * (plugins/mlops-backend-module-aws/docs/aws.md) that only the deployment knows.
 */
export function iamPolicyValues(r: PortalResources): string[] {
  const bucket = r.dataBucketUri?.match(/^s3:\/\/([^/]+)/)?.[1];
  return [
    ...(bucket ? [`# DATA_BUCKET: ${bucket}`] : []),
    ...(r.dataKeyArn
      ? [
          `# DATA_KEY_ARN: ${r.dataKeyArn}  (kms:GenerateDataKey: uploads to the SSE-KMS data bucket)`,
        ]
      : []),
    ...(r.artifactBucketName
      ? [`# ARTIFACT_BUCKET: ${r.artifactBucketName}`]
      : []),
    ...(r.modelRoleArn
      ? [`# SAGEMAKER_EXECUTION_ROLE_ARN: ${r.modelRoleArn}`]
      : []),
    ...(r.rolloutPolicyArn
      ? [
          `# attach also: ${r.rolloutPolicyArn}  (rollout alarms, manual rollback, shadow tests of ${r.endpointName})`,
        ]
      : []),
  ];
}

export function portalSnippet(outputs: StackOutputs): string {
  const prefixes = systemPrefixes(outputs);
  if (prefixes.length === 0)
    throw new Error(
      'cdk outputs lack a <system>Pipeline stack with PipelineName; deploy the systems with --outputs-file first',
    );
  if (prefixes.length === 1) return systemSnippet(outputs, prefixes[0], true);
  const first = resourcesFromOutputs(outputs, prefixes[0]);
  return [
    '# app-config.yaml (portal backend; each entity names its data prefix)',
    appConfigYaml({ ...first, dataBucketUri: undefined }),
    ...prefixes.map(p => {
      const name = outputs[`${p}Pipeline`]?.SystemName ?? p;
      return `# ===== ${name} (stacks ${p}*) =====\n${systemSnippet(
        outputs,
        p,
        false,
      )}`;
    }),
  ].join('\n');
}

function systemSnippet(
  outputs: StackOutputs,
  prefix: string,
  withConfig: boolean,
): string {
  const r = resourcesFromOutputs(outputs, prefix);
  const lines = [
    '# catalog-info.yaml (the ML system component)',
    catalogAnnotationsYaml(r),
    ...(withConfig
      ? ['# app-config.yaml (portal backend)', appConfigYaml(r)]
      : []),
  ];
  const iam = iamPolicyValues(r);
  if (iam.length) {
    lines.push(
      '# IAM policy of the portal backend (plugins/mlops-backend-module-aws/docs/aws.md)',
      ...iam,
      '',
    );
  }
  if (r.apiUrl || r.consumerUrl) {
    lines.push(
      '# endpoints',
      ...(r.apiUrl ? [`# prediction API: ${r.apiUrl}predict`] : []),
      ...(r.consumerUrl ? [`# consumer app: ${r.consumerUrl}`] : []),
      '',
    );
  }
  return lines.join('\n');
}
