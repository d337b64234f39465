/**
 * The mlops plugin in a Backstage test backend for benchmarks: the real
 * express stack, router, catalog lookup, permission and audit services, mock
 * auth tokens (no auth backend), over the real local engine.
 */
import {
  coreServices,
  createServiceFactory,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import type { AddressInfo } from 'net';
import { mlopsPlugin } from '../src/plugin';
import { mlopsSpecFileReaderFactory } from '../src/specs/fileUrlReader';
import {
  DEMO_SPECS_CONFIG,
  specTestEntities,
} from '../src/__testUtils__/specEntities';
import {
  ENTITY_PATH,
  GUEST,
  ownershipPermissions,
} from '../src/__testUtils__/fixtures';

export async function startBenchBackend(options: {
  knex: Knex;
  /** The `mlops` config block. */
  mlops: object;
}) {
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      // The demo entity names its spec (mlops.io/spec) next to its demo
      // catalog file: uploads and training need it.
      mlopsSpecFileReaderFactory,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootConfig.factory({
        data: { mlops: { specs: DEMO_SPECS_CONFIG, ...options.mlops } },
      }),
      mockServices.rootLogger.factory({ level: 'warn' }),
      catalogServiceMock.factory({ entities: specTestEntities }),
      // No notifications backend here: owners' notifications go nowhere.
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
      // mockServices.*.mock needs jest; a plain factory applies the same rule.
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => ownershipPermissions() as PermissionsService,
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return {
    port,
    /** The demo entity's API base URL. */
    base: `http://127.0.0.1:${port}${ENTITY_PATH}`,
    health: `http://127.0.0.1:${port}/api/mlops/health`,
    /** Headers of the guest, who owns the demo entity. */
    headers: { Authorization: mockCredentials.user.header(GUEST) },
    stop: () => backend.stop(),
  };
}
