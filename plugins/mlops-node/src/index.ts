/**
 * Node library of the MLOps plugin: the engine interface and its service ref.
 *
 * @packageDocumentation
 */
export * from './engine';
export * from './service';
