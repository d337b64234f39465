import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mlopsEngineExtensionPoint } from '@mlops-portal/plugin-mlops-node';
import { createAwsEngine } from './engine';

/**
 * Adds the `aws` engine to the MLOps backend plugin: SageMaker Pipelines, the
 * SageMaker model registry, CodePipeline, the SageMaker endpoint and the S3
 * data bucket, over AWS SDK v3. Chosen with `mlops.engine: aws`; the SDK
 * clients are built only then.
 *
 * @public
 */
export const mlopsModuleAwsEngine = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'aws',
  register(env) {
    env.registerInit({
      deps: {
        engines: mlopsEngineExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
      },
      async init({ engines, config, logger, cache }) {
        engines.addEngine('aws', () =>
          createAwsEngine({ config, logger, cache }),
        );
      },
    });
  },
});
