import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SageMakerImages } from './images';
import { acknowledge } from './nag';

/**
 * What every role that runs SageMaker framework containers needs (pipeline
 * jobs and the endpoint alike): pull the framework images, log in to ECR, and
 * write logs and metrics — each scoped as narrowly as IAM allows.
 */
export function grantContainerBasics(
  role: iam.Role,
  options: {
    images: SageMakerImages;
    /** Statement id prefix, e.g. `Job` → JobLogs, JobMetrics. */
    sidPrefix: string;
    /** CloudWatch log-group prefix SageMaker writes to, e.g. `/aws/sagemaker/Endpoints/*`. */
    logGroups: string;
    /** Why the log-group wildcard is as narrow as it can be. */
    logGroupsReason: string;
  },
): void {
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PullFrameworkImages',
      actions: [
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
      ],
      resources: options.images.repositoryArns(),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'EcrLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: `${options.sidPrefix}Logs`,
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: options.logGroups,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: `${options.sidPrefix}Metrics`,
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: {
        StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' },
      },
    }),
  );
  const policy = role.node.findChild('DefaultPolicy');
  acknowledge(
    policy,
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken has no resource-level permissions; cloudwatch:PutMetricData is limited by the namespace condition to SageMaker metrics.',
  );
  acknowledge(
    policy,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${options.logGroups}]`,
    options.logGroupsReason,
  );
}
