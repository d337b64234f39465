import { CfnElement, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import * as path from 'path';
import { DATA_PREFIX, MlopsNames, sharedBucketName } from './config';
import { grantContainerBasics } from './container-role';
import { SageMakerImages } from './images';
import { acknowledgeAll, acknowledgeBucketDeployment } from './nag';
import { buildPipelineDefinition } from './pipeline-definition';
import {
  modelPackageGroupArn,
  modelPackagesArn,
  sageMakerArn,
} from './sagemaker-arns';
import { accessLogsBucket, secureBucket } from './secure-bucket';

export interface MlPipelineStackProps extends StackProps {
  names: MlopsNames;
  /** Key that encrypts the data bucket (the bucket itself is found by its name). */
  dataKey: kms.IKey;
}

/** Directory of the step scripts the SageMaker containers run. */
export const ML_SCRIPTS_DIR = path.join(__dirname, '..', 'ml');

/**
 * ML pipeline: the SageMaker pipeline (Preprocess → Train → Evaluate →
 * CheckMSE → Register), its model package group, the bucket for step code
 * and run artifacts, and the role the jobs run as.
 */
export class MlPipelineStack extends Stack {
  readonly artifactBucket: s3.Bucket;
  readonly role: iam.Role;
  readonly pipeline: sagemaker.CfnPipeline;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly images: SageMakerImages;
  readonly names: MlopsNames;

  constructor(scope: Construct, id: string, props: MlPipelineStackProps) {
    super(scope, id, props);
    this.templateOptions.description =
      'MLOps reference system: SageMaker pipeline and model registry';
    this.names = props.names;

    const logsBucket = accessLogsBucket(this);
    this.artifactBucket = secureBucket(this, 'ArtifactBucket', {
      bucketName: sharedBucketName('artifacts', this.account, this.region),
      accessLogsBucket: logsBucket,
    });
    const dataBucket = s3.Bucket.fromBucketName(
      this,
      'DataBucket',
      sharedBucketName('data', this.account, this.region),
    );
    this.images = new SageMakerImages(this, 'Images');

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(
      this,
      'ModelPackageGroup',
      {
        modelPackageGroupName: props.names.modelPackageGroupName,
        modelPackageGroupDescription:
          'Abalone age predictor: preprocessor + XGBoost versions',
      },
    );

    this.role = new iam.Role(this, 'SageMakerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description:
        'Runs the Abalone SageMaker pipeline and its processing/training jobs',
    });
    grantContainerBasics(this.role, {
      images: this.images,
      sidPrefix: 'Job',
      logGroups: '/aws/sagemaker/*',
      logGroupsReason:
        'SageMaker names job log groups/streams per job type (/aws/sagemaker/ProcessingJobs, TrainingJobs); limited to that prefix.',
    });
    // Step code and run outputs.
    this.artifactBucket.grantReadWrite(this.role);
    // Training data (read-only; the key decrypts the data bucket).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDataSet',
        actions: ['s3:GetObject'],
        resources: [dataBucket.arnForObjects(`${DATA_PREFIX}*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListDataSet',
        actions: ['s3:ListBucket'],
        resources: [dataBucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [DATA_PREFIX, `${DATA_PREFIX}*`] },
        },
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
          modelPackageGroupArn(this, props.names.modelPackageGroupName),
          modelPackagesArn(this, props.names.modelPackageGroupName),
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
    acknowledgeAll(
      this.role.node.findChild('DefaultPolicy'),
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:processing-job/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${props.names.modelPackageGroupName.toLowerCase()}/*]`,
      ],
      'Job names and package versions are generated per pipeline execution; the wildcard is limited to this account/region and to this model package group.',
    );
    acknowledgeAll(
      this.role.node.findChild('DefaultPolicy'),
      [
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(
          this.artifactBucket.node.defaultChild as CfnElement,
        )}.Arn>/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${sharedBucketName(
          'data',
          '<AWS::AccountId>',
          '<AWS::Region>',
        )}/${DATA_PREFIX}*]`,
      ],
      "Object-level access generated per execution: read/write on this stack's artifact bucket (step code, run outputs) and read-only on the data prefix of the data bucket.",
    );

    // Step scripts the containers run, at s3://<artifacts>/code/.
    new s3deploy.BucketDeployment(this, 'StepCode', {
      sources: [
        s3deploy.Source.asset(ML_SCRIPTS_DIR, {
          exclude: [
            'tests',
            'tests/**',
            '__pycache__',
            '**/__pycache__/**',
            '*.pyc',
          ],
        }),
      ],
      destinationBucket: this.artifactBucket,
      destinationKeyPrefix: 'code/',
      retainOnDelete: false,
      memoryLimit: 256,
    });

    acknowledgeBucketDeployment(this, this.artifactBucket);

    const definition = buildPipelineDefinition({
      roleArn: this.role.roleArn,
      artifactBucketName: this.artifactBucket.bucketName,
      defaultInputDataUrl: `s3://${dataBucket.bucketName}/${DATA_PREFIX}`,
      sklearnImage: this.images.sklearnImage,
      xgboostImage: this.images.xgboostImage,
      modelPackageGroupName: props.names.modelPackageGroupName,
      region: this.region,
    });
    this.pipeline = new sagemaker.CfnPipeline(this, 'Pipeline', {
      pipelineName: props.names.pipelineName,
      pipelineDisplayName: props.names.pipelineName,
      pipelineDescription:
        'Abalone: Preprocess → Train (XGBoost) → Evaluate → CheckMSE → Register',
      roleArn: this.role.roleArn,
      pipelineDefinition: {
        PipelineDefinitionBody: this.toJsonString(definition),
      },
    });
    this.pipeline.node.addDependency(this.modelPackageGroup);
    this.pipeline.node.addDependency(this.role);

    new CfnOutput(this, 'PipelineName', { value: props.names.pipelineName });
    new CfnOutput(this, 'PipelineArn', {
      value: sageMakerArn(this, `pipeline/${props.names.pipelineName}`),
    });
    new CfnOutput(this, 'ModelPackageGroupName', {
      value: props.names.modelPackageGroupName,
    });
    new CfnOutput(this, 'Region', { value: this.region });
    // Fixed name, known before the first deploy of the serving stack.
    new CfnOutput(this, 'EndpointName', { value: props.names.endpointName });
    new CfnOutput(this, 'CatalogAnnotations', {
      description: 'Paste under metadata.annotations of the ML system entity',
      value: [
        `mlops.io/pipeline: ${props.names.pipelineName}`,
        `mlops.io/model-package-group: ${props.names.modelPackageGroupName}`,
        `mlops.io/endpoint: ${props.names.endpointName}`,
        `mlops.io/release-pipeline: ${props.names.releasePipelineName}`,
        `mlops.io/aws-region: ${this.region}`,
        `mlops.io/data-bucket: s3://${dataBucket.bucketName}/${DATA_PREFIX}`,
      ].join('; '),
    });
    new CfnOutput(this, 'ArtifactBucketName', {
      value: this.artifactBucket.bucketName,
    });
    new CfnOutput(this, 'SageMakerRoleArn', { value: this.role.roleArn });
  }
}
