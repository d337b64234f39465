import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { notificationService } from '@backstage/plugin-notifications-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import mlopsPlugin from '@mlops-portal/plugin-mlops-backend';
import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import { type MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import permissionPolicyModule from './permissionPolicy';

jest.setTimeout(120_000);

// The demo catalog in miniature: guest is in ml-platform (the Abalone owner), viewer is not;
// viewer is in field-research, which owns the penguin classifier (a second team's system).
const CATALOG = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: ml-platform }
spec: { type: team, children: [], members: [guest] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: data-analysts }
spec: { type: team, children: [], members: [viewer] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: guest }
spec: { memberOf: [ml-platform] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: viewer }
spec: { memberOf: [data-analysts, field-research] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: field-research }
spec: { type: team, children: [], members: [viewer] }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: penguin-species-classifier
  annotations:
    mlops.io/pipeline: penguins-pipeline
    mlops.io/model-package-group: PenguinsModelPackageGroup
    mlops.io/endpoint: penguins-endpoint
spec: { type: service, lifecycle: production, owner: group:default/field-research }
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: abalone-age-predictor
  annotations:
    mlops.io/pipeline: abalone-pipeline
    mlops.io/model-package-group: AbaloneModelPackageGroup
    mlops.io/endpoint: abalone-endpoint
spec: { type: service, lifecycle: production, owner: group:default/ml-platform }
`;

const OBO_PREFIX = 'mock-service-token:';

/** Ownership claims as the catalog-backed user info would give them. */
const CLAIMS: Record<string, string[]> = {
  'user:default/guest': ['user:default/guest', 'group:default/ml-platform'],
  'user:default/viewer': [
    'user:default/viewer',
    'group:default/data-analysts',
    'group:default/field-research',
  ],
};

/** Just enough engine for approvals; the subject here is the permission path. */
function approvalEngine() {
  const version: ModelVersion = {
    modelPackageGroupName: 'AbaloneModelPackageGroup',
    version: 1,
    modelPackageArn: 'local:model-package/AbaloneModelPackageGroup/1',
    approvalStatus: 'PendingManualApproval',
    createdAt: '2026-11-26T00:00:00.000Z',
    approvalHistory: [],
    deployed: false,
  };
  const engine: Partial<MlopsEngine> = {
    type: 'approval-only',
    getModelVersion: async () => version,
    listModelVersions: async () => ({ items: [version] }),
    updateModelApproval: jest.fn(async (_r, _v, o) => {
      version.approvalStatus = o.status;
      version.approvalHistory.push({
        status: o.status,
        by: o.actor.ref,
        at: new Date().toISOString(),
        comment: o.comment,
      });
      return version;
    }),
  };
  return { engine: engine as MlopsEngine, version };
}

/**
 * The demo policy inside the REAL permission backend, resolving its
 * conditional decision through the REAL catalog backend (ownedBy relations
 * come from catalog processing of spec.owner), in front of the mlops plugin.
 */
describe('demo permission policy end to end', () => {
  let server: any;
  const { engine, version } = approvalEngine();
  const entityPath =
    '/api/mlops/v1/entity/default/component/abalone-age-predictor';

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-policy-it-'));
    const catalogFile = path.join(dir, 'catalog-info.yaml');
    fs.writeFileSync(catalogFile, CATALOG);
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        permissionPlugin,
        permissionPolicyModule,
        mlopsPlugin,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            mlops: { engine: 'fake' },
            catalog: {
              rules: [{ allow: ['Component', 'Group', 'User', 'Location'] }],
              locations: [{ type: 'file', target: catalogFile }],
              processingInterval: { seconds: 1 },
              stitchingStrategy: { mode: 'immediate' },
            },
          },
        }),
        // Real on-behalf-of tokens tell the permission backend that a plugin
        // acts for the user (principal.actor); the mock token drops that, so
        // the catalog's conditional reads would look like direct user calls.
        createServiceFactory({
          service: coreServices.httpAuth,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) => {
            const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
            return {
              credentials: (async (req: any, options: any) => {
                const token = /^Bearer[ ]+(\S+)$/i.exec(
                  req.headers.authorization ?? '',
                )?.[1];
                if (
                  token?.startsWith(OBO_PREFIX) &&
                  (!options?.allow || options.allow.includes('user'))
                ) {
                  const { obo, target } = JSON.parse(
                    token.slice(OBO_PREFIX.length),
                  );
                  if (obo)
                    return mockCredentials.user(obo, {
                      actor: { subject: `plugin:${target}` },
                    });
                }
                return inner.credentials(req, options);
              }) as typeof inner.credentials,
              issueUserCookie: (res, options) =>
                inner.issueUserCookie(res, options),
            };
          },
        }),
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () => ({
            getUserInfo: async credentials => {
              const ref = (credentials.principal as { userEntityRef: string })
                .userEntityRef;
              return {
                userEntityRef: ref,
                ownershipEntityRefs: CLAIMS[ref] ?? [ref],
              };
            },
          }),
        }),
        createTestEngineModule({ type: 'fake', engine }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
      ],
    });
    server = backend.server;

    // Wait until the catalog has processed the file and stitched the ownedBy relation.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get(
          '/api/catalog/entities/by-name/component/default/abalone-age-predictor',
        )
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/guest'),
        );
      if (
        res.status === 200 &&
        res.body.relations?.some((r: any) => r.type === 'ownedBy')
      )
        break;
      if (Date.now() > deadline) {
        throw new Error(
          `catalog did not ingest the entity: ${res.status} ${JSON.stringify(
            res.body,
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }
  });

  const approve = (user: string, status = 'Approved') =>
    request(server)
      .post(`${entityPath}/model-versions/1/approval`)
      .set('Authorization', mockCredentials.user.header(user))
      .send({ status, comment: `${status} by ${user}` });

  it('refuses a non-owner with 403 and changes nothing', async () => {
    const res = await approve('user:default/viewer');
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(engine.updateModelApproval).not.toHaveBeenCalled();
    expect(version.approvalStatus).toBe('PendingManualApproval');
  });

  it('lets a member of the owning group approve', async () => {
    const res = await approve('user:default/guest');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ approvalStatus: 'Approved' });
    expect(version.approvalHistory.at(-1)).toMatchObject({
      by: 'user:default/guest',
    });
  });

  it('still lets a non-owner read', async () => {
    const res = await request(server)
      .get(`${entityPath}/model-versions`)
      .set('Authorization', mockCredentials.user.header('user:default/viewer'));
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });

  it("across teams: each team approves its own system, not the other's", async () => {
    const penguinsPath =
      '/api/mlops/v1/entity/default/component/penguin-species-classifier';
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get(
          '/api/catalog/entities/by-name/component/default/penguin-species-classifier',
        )
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/guest'),
        );
      if (res.body.relations?.some((r: any) => r.type === 'ownedBy')) break;
      if (Date.now() > deadline) throw new Error('penguins not ingested');
      await new Promise(r => setTimeout(r, 500));
    }
    (engine.updateModelApproval as jest.Mock).mockClear();
    const approvePenguins = (user: string) =>
      request(server)
        .post(`${penguinsPath}/model-versions/1/approval`)
        .set('Authorization', mockCredentials.user.header(user))
        .send({ status: 'Approved', comment: `by ${user}` });
    // The Abalone owners do not own the penguins.
    const refused = await approvePenguins('user:default/guest');
    expect(refused.status).toBe(403);
    expect(engine.updateModelApproval).not.toHaveBeenCalled();
    // Field Research does.
    const ok = await approvePenguins('user:default/viewer');
    expect(ok.status).toBe(200);
    expect(engine.updateModelApproval).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/penguin-species-classifier',
        modelPackageGroupName: 'PenguinsModelPackageGroup',
      }),
      1,
      expect.objectContaining({ actor: { ref: 'user:default/viewer' } }),
    );
  });
});
