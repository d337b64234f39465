import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  mlopsDatasetUploadPermission,
  mlopsModelApprovePermission,
  mlopsPipelineExecutePermission,
} from '@mlops-portal/plugin-mlops-common';

/** MLOps writes that only the entity's owners may do in the demo. */
export const OWNER_ONLY_PERMISSIONS: ReadonlySet<string> = new Set([
  mlopsModelApprovePermission.name,
  mlopsPipelineExecutePermission.name,
  mlopsDatasetUploadPermission.name,
]);

/**
 * The demo app's policy: approving, training and uploading are allowed only
 * to owners of the entity (the catalog resolves the condition against the
 * entity's ownedBy relations and the user's ownership claims, i.e. the user
 * and their groups); everything else is allowed, as in a fresh Backstage app.
 */
export class MlopsDemoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      OWNER_ONLY_PERMISSIONS.has(request.permission.name) &&
      isResourcePermission(request.permission, 'catalog-entity')
    ) {
      // Without a user (a service call) there are no claims, so nothing is owned.
      const claims = user
        ? (await this.userInfo.getUserInfo(user.credentials))
            .ownershipEntityRefs
        : [];
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs {@link MlopsDemoPermissionPolicy} into the permission backend. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'mlops-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new MlopsDemoPermissionPolicy(userInfo));
      },
    });
  },
});
