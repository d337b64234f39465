import type { CsvValidationResult } from './csvStream';
import type { UploadSchema } from './uploadSchema';

/** Main thread → validator worker: `start` (the schema) first, then chunks, then `end`. */
export type ToValidator =
  | { type: 'start'; schema: UploadSchema }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' };

/** Validator worker → main thread. */
export type FromValidator =
  | { type: 'ack' }
  | { type: 'result'; result: CsvValidationResult }
  | { type: 'error'; message: string };
