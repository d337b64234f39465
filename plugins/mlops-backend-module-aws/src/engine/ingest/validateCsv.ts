import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Worker } from 'worker_threads';
import type { CsvValidationResult } from './csvStream';
import type { UploadSchema } from './uploadSchema';
import type { FromValidator, ToValidator } from './validatorProtocol';

export type { CsvValidationResult } from './csvStream';
export type { UploadSchema } from './uploadSchema';

const PACKAGE = '@mlops-portal/plugin-mlops-backend-module-aws';
/** Chunks sent ahead of the worker's acks: bounds what waits in its queue. */
const IN_FLIGHT = 4;
/** The validator's heap cap; it needs a few MB per batch (tsx in dev needs more). */
const DEFAULT_MAX_HEAP_MB = 128;
/** A Buffer is sent in pieces of this size, so acks pace it too. */
const PIECE_BYTES = 1 << 20;

/**
 * Starts the validator worker. Built code (dist/) runs the bundled
 * dist/validateWorker.cjs.js; TypeScript source (dev, jest) loads the .ts
 * file through tsx's CommonJS hook.
 */
function startWorker(
  resourceLimits: { maxOldGenerationSizeMb: number },
  fromSource = __filename.endsWith('.ts'),
): Worker {
  if (!fromSource) {
    return new Worker(
      resolvePackagePath(PACKAGE, 'dist/validateWorker.cjs.js'),
      { resourceLimits },
    );
  }
  const file = resolvePackagePath(
    PACKAGE,
    'src/engine/ingest/validateWorker.ts',
  );
  const code = `require(${JSON.stringify(
    require.resolve('tsx/cjs'),
  )});require(${JSON.stringify(file)});`;
  return new Worker(code, { eval: true, resourceLimits });
}

/** A Buffer as views of PIECE_BYTES each (no copy), so acks pace it like a stream. */
export function* pieces(buffer: Buffer): Iterable<Uint8Array> {
  for (let i = 0; i < buffer.length; i += PIECE_BYTES) {
    yield buffer.subarray(i, i + PIECE_BYTES);
  }
}

/**
 * Validates a CSV against the ML system's schema in a worker thread,
 * streaming: the event loop only moves chunks, and at most IN_FLIGHT chunks
 * wait in the worker.
 */
export async function validateCsv(
  source: Buffer | AsyncIterable<Uint8Array>,
  schema: UploadSchema,
  options: { maxHeapMb?: number } = {},
): Promise<CsvValidationResult> {
  // A heap cap: whatever the file, validation cannot grow the backend's memory.
  const worker = startWorker({
    maxOldGenerationSizeMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
  });
  let acked: () => void = () => {};
  let inFlight = 0;
  const done = new Promise<CsvValidationResult>((resolve, reject) => {
    worker.on('message', (msg: FromValidator) => {
      if (msg.type === 'ack') {
        inFlight--;
        acked();
      } else if (msg.type === 'result') resolve(msg.result);
      else reject(new Error(`CSV validation failed: ${msg.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', code =>
      reject(new Error(`CSV validator exited early (code ${code})`)),
    );
  });
  const nextAck = () =>
    new Promise<void>(r => {
      acked = r;
    });
  // A failure while we are still sending surfaces through `done`.
  done.catch(() => {});
  const send = (msg: ToValidator, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(msg, transfer);
  try {
    send({ type: 'start', schema });
    const chunks = Buffer.isBuffer(source) ? pieces(source) : source;
    for await (const chunk of chunks) {
      while (inFlight >= IN_FLIGHT) {
        await Promise.race([nextAck(), done]);
      }
      inFlight++;
      // A copy of just this chunk, moved (not cloned) to the worker: cloning
      // a view would copy its whole underlying buffer.
      const data = new Uint8Array(chunk);
      send({ type: 'chunk', data }, [data.buffer]);
    }
    send({ type: 'end' });
    return await done;
  } finally {
    await worker.terminate();
  }
}
