import {
  coreServices,
  createServiceFactory,
  ServiceRef,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type {
  MlopsEngine,
  MlopsEngineEvents,
} from '@mlops-portal/plugin-mlops-node';
import { createAwsEngine } from './aws';
import { createLocalEngine } from './local';

/** The engines this package ships; `mlops.engine` picks one. */
export const ENGINE_TYPES = ['local', 'aws'] as const;
export type EngineType = (typeof ENGINE_TYPES)[number];

/** Reads and validates `mlops.engine` (default `local`). */
export function readEngineType(config: Config): EngineType {
  const value = config.getOptionalString('mlops.engine') ?? 'local';
  if (!(ENGINE_TYPES as readonly string[]).includes(value)) {
    throw new Error(
      `Invalid config at mlops.engine: '${value}' is not a known engine; use one of ${ENGINE_TYPES.join(
        ', ',
      )}, or provide your own factory for mlopsEngineServiceRef`,
    );
  }
  return value as EngineType;
}

/**
 * The default factory of `mlopsEngineServiceRef` (see plugins/mlops-node):
 * builds the engine named by `mlops.engine`. Both engines are imported
 * statically: jest's VM cannot run dynamic `import()`, Node's ESM loader hides
 * a transpiled module's named exports behind `default`, and the AWS SDK clients
 * are only constructed when the aws engine is chosen.
 */
export function createMlopsEngineServiceFactory(
  ref: ServiceRef<MlopsEngine & Partial<MlopsEngineEvents>, 'plugin'>,
) {
  return createServiceFactory({
    service: ref,
    deps: {
      config: coreServices.rootConfig,
      logger: coreServices.logger,
      database: coreServices.database,
      lifecycle: coreServices.lifecycle,
      cache: coreServices.cache,
    },
    async factory({ config, logger, database, lifecycle, cache }) {
      const type = readEngineType(config);
      logger.info(`MLOps engine: ${type}`);
      if (type === 'aws') {
        return createAwsEngine({ config, logger, cache });
      }
      return createLocalEngine({ config, database, logger, lifecycle });
    },
  });
}
