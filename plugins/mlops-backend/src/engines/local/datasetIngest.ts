import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { loadAbaloneSource, parseAbaloneCsv } from '@mlops-portal/ml-core';
import type { CsvRowError } from '@mlops-portal/ml-core';
import type {
  DataManifest,
  DatasetRowError,
  MlopsResources,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type {
  EngineActor,
  UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import { createHash, randomBytes } from 'crypto';
import fs from 'fs/promises';
import path from 'path';
import { buffer } from 'stream/consumers';
import { DatasetValidationError } from '../../errors';
import type { DataLayout } from './dataLayout';
import { errorMessage, iso } from './format';
import { writeFileAtomic } from './fsutil';
import type { SeedConfig } from './settings';
import type { ExecutionRecord, LocalStore } from './store';
import { toPublicExecution } from './store';
import { StepWorker } from './workerClient';

/** Row errors returned for a refused upload. */
const MAX_ROW_ERRORS = 100;
/** Uploads up to this size are parsed inline; larger ones in a child process. */
const INLINE_PARSE_LIMIT_BYTES = 1024 * 1024;

/** `row 3, column length: not a number ("x"); ...` for the first few row errors. */
export function summariseRowErrors(
  rowErrors: DatasetRowError[],
  max = 5,
): string {
  const parts = rowErrors
    .slice(0, max)
    .map(
      e =>
        `row ${e.row}, column ${e.column}: ${e.reason}${
          e.value !== undefined ? ` (${JSON.stringify(e.value)})` : ''
        }`,
    );
  const more =
    rowErrors.length > max ? `; and ${rowErrors.length - max} more` : '';
  return `${parts.join('; ')}${more}`;
}

/** Starts the release pipeline on a newly stored data set. */
export type TriggerPipeline = (
  resources: MlopsResources,
  manifest: DataManifest,
  actor: EngineActor,
  fileName: string,
) => Promise<ExecutionRecord>;

interface CheckedUpload {
  rowCount: number;
  errors: CsvRowError[];
  sha256: string;
  /** Where a large upload was staged for its check (moved into the bucket). */
  staged?: string;
}

/**
 * The local data bucket: validates an upload completely (nothing is stored
 * if any row is bad), stores the object and its manifest atomically, and
 * triggers the release pipeline, like an S3 PutObject would.
 */
export class DatasetIngest {
  /** Child that parses large uploads (started on the first one). */
  private checker?: StepWorker;
  private checks: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: LocalStore,
    private readonly layout: DataLayout,
    private readonly logger: LoggerService,
    private readonly trigger: TriggerPipeline,
  ) {}

  /**
   * Each upload is a complete data set (like a new object in the S3 data
   * bucket) and lives under its manifest id, so older executions can still
   * be retried on their own data.
   */
  async upload(
    resources: MlopsResources,
    streamed: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    // Interim: read a stream whole (the next commit stages it to disk instead).
    const options = {
      ...streamed,
      content: Buffer.isBuffer(streamed.content)
        ? streamed.content
        : await buffer(streamed.content),
    };
    const fileName = options.fileName.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(fileName)) {
      throw new InputError(
        `fileName must be 1-128 characters of letters, digits, '.', '_' or '-' (got ${JSON.stringify(
          options.fileName,
        )})`,
      );
    }
    if (options.content.length === 0) {
      throw new DatasetValidationError(`${fileName}: the file is empty`, [
        { row: 1, column: 'sex', reason: 'the file is empty' },
      ]);
    }
    const checked = await this.check(options.content);
    try {
      refuseBadRows(fileName, checked);
    } catch (e) {
      if (checked.staged) await fs.rm(checked.staged, { force: true });
      throw e;
    }
    const manifest = await this.storeChecked(
      resources.pipelineName,
      fileName,
      options,
      checked,
    );
    const execution = await this.trigger(
      resources,
      manifest,
      options.actor,
      fileName,
    );
    return { manifest, execution: toPublicExecution(execution) };
  }

  /** First start only: fills an empty bucket from the configured source. */
  async seed(seed: SeedConfig): Promise<void> {
    try {
      if (await this.store.latestManifest(seed.resources.pipelineName)) return;
      const text = await loadAbaloneSource(seed.source);
      let fileName = path.basename(seed.source);
      if (/^https?:\/\//.test(seed.source)) {
        fileName =
          path.posix.basename(new URL(seed.source).pathname) || 'abalone.data';
      }
      const res = await this.upload(seed.resources, {
        fileName,
        content: Buffer.from(text, 'utf8'),
        actor: { ref: 'mlops:seed' },
      });
      this.logger.info(
        `MLOps data bucket of ${seed.resources.pipelineName} seeded from ${seed.source} (${res.manifest.rowCount} rows)`,
      );
    } catch (e) {
      this.logger.warn(
        `MLOps seeding from ${seed.source} failed: ${errorMessage(e)}`,
      );
    }
  }

  close() {
    this.checker?.dispose();
    this.checker = undefined;
  }

  /** Writes the object (or moves the staged file) and its manifest. */
  private async storeChecked(
    pipelineName: string,
    fileName: string,
    options: UploadDatasetOptions & { content: Buffer },
    { rowCount, sha256, staged }: CheckedUpload,
  ): Promise<DataManifest> {
    const createdAt = iso();
    const manifestId = `${createdAt
      .replace(/[-:.]/g, '')
      .replace('T', '-')
      .slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const key = `${manifestId}/${fileName}`;
    const objectPath = this.layout.bucketObject(pipelineName, key);
    if (staged) {
      // Same file system: the checked file appears in the bucket in one rename.
      await fs.mkdir(path.dirname(objectPath), { recursive: true });
      await fs.rename(staged, objectPath);
    } else {
      await writeFileAtomic(objectPath, options.content);
    }
    const manifestFile = this.layout.manifest(pipelineName, manifestId);
    const manifest: DataManifest = {
      manifestId,
      uri: manifestFile,
      files: [{ key, size: options.content.length, sha256, rowCount }],
      rowCount,
      createdAt,
      createdBy: options.actor.ref,
    };
    await writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2));
    await this.store.insertManifest(pipelineName, manifest);
    return manifest;
  }

  /**
   * Parses an upload with the ML core's CSV reader (policy reject). Small
   * files are parsed inline (a few ms); large ones are staged outside the
   * bucket and parsed in a child process, so a 50 MB upload does not stall
   * the backend's event loop for seconds.
   */
  private async check(content: Buffer): Promise<CheckedUpload> {
    if (content.length <= INLINE_PARSE_LIMIT_BYTES) {
      const parsed = parseAbaloneCsv(content.toString('utf8'), {
        policy: 'reject',
        maxErrors: MAX_ROW_ERRORS,
      });
      return {
        rowCount: parsed.records.length,
        errors: parsed.errors,
        sha256: createHash('sha256').update(content).digest('hex'),
      };
    }
    const staged = this.layout.newIncomingFile();
    await writeFileAtomic(staged, content);
    const inChild = async () => {
      this.checker = this.checker ?? new StepWorker();
      return this.checker.run({
        step: 'checkUpload',
        args: { path: staged, maxErrors: MAX_ROW_ERRORS },
      });
    };
    // One check at a time per checker process; uploads queue here.
    const result = this.checks.catch(() => undefined).then(inChild);
    this.checks = result;
    try {
      const out = await result;
      return {
        rowCount: out.rowCount as number,
        errors: out.errors as CsvRowError[],
        sha256: out.sha256 as string,
        staged,
      };
    } catch (e) {
      await fs.rm(staged, { force: true });
      throw e;
    }
  }
}

/** Throws the 400-class error for an upload with bad or no rows. */
function refuseBadRows(fileName: string, { rowCount, errors }: CheckedUpload) {
  if (errors.length > 0) {
    throw new DatasetValidationError(
      `${fileName}: ${errors.length}${
        errors.length >= MAX_ROW_ERRORS ? '+' : ''
      } bad row(s), nothing was stored: ${summariseRowErrors(errors)}`,
      errors.map(e => ({
        row: e.row,
        column: e.column,
        value: e.value,
        reason: e.reason,
      })),
    );
  }
  if (rowCount === 0) {
    throw new DatasetValidationError(`${fileName}: no data rows`, [
      { row: 1, column: 'sex', reason: 'no data rows' },
    ]);
  }
}
