import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import {
  artifactPrefix,
  dataPrefix,
  MlopsNames,
  sharedBucketName,
} from './config';
import { grantContainerBasics } from './container-role';
import { SageMakerImages } from './images';
import { acknowledgeAll, acknowledgeBucketDeployment } from './nag';
import { buildPipelineDefinition } from './pipeline-definition';
import {
  modelPackageGroupArn,
  modelPackagesArn,
  sageMakerArn,
} from './sagemaker-arns';
import { gateStepName, ResolvedSystem, systemDocument } from './spec';

export interface MlPipelineStackProps extends StackProps {
  system: ResolvedSystem;
  names: MlopsNames;
  /** Key that encrypts the shared data bucket (the buckets are found by name). */
  dataKey: kms.IKey;
}

/** Directory of the step scripts the SageMaker containers run. */
export const ML_SCRIPTS_DIR = path.join(__dirname, '..', 'ml');
export const RECORD_PREPROCESSOR_FILE = 'monitor_record_preprocessor.py';
const INPUTS_LINE = 'INPUTS = []\n';

/**
 * Model Monitor's record preprocessor for one system: the generic script with
 * the system's inputs written in (it runs alone in the analyzer container).
 * Same substitution as render() in the script itself.
 */
export function renderRecordPreprocessor(system: ResolvedSystem): string {
  const source = fs.readFileSync(
    path.join(ML_SCRIPTS_DIR, RECORD_PREPROCESSOR_FILE),
    'utf8',
  );
  if (source.split(INPUTS_LINE).length !== 2)
    throw new Error(`${RECORD_PREPROCESSOR_FILE} has no single INPUTS line`);
  const inputs = system.inputs.map(c => [c.name, c.type]);
  return source.replace(INPUTS_LINE, `INPUTS = ${JSON.stringify(inputs)}\n`);
}

/**
 * One system's ML pipeline: the SageMaker pipeline (Preprocess → Train →
 * Evaluate → Check<metric> → Register), its model package group, the role
 * the jobs run as, and the system's step code and system.json under its
 * prefix of the shared artifact bucket.
 */
export class MlPipelineStack extends Stack {
  readonly role: iam.Role;
  readonly pipeline: sagemaker.CfnPipeline;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly images: SageMakerImages;
  readonly names: MlopsNames;
  readonly system: ResolvedSystem;

  constructor(scope: Construct, id: string, props: MlPipelineStackProps) {
    super(scope, id, props);
    const { system, names } = props;
    this.templateOptions.description = `ML system ${system.name}: SageMaker pipeline and model registry`;
    this.names = names;
    this.system = system;
    const prefix = artifactPrefix(system.name);

    const artifacts = s3.Bucket.fromBucketName(
      this,
      'ArtifactBucket',
      sharedBucketName('artifacts', this.account, this.region),
    );
    const dataBucket = s3.Bucket.fromBucketName(
      this,
      'DataBucket',
      sharedBucketName('data', this.account, this.region),
    );
    const data = dataPrefix(system.name);
    this.images = new SageMakerImages(this, 'Images');

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(
      this,
      'ModelPackageGroup',
      {
        modelPackageGroupName: names.modelPackageGroupName,
        modelPackageGroupDescription: `${system.title}: preprocessor + XGBoost versions`,
      },
    );

    this.role = new iam.Role(this, 'SageMakerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the SageMaker pipeline of ${system.name} and its processing/training jobs`,
    });
    grantContainerBasics(this.role, {
      images: this.images,
      sidPrefix: 'Job',
      logGroups: '/aws/sagemaker/*',
      logGroupsReason:
        'SageMaker names job log groups/streams per job type (/aws/sagemaker/ProcessingJobs, TrainingJobs); limited to that prefix.',
    });
    // Step code and spec (read), run outputs (read/write): this system's prefix only.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSystemArtifacts',
        actions: ['s3:GetObject'],
        resources: [artifacts.arnForObjects(`${prefix}*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteRunOutputs',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [artifacts.arnForObjects(`${prefix}runs/*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListSystemArtifacts',
        actions: ['s3:ListBucket'],
        resources: [artifacts.bucketArn],
        conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}*`] } },
      }),
    );
    // Training data (read-only; the key decrypts the data bucket).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDataSet',
        actions: ['s3:GetObject'],
        resources: [dataBucket.arnForObjects(`${data}*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListDataSet',
        actions: ['s3:ListBucket'],
        resources: [dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [data, `${data}*`] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptDataSet',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunPipelineJobs',
        actions: [
          'sagemaker:CreateProcessingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:AddTags',
        ],
        resources: [
          sageMakerArn(this, 'processing-job/*'),
          sageMakerArn(this, 'training-job/*'),
        ],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterModelVersions',
        actions: [
          'sagemaker:CreateModelPackage',
          'sagemaker:DescribeModelPackage',
          'sagemaker:AddTags',
        ],
        resources: [
          modelPackageGroupArn(this, names.modelPackageGroupName),
          modelPackagesArn(this, names.modelPackageGroupName),
        ],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassOwnRoleToJobs',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: {
          StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
        },
      }),
    );
    const bucketArn = (bucket: 'artifacts' | 'data', key: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${sharedBucketName(
        bucket,
        '<AWS::AccountId>',
        '<AWS::Region>',
      )}/${key}]`;
    acknowledgeAll(
      this.role.node.findChild('DefaultPolicy'),
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:processing-job/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${names.modelPackageGroupName.toLowerCase()}/*]`,
      ],
      'Job names and package versions are generated per pipeline execution; the wildcard is limited to this account/region and to this model package group.',
    );
    acknowledgeAll(
      this.role.node.findChild('DefaultPolicy'),
      [
        bucketArn('artifacts', `${prefix}*`),
        bucketArn('artifacts', `${prefix}runs/*`),
        bucketArn('data', `${data}*`),
      ],
      "Object keys are generated per execution: read on this system's artifact prefix (step code, spec, runs), write on its runs/ prefix, read-only on its data prefix.",
    );

    // Step scripts at <prefix>code/ (the record preprocessor rendered for this
    // system), system.json at <prefix>spec/.
    new s3deploy.BucketDeployment(this, 'StepCode', {
      sources: [
        s3deploy.Source.asset(ML_SCRIPTS_DIR, {
          exclude: [
            'tests',
            'tests/**',
            '__pycache__',
            '**/__pycache__/**',
            '*.pyc',
            RECORD_PREPROCESSOR_FILE,
          ],
        }),
        s3deploy.Source.data(
          RECORD_PREPROCESSOR_FILE,
          renderRecordPreprocessor(system),
        ),
      ],
      destinationBucket: artifacts,
      destinationKeyPrefix: `${prefix}code/`,
      retainOnDelete: false,
      memoryLimit: 256,
    });
    new s3deploy.BucketDeployment(this, 'SystemSpec', {
      sources: [
        s3deploy.Source.jsonData('system.json', systemDocument(system)),
      ],
      destinationBucket: artifacts,
      destinationKeyPrefix: `${prefix}spec/`,
      retainOnDelete: false,
      memoryLimit: 128,
    });
    acknowledgeBucketDeployment(
      this,
      `arn:<AWS::Partition>:s3:::${sharedBucketName(
        'artifacts',
        '<AWS::AccountId>',
        '<AWS::Region>',
      )}/*`,
    );

    const definition = buildPipelineDefinition({
      system,
      roleArn: this.role.roleArn,
      artifactBucketName: artifacts.bucketName,
      artifactPrefix: prefix,
      defaultInputDataUrl: `s3://${dataBucket.bucketName}/${data}`,
      sklearnImage: this.images.sklearnImage,
      xgboostImage: this.images.xgboostImage,
      modelPackageGroupName: names.modelPackageGroupName,
      region: this.region,
    });
    this.pipeline = new sagemaker.CfnPipeline(this, 'Pipeline', {
      pipelineName: names.pipelineName,
      pipelineDisplayName: names.pipelineName,
      pipelineDescription: `${
        system.title
      }: Preprocess → Train (XGBoost) → Evaluate → ${gateStepName(
        system.gate,
      )} → Register`,
      roleArn: this.role.roleArn,
      pipelineDefinition: {
        PipelineDefinitionBody: this.toJsonString(definition),
      },
    });
    this.pipeline.node.addDependency(this.modelPackageGroup);
    this.pipeline.node.addDependency(this.role);

    const inputDataUrl = `s3://${dataBucket.bucketName}/${data}`;
    new CfnOutput(this, 'SystemName', { value: system.name });
    new CfnOutput(this, 'PipelineName', { value: names.pipelineName });
    new CfnOutput(this, 'PipelineArn', {
      value: sageMakerArn(this, `pipeline/${names.pipelineName}`),
    });
    new CfnOutput(this, 'ModelPackageGroupName', {
      value: names.modelPackageGroupName,
    });
    new CfnOutput(this, 'Region', { value: this.region });
    // Fixed name, known before the first deploy of the serving stack.
    new CfnOutput(this, 'EndpointName', { value: names.endpointName });
    new CfnOutput(this, 'InputDataUrl', {
      value: inputDataUrl,
      description: `Upload ${system.name}'s data here`,
    });
    // The portal reads the same spec file; it sits beside the entity's catalog-info.yaml.
    const specAnnotation = `./${path.basename(
      system.specFile ?? 'ml-system.yaml',
    )}`;
    new CfnOutput(this, 'SpecAnnotation', { value: specAnnotation });
    new CfnOutput(this, 'CatalogAnnotations', {
      description: 'Paste under metadata.annotations of the ML system entity',
      value: [
        `mlops.io/pipeline: ${names.pipelineName}`,
        `mlops.io/model-package-group: ${names.modelPackageGroupName}`,
        `mlops.io/endpoint: ${names.endpointName}`,
        `mlops.io/release-pipeline: ${names.releasePipelineName}`,
        `mlops.io/aws-region: ${this.region}`,
        `mlops.io/data-bucket: ${inputDataUrl}`,
        `mlops.io/spec: ${specAnnotation}`,
      ].join('; '),
    });
    new CfnOutput(this, 'ArtifactBucketName', { value: artifacts.bucketName });
    new CfnOutput(this, 'SageMakerRoleArn', { value: this.role.roleArn });
  }
}
