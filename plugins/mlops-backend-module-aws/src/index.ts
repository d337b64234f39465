/**
 * The MLOps backend plugin's `aws` engine, as a backend module:
 * `backend.add(import('@mlops-portal/plugin-mlops-backend-module-aws'))`,
 * chosen with `mlops.engine: aws`.
 *
 * @packageDocumentation
 */
export { mlopsModuleAwsEngine as default } from './module';
