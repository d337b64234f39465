import { createHash } from 'crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InputError } from '@backstage/errors';
import { parseAbaloneCsv } from '@mlops-portal/ml-core';
import type {
  MlopsResources,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import {
  DatasetValidationError,
  type UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import type { ClientContext } from './clientContext';
import { parseS3Uri } from './mappers';

const DEFAULT_DATA_PREFIX = 'data/';

/** The S3 data bucket: an upload is a validated PutObject, which starts the release. */
export class DataBucket {
  constructor(
    private readonly ctx: ClientContext,
    /** `mlops.aws.dataBucket`: the target when the entity names none. */
    private readonly defaultUri?: string,
  ) {}

  async uploadDataset(
    r: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    const target = parseS3Uri(r.dataBucketUri ?? this.defaultUri ?? '');
    if (!target) {
      throw new InputError(
        'No data bucket is configured for this entity: set the mlops.io/data-bucket annotation or mlops.aws.dataBucket',
      );
    }
    const fileName = safeFileName(options.fileName);
    // Validate before anything reaches S3: a bad row would start a release on bad data.
    const parsed = parseAbaloneCsv(options.content.toString('utf8'), {
      policy: 'reject',
    });
    if (parsed.errors.length > 0) {
      const first = parsed.errors[0];
      throw new DatasetValidationError(
        `${fileName}: ${parsed.errors.length} row error(s); first: row ${first.row}, column ${first.column}: ${first.reason}`,
        parsed.errors,
      );
    }
    if (parsed.records.length === 0) {
      throw new DatasetValidationError(
        `${fileName}: the file has no data rows`,
        [{ row: 1, column: '(file)', reason: 'the file has no data rows' }],
      );
    }
    const prefix =
      target.key === '' ? DEFAULT_DATA_PREFIX : target.key.replace(/\/?$/, '/');
    const now = new Date();
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const key = `${prefix}${stamp}-${fileName}`;
    const digest = createHash('sha256').update(options.content).digest();
    const { s3 } = await this.ctx.clients(r);
    const res = await this.ctx.call('s3:PutObject', () =>
      s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: options.content,
          ContentType: 'text/csv',
          // S3 rejects the object if the bytes differ from what was validated.
          ChecksumSHA256: digest.toString('base64'),
          Metadata: {
            'uploaded-by': options.actor.ref,
            'row-count': String(parsed.records.length),
          },
        }),
      ),
    );
    this.ctx.invalidate(r, 'pipeline', 'release');
    // The Lambda in the data stack writes the real manifest and starts the
    // release asynchronously; this describes what was put.
    return {
      manifest: {
        manifestId: `upload-${stamp}`,
        uri: `s3://${target.bucket}/${key}`,
        files: [
          {
            key,
            size: options.content.length,
            sha256: digest.toString('hex'),
            etag: res?.ETag,
            versionId: res?.VersionId,
            rowCount: parsed.records.length,
          },
        ],
        rowCount: parsed.records.length,
        createdAt: now.toISOString(),
        createdBy: options.actor.ref,
      },
    };
  }
}

/** Keeps object keys predictable: base name, safe characters only. */
function safeFileName(name: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned.slice(-100) || 'dataset.csv';
}
