/** Types of scripts/aws-models/portal-policy.cjs as the infra tests use it. */
export type {
  PolicyDocument,
  PolicyStatement,
} from '../../scripts/aws-models/portal-policy';
import type * as PortalPolicyModule from '../../scripts/aws-models/portal-policy';

export type PortalPolicy = typeof PortalPolicyModule;
