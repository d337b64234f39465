export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}
/** Path of plugins/mlops-backend-module-aws/docs/aws.md. */
export const DOC: string;
/** The policy document in the JSON block under "## Least-privilege IAM policy" of aws.md. */
export function readPortalPolicy(file?: string): PolicyDocument;
/** Sorted, unique "service:Action" names the policy allows. */
export function portalPolicyActions(policy?: PolicyDocument): string[];
/** Whether an Allow statement grants the action (case-insensitive, * wildcards). */
export function allowsAction(action: string, policy?: PolicyDocument): boolean;
