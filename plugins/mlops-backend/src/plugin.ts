import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { mlopsPermissions } from '@mlops-portal/plugin-mlops-common';
import { mlopsEngineServiceRef } from '@mlops-portal/plugin-mlops-node';
import { registerMlopsActions } from './actions/registerActions';
import { createRouter } from './router/createRouter';
import { MlopsAccess } from './service/access';
import { forwardEngineEvents } from './service/events';
import { ModelVersionsCache } from './service/modelVersionsCache';

/**
 * The MLOps backend plugin: REST API under /api/mlops, permissions, audit,
 * notifications, signals and actions, over the engine from
 * `mlopsEngineServiceRef` (local or aws, by `mlops.engine`).
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        engine: mlopsEngineServiceRef,
      },
      async init(deps) {
        const { httpRouter, permissionsRegistry, engine, logger, lifecycle } =
          deps;
        permissionsRegistry.addPermissions(mlopsPermissions);

        const access = new MlopsAccess(deps);
        const versions = ModelVersionsCache.forEngine(engine);
        lifecycle.addShutdownHook(() => versions.unsubscribe());
        httpRouter.use(
          await createRouter({
            engine,
            access,
            catalog: deps.catalog,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            logger,
            config: deps.config,
            versionsCache: versions.cache,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // The consumer app calls predict without a Backstage token; the route
        // serves only endpoints some catalog entity names.
        httpRouter.addAuthPolicy({
          path: '/v1/public',
          allow: 'unauthenticated',
        });

        registerMlopsActions({
          actionsRegistry: deps.actionsRegistry,
          engine,
          access,
        });

        const unsubscribe = forwardEngineEvents({ ...deps, engine });
        lifecycle.addShutdownHook(() => unsubscribe());
        logger.info(`MLOps backend ready (engine: ${engine.type})`);
      },
    });
  },
});
