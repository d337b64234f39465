import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { InputError } from '@backstage/errors';
import {
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_UPLOAD_PARTS,
  type DatasetUploadSession,
  type MlopsResources,
  type UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type {
  CompleteDatasetUploadOptions,
  CreateDatasetUploadOptions,
} from '@mlops-portal/plugin-mlops-node';
import type { Readable } from 'stream';
import type { ClientContext } from './clientContext';
import {
  dataKey,
  dataTarget,
  requireValid,
  safeFileName,
  uploadedManifest,
} from './dataBucket';
import { validateCsv, type UploadSchema } from './ingest/validateCsv';

/** Parts are at least 8 MiB (S3's minimum is 5 MiB, except the last part). */
export const MIN_PART_BYTES = 8 * 1024 * 1024;
/** Presigned part URLs stop working after 15 minutes. */
export const PART_URL_TTL_SECONDS = 15 * 60;
/** Outside the data prefix, so a staged file triggers nothing. */
export const STAGING_PREFIX = 'staging/';
const STAGING_KEY = /^staging\/[A-Za-z0-9._-]+$/;
/** The upload time that leads a staging key's file name. */
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-/;

/**
 * Uploads that go from the browser straight to the data bucket: S3 multipart
 * with presigned part URLs into a staging key; on completion the staged
 * object is validated by streaming it through the CSV worker and only then
 * copied to the data prefix (which starts the release).
 */
export class DatasetUploads {
  constructor(
    private readonly ctx: ClientContext,
    private readonly defaultUri?: string,
  ) {}

  async create(
    r: MlopsResources,
    options: CreateDatasetUploadOptions,
  ): Promise<DatasetUploadSession> {
    const { bucket } = this.target(r);
    const size = options.sizeBytes;
    if (!Number.isInteger(size) || size < 1 || size > MAX_DIRECT_UPLOAD_BYTES) {
      throw new InputError(
        `sizeBytes: must be an integer between 1 and ${MAX_DIRECT_UPLOAD_BYTES}`,
      );
    }
    const fileName = safeFileName(options.fileName);
    const now = new Date();
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const key = `${STAGING_PREFIX}${stamp}-${fileName}`;
    const { s3 } = await this.ctx.clients(r);
    const res = await this.ctx.call('s3:CreateMultipartUpload', () =>
      s3.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: 'text/csv',
          Metadata: { 'uploaded-by': options.actor.ref },
        }),
      ),
    );
    const uploadId = res.UploadId;
    if (!uploadId) throw new Error('S3 CreateMultipartUpload gave no UploadId');
    const partSizeBytes = partSize(size);
    const count = Math.ceil(size / partSizeBytes);
    const parts = await Promise.all(
      Array.from({ length: count }, async (_, i) => ({
        partNumber: i + 1,
        url: await this.partUrl(
          s3,
          { bucket, key, uploadId },
          i + 1,
          // Every part is full-size but the last.
          i + 1 < count ? partSizeBytes : size - partSizeBytes * (count - 1),
        ),
      })),
    );
    return {
      uploadId,
      key,
      partSizeBytes,
      parts,
      expiresAt: new Date(
        now.getTime() + PART_URL_TTL_SECONDS * 1000,
      ).toISOString(),
    };
  }

  async complete(
    r: MlopsResources,
    options: CompleteDatasetUploadOptions,
    schema: UploadSchema,
  ): Promise<UploadDatasetResponse> {
    const target = this.target(r);
    const { bucket } = target;
    const key = stagingKey(options.key);
    const { s3 } = await this.ctx.clients(r);
    await this.ctx.call('s3:CompleteMultipartUpload', () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: options.uploadId,
          MultipartUpload: {
            Parts: [...options.parts]
              .sort((a, b) => a.partNumber - b.partNumber)
              .map(p => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      ),
    );
    // From here on the staged object exists: it goes, whatever happens.
    try {
      const fileName = key.slice(STAGING_PREFIX.length).replace(STAMP, '');
      const object = await this.ctx.call('s3:GetObject', () =>
        s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      // The SDK's Body is a Node Readable here: streamed, never held whole.
      const checked = requireValid(
        fileName,
        await validateCsv(object.Body as Readable, schema),
      );
      const now = new Date();
      const published = dataKey(target.key, fileName, now);
      const copied = await this.ctx.call('s3:CopyObject', () =>
        s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: published.key,
            CopySource: `${bucket}/${encodeURIComponent(key)}`,
            // Exactly the bytes validated above, or S3 refuses (412).
            ...(object.ETag ? { CopySourceIfMatch: object.ETag } : {}),
            ContentType: 'text/csv',
            MetadataDirective: 'REPLACE',
            Metadata: {
              'uploaded-by': options.actor.ref,
              'row-count': String(checked.rowCount),
            },
          }),
        ),
      );
      this.ctx.invalidate(r, 'pipeline', 'release');
      return uploadedManifest({
        bucket,
        key: published.key,
        stamp: published.stamp,
        now,
        checked,
        etag: copied.CopyObjectResult?.ETag,
        versionId: copied.VersionId,
        actor: options.actor.ref,
      });
    } finally {
      // A failed delete must not undo the outcome: the staging lifecycle
      // rule removes what is left after a day.
      await this.ctx
        .call('s3:DeleteObject', () =>
          s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
        )
        .catch(e =>
          this.ctx.logger.warn(`Could not delete staged upload ${key}: ${e}`),
        );
    }
  }

  async abort(
    r: MlopsResources,
    options: { uploadId: string; key: string },
  ): Promise<void> {
    const { bucket } = this.target(r);
    const key = stagingKey(options.key);
    const { s3 } = await this.ctx.clients(r);
    await this.ctx.call('s3:AbortMultipartUpload', () =>
      s3.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: options.uploadId,
        }),
      ),
    );
  }

  private target(r: MlopsResources) {
    return dataTarget(r, this.defaultUri);
  }

  /**
   * A presigned UploadPart URL that signs the part's Content-Length: the
   * holder can upload exactly the announced bytes, not an arbitrary amount
   * into the bucket.
   */
  private partUrl(
    s3: S3Client,
    upload: { bucket: string; key: string; uploadId: string },
    partNumber: number,
    contentLength: number,
  ): Promise<string> {
    return getSignedUrl(
      s3,
      new UploadPartCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
        PartNumber: partNumber,
        ContentLength: contentLength,
      }),
      {
        expiresIn: PART_URL_TTL_SECONDS,
        signableHeaders: new Set(['content-length']),
      },
    );
  }
}

/** At least MIN_PART_BYTES, in whole MiB, and never more than S3's 10,000 parts. */
export function partSize(sizeBytes: number): number {
  const mib = 1024 * 1024;
  const needed = Math.ceil(sizeBytes / MAX_UPLOAD_PARTS / mib) * mib;
  return Math.max(MIN_PART_BYTES, needed);
}

/** Only keys this engine hands out: a client cannot complete into other paths. */
function stagingKey(key: string): string {
  if (!STAGING_KEY.test(key)) {
    throw new InputError(
      `key: '${key.slice(0, 200)}' is not a staging key of this data bucket`,
    );
  }
  return key;
}
