/**
 * Backend of the MLOps plugin: REST API, permissions, audit, notifications and
 * signals, with the local and AWS engines.
 *
 * @packageDocumentation
 */
export { mlopsPlugin as default } from './plugin';
export { createMlopsEngineServiceFactory, readEngineType } from './engines';
export { DatasetValidationError } from './errors';
