import {
  coreServices,
  createServiceFactory,
  ServiceRef,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { MlopsEngine, MlopsEngineEvents } from '@mlops-portal/plugin-mlops-node';

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
 * builds the engine named by `mlops.engine`. The engines are imported lazily
 * so that a local install never loads the AWS SDK and vice versa.
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
        const { createAwsEngine } = await import('./aws');
        return createAwsEngine({ config, logger, cache });
      }
      const { createLocalEngine } = await import('./local');
      return createLocalEngine({ config, database, logger, lifecycle });
    },
  });
}
