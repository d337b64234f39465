/**
 * The CDK app's AWS requests checked against AWS's own service models
 * (botocore's service-2.json) with scripts/aws-models/validate.py.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { imageUri, SKLEARN_REPOSITORY, SKLEARN_TAG } from '../lib/images';
import { XGBOOST_REPOSITORY, XGBOOST_TAG } from '../lib/images';
import { buildPipelineDefinition } from '../lib/pipeline-definition';
import { loadSystem } from '../lib/spec';
import { apiSteps, stepRequest } from './pipeline-arguments';
import type { AwsShapeItem } from '../../scripts/aws-models/validate';

// CommonJS implementation of the validator's Node wrapper (Jest runs CommonJS).
const { validateAwsShapes } =
  require('../../scripts/aws-models/validate.cjs') as {
    validateAwsShapes: (items: AwsShapeItem[]) => string[];
  };

const processingJob = {
  ProcessingJobName: 'preprocess-1',
  RoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
  AppSpecification: {
    ImageUri: imageUri('eu-west-1', SKLEARN_REPOSITORY, SKLEARN_TAG),
  },
  ProcessingResources: {
    ClusterConfig: {
      InstanceCount: 1,
      InstanceType: 'ml.m5.xlarge',
      VolumeSizeInGB: 30,
    },
  },
};
const item = (value: unknown, label = 'job'): AwsShapeItem => ({
  service: 'sagemaker',
  operation: 'CreateProcessingJob',
  kind: 'input',
  value,
  label,
});

describe('validateAwsShapes (scripts/aws-models)', () => {
  it('accepts a valid request', () => {
    expect(validateAwsShapes([item(processingJob)])).toEqual([]);
  });

  it('names a wrong enum, an unknown member and a missing required member by path', () => {
    const { RoleArn: _omitted, ...noRole } = processingJob;
    const problems = validateAwsShapes([
      item({
        ...noRole,
        ProcessingResources: {
          ClusterConfig: {
            ...processingJob.ProcessingResources.ClusterConfig,
            InstanceType: 'ml.m5.huge',
          },
        },
        Colour: 'blue',
      }),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^job: Colour: unknown member \(known: .*RoleArn/),
      'job: RoleArn: required member is missing',
      expect.stringMatching(
        /^job: ProcessingResources\.ClusterConfig\.InstanceType: 'ml\.m5\.huge' is not one of ml\.t3\.medium/,
      ),
    ]);
  });

  it('checks types, patterns, lengths and ranges inside lists and maps', () => {
    const problems = validateAwsShapes([
      item({
        ...processingJob,
        ProcessingJobName: 'has spaces',
        ProcessingResources: {
          ClusterConfig: {
            InstanceCount: '1',
            InstanceType: 'ml.m5.xlarge',
            VolumeSizeInGB: 0,
          },
        },
        Environment: { OK: 'x'.repeat(300) },
        ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: 'nope' } }],
      }),
    ]);
    expect(problems).toEqual([
      "job: ProcessingJobName: 'has spaces' does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
      'job: ProcessingResources.ClusterConfig.InstanceCount: expected an integer, got "1"',
      'job: ProcessingResources.ClusterConfig.VolumeSizeInGB: value 0 is below the minimum 1',
      "job: Environment['OK']: length 300 is above the maximum 256",
      'job: ProcessingInputs[0].S3Input.S3DataType: required member is missing',
      "job: ProcessingInputs[0].S3Input.S3Uri: 'nope' does not match the pattern (https|s3)://([^/]+)/?(.*)",
    ]);
  });

  it('reads outputs with ISO timestamps and bytes, and rejects a bad timestamp', () => {
    const endpoint = {
      EndpointName: 'abalone-age-endpoint',
      EndpointArn:
        'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/abalone-age-endpoint',
      EndpointConfigName: 'cfg',
      EndpointStatus: 'InService',
      CreationTime: new Date('2026-01-02T03:04:05Z'),
      LastModifiedTime: '2026-01-02T03:04:05.123Z',
    };
    const describe = (value: unknown): AwsShapeItem => ({
      service: 'sagemaker',
      operation: 'DescribeEndpoint',
      kind: 'output',
      value,
      label: 'describe',
    });
    expect(
      validateAwsShapes([
        describe(endpoint),
        {
          service: 's3',
          operation: 'PutObject',
          kind: 'input',
          value: { Bucket: 'b', Key: 'data/a.csv', Body: Buffer.from('M,1') },
        },
      ]),
    ).toEqual([]);
    expect(
      validateAwsShapes([
        describe({ ...endpoint, LastModifiedTime: 'yesterday' }),
      ]),
    ).toEqual([
      'describe: LastModifiedTime: expected an ISO 8601 timestamp or epoch seconds, got "yesterday"',
    ]);
  });

  it('throws when Python fails instead of reporting "no problems"', () => {
    const saved = process.env.AWS_MODELS_PYTHON;
    // A "python" that reads its input, prints nothing and exits 1.
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'py-')), 'py');
    fs.writeFileSync(fake, '#!/bin/sh\ncat >/dev/null\nexit 1\n', {
      mode: 0o755,
    });
    process.env.AWS_MODELS_PYTHON = fake;
    try {
      expect(() => validateAwsShapes([item(processingJob)])).toThrow(
        /failed \(exit 1\)/,
      );
    } finally {
      if (saved === undefined) delete process.env.AWS_MODELS_PYTHON;
      else process.env.AWS_MODELS_PYTHON = saved;
    }
  });

  it('names an unknown operation', () => {
    expect(
      validateAwsShapes([{ ...item({}), operation: 'CreateProcessingJobs' }]),
    ).toEqual(["job: sagemaker has no operation 'CreateProcessingJobs'"]);
  });
});

const DEMO = path.join(__dirname, '..', '..', 'packages', 'demo-systems');

describe.each([
  ['abalone', undefined],
  ['breast-cancer', 'breast-cancer.csv'],
  ['penguins', undefined],
])(
  'pipeline definition of the %s spec against the SageMaker API model',
  (dir, data) => {
    const artifactBucket = 'mlops-artifacts-123456789012-eu-west-1';
    const system = loadSystem(
      path.join(DEMO, dir, 'ml-system.yaml'),
      data && path.join(DEMO, dir, data),
    );
    const definition = buildPipelineDefinition({
      system,
      roleArn: 'arn:aws:iam::123456789012:role/MlopsPipeline-SageMakerRole',
      artifactBucketName: artifactBucket,
      artifactPrefix: `systems/${system.name}/`,
      defaultInputDataUrl: `s3://mlops-data-123456789012-eu-west-1/data/${system.name}/`,
      sklearnImage: imageUri('eu-west-1', SKLEARN_REPOSITORY, SKLEARN_TAG),
      xgboostImage: imageUri('eu-west-1', XGBOOST_REPOSITORY, XGBOOST_TAG),
      modelPackageGroupName: `${system.name}-models`,
      region: 'eu-west-1',
    }) as any;
    const requests = apiSteps(definition.Steps).map(step => ({
      step,
      ...stepRequest(step, definition, artifactBucket),
    }));

    it('covers every step that calls an API', () => {
      expect(requests.map(r => `${r.step.Name}:${r.operation}`)).toEqual([
        'Preprocess:CreateProcessingJob',
        'Train:CreateTrainingJob',
        'Evaluate:CreateProcessingJob',
        'Register:CreateModelPackage',
      ]);
    });

    it("resolves placeholders to the parameter defaults (the spec's hyperparameters)", () => {
      const train = requests.find(r => r.step.Name === 'Train')!.value;
      const spec = system.hyperparameters;
      expect(train.HyperParameters).toMatchObject({
        max_depth: String(spec.max_depth),
        eta: String(spec.eta),
        num_round: String(spec.num_round),
      });
      expect(train.ResourceConfig.InstanceType).toBe('ml.m5.xlarge');
      expect(JSON.stringify(train)).not.toMatch(/"Get"|Std:Join/);
    });

    it('sends requests that fit CreateProcessingJob, CreateTrainingJob and CreateModelPackage', () => {
      const problems = validateAwsShapes(
        requests.map(r => ({
          service: 'sagemaker',
          operation: r.operation,
          kind: 'input' as const,
          value: r.value,
          label: `step ${r.step.Name}`,
        })),
      );
      expect(problems).toEqual([]);
    });
  },
);
