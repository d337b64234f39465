import { InputError } from '@backstage/errors';
import type { Request } from 'express';
import { Transform } from 'stream';
import type { Readable } from 'stream';
import { PayloadTooLargeError } from '../errors';

/** Media types a data set may be sent as. */
export const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv'];

/** Default cap of one upload through the backend (512 MiB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

const mib = (n: number) => `${Math.round((n / 2 ** 20) * 10) / 10} MiB`;

/**
 * The request body of a CSV upload as a stream, never buffered: refused up
 * front when its type is not CSV or its declared length is over the cap, and
 * errored with PayloadTooLargeError (→ 413) once more bytes than the cap
 * arrive, whatever Content-Length said. A client abort errors it too, so the
 * engine reading it stores nothing.
 */
export function csvBody(req: Request, maxBytes: number): Readable {
  if (!req.is(CSV_TYPES)) {
    throw new InputError(
      `Request body must be CSV text with Content-Type: text/csv (got ${
        req.header('content-type') ?? 'none'
      })`,
    );
  }
  const declared = Number(req.header('content-length'));
  if (declared > maxBytes) {
    throw new PayloadTooLargeError(
      `Request body of ${mib(declared)} exceeds the ${mib(
        maxBytes,
      )} limit of this route (mlops.datasets.maxUploadBytes)`,
    );
  }
  if (declared === 0) {
    throw new InputError('Request body is empty: expected CSV rows');
  }
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        done(
          new PayloadTooLargeError(
            `Request body exceeds the ${mib(
              maxBytes,
            )} limit of this route (mlops.datasets.maxUploadBytes)`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
  limiter.on('error', () => {
    // Discard the rest of the body, keeping the socket for the 413 reply.
    req.unpipe(limiter);
    req.resume();
  });
  // A client that goes away mid-body must error what the engine reads.
  req.on('close', () => {
    if (!req.complete)
      limiter.destroy(new Error('the client aborted the upload'));
  });
  return req.pipe(limiter);
}
