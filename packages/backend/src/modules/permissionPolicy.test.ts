import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
  PermissionCondition,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  mlopsDatasetUploadPermission,
  mlopsEndpointInvokePermission,
  mlopsModelApprovePermission,
  mlopsPipelineExecutePermission,
} from '@mlops-portal/plugin-mlops-common';
import permissionPolicyModule, {
  MlopsDemoPermissionPolicy,
} from './permissionPolicy';

const OWNERS = 'group:default/ml-platform';

// Stands in for the catalog's own read permission (same name and shape).
const catalogEntityReadPermission = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

const entity = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const predictor = entity('abalone-age-predictor', OWNERS);
const other = entity('reporting', 'group:default/data-analysts');

/** Demo identity: guest belongs to ml-platform, viewer to data-analysts. */
const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    const groups: Record<string, string[]> = {
      'user:default/guest': [OWNERS],
      'user:default/viewer': ['group:default/data-analysts'],
    };
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
    };
  },
});

/**
 * Resolves a decision against an entity the way the catalog does when the
 * permission backend asks it to apply conditions (single-rule criteria).
 */
function allows(decision: PolicyDecision, target: Entity): boolean {
  if (decision.result !== AuthorizeResult.CONDITIONAL)
    return decision.result === AuthorizeResult.ALLOW;
  const condition = (decision as ConditionalPolicyDecision)
    .conditions as PermissionCondition;
  expect(condition.rule).toBe('IS_ENTITY_OWNER');
  return permissionRules.isEntityOwner.apply(
    target,
    condition.params as { claims: string[] },
  );
}

describe('MlopsDemoPermissionPolicy', () => {
  const policy = new MlopsDemoPermissionPolicy(userInfo);
  const user = (ref: string) => ({
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [ref] },
  });

  it.each([
    mlopsModelApprovePermission,
    mlopsPipelineExecutePermission,
    mlopsDatasetUploadPermission,
  ])('$name is a catalog ownership condition', async permission => {
    const decision = await policy.handle(
      { permission },
      user('user:default/guest'),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['user:default/guest', OWNERS] },
      },
    });
  });

  it('lets members of the owning group approve, and no one else', async () => {
    const guest = await policy.handle(
      { permission: mlopsModelApprovePermission },
      user('user:default/guest'),
    );
    const viewer = await policy.handle(
      { permission: mlopsModelApprovePermission },
      user('user:default/viewer'),
    );
    expect(allows(guest, predictor)).toBe(true);
    expect(allows(viewer, predictor)).toBe(false);
    // Ownership is per entity: the viewer's group owns the other one.
    expect(allows(guest, other)).toBe(false);
    expect(allows(viewer, other)).toBe(true);
  });

  it('gives a call without a user no ownership', async () => {
    const decision = await policy.handle({
      permission: mlopsPipelineExecutePermission,
    });
    expect(allows(decision, predictor)).toBe(false);
  });

  it.each([mlopsEndpointInvokePermission, catalogEntityReadPermission])(
    'allows $name to everyone',
    async permission => {
      expect(
        await policy.handle({ permission }, user('user:default/viewer')),
      ).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    },
  );

  it('is installed into the permission backend by the module', async () => {
    const setPolicy = jest.fn();
    await startTestBackend({
      extensionPoints: [[policyExtensionPoint, { setPolicy }]],
      features: [permissionPolicyModule],
    });
    expect(setPolicy).toHaveBeenCalledWith(
      expect.any(MlopsDemoPermissionPolicy),
    );
  });
});
