import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  DatasetRowError,
  MlopsResources,
} from '@mlops-portal/plugin-mlops-common';
import {
  MAX_REPORTED_ROW_ERRORS,
  extractRowErrors,
} from '@mlops-portal/plugin-mlops-node';
import chokidar, { type FSWatcher } from 'chokidar';
import { constants as fsConstants } from 'fs';
import fs from 'fs/promises';
import { randomUUID } from 'crypto';
import path from 'path';
import type { DatasetIngest } from './datasetIngest';
import type { EngineEventBus } from './engineEvents';
import { errorMessage } from './format';

/** The actor recorded for files dropped into the bucket directory. */
export const BUCKET_ACTOR = { ref: 'bucket' };

export interface BucketWatcherOptions {
  /** The engine's data directory; its `bucket/` holds one directory per pipeline. */
  dataDir: string;
  ingest: DatasetIngest;
  events: EngineEventBus;
  logger: LoggerService;
  /** The entity whose release pipeline a pipeline's drops start. */
  resourcesFor(pipelineName: string): Promise<MlopsResources | undefined>;
  /** A file counts as complete when its size has not changed for this long. */
  stableMs: number;
}

/**
 * Drop-a-file ingestion, the local twin of an S3 PutObject into the data
 * bucket: a CSV copied to `<bucket>/<pipelineName>/<file>.csv` goes through
 * the same validation as a portal upload and, when good, is stored under a
 * manifest (the dropped file is removed) and starts the release pipeline.
 * A bad one is moved to `<bucket>/<pipelineName>/rejected/` with
 * `<file>.errors.json` beside it, and nothing runs.
 *
 * Partial files are never read: a file is taken once its size has been stable
 * for `stableMs`, and names ending in `.tmp` (or holding `.tmp-`) are ignored,
 * so a writer may also write `x.csv.tmp` and rename it to `x.csv`.
 */
export class BucketWatcher {
  private watcher?: FSWatcher;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: BucketWatcherOptions) {}

  async start(): Promise<void> {
    const { dataDir, stableMs } = this.options;
    // The data directory, not bucket/ itself: the bucket appears with the
    // first object, and an engine that stored nothing creates nothing.
    this.watcher = chokidar.watch(dataDir, {
      // bucket/<pipeline>/<file> only; stored objects live one level deeper.
      depth: 2,
      // A link dropped into the bucket must not make the backend read (and
      // echo) or write a file outside it: links are never followed.
      followSymlinks: false,
      ignored: (p: string) => {
        const rel = path.relative(dataDir, p);
        if (rel === '') return false;
        return (
          rel.split(path.sep)[0] !== 'bucket' || isIgnored(path.basename(p))
        );
      },
      awaitWriteFinish: {
        stabilityThreshold: stableMs,
        pollInterval: Math.max(50, Math.floor(stableMs / 4)),
      },
    });
    this.watcher.on('add', file => {
      const rel = path.relative(dataDir, file).split(path.sep);
      // Files right in bucket/ belong to no pipeline.
      if (rel.length !== 3) return;
      // One file at a time: ingestion is CPU- and disk-heavy.
      this.queue = this.queue.then(() => this.take(rel[1], rel[2], file));
    });
    this.watcher.on('error', e =>
      this.options.logger.warn(
        `MLOps bucket watcher error: ${errorMessage(e)}`,
      ),
    );
    await new Promise<void>(resolve => this.watcher!.once('ready', resolve));
  }

  /** Resolves when every file seen so far has been handled (tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
    await this.queue;
  }

  private async take(pipelineName: string, fileName: string, file: string) {
    const { logger } = this.options;
    // Opened without following a link, then checked on the open handle (no
    // race between the check and the read): regular files only.
    const handle = await openRegularFile(
      this.options.dataDir,
      pipelineName,
      file,
    );
    if (!handle) {
      logger.warn(
        `MLOps bucket: ${pipelineName}/${fileName} ignored: not a regular file in a real bucket directory (links are not followed)`,
      );
      return;
    }
    try {
      await this.takeOpen(pipelineName, fileName, file, handle);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  private async takeOpen(
    pipelineName: string,
    fileName: string,
    file: string,
    handle: fs.FileHandle,
  ) {
    const { ingest, events, logger } = this.options;
    const resources = await this.options.resourcesFor(pipelineName);
    if (!resources) {
      await this.setAside(file, fileName, {
        message: `no catalog entity is known for pipeline ${pipelineName} (run or upload once from the portal)`,
      });
      logger.warn(
        `MLOps bucket: ${pipelineName}/${fileName} set aside: no entity known for the pipeline`,
      );
      return;
    }
    const base = { resources, fileName, actor: BUCKET_ACTOR };
    try {
      const res = await ingest.upload(resources, {
        fileName,
        content: handle.createReadStream({ autoClose: false }),
        contentType: 'text/csv',
        actor: BUCKET_ACTOR,
      });
      // The bucket now holds it under its manifest; the drop is consumed.
      await fs.rm(file, { force: true });
      events.emit({
        type: 'dataset-drop',
        ...base,
        outcome: 'ingested',
        manifestId: res.manifest.manifestId,
        executionId: res.execution?.executionId,
      });
    } catch (e) {
      // Row, column and reason, not the cell values: the report, the event
      // and the owners' notification carry no file contents.
      const rowErrors = extractRowErrors(e)
        ?.slice(0, MAX_REPORTED_ROW_ERRORS)
        .map(({ value: _value, ...rest }) => rest);
      await this.setAside(file, fileName, {
        message: errorMessage(e),
        rowErrors,
      });
      events.emit({
        type: 'dataset-drop',
        ...base,
        outcome: 'rejected',
        message: errorMessage(e),
        rowErrors,
      });
    }
  }

  /** Moves a refused file to `rejected/` with the reasons beside it. */
  private async setAside(
    file: string,
    fileName: string,
    reasons: { message: string; rowErrors?: DatasetRowError[] },
  ) {
    const dir = path.join(path.dirname(file), 'rejected');
    try {
      await fs.mkdir(dir, { recursive: true });
      // A planted link named rejected/ would move writes outside the bucket.
      if (!(await fs.lstat(dir)).isDirectory()) {
        throw new Error('rejected/ is not a directory');
      }
      // Reasons first, written whole to a fresh name (O_EXCL: never through
      // a planted file or link), then renamed over the report (a rename
      // replaces a link, it does not write through it).
      const report = path.join(dir, `${fileName}.errors.json`);
      const tmp = path.join(dir, `.${randomUUID()}.tmp`);
      await fs.writeFile(tmp, JSON.stringify(reasons, null, 2), { flag: 'wx' });
      await fs.rename(tmp, report);
      await fs.rename(file, path.join(dir, fileName));
    } catch (e) {
      this.options.logger.warn(
        `MLOps bucket: could not set ${fileName} aside: ${errorMessage(e)}`,
      );
    }
  }
}

/**
 * The dropped file opened for reading when it, and its pipeline directory, are
 * real (not links); undefined otherwise.
 */
async function openRegularFile(
  dataDir: string,
  pipelineName: string,
  file: string,
): Promise<fs.FileHandle | undefined> {
  try {
    const bucket = path.join(dataDir, 'bucket');
    for (const dir of [bucket, path.join(bucket, pipelineName)]) {
      if (!(await fs.lstat(dir)).isDirectory()) return undefined;
    }
    const handle = await fs.open(
      file,
      fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0),
    );
    if ((await handle.stat()).isFile()) return handle;
    await handle.close();
    return undefined;
  } catch {
    // ELOOP (a link), ENOENT (gone meanwhile), …
    return undefined;
  }
}

function isIgnored(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('.tmp') ||
    name.includes('.tmp-') ||
    name.endsWith('.errors.json')
  );
}
