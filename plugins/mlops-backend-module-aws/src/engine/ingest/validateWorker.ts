/**
 * Worker-thread entry: validates one CSV fed as chunks, off the backend's
 * event loop. Bundled on its own to dist/validateWorker.cjs.js (see
 * scripts/build-worker.mjs), so it imports only ml-core through csvStream.
 */
import { parentPort } from 'worker_threads';
import { CsvStreamValidator } from './csvStream';
import type { ToValidator } from './validatorProtocol';

const port = parentPort;
if (!port) throw new Error('validateWorker must run as a worker thread');
let validator: CsvStreamValidator | undefined;
port.on('message', (msg: ToValidator) => {
  try {
    if (msg.type === 'start') {
      validator = new CsvStreamValidator(msg.schema);
    } else if (!validator) {
      throw new Error('the schema must come before the data');
    } else if (msg.type === 'chunk') {
      validator.write(msg.data);
      port.postMessage({ type: 'ack' });
    } else {
      port.postMessage({ type: 'result', result: validator.end() });
    }
  } catch (e) {
    port.postMessage({ type: 'error', message: String(e) });
  }
});
