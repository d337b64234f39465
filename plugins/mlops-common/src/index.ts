/**
 * Common types, annotations, request schemas and permissions of the MLOps plugin.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './permissions';
export * from './types';
export * from './signature';
export * from './parameters';
export * from './schemas';
export * from './signals';
export * from './monitoring';
export * from './uploads';
export * from './governance';
export * from './systemSpec';
export * from './rollout';
