/**
 * The publisher of an endpoint's `PredictionDrift` metric (issue 26): a Lambda
 * (lambda/prediction-drift) run on every Data Capture file SageMaker writes for
 * the endpoint, which publishes the PSI of the file's predictions against the
 * baseline of the version being rolled out. The artifact bucket sends its
 * events to EventBridge (DataStack), so each serving stack owns its own rule
 * and no stack rewrites the shared bucket's notification configuration.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { sharedBucketName } from './config';
import { projectLambda } from './project-lambda';
import { acknowledge } from './nag';
import { PREDICTION_BASELINE_FILE } from './pipeline-definition';
import { PREDICTION_DRIFT_METRIC, ROLLOUT_METRICS_NAMESPACE } from './rollout';
import { modelPackagesArn, sageMakerArn } from './sagemaker-arns';

/** The artifact bucket's name as cdk-nag prints it (imported by name in the serving stack). */
const NAG_ARTIFACTS = sharedBucketName(
  'artifacts',
  '<AWS::AccountId>',
  '<AWS::Region>',
);

export interface PredictionDriftPublisherProps {
  endpointName: string;
  /** The shared artifact bucket (Data Capture's destination; EventBridge enabled). */
  artifacts: s3.IBucket;
  /** Data Capture's destination prefix, without a trailing slash. */
  capturePrefix: string;
  /** The system's artifact prefix (`systems/<system>/`): baselines live under its runs/. */
  artifactPrefix: string;
  modelPackageGroupName: string;
  /** Fewer predictions in a capture file are not judged (the strategy's minInvocations). */
  minPredictions: number;
}

export class PredictionDriftPublisher extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;
  /** Key prefix of the endpoint's capture files. */
  readonly captureKeyPrefix: string;

  constructor(
    scope: Construct,
    id: string,
    props: PredictionDriftPublisherProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    const { endpointName, artifacts } = props;
    this.captureKeyPrefix = `${props.capturePrefix}/${endpointName}/`;
    const baselines = `${props.artifactPrefix}runs/*/evaluation/${PREDICTION_BASELINE_FILE}`;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    // Own role instead of AWSLambdaBasicExecutionRole: logs only to its own group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Prediction-drift publisher of ${endpointName}: read its captures and baselines, publish one metric`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'Logs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCapturesAndBaselines',
        actions: ['s3:GetObject'],
        resources: [
          artifacts.arnForObjects(`${this.captureKeyPrefix}*`),
          artifacts.arnForObjects(baselines),
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindTheServedVersion',
        actions: ['sagemaker:DescribeEndpoint'],
        resources: [sageMakerArn(stack, `endpoint/${endpointName}`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadEndpointConfigs',
        actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:ListTags'],
        // CloudFormation names endpoint configs after their logical id.
        resources: [sageMakerArn(stack, 'endpoint-config/EndpointConfig-*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindTheBaseline',
        actions: ['sagemaker:DescribeModelPackage'],
        resources: [modelPackagesArn(stack, props.modelPackageGroupName)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PublishDrift',
        actions: ['cloudwatch:PutMetricData'],
        // PutMetricData has no resource; the namespace condition is its scope.
        resources: ['*'],
        conditions: {
          StringEquals: { 'cloudwatch:namespace': ROLLOUT_METRICS_NAMESPACE },
        },
      }),
    );

    this.function = projectLambda(this, 'Function', 'prediction-drift', {
      role,
      logGroup,
      description: `Publishes ${ROLLOUT_METRICS_NAMESPACE}/${PREDICTION_DRIFT_METRIC} of ${endpointName} from its Data Capture files`,
      environment: {
        ENDPOINT_NAME: endpointName,
        CAPTURE_BUCKET: artifacts.bucketName,
        CAPTURE_PREFIX: props.capturePrefix,
        MIN_PREDICTIONS: String(props.minPredictions),
      },
    });

    this.rule = new events.Rule(this, 'CaptureCreated', {
      description: `Data Capture file of ${endpointName} written → prediction-drift publisher`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [artifacts.bucketName] },
          object: { key: [{ prefix: this.captureKeyPrefix }] },
        },
      },
      targets: [
        new targets.LambdaFunction(this.function, {
          // A capture file is only worth judging while it is recent.
          maxEventAge: Duration.minutes(15),
          retryAttempts: 2,
        }),
      ],
    });

    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${NAG_ARTIFACTS}/${this.captureKeyPrefix}*]`,
      "Data Capture writes one object per batch under this endpoint's capture prefix; read-only.",
    );
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${NAG_ARTIFACTS}/${baselines}]`,
      "Each version's prediction-baseline.json lives under runs/<pipeline execution id>/evaluation/; read-only, that file name only.",
    );
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:endpoint-config/endpointconfig-*]',
      'CloudFormation names the endpoint configs after their logical id with a random suffix (a new one per version), so the exact names are unknown at synth; DescribeEndpointConfig and ListTags only read them.',
    );
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${props.modelPackageGroupName.toLowerCase()}/*]`,
      'The served version is any version of this model package group; DescribeModelPackage only reads it.',
    );
    acknowledge(
      role.node.findChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::*]',
      `cloudwatch:PutMetricData supports no resource ARN; a condition limits it to the ${ROLLOUT_METRICS_NAMESPACE} namespace.`,
    );
  }
}
