export { mlopsApiRef, getRowErrors, httpStatus } from './MlopsApi';
export type { ApprovalRequest, MlopsApi } from './MlopsApi';
export { MlopsClient } from './MlopsClient';
export type { MlopsResponseError } from './MlopsClient';
