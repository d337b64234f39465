/**
 * The CDK constructs a platform team uses in its own app: the shared
 * platform stack and one MlSystem per ML system spec file.
 */
export { DataStack as MlopsPlatform } from './data-stack';
export { MlSystem } from './ml-system';
export type { MlSystemProps } from './ml-system';
export { buildMlopsApp } from './mlops-app';
export type { MlopsAppOptions, SystemEntry } from './mlops-app';
export { namesForSystem } from './config';
export type { MlopsNames } from './config';
export { loadSystem, readSpecFile, resolveSystem } from './spec';
export type { ResolvedSystem } from './spec';
export {
  DEPLOY_EXECUTION_POLICY,
  DEPLOY_QUALIFIER,
  SERVED_BOUNDARY,
  deploySynthesizer,
} from './deploy-access';
export { portalSnippet } from './portal-snippet';
export {
  ROLLOUT_ALARM_SUFFIXES,
  deploymentOverrideContextKey,
  parseDeploymentStrategy,
  rolloutAlarmNames,
} from './rollout';
export type { DeploymentStrategy } from './rollout';
export { PortalRolloutAccess, shadowPrefix } from './portal-access';
