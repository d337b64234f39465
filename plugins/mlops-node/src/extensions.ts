import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { MlopsEngine, MlopsEngineEvents } from './engine';

/**
 * An engine as the backend plugin holds it: the contract, optionally with
 * push events (signals, notifications).
 *
 * @public
 */
export type MlopsEngineInstance = MlopsEngine & Partial<MlopsEngineEvents>;

/**
 * Builds an engine. Called once, at start-up, and only for the engine that
 * `mlops.engine` names, so an installed but unused module costs nothing (no
 * SDK clients, no connections).
 *
 * @public
 */
export type MlopsEngineFactory = () =>
  | MlopsEngineInstance
  | Promise<MlopsEngineInstance>;

/**
 * How a backend module plugs an engine into the MLOps backend plugin.
 *
 * @public
 */
export interface MlopsEngineExtensionPoint {
  /**
   * Offers an engine under a type name; `mlops.engine` in app-config picks one
   * (default `local`, built into the backend plugin). A type can be added once.
   */
  addEngine(type: string, factory: MlopsEngineFactory): void;
}

/**
 * The extension point of the MLOps backend plugin. A module uses it like:
 *
 * ```ts
 * createBackendModule({
 *   pluginId: 'mlops',
 *   moduleId: 'my-engine',
 *   register(env) {
 *     env.registerInit({
 *       deps: { engines: mlopsEngineExtensionPoint, config: coreServices.rootConfig },
 *       async init({ engines, config }) {
 *         engines.addEngine('my-engine', () => new MyEngine(config));
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const mlopsEngineExtensionPoint =
  createExtensionPoint<MlopsEngineExtensionPoint>({
    id: 'mlops.engine',
  });
