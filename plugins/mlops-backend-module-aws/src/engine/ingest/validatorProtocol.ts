import type { CsvValidationResult } from './csvStream';

/** Main thread → validator worker. */
export type ToValidator = { type: 'chunk'; data: Uint8Array } | { type: 'end' };

/** Validator worker → main thread. */
export type FromValidator =
  | { type: 'ack' }
  | { type: 'result'; result: CsvValidationResult }
  | { type: 'error'; message: string };
