import type { UploadDatasetResponse } from '@mlops-portal/plugin-mlops-common';
import { httpStatus, type MlopsApi } from '../../api';
import { uploadParts } from '../../api/uploadParts';

/**
 * The backend's default cap (mlops.datasets.maxUploadBytes; 413 above it)
 * for files sent through it: refused here before any byte is sent.
 */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** Larger files go straight to storage when the engine offers it. */
export const DIRECT_UPLOAD_THRESHOLD = 8 * 1024 * 1024;

export interface UploadProgress {
  uploadedBytes: number;
  totalBytes: number;
}

/**
 * Uploads a CSV the best way the engine allows: above the threshold, a direct
 * upload (parts PUT to presigned URLs, then completed: the backend validates
 * and publishes it); when the engine answers 501, or for small files, the
 * single POST through the backend. A failed or cancelled direct upload is
 * aborted so no parts linger.
 */
export async function uploadFile(
  api: MlopsApi,
  entityRef: string,
  file: File,
  options: {
    onProgress?: (p: UploadProgress) => void;
    signal?: AbortSignal;
  } = {},
): Promise<UploadDatasetResponse> {
  const direct =
    file.size > DIRECT_UPLOAD_THRESHOLD &&
    api.createDatasetUpload &&
    api.completeDatasetUpload &&
    api.abortDatasetUpload;
  if (direct) {
    const session = await api.createDatasetUpload!(entityRef, {
      fileName: file.name,
      sizeBytes: file.size,
    }).catch(e => {
      if (httpStatus(e) === 501) return undefined; // engine without direct uploads
      throw e;
    });
    if (session) {
      options.onProgress?.({ uploadedBytes: 0, totalBytes: file.size });
      let parts;
      try {
        parts = await uploadParts(session, file, {
          signal: options.signal,
          onProgress: uploadedBytes =>
            options.onProgress?.({ uploadedBytes, totalBytes: file.size }),
        });
      } catch (e) {
        // Stored parts would linger (and cost) until aborted.
        await api.abortDatasetUpload!(entityRef, session.uploadId, {
          key: session.key,
        }).catch(() => undefined);
        throw e;
      }
      // The backend validates the stored file; bad rows reject with rowErrors.
      return api.completeDatasetUpload!(entityRef, session.uploadId, {
        key: session.key,
        parts,
      });
    }
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new Error(
      `${file.name}: ${file.size} bytes is over the ${
        MAX_UPLOAD_BYTES / 2 ** 20
      } MiB upload limit`,
    );
  }
  return api.uploadDataset(entityRef, file.name, file);
}
