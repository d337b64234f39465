import type { DatasetUploadSession } from '@mlops-portal/plugin-mlops-common';

/** Parts PUT at the same time: enough to fill a link, few enough to keep memory small. */
const CONCURRENCY = 3;

export type UploadedPart = { partNumber: number; etag: string };

/**
 * PUTs a file's parts to the presigned URLs of a direct upload, with plain
 * `fetch`: the URLs carry their own signature, so the Backstage token must
 * not go along (fetchApi would add it). Reports bytes stored so far.
 */
export async function uploadParts(
  session: DatasetUploadSession,
  file: Blob,
  options: {
    onProgress?: (uploadedBytes: number) => void;
    signal?: AbortSignal;
    fetchFn?: typeof fetch;
  } = {},
): Promise<UploadedPart[]> {
  const put = options.fetchFn ?? fetch;
  const done: UploadedPart[] = [];
  let uploadedBytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < session.parts.length) {
      const { partNumber, url } = session.parts[next++];
      const start = (partNumber - 1) * session.partSizeBytes;
      const body = file.slice(start, start + session.partSizeBytes);
      const res = await put(url, {
        method: 'PUT',
        body,
        signal: options.signal,
      });
      // S3 needs each part's ETag to complete; the bucket's CORS rule must expose it.
      const etag = res.headers.get('ETag');
      if (!res.ok || !etag) {
        throw new Error(
          res.ok
            ? `Part ${partNumber} was stored, but its ETag is not readable (the data bucket's CORS rule must expose ETag)`
            : `Part ${partNumber} upload failed with ${res.status} ${res.statusText}`,
        );
      }
      done.push({ partNumber, etag });
      uploadedBytes += body.size;
      options.onProgress?.(uploadedBytes);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, session.parts.length) }, worker),
  );
  return done.sort((a, b) => a.partNumber - b.partNumber);
}
