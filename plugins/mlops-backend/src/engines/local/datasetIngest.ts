import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { parseSpec } from '@mlops-portal/ml-core';
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
import { createWriteStream } from 'fs';
import fs from 'fs/promises';
import path from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { DatasetValidationError } from '../../errors';
import type { DataLayout } from './dataLayout';
import { errorMessage, iso } from './format';
import { writeFileAtomic } from './fsutil';
import type { SeedConfig } from './settings';
import type { ExecutionRecord, LocalStore } from './store';
import { toPublicExecution } from './store';
import { type UploadCheck, checkUploadFile } from './tableLoader';
import { type RunSystem, systemOf } from './system';
import { StepWorker } from './workerClient';
import type { CheckUploadArgs } from './workerProtocol';

/** Row errors returned for a refused upload. */
const MAX_ROW_ERRORS = 100;
/** Uploads up to this size are parsed inline; larger ones in a child process. */
const INLINE_PARSE_LIMIT_BYTES = 1024 * 1024;
/** Parse caches kept (newest first): a run usually starts right after its upload. */
const PARSE_CACHE_ENTRIES = 3;

/** `row 3, column length: not a number ("x"); ...` for the first few row errors. */
export function summariseRowErrors(
  rowErrors: DatasetRowError[],
  max = 5,
): string {
  const parts = rowErrors.slice(0, max).map(
    e =>
      // No cell values: this message reaches logs, audit events and
      // notifications; the values travel only in rowErrors, to the uploader.
      `row ${e.row}, column ${e.column}: ${e.reason}`,
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

type CheckedUpload = UploadCheck;

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
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    // Checked against the system's spec: without one there is nothing to check by.
    const system = systemOf(resources, 'an upload');
    const fileName = options.fileName.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(fileName)) {
      throw new InputError(
        `fileName must be 1-128 characters of letters, digits, '.', '_' or '-' (got ${JSON.stringify(
          options.fileName,
        )})`,
      );
    }
    // Staged outside the bucket first: nothing appears there unless all is good.
    const staged = this.layout.newIncomingFile();
    let checked: CheckedUpload;
    try {
      const size = await stageUpload(options.content, staged);
      if (size === 0) {
        throw new DatasetValidationError(`${fileName}: the file is empty`, [
          { row: 1, column: '*', reason: 'the file is empty' },
        ]);
      }
      checked = await this.check(staged, size, system);
      refuseBadRows(fileName, checked);
    } catch (e) {
      await fs.rm(staged, { force: true });
      throw e;
    }
    const manifest = await this.storeChecked(
      resources.pipelineName,
      fileName,
      options.actor,
      staged,
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

  /**
   * First start only: fills an empty bucket from the seed's data, checked
   * by the seed's spec, which the seeded runs carry like an entity's.
   * Returns the run it started, or undefined (bucket not empty, or failed:
   * logged, the backend starts anyway).
   */
  async seed(seed: SeedConfig): Promise<UploadDatasetResponse | undefined> {
    try {
      if (await this.store.latestManifest(seed.resources.pipelineName))
        return undefined;
      const specText = await fs.readFile(seed.spec, 'utf8');
      const spec = parseSpec(specText, seed.spec);
      const resources: MlopsResources = {
        ...seed.resources,
        system: {
          source: seed.spec,
          hash: createHash('sha256').update(specText).digest('hex'),
          spec: spec as unknown as NonNullable<MlopsResources['system']>['spec'],
        },
      };
      // A file shipped with the deployment: seeding needs no network.
      const content = await fs.readFile(seed.source);
      const res = await this.upload(resources, {
        fileName: path.basename(seed.source),
        content,
        actor: { ref: 'mlops:seed' },
      });
      this.logger.info(
        `MLOps data bucket of ${seed.resources.pipelineName} seeded from ${seed.source} (${res.manifest.rowCount} rows)`,
      );
      return res;
    } catch (e) {
      this.logger.warn(
        `MLOps seeding of ${seed.resources.pipelineName} from ${
          seed.source
        } failed: ${errorMessage(e)}`,
      );
      return undefined;
    }
  }

  /**
   * At start-up no upload is in flight: staging files are what a killed
   * process left (possibly hundreds of MB), so they go.
   */
  async clearStaging(): Promise<void> {
    const dir = this.layout.incomingDir();
    const left = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of left)
      await fs.rm(path.join(dir, name), { force: true, recursive: true });
    if (left.length > 0)
      this.logger.info(
        `MLOps data bucket: removed ${left.length} staging file(s) of interrupted uploads`,
      );
  }

  close() {
    this.checker?.dispose();
    this.checker = undefined;
  }

  /** Moves the checked file into the bucket and writes its manifest. */
  private async storeChecked(
    pipelineName: string,
    fileName: string,
    actor: EngineActor,
    staged: string,
    { rowCount, sha256, size }: CheckedUpload,
  ): Promise<DataManifest> {
    const createdAt = iso();
    const manifestId = `${createdAt
      .replace(/[-:.]/g, '')
      .replace('T', '-')
      .slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const key = `${manifestId}/${fileName}`;
    const objectPath = this.layout.bucketObject(pipelineName, key);
    // Same file system: the checked file appears in the bucket in one rename.
    await fs.mkdir(path.dirname(objectPath), { recursive: true });
    await fs.rename(staged, objectPath);
    const manifestFile = this.layout.manifest(pipelineName, manifestId);
    const manifest: DataManifest = {
      manifestId,
      uri: manifestFile,
      files: [{ key, size, sha256, rowCount }],
      rowCount,
      createdAt,
      createdBy: actor.ref,
    };
    await writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2));
    await this.store.insertManifest(pipelineName, manifest);
    return manifest;
  }

  /**
   * Parses the staged upload once with the ML core's streaming reader
   * (policy reject) and keeps a good file's columns in the parse cache for
   * the run's Validate and Preprocess. Small files are parsed inline (a few
   * ms); large ones in a child process, so a 250 MB upload does not stall
   * the backend's event loop.
   */
  private async check(
    staged: string,
    size: number,
    system: RunSystem,
  ): Promise<CheckedUpload> {
    const args: CheckUploadArgs = {
      path: staged,
      maxErrors: MAX_ROW_ERRORS,
      spec: system.spec,
      cachePath: this.layout.newIncomingFile('.columns'),
    };
    try {
      const out =
        size <= INLINE_PARSE_LIMIT_BYTES
          ? await checkUploadFile(args)
          : await this.inChild(args);
      if (out.errors.length === 0 && out.rowCount > 0)
        await this.keepParseCache(args.cachePath!, out.sha256, system.hash);
      return out;
    } finally {
      await fs.rm(args.cachePath!, { force: true });
    }
  }

  /** One check at a time per checker process; uploads queue here. */
  private async inChild(args: CheckUploadArgs): Promise<UploadCheck> {
    const run = async () => {
      this.checker = this.checker ?? new StepWorker();
      return this.checker.run<'checkUpload'>({ step: 'checkUpload', args });
    };
    const result = this.checks.catch(() => undefined).then(run);
    this.checks = result;
    return result;
  }

  /** Files the cache under the content's hash; only the newest few are kept. */
  private async keepParseCache(file: string, sha256: string, specHash: string) {
    const dir = this.layout.parseCacheDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.rename(file, this.layout.parseCache(sha256, specHash));
    const entries = await Promise.all(
      (
        await fs.readdir(dir)
      ).map(async name => {
        const stat = await fs.stat(path.join(dir, name)).catch(() => undefined);
        return { name, mtime: stat?.mtimeMs ?? 0 };
      }),
    );
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(PARSE_CACHE_ENTRIES))
      await fs.rm(path.join(dir, old.name), { force: true });
  }
}

/** Streams the body to `file`; the byte count. A stream error leaves no file. */
async function stageUpload(
  content: Buffer | Readable,
  file: string,
): Promise<number> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  await pipeline(source, createWriteStream(file));
  return (await fs.stat(file)).size;
}

/** Throws the 400-class error for an upload with bad or no rows. */
function refuseBadRows(
  fileName: string,
  { rowCount, errors, badRows }: CheckedUpload,
) {
  if (errors.length > 0) {
    throw new DatasetValidationError(
      `${fileName}: ${Math.max(
        badRows,
        1,
      )} bad row(s), nothing was stored: ${summariseRowErrors(errors)}`,
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
      { row: 1, column: '*', reason: 'no data rows' },
    ]);
  }
}
