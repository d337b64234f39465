import type { Config } from '@backstage/config';
import type {
  MlopsEngineExtensionPoint,
  MlopsEngineFactory,
  MlopsEngineInstance,
} from '@mlops-portal/plugin-mlops-node';

/** The engine built into this package; the default of `mlops.engine`. */
export const LOCAL_ENGINE = 'local';

/** Modules that provide well-known engines, for the start-up error message. */
const KNOWN_MODULES: Record<string, string> = {
  aws: '@mlops-portal/plugin-mlops-backend-module-aws',
};

/** Reads `mlops.engine` (default `local`). */
export function readEngineType(config: Config): string {
  const value = config.getOptionalString('mlops.engine') ?? LOCAL_ENGINE;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value)) {
    throw new Error(
      `Invalid config at mlops.engine: '${value}' is not an engine type name (lower-case letters, digits, '-')`,
    );
  }
  return value;
}

/**
 * The engines on offer: the built-in local one and what modules add through
 * `mlopsEngineExtensionPoint`. `mlops.engine` picks one at start-up; a name
 * nobody provides stops start-up with a message saying what to install.
 */
export class EngineRegistry implements MlopsEngineExtensionPoint {
  private readonly factories = new Map<string, MlopsEngineFactory>();

  addEngine(type: string, factory: MlopsEngineFactory): void {
    if (type === LOCAL_ENGINE) {
      throw new Error(
        `An MLOps engine module tried to add the engine type '${LOCAL_ENGINE}', which is built in; give the engine its own type name`,
      );
    }
    if (this.factories.has(type)) {
      throw new Error(
        `Two MLOps engine modules add the engine type '${type}'; install only one of them`,
      );
    }
    this.factories.set(type, factory);
  }

  /** The types modules added (not the built-in local one). */
  addedTypes(): string[] {
    return [...this.factories.keys()];
  }

  async create(
    type: string,
    createLocal: MlopsEngineFactory,
  ): Promise<MlopsEngineInstance> {
    if (type === LOCAL_ENGINE) return createLocal();
    const factory = this.factories.get(type);
    if (!factory) {
      const available = [LOCAL_ENGINE, ...this.addedTypes()].join(', ');
      const hint = KNOWN_MODULES[type]
        ? `add backend.add(import('${KNOWN_MODULES[type]}')) to your backend`
        : `install the backend module that provides it`;
      throw new Error(
        `Invalid config at mlops.engine: no installed module provides the engine '${type}'; ${hint} (engines available: ${available})`,
      );
    }
    return factory();
  }
}
