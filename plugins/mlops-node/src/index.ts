/**
 * Node library of the MLOps plugin: the engine contract, the errors engines
 * throw, and the extension point through which a backend module adds an engine.
 * It imports nothing from the backend plugin or any engine.
 *
 * @packageDocumentation
 */
export * from './engine';
export * from './errors';
export * from './extensions';
