/**
 * Test utilities for MLOps engine authors: the contract suite every engine
 * must pass (run it from a jest test file of the engine's package).
 *
 * @packageDocumentation
 */
export { runEngineContract } from './engineContract';
export type {
  EngineContractOptions,
  EngineContractSetup,
  EngineContractSystem,
} from './engineContract';
export { createTestEngineModule } from './engineModule';
// The types the helpers' signatures use, so this entry point is self-contained.
export type * from '../engine';
export type { MlopsEngineInstance } from '../extensions';
