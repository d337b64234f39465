import { createServiceRef } from '@backstage/backend-plugin-api';
import type { MlopsEngine, MlopsEngineEvents } from './engine';

/**
 * The engine behind the MLOps backend plugin. The default factory picks the
 * `local` or `aws` engine from `mlops.engine` in app-config; an adopter swaps it
 * with `backend.add(createServiceFactory({ service: mlopsEngineServiceRef, ... }))`.
 */
export const mlopsEngineServiceRef = createServiceRef<
  MlopsEngine & Partial<MlopsEngineEvents>
>({
  id: 'mlops.engine',
  scope: 'plugin',
  // The engines live in the backend plugin (one folder each); importing it
  // lazily keeps this library light and free of a static dependency cycle.
  defaultFactory: async service => {
    const mod: any = await import('@mlops-portal/plugin-mlops-backend');
    // Under Node's ESM loader a transpiled CommonJS module may expose its
    // named exports only on `default`.
    const create =
      mod.createMlopsEngineServiceFactory ??
      mod.default?.createMlopsEngineServiceFactory;
    if (typeof create !== 'function') {
      throw new Error(
        'The MLOps engine default factory needs @mlops-portal/plugin-mlops-backend; install it or provide a factory for mlopsEngineServiceRef',
      );
    }
    return create(service);
  },
});
