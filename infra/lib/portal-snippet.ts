/**
 * Turns `cdk deploy --outputs-file` output into what the portal needs: the
 * catalog-info.yaml annotations of the ML system's entity and the aws
 * engine's app-config block.
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

export function resourcesFromOutputs(outputs: StackOutputs): PortalResources {
  return {
    pipelineName: pick(outputs, 'MlopsPipeline', 'PipelineName', true)!,
    modelPackageGroupName: pick(
      outputs,
      'MlopsPipeline',
      'ModelPackageGroupName',
      true,
    )!,
    region: pick(outputs, 'MlopsPipeline', 'Region', true)!,
    releasePipelineName: pick(
      outputs,
      'MlopsRelease',
      'ReleasePipelineName',
      true,
    )!,
    // The endpoint exists only after the first approved deploy; its name is fixed, so fall back to it.
    endpointName:
      pick(outputs, 'MlopsServing', 'EndpointName', false) ??
      pick(outputs, 'MlopsPipeline', 'EndpointName', true)!,
    dataBucketUri: pick(outputs, 'MlopsData', 'InputDataUrl', false),
    dataKeyArn: pick(outputs, 'MlopsData', 'DataKeyArn', false),
    artifactBucketName: pick(
      outputs,
      'MlopsPipeline',
      'ArtifactBucketName',
      false,
    ),
    apiUrl: pick(outputs, 'MlopsServing', 'ApiUrl', false),
    consumerUrl: pick(outputs, 'MlopsHosting', 'ConsumerUrl', false),
  };
}

/** Values are quoted so names like "AbaloneModelPackageGroup" stay strings in YAML. */
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
 * (plugins/mlops-backend/docs/aws.md) that only the deployment knows.
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
  ];
}

export function portalSnippet(outputs: StackOutputs): string {
  const r = resourcesFromOutputs(outputs);
  const lines = [
    '# catalog-info.yaml (the ML system component)',
    catalogAnnotationsYaml(r),
    '# app-config.yaml (portal backend)',
    appConfigYaml(r),
  ];
  const iam = iamPolicyValues(r);
  if (iam.length) {
    lines.push(
      '# IAM policy of the portal backend (plugins/mlops-backend/docs/aws.md)',
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
