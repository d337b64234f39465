import { createPermission } from '@backstage/plugin-permission-common';

/**
 * MLOps permissions. Writes are entity-scoped `update`/`create` permissions on
 * catalog entities so a policy can say "only the entity's owners may approve".
 */
const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/** Start, retry or stop a pipeline execution of the entity. */
export const mlopsPipelineExecutePermission = createPermission({
  name: 'mlops.pipeline.execute',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Upload a dataset into the entity's data bucket (which triggers a release). */
export const mlopsDatasetUploadPermission = createPermission({
  name: 'mlops.dataset.upload',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Approve or reject a model version of the entity (deploys on approval). */
export const mlopsModelApprovePermission = createPermission({
  name: 'mlops.model.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Invoke the entity's endpoint through the portal. */
export const mlopsEndpointInvokePermission = createPermission({
  name: 'mlops.endpoint.invoke',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const mlopsPermissions = [
  mlopsPipelineExecutePermission,
  mlopsDatasetUploadPermission,
  mlopsModelApprovePermission,
  mlopsEndpointInvokePermission,
];
