/**
 * Backend of the MLOps plugin: REST API, permissions, audit, notifications and
 * signals, with the built-in local engine. Other engines come as backend
 * modules (e.g. `@mlops-portal/plugin-mlops-backend-module-aws`).
 *
 * @packageDocumentation
 */
export { mlopsPlugin as default } from './plugin';
export { DatasetValidationError } from './errors';
export { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
