import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InputError } from '@backstage/errors';
import type {
  MlopsResources,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import {
  DatasetValidationError,
  type UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import type { ClientContext } from './clientContext';
import { withStagedCsv, type StagedCsv } from './ingest/stagedCsv';
import type { CsvValidationResult, UploadSchema } from './ingest/validateCsv';
import { parseS3Uri } from './mappers';
import { retryTransient } from './retryTransient';

const DEFAULT_DATA_PREFIX = 'data/';

/**
 * S3's limit for one PutObject. The router caps a POST /datasets body far
 * below it; larger files go through the direct (multipart) upload.
 */
export const MAX_PUT_OBJECT_BYTES = 5 * 1024 ** 3;

export interface DataBucketOptions {
  /** `mlops.aws.dataBucket`: the target when the entity names none. */
  defaultUri?: string;
  /** `mlops.aws.uploadStagingDir`: where uploads are staged; default os.tmpdir(). */
  stagingDir?: string;
}

/** The S3 data bucket: an upload is a validated PutObject, which starts the release. */
export class DataBucket {
  constructor(
    private readonly ctx: ClientContext,
    private readonly options: DataBucketOptions = {},
  ) {}

  /**
   * Stages the body on local disk while validating it off the event loop,
   * then puts the staged bytes. Bad rows or a failed body stream: nothing
   * reaches S3, and the staged file is gone either way.
   */
  async uploadDataset(
    r: MlopsResources,
    options: UploadDatasetOptions,
    schema: UploadSchema,
  ): Promise<UploadDatasetResponse> {
    const target = dataTarget(r, this.options.defaultUri);
    const fileName = safeFileName(options.fileName);
    requireSize(fileName, options.sizeBytes);
    // Before the body is read: no credentials, no point in staging it.
    const { s3 } = await this.ctx.clients(r);
    const staging = {
      dir: this.options.stagingDir,
      logger: this.ctx.logger,
      schema,
    };
    return withStagedCsv(options.content, staging, async staged => {
      // A short body would show as a bad last row: its size is said first.
      requireSize(fileName, staged.checked.sizeBytes, options.sizeBytes);
      // Validated before anything reaches S3: a bad row would start a
      // release on bad data.
      requireValid(fileName, staged.checked);
      return this.put(r, s3, target, fileName, staged, options.actor.ref);
    });
  }

  private async put(
    r: MlopsResources,
    s3: S3Client,
    target: { bucket: string; key: string },
    fileName: string,
    staged: StagedCsv,
    actor: string,
  ): Promise<UploadDatasetResponse> {
    const { checked } = staged;
    const now = new Date();
    const { key, stamp } = dataKey(target.key, fileName, now);
    const digest = Buffer.from(checked.sha256Hex, 'hex');
    const put = () =>
      s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          // Streamed from the staged file: the SDK needs its length up front.
          Body: staged.open(),
          ContentLength: checked.sizeBytes,
          ContentType: 'text/csv',
          // S3 rejects the object if the bytes differ from what was validated.
          ChecksumSHA256: digest.toString('base64'),
          Metadata: {
            'uploaded-by': actor,
            'row-count': String(checked.rowCount),
          },
        }),
      );
    // The SDK does not retry a stream body; the staged file can be re-read.
    const maxAttempts = await s3.config.maxAttempts();
    const res = await this.ctx.call('s3:PutObject', () =>
      retryTransient(put, {
        maxAttempts,
        onRetry: (e, next) =>
          this.ctx.logger.warn(
            `S3 PutObject of ${key} failed (${e}); attempt ${next} of ${maxAttempts}`,
          ),
      }),
    );
    this.ctx.invalidate(r, 'pipeline', 'release');
    return uploadedManifest({
      bucket: target.bucket,
      key,
      stamp,
      now,
      checked,
      etag: res?.ETag,
      versionId: res?.VersionId,
      actor,
    });
  }
}

/**
 * InputError when a body is over one PutObject, or (given both) when the
 * bytes read differ from the Content-Length the caller declared.
 */
function requireSize(fileName: string, size?: number, declared?: number) {
  if (size !== undefined && size > MAX_PUT_OBJECT_BYTES) {
    throw new InputError(
      `${fileName}: ${size} bytes is over the ${MAX_PUT_OBJECT_BYTES}-byte limit of one upload; use a direct upload (POST …/datasets/uploads)`,
    );
  }
  if (size !== undefined && declared !== undefined && size !== declared) {
    throw new InputError(
      `${fileName}: the body had ${size} bytes, but its size was given as ${declared}`,
    );
  }
}

/** The entity's data bucket and prefix; InputError when it names none. */
export function dataTarget(r: MlopsResources, defaultUri?: string) {
  const target = parseS3Uri(r.dataBucketUri ?? defaultUri ?? '');
  if (!target) {
    throw new InputError(
      'No data bucket is configured for this entity: set the mlops.io/data-bucket annotation or mlops.aws.dataBucket',
    );
  }
  return target;
}

/** Where an upload lands under the data prefix (which triggers the release). */
export function dataKey(prefixKey: string, fileName: string, now: Date) {
  const prefix =
    prefixKey === '' ? DEFAULT_DATA_PREFIX : prefixKey.replace(/\/?$/, '/');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return { key: `${prefix}${stamp}-${fileName}`, stamp };
}

/** Throws DatasetValidationError (→ 400 with row errors) unless the CSV is usable. */
export function requireValid(
  fileName: string,
  result: CsvValidationResult,
): CsvValidationResult {
  if (result.errors.length > 0) {
    const first = result.errors[0];
    throw new DatasetValidationError(
      `${fileName}: ${result.errors.length} row error(s); first: row ${first.row}, column ${first.column}: ${first.reason}`,
      result.errors,
    );
  }
  if (result.rowCount === 0) {
    throw new DatasetValidationError(`${fileName}: the file has no data rows`, [
      { row: 1, column: '(file)', reason: 'the file has no data rows' },
    ]);
  }
  return result;
}

/**
 * What an upload put. The Lambda in the data stack writes the real manifest
 * and starts the release asynchronously.
 */
export function uploadedManifest(u: {
  bucket: string;
  key: string;
  stamp: string;
  now: Date;
  checked: CsvValidationResult;
  etag?: string;
  versionId?: string;
  actor: string;
}): UploadDatasetResponse {
  return {
    manifest: {
      manifestId: `upload-${u.stamp}`,
      uri: `s3://${u.bucket}/${u.key}`,
      files: [
        {
          key: u.key,
          size: u.checked.sizeBytes,
          sha256: u.checked.sha256Hex,
          etag: u.etag,
          versionId: u.versionId,
          rowCount: u.checked.rowCount,
        },
      ],
      rowCount: u.checked.rowCount,
      createdAt: u.now.toISOString(),
      createdBy: u.actor,
    },
  };
}

/** Keeps object keys predictable: base name, safe characters only. */
export function safeFileName(name: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned.slice(-100) || 'dataset.csv';
}
