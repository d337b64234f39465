import { ArnFormat, CfnMapping, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { artifactPrefix, sharedBucketName } from './config';
import { acknowledge, acknowledgeAll } from './nag';
import { modelPackagesArn } from './sagemaker-arns';

/**
 * AWS accounts hosting Model Monitor's analyzer image
 * (sagemaker-model-monitor-analyzer), per the SageMaker Python SDK's
 * image_uri_config/model-monitor.json.
 */
export const MODEL_MONITOR_ACCOUNTS: Record<string, string> = {
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-northeast-3': '990339680094',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ap-southeast-3': '669540362728',
  'ca-central-1': '536280801234',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};
export const MODEL_MONITOR_REPOSITORY = 'sagemaker-model-monitor-analyzer';

/** Where a system's Data Capture writes and Model Monitor reports, in the artifact bucket. */
export const capturePrefix = (system: string) =>
  `${artifactPrefix(system)}monitoring/capture`;
export const reportsPrefix = (system: string) =>
  `${artifactPrefix(system)}monitoring/reports`;
/** The record preprocessor the system's step-code deployment puts under code/. */
export const recordPreprocessorKey = (system: string) =>
  `${artifactPrefix(system)}code/monitor_record_preprocessor.py`;
export const DEFAULT_CAPTURE_SAMPLING_PERCENT = 100;
/**
 * Sampling for Data Capture, from `-c captureSamplingPercent=N` (a string) or
 * a number; undefined means the default. Throws naming the setting.
 */
export function parseCaptureSampling(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new Error(
      `captureSamplingPercent must be an integer from 0 to 100, got ${JSON.stringify(
        value,
      )}`,
    );
  }
  return n;
}

/** Hourly, Model Monitor's shortest data-quality schedule. */
export const MONITOR_SCHEDULE = 'cron(0 * ? * * *)';

export interface DataQualityMonitorProps {
  endpointName: string;
  endpoint: sagemaker.CfnEndpoint;
  modelPackageGroupName: string;
  modelPackageArn: string;
  /** The system's name (its prefix in the artifact bucket). */
  systemName: string;
  artifacts: s3.IBucket;
  instanceType?: string;
}

/**
 * Data-quality monitoring of the endpoint: an hourly Model Monitor schedule
 * comparing the captured requests with the baseline the served version's
 * pipeline wrote (the model package's ModelMetrics.ModelDataQuality).
 */
export class DataQualityMonitor extends Construct {
  readonly role: iam.Role;
  readonly schedule: sagemaker.CfnMonitoringSchedule;

  constructor(scope: Construct, id: string, props: DataQualityMonitorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { artifacts } = props;

    // The baseline lives with the version; read its location from the registry.
    const pkg = new cr.AwsCustomResource(this, 'Baseline', {
      resourceType: 'Custom::ModelPackageBaseline',
      installLatestAwsSdk: false,
      onUpdate: {
        service: 'SageMaker',
        action: 'DescribeModelPackage',
        parameters: { ModelPackageName: props.modelPackageArn },
        physicalResourceId: cr.PhysicalResourceId.of(props.modelPackageArn),
        outputPaths: [
          'ModelMetrics.ModelDataQuality.Statistics.S3Uri',
          'ModelMetrics.ModelDataQuality.Constraints.S3Uri',
        ],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['sagemaker:DescribeModelPackage'],
          resources: [modelPackagesArn(stack, props.modelPackageGroupName)],
        }),
      ]),
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the Model Monitor data-quality job of ${props.endpointName}`,
    });
    const images = new CfnMapping(this, 'Accounts', {
      mapping: Object.fromEntries(
        Object.entries(MODEL_MONITOR_ACCOUNTS).map(([r, a]) => [
          r,
          { account: a },
        ]),
      ),
      lazy: true,
    });
    const imageAccount = images.findInMap(stack.region, 'account');
    this.addStatements(props, imageAccount);

    const definition = new sagemaker.CfnDataQualityJobDefinition(
      this,
      'JobDefinition',
      {
        // One definition per served version (its baseline); a new name lets
        // CloudFormation create the next one before deleting this one. The
        // portal's aws engine reads the version back from this name.
        jobDefinitionName: Fn.join('-', [
          props.endpointName,
          'dq-v',
          Fn.select(2, Fn.split('/', props.modelPackageArn)),
        ]),
        roleArn: this.role.roleArn,
        dataQualityAppSpecification: {
          imageUri: Fn.join('', [
            imageAccount,
            '.dkr.ecr.',
            stack.region,
            '.',
            stack.urlSuffix,
            `/${MODEL_MONITOR_REPOSITORY}:latest`,
          ]),
          recordPreprocessorSourceUri: artifacts.s3UrlForObject(
            recordPreprocessorKey(props.systemName),
          ),
        },
        dataQualityBaselineConfig: {
          statisticsResource: {
            s3Uri: pkg.getResponseField(
              'ModelMetrics.ModelDataQuality.Statistics.S3Uri',
            ),
          },
          constraintsResource: {
            s3Uri: pkg.getResponseField(
              'ModelMetrics.ModelDataQuality.Constraints.S3Uri',
            ),
          },
        },
        dataQualityJobInput: {
          endpointInput: {
            endpointName: props.endpointName,
            localPath: '/opt/ml/processing/input/endpoint',
          },
        },
        dataQualityJobOutputConfig: {
          monitoringOutputs: [
            {
              s3Output: {
                s3Uri: artifacts.s3UrlForObject(
                  reportsPrefix(props.systemName),
                ),
                localPath: '/opt/ml/processing/output',
                s3UploadMode: 'Continuous',
              },
            },
          ],
        },
        jobResources: {
          clusterConfig: {
            instanceCount: 1,
            instanceType: props.instanceType ?? 'ml.m5.large',
            volumeSizeInGb: 20,
          },
        },
        stoppingCondition: { maxRuntimeInSeconds: 3600 },
      },
    );
    definition.node.addDependency(this.role);
    // The job reads captured data, so the endpoint (and its capture) must exist.
    definition.node.addDependency(props.endpoint);

    this.schedule = new sagemaker.CfnMonitoringSchedule(this, 'Schedule', {
      monitoringScheduleName: `${props.endpointName}-data-quality`,
      endpointName: props.endpointName,
      monitoringScheduleConfig: {
        monitoringJobDefinitionName: definition.jobDefinitionName,
        monitoringType: 'DataQuality',
        scheduleConfig: { scheduleExpression: MONITOR_SCHEDULE },
      },
    });
    // The schedule names the definition by name, which CloudFormation cannot see.
    this.schedule.node.addDependency(definition);
  }

  private addStatements(props: DataQualityMonitorProps, imageAccount: string) {
    const stack = Stack.of(this);
    const { artifacts } = props;
    const capture = capturePrefix(props.systemName);
    const reports = reportsPrefix(props.systemName);
    const runs = `${artifactPrefix(props.systemName)}runs/*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadCaptureBaselineAndPreprocessor',
        actions: ['s3:GetObject'],
        resources: [
          artifacts.arnForObjects(`${capture}/*`),
          artifacts.arnForObjects(runs),
          artifacts.arnForObjects(recordPreprocessorKey(props.systemName)),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'ListCapture',
        actions: ['s3:ListBucket'],
        resources: [artifacts.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [`${capture}/*`, runs] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'WriteReports',
        actions: ['s3:PutObject'],
        resources: [artifacts.arnForObjects(`${reports}/*`)],
      }),
      new iam.PolicyStatement({
        sid: 'PullAnalyzerImage',
        actions: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
        ],
        resources: [
          Fn.join('', [
            `arn:${stack.partition}:ecr:${stack.region}:`,
            imageAccount,
            `:repository/${MODEL_MONITOR_REPOSITORY}`,
          ]),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'EcrLogin',
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'MonitorLogs',
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/sagemaker/ProcessingJobs*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'MonitorMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: {
          StringLike: { 'cloudwatch:namespace': 'aws/sagemaker/Endpoints/*' },
        },
      }),
    ];
    statements.forEach(s => this.role.addToPolicy(s));
    const bucket = `arn:<AWS::Partition>:s3:::${sharedBucketName(
      'artifacts',
      '<AWS::AccountId>',
      '<AWS::Region>',
    )}`;
    acknowledgeAll(
      this.role.node.findChild('DefaultPolicy'),
      [
        ...[`${capture}/*`, `${reports}/*`, runs].map(
          prefix => `AwsSolutions-IAM5[Resource::${bucket}/${prefix}]`,
        ),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/ProcessingJobs*]',
        'AwsSolutions-IAM5[Resource::*]',
      ],
      'Object wildcards are limited to the capture, report and run (baseline) prefixes of the artifact bucket; log groups to /aws/sagemaker/ProcessingJobs; ecr:GetAuthorizationToken has no resource-level permissions; PutMetricData is limited by the namespace condition.',
    );
    acknowledge(
      this.node.findChild('Baseline'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${props.modelPackageGroupName.toLowerCase()}/*]`,
      'Reads the baseline location of the version being deployed; limited to versions of this model package group.',
    );
  }
}
