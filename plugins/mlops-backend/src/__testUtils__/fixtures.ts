import type { Entity } from '@backstage/catalog-model';
import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** Demo identity (the root README, "Identity in the demo"): guest is in ml-platform, viewer is not. */
export const OWNER_GROUP = 'group:default/ml-platform';
export const GUEST = 'user:default/guest';
export const VIEWER = 'user:default/viewer';
export const ENTITY_REF = 'component:default/abalone-age-predictor';
export const ENTITY_PATH =
  '/api/mlops/v1/entity/default/component/abalone-age-predictor';

const MEMBERSHIP: Record<string, string[]> = {
  [GUEST]: [GUEST, OWNER_GROUP],
  [VIEWER]: [VIEWER, 'group:default/data-analysts'],
};

export const abaloneEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'abalone-age-predictor',
    namespace: 'default',
    annotations: {
      'mlops.io/pipeline': 'abalone-pipeline',
      'mlops.io/model-package-group': 'AbaloneModelPackageGroup',
      'mlops.io/endpoint': 'abalone-endpoint',
      'mlops.io/release-pipeline': 'abalone-release',
      // Serves the public predict route (opt-in).
      'mlops.io/public-predict': 'true',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
  relations: [{ type: 'ownedBy', targetRef: OWNER_GROUP }],
};

export const plainEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'plain-service', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
};

export const testEntities = [abaloneEntity, plainEntity];

/**
 * Permissions double implementing the demo rule: mlops writes need ownership
 * of the entity (via its ownedBy relation), everything else is allowed.
 */
export function ownershipPermissions(
  entities: Entity[] = testEntities,
): Partial<PermissionsService> {
  const ownerOnly = new Set([
    'mlops.model.approve',
    'mlops.pipeline.execute',
    'mlops.dataset.upload',
  ]);
  return {
    authorize: async (requests, options) =>
      requests.map(r => {
        if (!ownerOnly.has(r.permission.name))
          return { result: AuthorizeResult.ALLOW };
        const principal = (options?.credentials as BackstageCredentials)
          .principal as any;
        const claims = MEMBERSHIP[principal.userEntityRef] ?? [
          principal.userEntityRef,
        ];
        const ref = stringifyEntityRef(parseEntityRef((r as any).resourceRef));
        const entity = entities.find(e => stringifyEntityRef(e) === ref);
        const owners = (entity?.relations ?? [])
          .filter(x => x.type === 'ownedBy')
          .map(x => x.targetRef);
        return {
          result: owners.some(o => claims.includes(o))
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        };
      }),
  };
}
