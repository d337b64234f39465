import { LocalEngine, LocalEngineOptions } from './LocalEngine';

export { LocalEngine } from './LocalEngine';
export type { LocalEngineOptions } from './LocalEngine';

/**
 * Creates the embedded engine: data bucket, release pipeline runner, model
 * registry, deployments and the SageMaker-style endpoint server.
 */
export async function createLocalEngine(
  options: LocalEngineOptions,
): Promise<LocalEngine> {
  return LocalEngine.create(options);
}
