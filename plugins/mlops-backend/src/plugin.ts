import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { mlopsPermissions } from '@mlops-portal/plugin-mlops-common';
import { mlopsEngineExtensionPoint } from '@mlops-portal/plugin-mlops-node';
import { registerMlopsActions } from './actions/registerActions';
import { EngineRegistry, readEngineType } from './engines';
import { createLocalEngine } from './engines/local';
import { createRouter } from './router/createRouter';
import { MlopsAccess } from './service/access';
import { forwardEngineEvents, ownerNotifier } from './service/events';
import {
  MonitoringAlerts,
  readMonitoringAlertSettings,
} from './service/monitoringAlerts';
import { ModelVersionsCache } from './service/modelVersionsCache';
import {
  ResourceClaims,
  readConfiguredBindings,
  refusedClaimReporter,
  seedBindings,
} from './service/resourceClaims';
import { MlopsService } from './service/MlopsService';
import { SystemSpecs } from './service/systemSpecs';
import { Retraining, readRetrainingInterval } from './service/retraining';

/**
 * The MLOps backend plugin: REST API under /api/mlops, permissions, audit,
 * notifications, signals and actions, over the engine `mlops.engine` names:
 * the built-in `local` one (default) or one a module adds through
 * `mlopsEngineExtensionPoint` (e.g. plugin-mlops-backend-module-aws).
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const engines = new EngineRegistry();
    env.registerExtensionPoint(mlopsEngineExtensionPoint, engines);
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
        database: coreServices.database,
        urlReader: coreServices.urlReader,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { httpRouter, permissionsRegistry, logger, lifecycle, config } =
          deps;
        const type = readEngineType(config);
        const engine = await engines.create(type, () =>
          createLocalEngine({
            config,
            database: deps.database,
            logger,
            lifecycle,
          }),
        );
        logger.info(`MLOps engine: ${type}`);
        permissionsRegistry.addPermissions(mlopsPermissions);

        const notifyOwners = ownerNotifier(deps);
        const claims = await ResourceClaims.create({
          database: await deps.database.getClient(),
          bindings: [
            ...readConfiguredBindings(config),
            ...seedBindings(config),
          ],
          skipMigrations: deps.database.migrations?.skip,
          onRefused: refusedClaimReporter({ logger, notify: notifyOwners }),
        });
        const access = new MlopsAccess({ ...deps, claims });
        const versions = ModelVersionsCache.forEngine(engine);
        lifecycle.addShutdownHook(() => versions.unsubscribe());
        const monitoringAlerts = new MonitoringAlerts(
          engine,
          notifyOwners,
          readMonitoringAlertSettings(config),
          logger,
        );
        const service = new MlopsService({
          engine,
          access,
          catalog: deps.catalog,
          auth: deps.auth,
          versionsCache: versions.cache,
          claims,
          specs: new SystemSpecs({
            catalog: deps.catalog,
            urlReader: deps.urlReader,
          }),
          mseThreshold: config.getOptionalNumber(
            'mlops.qualityGate.mseThreshold',
          ),
          approval: {
            preApprove:
              config.getOptionalBoolean('mlops.approval.preApprove') ?? false,
            fourEyes:
              config.getOptionalBoolean('mlops.approval.fourEyes') ?? false,
          },
          rollout: {
            allowOverride:
              config.getOptionalBoolean('mlops.rollout.allowOverride') ?? true,
          },
        });
        monitoringAlerts.start(
          deps.catalog,
          deps.auth,
          r =>
            claims.bind(r).then(
              () => true,
              () => false,
            ),
          (r, entity) => service.withSystem(r, entity),
        );
        lifecycle.addShutdownHook(() => monitoringAlerts.stop());
        httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            logger,
            config: deps.config,
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
          service,
        });

        // The closed loop (spec `retraining`): a global task, so one backend
        // instance checks at a time; its state is compare-and-set in the DB.
        const retraining = await Retraining.create({
          ...deps,
          database: await deps.database.getClient(),
          skipMigrations: deps.database.migrations?.skip,
          engine,
          specs: new SystemSpecs({
            catalog: deps.catalog,
            urlReader: deps.urlReader,
          }),
          notify: notifyOwners,
          allowPreApprove:
            config.getOptionalBoolean('mlops.approval.preApprove') ?? false,
          holds: r =>
            claims.bind(r).then(
              () => true,
              () => false,
            ),
        });
        await deps.scheduler.scheduleTask({
          id: 'mlops-retraining',
          scope: 'global',
          frequency: { seconds: readRetrainingInterval(config) },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            await retraining.tick();
          },
        });

        const unsubscribe = forwardEngineEvents({ ...deps, engine });
        lifecycle.addShutdownHook(() => unsubscribe());
        logger.info(`MLOps backend ready (engine: ${engine.type})`);
      },
    });
  },
});
