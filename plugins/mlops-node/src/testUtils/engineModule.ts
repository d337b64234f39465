import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlopsEngineExtensionPoint } from '../extensions';
import type { MlopsEngineInstance } from '../extensions';

/**
 * A backend module that adds a ready-made engine (a fake, or one built by the
 * test) under `type`; select it with `mlops.engine: <type>` in the test's config.
 *
 * @public
 */
export function createTestEngineModule(options: {
  type: string;
  engine: MlopsEngineInstance | (() => MlopsEngineInstance);
}) {
  const { type, engine } = options;
  return createBackendModule({
    pluginId: 'mlops',
    moduleId: `test-engine-${type}`,
    register(env) {
      env.registerInit({
        deps: { engines: mlopsEngineExtensionPoint },
        async init({ engines }) {
          engines.addEngine(type, () =>
            typeof engine === 'function' ? engine() : engine,
          );
        },
      });
    },
  });
}
