/**
 * MLOps frontend plugin: an entity's pipeline runs, model versions, approvals,
 * metrics and predictions, plus an overview page of every ML system.
 *
 * @packageDocumentation
 */
export {
  mlopsPlugin,
  EntityMlopsContent,
  MlopsOverviewPage,
  EntityMlopsStatusCard,
  EntityMlopsReleaseCard,
  EntityMlopsPipelineCard,
  EntityMlopsRunsCard,
  EntityMlopsModelVersionsCard,
  EntityMlopsMetricsCard,
  EntityMlopsPredictionCard,
  EntityMlopsDatasetUploadCard,
  EntityMlopsDeploymentsCard,
  EntityMlopsEndpointMonitoringCard,
  EntityMlopsDriftCard,
} from './plugin';
export { isMlopsAvailable } from './conditions';
export { mlopsApiRef, MlopsClient, getRowErrors } from './api';
export type { ApprovalRequest, MlopsApi, MlopsResponseError } from './api';
export { rootRouteRef } from './routes';
