/**
 * What the release pipelines' Deploy stage may do (issue #20, finding 7).
 *
 * `cdk deploy` works through CDK bootstrap roles; with the default bootstrap
 * their CloudFormation execution role has AdministratorAccess, so a Deploy
 * stage that can assume them is an administrator. Here the stacks the Deploy
 * stage deploys (each system's serving stack, the consumer hosting) are
 * synthesized for a bootstrap of their own (qualifier DEPLOY_QUALIFIER) whose
 * execution role gets only DEPLOY_EXECUTION_POLICY, a managed policy this
 * construct writes: the resources of those stacks, by name. Roles those stacks
 * create must carry the SERVED_BOUNDARY permissions boundary, so the execution
 * role cannot mint a role with more than serving needs. The Deploy stage may
 * assume exactly that bootstrap's deploy and file-publishing roles.
 *
 * Bootstrap once, after deploying the platform stack (README "Deploy"):
 *   cdk bootstrap --qualifier mlopsdep --toolkit-stack-name CDKToolkitMlopsDeploy \
 *     --cloudformation-execution-policies arn:aws:iam::<account>:policy/mlops-deploy-execution
 */
import { ArnFormat, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeAll } from './nag';

const NAG_ARN = {
  partition: '<AWS::Partition>',
  region: '<AWS::Region>',
  account: '<AWS::AccountId>',
};
const iam5 = (resource: string) => `AwsSolutions-IAM5[Resource::${resource}]`;
import { rolloutAlarmPrefix } from './rollout';
import { sageMakerArn } from './sagemaker-arns';

export const DEPLOY_QUALIFIER = 'mlopsdep';
export const DEPLOY_EXECUTION_POLICY = 'mlops-deploy-execution';
export const SERVED_BOUNDARY = 'mlops-served-boundary';

/** Synthesizer of a stack the Deploy stage deploys: the scoped bootstrap. */
export function deploySynthesizer(): DefaultStackSynthesizer {
  return new DefaultStackSynthesizer({ qualifier: DEPLOY_QUALIFIER });
}

/** Roles of a deployed stack get the boundary (CDK's own helper roles included). */
export function applyServedBoundary(stack: Stack): void {
  iam.PermissionsBoundary.of(stack).apply(
    iam.ManagedPolicy.fromManagedPolicyName(
      stack,
      'ServedBoundary',
      SERVED_BOUNDARY,
    ),
  );
}

/** The bootstrap roles the Deploy stage may assume (no lookup role: stacks are env-agnostic). */
export function deployBootstrapRoleArns(stack: Stack): string[] {
  return ['deploy-role', 'file-publishing-role'].map(role =>
    stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `cdk-${DEPLOY_QUALIFIER}-${role}-${stack.account}-${stack.region}`,
    }),
  );
}

export interface ServedSystem {
  /** Stacks the Deploy stage deploys for this system (serving, maybe hosting). */
  stackNames: string[];
  endpointName: string;
}

/**
 * The execution policy and the boundary (in the platform stack, one per
 * account/region); each system adds its served stacks and endpoint.
 */
export class DeployAccess extends Construct {
  readonly executionPolicy: iam.ManagedPolicy;
  readonly boundary: iam.ManagedPolicy;
  private readonly stackNames = new Set<string>();

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.boundary = new iam.ManagedPolicy(this, 'Boundary', {
      managedPolicyName: SERVED_BOUNDARY,
      description:
        'Permissions boundary of every role the deployed serving/hosting stacks create: no IAM writes, only the services serving uses',
      statements: [
        new iam.PolicyStatement({
          sid: 'ServingServices',
          actions: [
            'sagemaker:CreateModel',
            'sagemaker:DeleteModel',
            'sagemaker:DescribeModel',
            'sagemaker:DescribeModelPackage',
            'sagemaker:InvokeEndpoint',
            // The prediction-drift publisher finds the version an endpoint rolls out.
            'sagemaker:DescribeEndpoint',
            'sagemaker:DescribeEndpointConfig',
            'sagemaker:ListTags',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
            'ecr:GetAuthorizationToken',
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogGroups',
            'logs:DescribeLogStreams',
            'logs:GetLogEvents',
            'logs:FilterLogEvents',
            'cloudwatch:PutMetricData',
            's3:GetObject',
            's3:PutObject',
            's3:DeleteObject',
            's3:ListBucket',
            's3:GetBucketLocation',
            'cloudfront:CreateInvalidation',
            'cloudfront:GetInvalidation',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PassRolesToSageMaker',
          actions: ['iam:PassRole'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
          },
        }),
      ],
    });
    acknowledgeAll(
      this.boundary,
      ['AwsSolutions-IAM5[Resource::*]'],
      'A permissions boundary is a ceiling, not a grant: it lists the services serving may use at all; each role gets its own scoped policy within it.',
    );

    this.executionPolicy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      managedPolicyName: DEPLOY_EXECUTION_POLICY,
      description: `CloudFormation execution policy of the ${DEPLOY_QUALIFIER} CDK bootstrap: deploys the ML systems' serving and hosting stacks only`,
    });
    const add = (s: iam.PolicyStatement) =>
      this.executionPolicy.addStatements(s);
    // Template parameters CloudFormation resolves, the bootstrap's asset bucket.
    add(
      new iam.PolicyStatement({
        sid: 'BootstrapVersionAndAssets',
        actions: ['ssm:GetParameters', 's3:GetObject'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: `cdk-bootstrap/${DEPLOY_QUALIFIER}/version`,
          }),
          `arn:${stack.partition}:s3:::cdk-${DEPLOY_QUALIFIER}-assets-${stack.account}-${stack.region}/*`,
        ],
      }),
    );
    // Services without resource-level permissions for these calls.
    add(
      new iam.PolicyStatement({
        sid: 'NoResourceLevelPermissions',
        actions: [
          'application-autoscaling:RegisterScalableTarget',
          'application-autoscaling:DeregisterScalableTarget',
          'application-autoscaling:PutScalingPolicy',
          'application-autoscaling:DeleteScalingPolicy',
          'application-autoscaling:DescribeScalableTargets',
          'application-autoscaling:DescribeScalingPolicies',
          'cloudfront:CreateOriginAccessControl',
          'cloudfront:GetOriginAccessControl',
          'cloudfront:UpdateOriginAccessControl',
          'cloudfront:DeleteOriginAccessControl',
          'cloudfront:ListOriginAccessControls',
        ],
        resources: ['*'],
      }),
    );
    this.acknowledgeShared();
    add(
      new iam.PolicyStatement({
        sid: 'AutoscalingServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName:
              'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*',
          }),
        ],
        conditions: {
          StringEquals: {
            'iam:AWSServiceName':
              'sagemaker.application-autoscaling.amazonaws.com',
          },
        },
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'PredictionApis',
        actions: [
          'apigateway:GET',
          'apigateway:POST',
          'apigateway:PUT',
          'apigateway:PATCH',
          'apigateway:DELETE',
        ],
        resources: [
          '/restapis',
          '/restapis/*',
          '/account',
          '/usageplans',
          '/usageplans/*',
          '/tags/*',
        ].map(p => `arn:${stack.partition}:apigateway:${stack.region}::${p}`),
      }),
    );
    add(
      new iam.PolicyStatement({
        sid: 'Distributions',
        actions: [
          'cloudfront:CreateDistribution',
          'cloudfront:UpdateDistribution',
          'cloudfront:DeleteDistribution',
          'cloudfront:GetDistribution',
          'cloudfront:GetDistributionConfig',
          'cloudfront:TagResource',
          'cloudfront:CreateInvalidation',
          'cloudfront:GetResponseHeadersPolicy',
          'cloudfront:GetCachePolicy',
        ],
        resources: [
          `arn:${stack.partition}:cloudfront::${stack.account}:distribution/*`,
          `arn:${stack.partition}:cloudfront::${stack.account}:response-headers-policy/*`,
          `arn:${stack.partition}:cloudfront::${stack.account}:cache-policy/*`,
        ],
      }),
    );
  }

  private acknowledgeShared(): void {
    const { partition: p, region: r, account: a } = NAG_ARN;
    acknowledgeAll(
      this.executionPolicy,
      [
        iam5('*'),
        ...['/restapis/*', '/usageplans/*', '/tags/*'].map(path =>
          iam5(`arn:${p}:apigateway:${r}::${path}`),
        ),
        ...[
          'distribution/*',
          'response-headers-policy/*',
          'cache-policy/*',
        ].map(res => iam5(`arn:${p}:cloudfront::${a}:${res}`)),
        iam5(
          `arn:${p}:iam::${a}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*`,
        ),
        iam5(`arn:${p}:s3:::cdk-${DEPLOY_QUALIFIER}-assets-${a}-${r}/*`),
      ],
      'Ids generated at deploy time (API ids, distribution ids, asset object keys, the autoscaling service-linked role) or calls without resource-level permissions (Application Auto Scaling, CloudFront origin access controls); every other statement names the served stacks and endpoints.',
    );
  }

  /** Lets the execution policy deploy one system's served stacks. */
  allowServing(system: ServedSystem): void {
    const stack = Stack.of(this);
    const names = system.stackNames.filter(n => !this.stackNames.has(n));
    names.forEach(n => this.stackNames.add(n));
    const ep = system.endpointName;
    const add = (s: iam.PolicyStatement) =>
      this.executionPolicy.addStatements(s);
    const perStack = (service: string, resource: string, suffix: string) =>
      names.map(n =>
        stack.formatArn({
          service,
          region: service === 'iam' ? '' : undefined,
          resource,
          resourceName: `${n}${suffix}`,
          arnFormat:
            service === 'logs' || service === 'lambda'
              ? ArnFormat.COLON_RESOURCE_NAME
              : undefined,
        }),
      );
    add(
      new iam.PolicyStatement({
        actions: [
          'sagemaker:CreateEndpoint',
          'sagemaker:UpdateEndpoint',
          'sagemaker:DeleteEndpoint',
          'sagemaker:DescribeEndpoint',
          'sagemaker:CreateEndpointConfig',
          'sagemaker:DeleteEndpointConfig',
          'sagemaker:DescribeEndpointConfig',
          'sagemaker:CreateDataQualityJobDefinition',
          'sagemaker:DeleteDataQualityJobDefinition',
          'sagemaker:DescribeDataQualityJobDefinition',
          'sagemaker:CreateMonitoringSchedule',
          'sagemaker:UpdateMonitoringSchedule',
          'sagemaker:DeleteMonitoringSchedule',
          'sagemaker:DescribeMonitoringSchedule',
          'sagemaker:AddTags',
          'sagemaker:DeleteTags',
          'sagemaker:ListTags',
        ],
        resources: [
          sageMakerArn(stack, `endpoint/${ep}`),
          // CloudFormation names endpoint configs after the logical id.
          sageMakerArn(stack, 'endpoint-config/endpointconfig-*'),
          sageMakerArn(stack, `data-quality-job-definition/${ep}-dq-v-*`),
          sageMakerArn(stack, `monitoring-schedule/${ep}-data-quality`),
        ],
      }),
    );
    // The rollout alarms (lib/rollout.ts); SageMaker also needs the caller of
    // UpdateEndpoint to be allowed DescribeAlarms on its auto-rollback alarms.
    add(
      new iam.PolicyStatement({
        actions: [
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:DescribeAlarms',
          'cloudwatch:TagResource',
          'cloudwatch:UntagResource',
          'cloudwatch:ListTagsForResource',
        ],
        resources: [
          stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: `${rolloutAlarmPrefix(ep)}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // The prediction-drift publisher's trigger (lib/prediction-drift.ts):
    // CloudFormation names rules <stack name>-<logical id>-<suffix>.
    if (names.length)
      add(
        new iam.PolicyStatement({
          actions: [
            'events:PutRule',
            'events:DeleteRule',
            'events:DescribeRule',
            'events:EnableRule',
            'events:DisableRule',
            'events:PutTargets',
            'events:RemoveTargets',
            'events:ListTargetsByRule',
            'events:TagResource',
            'events:UntagResource',
            'events:ListTagsForResource',
          ],
          resources: perStack('events', 'rule', '-*'),
        }),
      );
    const { partition: p, region: r, account: a } = NAG_ARN;
    acknowledgeAll(
      this.executionPolicy,
      [
        iam5(`arn:${p}:cloudwatch:${r}:${a}:alarm:${rolloutAlarmPrefix(ep)}*`),
        iam5(`arn:${p}:sagemaker:${r}:${a}:endpoint-config/endpointconfig-*`),
        iam5(
          `arn:${p}:sagemaker:${r}:${a}:data-quality-job-definition/${ep.toLowerCase()}-dq-v-*`,
        ),
        ...names.flatMap(n => [
          iam5(`arn:${p}:iam::${a}:role/${n}-*`),
          iam5(`arn:${p}:lambda:${r}:${a}:function:${n}-*`),
          iam5(`arn:${p}:events:${r}:${a}:rule/${n}-*`),
          iam5(`arn:${p}:logs:${r}:${a}:log-group:${n}-*`),
          iam5(`arn:${p}:s3:::${n.toLowerCase()}-*`),
        ]),
      ],
      'CloudFormation names what these stacks create <stack name>-<logical id>-<suffix> (endpoint configs after their logical id, job definitions <endpoint>-dq-v-<version>, rollout alarms <endpoint>-rollout-<kind>); each wildcard is limited to one served stack or endpoint, and new roles must carry the serving boundary.',
    );
    if (names.length === 0) return;
    // Roles CloudFormation names <stack>-<logical id>-<suffix>; new ones must carry the boundary.
    add(
      new iam.PolicyStatement({
        actions: [
          'iam:CreateRole',
          'iam:PutRolePolicy',
          'iam:AttachRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:DetachRolePolicy',
        ],
        resources: perStack('iam', 'role', '-*'),
        conditions: {
          StringEquals: { 'iam:PermissionsBoundary': boundaryArnOf(stack) },
        },
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: [
          'iam:GetRole',
          'iam:GetRolePolicy',
          'iam:DeleteRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:PassRole',
        ],
        resources: perStack('iam', 'role', '-*'),
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: [
          'lambda:CreateFunction',
          'lambda:DeleteFunction',
          'lambda:GetFunction',
          'lambda:GetFunctionConfiguration',
          'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
          'lambda:AddPermission',
          'lambda:RemovePermission',
          'lambda:InvokeFunction',
          'lambda:TagResource',
        ],
        resources: perStack('lambda', 'function', '-*'),
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: [
          'logs:CreateLogGroup',
          'logs:DeleteLogGroup',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:TagResource',
          'logs:DescribeLogGroups',
        ],
        resources: perStack('logs', 'log-group', '-*'),
      }),
    );
    add(
      new iam.PolicyStatement({
        actions: [
          's3:CreateBucket',
          's3:DeleteBucket',
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
          's3:GetBucketPolicy',
          's3:PutEncryptionConfiguration',
          's3:PutBucketPublicAccessBlock',
          's3:PutBucketOwnershipControls',
          's3:PutBucketVersioning',
          's3:PutLifecycleConfiguration',
          's3:PutBucketLogging',
          's3:PutBucketTagging',
          's3:PutBucketAcl',
          's3:GetBucketAcl',
        ],
        // CloudFormation names buckets <stack name lower-cased>-<logical id>-<suffix>.
        resources: names.map(
          n => `arn:${stack.partition}:s3:::${n.toLowerCase()}-*`,
        ),
      }),
    );
  }
}

function boundaryArnOf(stack: Stack): string {
  return stack.formatArn({
    service: 'iam',
    region: '',
    resource: 'policy',
    resourceName: SERVED_BOUNDARY,
  });
}
