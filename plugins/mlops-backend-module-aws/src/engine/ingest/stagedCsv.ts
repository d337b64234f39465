import type { LoggerService } from '@backstage/backend-plugin-api';
import { once } from 'events';
import { createReadStream, createWriteStream } from 'fs';
import { mkdtemp, rm } from 'fs/promises';
import os from 'os';
import path from 'path';
import type { Readable } from 'stream';
import { finished } from 'stream/promises';
import {
  pieces,
  validateCsv,
  type CsvValidationResult,
  type UploadSchema,
} from './validateCsv';

/** An upload read once into a private temp file, with what validating it found. */
export interface StagedCsv {
  /** Row count, row errors, byte count and sha256 of exactly the staged bytes. */
  checked: CsvValidationResult;
  /** A new stream over the staged bytes (one per attempt to send them). */
  open(): Readable;
}

export interface StageOptions {
  /** Parent of the per-upload temp directories; default os.tmpdir(). */
  dir?: string;
  logger: LoggerService;
  /** What the rows are checked against (the system's spec or newest signature). */
  schema: UploadSchema;
}

/**
 * Reads `content` once into a fresh temp directory while the worker-thread
 * validator checks the same chunks, then hands the staged file to `use`.
 * The directory is removed when `use` settles or the source fails, whatever
 * happened: a cut-off upload leaves nothing behind. Memory stays bounded by
 * a few chunks: nothing holds the whole file.
 */
export async function withStagedCsv<T>(
  content: Buffer | Readable,
  options: StageOptions,
  use: (staged: StagedCsv) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(
    path.join(options.dir ?? os.tmpdir(), 'mlops-upload-'),
  );
  const opened: Readable[] = [];
  try {
    const file = path.join(dir, 'upload.csv');
    const checked = await stageAndValidate(content, file, options.schema);
    const open = () => {
      const stream = createReadStream(file);
      opened.push(stream);
      return stream;
    };
    return await use({ checked, open });
  } finally {
    // Closed first: a send that failed before reading its stream must not
    // leave a file handle open, nor a stream opening a removed file.
    await Promise.all(
      opened.map(s => finished(s.destroy()).catch(() => undefined)),
    );
    // A leftover temp file must not turn a stored upload into an error.
    await rm(dir, { recursive: true, force: true }).catch(e =>
      options.logger.warn(`Could not remove staged upload ${dir}: ${e}`),
    );
  }
}

/**
 * One pass: each chunk is written to `file`, then given to the validator.
 * The validator pulls, so its worker's acks and the disk's drain both hold
 * the source back. A source error (client abort, size limit) propagates
 * as it is, and so does a disk error.
 */
async function stageAndValidate(
  content: Buffer | Readable,
  file: string,
  schema: UploadSchema,
): Promise<CsvValidationResult> {
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  // Listening from the start: a write error is never an unhandled 'error'.
  const written = finished(out);
  written.catch(() => {});
  async function* throughFile(chunks: Iterable<Uint8Array> | Readable) {
    for await (const chunk of chunks) {
      if (!out.write(chunk)) await Promise.race([once(out, 'drain'), written]);
      yield chunk as Uint8Array;
    }
    out.end();
    await written;
  }
  try {
    return await validateCsv(
      throughFile(Buffer.isBuffer(content) ? pieces(content) : content),
      schema,
    );
  } finally {
    out.destroy();
  }
}
