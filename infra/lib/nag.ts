import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct. cdk-nag 3 runs as a CDK
 * validation plugin, so findings are acknowledged through CDK's Validations
 * API; every call carries the reason that justifies it.
 */
export function acknowledge(
  scope: IConstruct,
  id: string,
  reason: string,
): void {
  // Qualified with the plugin name, as cdk-nag's report asks ("Acknowledge with 'AwsSolutions::…'").
  Validations.of(scope).acknowledge({
    id: `AwsSolutions::${forStack(Stack.of(scope), id)}`,
    reason,
  });
}

/**
 * cdk-nag prints pseudo parameters as <AWS::Region> etc. in env-agnostic
 * stacks but as literal values when the stack has a concrete env; finding
 * ids are written in the first form and rendered for the stack here.
 */
export function forStack(stack: Stack, id: string): string {
  // Managed policy ARNs (IAM4) always use the partition pseudo parameter.
  if (!id.startsWith('AwsSolutions-IAM5')) return id;
  const value = (v: string, placeholder: string) =>
    Token.isUnresolved(v) ? placeholder : v;
  return id
    .split('<AWS::Partition>')
    .join(value(stack.partition, '<AWS::Partition>'))
    .split('<AWS::Region>')
    .join(value(stack.region, '<AWS::Region>'))
    .split('<AWS::AccountId>')
    .join(value(stack.account, '<AWS::AccountId>'));
}

/** Acknowledges several findings that share one reason (e.g. each wildcard of one policy). */
export function acknowledgeAll(
  scope: IConstruct,
  ids: string[],
  reason: string,
): void {
  for (const id of ids) acknowledge(scope, id, reason);
}

const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Stack-level singletons CDK creates for some L2 features, found by their id prefix. */
function singletons(stack: Stack, idPrefix: string): IConstruct[] {
  return stack.node.children.filter(c => c.node.id.startsWith(idPrefix));
}

/**
 * The Lambda behind `bucket.addEventNotification` only configures bucket
 * notifications at deploy time; its role and runtime are CDK's.
 */
export function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  for (const handler of singletons(stack, 'BucketNotificationsHandler')) {
    acknowledge(
      handler,
      BASIC_EXECUTION_ROLE,
      'CDK-managed deploy-time handler that only writes bucket notification config; it logs to CloudWatch via the AWS basic execution policy.',
    );
    acknowledge(
      handler,
      'AwsSolutions-IAM5[Resource::*]',
      'CDK-managed handler: s3:PutBucketNotification is granted by CDK on * because the bucket is passed at deploy time.',
    );
  }
}

/**
 * BucketDeployment's CDK-managed Lambda: copies a CDK asset into the
 * destination bucket at deploy time. Its grants are CDK's grantRead/Write
 * helpers on the asset bucket and on the destination bucket.
 */
export function acknowledgeBucketDeployment(
  stack: Stack,
  /** The destination bucket of this stack, or the nag resource text of one found by name. */
  destination: IConstruct | string,
  extraIds: string[] = [],
): void {
  const objects =
    typeof destination === 'string'
      ? destination
      : `<${stack.getLogicalId(
          destination.node.defaultChild as CfnElement,
        )}.Arn>/*`;
  for (const handler of singletons(stack, 'Custom::CDKBucketDeployment')) {
    const reason =
      "CDK-managed BucketDeployment handler: reads this stack's asset from the CDK bootstrap bucket and syncs it into the destination bucket (object-level actions on those two buckets only).";
    acknowledge(handler, BASIC_EXECUTION_ROLE, reason);
    acknowledge(
      handler,
      'AwsSolutions-L1',
      'CDK-managed BucketDeployment handler; CDK pins its runtime (Python) with the AWS CLI layer it needs.',
    );
    acknowledgeAll(
      handler,
      [
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        `AwsSolutions-IAM5[Resource::${objects}]`,
        // The default bootstrap's asset bucket, or the scoped deploy bootstrap's (lib/deploy-access.ts).
        ...['hnb659fds', 'mlopsdep'].map(
          q =>
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${q}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
        ),
        ...extraIds,
      ],
      reason,
    );
  }
}

/** AwsCustomResource's shared provider Lambda (CDK-managed); its calls' permissions are in each resource's own policy. */
export function acknowledgeAwsCustomResourceProvider(stack: Stack): void {
  for (const provider of singletons(
    stack,
    'AWS679f53fac002430cb0da5b7982bd2287',
  )) {
    acknowledge(
      provider,
      BASIC_EXECUTION_ROLE,
      'CDK-managed AwsCustomResource provider; the basic execution policy only lets it write its own CloudWatch logs.',
    );
  }
}
