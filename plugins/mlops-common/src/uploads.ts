import { z } from 'zod/v3';

/*
 * Bodies of the direct-to-storage upload routes (aws engine: S3 multipart
 * with presigned part URLs). Strict like the other request schemas.
 */

const uploadFileName = z
  .string({
    required_error: 'fileName is required',
    invalid_type_error: 'fileName must be a string',
  })
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'fileName must be a plain file name of letters, digits, ".", "_" or "-" (at most 128 characters)',
  )
  .refine(n => !n.includes('..'), 'fileName must not contain ".."');

const uploadKey = z
  .string({
    required_error: 'key is required',
    invalid_type_error: 'key must be a string',
  })
  .min(1, 'key is required')
  .max(1024, 'key must be at most 1024 characters');

/** CopyObject (which publishes a validated upload) copies at most 5 GiB. */
export const MAX_DIRECT_UPLOAD_BYTES = 5 * 1024 ** 3;

/** S3's limit on parts per multipart upload. */
export const MAX_UPLOAD_PARTS = 10000;

export const createDatasetUploadRequestSchema = z
  .object({
    fileName: uploadFileName,
    sizeBytes: z
      .number({
        required_error: 'sizeBytes is required',
        invalid_type_error: 'sizeBytes must be a number',
      })
      .int('sizeBytes must be an integer')
      .min(1, 'sizeBytes must be ≥ 1')
      .max(
        MAX_DIRECT_UPLOAD_BYTES,
        `sizeBytes must be ≤ ${MAX_DIRECT_UPLOAD_BYTES} (5 GiB)`,
      ),
  })
  .strict();

const uploadedPart = z
  .object({
    partNumber: z
      .number({
        required_error: 'partNumber is required',
        invalid_type_error: 'partNumber must be a number',
      })
      .int('partNumber must be an integer')
      .min(1, 'partNumber must be ≥ 1')
      .max(MAX_UPLOAD_PARTS, `partNumber must be ≤ ${MAX_UPLOAD_PARTS}`),
    etag: z
      .string({
        required_error: 'etag is required',
        invalid_type_error: 'etag must be a string',
      })
      .min(1, 'etag is required')
      .max(256, 'etag must be at most 256 characters'),
  })
  .strict();

export const completeDatasetUploadRequestSchema = z
  .object({
    key: uploadKey,
    parts: z
      .array(uploadedPart)
      .min(1, 'parts must hold at least one item')
      .max(
        MAX_UPLOAD_PARTS,
        `parts must hold at most ${MAX_UPLOAD_PARTS} items`,
      ),
  })
  .strict();

export const abortDatasetUploadRequestSchema = z
  .object({ key: uploadKey })
  .strict();

export type CreateDatasetUploadRequest = z.infer<
  typeof createDatasetUploadRequestSchema
>;
export type CompleteDatasetUploadRequest = z.infer<
  typeof completeDatasetUploadRequestSchema
>;
export type AbortDatasetUploadRequest = z.infer<
  typeof abortDatasetUploadRequestSchema
>;
