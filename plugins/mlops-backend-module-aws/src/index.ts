/**
 * The MLOps backend plugin's `aws` engine, as a backend module:
 * `backend.add(import('@mlops-portal/plugin-mlops-backend-module-aws'))`.
 *
 * @packageDocumentation
 */
export { mlopsModuleAwsEngine as default } from './module';
export { AwsEngine, createAwsEngine } from './engine';
export type {
  AwsEngineOptions,
  AwsClientFactory,
  AwsClients,
  AwsTarget,
} from './engine';
