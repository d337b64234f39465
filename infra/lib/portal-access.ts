/**
 * What the portal's aws engine needs, per ML system, for rollouts and shadow
 * tests (issue 26): a managed policy the portal's role attaches next to the
 * policy of plugins/mlops-backend-module-aws/docs/aws.md. Scoped to the
 * system's endpoint, its rollout alarms, its `<endpoint>-shadow-*` models and
 * endpoint configs, and the serving stack's model execution role.
 *
 * It lives in the system's pipeline stack (deployed by a person), not in the
 * serving stack: the release pipeline's Deploy stage may not write IAM
 * policies (lib/deploy-access.ts), and must not widen the portal's.
 */
import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeAll } from './nag';
import { rolloutAlarmNames, rolloutAlarmPrefix } from './rollout';
import { sageMakerArn } from './sagemaker-arns';

/** Names the portal gives shadow-test resources: `<endpoint>-shadow-…` models and endpoint configs. */
/** SageMaker's model / endpoint config name limit. */
const SAGEMAKER_NAME_MAX = 63;
/** The aws engine's shadow suffix at its longest we allow for: `-shadow-v<6 digits>-<YYYYMMDDTHHMMSS>`. */
const SHADOW_SUFFIX_MAX = '-shadow-v999999-20261207T152000'.length;

/**
 * IAM pattern of the shadow-test models and endpoint configs the aws engine
 * names `<endpoint>-shadow-v<N>-<time>`, shortening the endpoint part so the
 * name fits 63 characters: a long endpoint name keeps at least its first
 * 63 − 31 characters, so the pattern is `<those>*-shadow-*`.
 */
export function shadowPrefix(endpointName: string): string {
  const kept = SAGEMAKER_NAME_MAX - SHADOW_SUFFIX_MAX;
  return endpointName.length <= kept
    ? `${endpointName}-shadow-`
    : `${endpointName.slice(0, kept).replace(/-+$/, '')}*-shadow-`;
}

/** IAM role names CloudFormation generates: `<stack>-<logical id>-<suffix of up to 13>`, 64 at most. */
const ROLE_NAME_MAX = 64;
const GENERATED_SUFFIX = 13;

export interface PortalRolloutAccessProps {
  systemName: string;
  endpointName: string;
  /** The serving stack and its model role's logical id (CloudFormation names the role after both). */
  servingStackName: string;
  modelRoleLogicalId: string;
}

export class PortalRolloutAccess extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: PortalRolloutAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ep = props.endpointName;
    const roleNamePrefix = `${props.servingStackName}-${props.modelRoleLogicalId}-`;
    // CloudFormation would truncate a longer name and the PassRole pattern would miss it.
    if (roleNamePrefix.length + GENERATED_SUFFIX > ROLE_NAME_MAX)
      throw new Error(
        `${props.servingStackName}: the stack name is too long for its model role's generated name (${roleNamePrefix}…, IAM allows ${ROLE_NAME_MAX}); give the system a shorter stackPrefix`,
      );
    const alarmArn = (name: string) =>
      stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const shadow = shadowPrefix(ep);

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: `mlops-portal-rollouts-${props.systemName}`,
      description: `The MLOps portal's rollouts and shadow tests on endpoint ${ep} (attach to the portal's role with the policy of docs/aws.md)`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadRolloutAlarms',
          actions: [
            'cloudwatch:DescribeAlarms',
            'cloudwatch:DescribeAlarmHistory',
          ],
          resources: [alarmArn(`${rolloutAlarmPrefix(ep)}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'ManualRollback',
          actions: ['cloudwatch:SetAlarmState'],
          resources: [alarmArn(rolloutAlarmNames(ep).manual)],
        }),
        // GetMetricData has no resource-level permissions.
        new iam.PolicyStatement({
          sid: 'RolloutMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
        }),
        // Into a shadow config and back to the stack's own (CloudFormation names it EndpointConfig-…).
        new iam.PolicyStatement({
          sid: 'ShadowTestEndpoint',
          actions: ['sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint'],
          resources: [
            sageMakerArn(stack, `endpoint/${ep}`),
            sageMakerArn(stack, `endpoint-config/${shadow}*`),
            sageMakerArn(stack, 'endpoint-config/endpointconfig-*'),
          ],
        }),
        // Created with tags (what the test is, how to undo it), hence AddTags.
        new iam.PolicyStatement({
          sid: 'ShadowTestModelsAndConfigs',
          actions: [
            'sagemaker:CreateModel',
            'sagemaker:CreateEndpointConfig',
            'sagemaker:AddTags',
            'sagemaker:DescribeModel',
            'sagemaker:DescribeEndpointConfig',
          ],
          resources: [
            sageMakerArn(stack, `model/${shadow}*`),
            sageMakerArn(stack, `endpoint-config/${shadow}*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'PassModelExecutionRole',
          actions: ['iam:PassRole'],
          resources: [
            stack.formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: `${roleNamePrefix}*`,
            }),
          ],
          conditions: {
            StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
          },
        }),
      ],
    });
    const p = '<AWS::Partition>';
    const r = '<AWS::Region>';
    const a = '<AWS::AccountId>';
    const iam5 = (resource: string) =>
      `AwsSolutions-IAM5[Resource::${resource}]`;
    acknowledgeAll(
      this.policy,
      [
        iam5(`arn:${p}:cloudwatch:${r}:${a}:alarm:${rolloutAlarmPrefix(ep)}*`),
        iam5('*'),
        iam5(`arn:${p}:sagemaker:${r}:${a}:model/${shadow.toLowerCase()}*`),
        iam5(
          `arn:${p}:sagemaker:${r}:${a}:endpoint-config/${shadow.toLowerCase()}*`,
        ),
        iam5(`arn:${p}:sagemaker:${r}:${a}:endpoint-config/endpointconfig-*`),
        iam5(`arn:${p}:iam::${a}:role/${roleNamePrefix}*`),
      ],
      "Limited to this system: its endpoint's rollout alarms, the shadow-test models and configs the portal names <endpoint>-shadow-v<version>-<time>, the endpoint configs CloudFormation names EndpointConfig-<suffix> (a shadow test returns the endpoint to the stack's own), and the serving stack's model role (CloudFormation appends a generated suffix to its name). GetMetricData has no resource-level permissions.",
    );
    new CfnOutput(stack, 'PortalRolloutPolicyArn', {
      value: this.policy.managedPolicyArn,
      description:
        "Attach to the portal's IAM role: rollout alarms, manual rollback and shadow tests of this system",
    });
  }
}
