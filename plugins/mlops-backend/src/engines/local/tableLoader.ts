import {
  ColumnsBuilder,
  abaloneColumnsFromTable,
  abaloneDatasetSchema,
  readTableCsv,
  readTableFile,
  writeTableFile,
} from '@mlops-portal/ml-core';
import type { AbaloneColumns, CsvRowError } from '@mlops-portal/ml-core';
import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import { pipeline } from 'stream/promises';

/** Read size for data files: fewer, larger chunks for the CSV reader. */
const READ_CHUNK = 1 << 20;

/** A data file of a manifest, as the worker gets it. */
export interface DataFile {
  key: string;
  path: string;
  sha256?: string;
  /** The file's parse cache (its table, binary), written when its upload was checked. */
  cachePath?: string;
}

/** What checking a staged upload found (CheckUpload's result). */
export interface UploadCheck {
  rowCount: number;
  /** The first errors (up to maxErrors), in file order. */
  errors: CsvRowError[];
  /** Records refused (all of them, not only those listed). */
  badRows: number;
  size: number;
  sha256: string;
}

/**
 * Parses a staged upload once, streaming (policy reject). A good file's
 * columns go to `cachePath`, so Validate and Preprocess need not parse the
 * CSV again. Runs in the step worker for large files, inline for small ones.
 */
export async function checkUploadFile(args: {
  path: string;
  maxErrors: number;
  cachePath?: string;
}): Promise<UploadCheck> {
  const parsed = await readDataFile(args.path, args.maxErrors);
  const rowCount = parsed.table.rowCount;
  if (args.cachePath && parsed.errors.length === 0 && rowCount > 0) {
    await writeTableFile(args.cachePath, parsed.table);
  }
  return {
    rowCount,
    errors: parsed.errors,
    badRows: parsed.badRows,
    size: parsed.bytes,
    sha256: parsed.sha256,
  };
}

/**
 * Reads a data file with the ML core's table reader (policy reject) and
 * hashes the same bytes as they pass. The engine's pipeline is still the
 * Abalone one, so the schema is Abalone's (from its schema package) and the
 * table becomes AbaloneColumns; a header row, if the file has one, is skipped.
 */
async function readDataFile(file: string, maxErrors: number) {
  const hash = createHash('sha256');
  let bytes = 0;
  const expectedBytes = (await stat(file)).size;
  async function* hashed() {
    for await (const chunk of createReadStream(file, {
      highWaterMark: READ_CHUNK,
    })) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  const out = await readTableCsv(hashed(), abaloneDatasetSchema(), {
    policy: 'reject',
    maxErrors,
    detectHeader: true,
    expectedBytes,
  });
  return {
    table: out.table,
    // A whole-record error names no column: '*' as the API has always said.
    errors: out.errors.map(
      (e): CsvRowError => ({ ...e, column: e.column ?? '*' }),
    ),
    badRows: out.skippedRows,
    headerSkipped: out.headerSkipped,
    bytes,
    sha256: hash.digest('hex'),
  };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

function changedError(f: DataFile, sha: string) {
  return new Error(
    `${f.key}: sha256 ${sha} does not match the manifest (${f.sha256}); the file changed after upload`,
  );
}

/**
 * The table of a manifest's files. A file whose bytes still hash to the
 * manifest's sha256 is read from its parse cache; any other is parsed
 * (streaming) and must have no bad row.
 */
export async function loadTable(
  files: DataFile[],
  log: (message: string) => void,
): Promise<AbaloneColumns> {
  const parts: AbaloneColumns[] = [];
  for (const f of files) {
    const cached = f.cachePath && f.sha256 ? await cacheOf(f) : undefined;
    if (cached) {
      parts.push(cached);
      log(`${f.key}: ${cached.rows} rows (parsed at upload)`);
      continue;
    }
    const parsed = await readDataFile(f.path, 100);
    if (f.sha256 && parsed.sha256 !== f.sha256)
      throw changedError(f, parsed.sha256);
    if (parsed.errors.length > 0) {
      const e = parsed.errors[0];
      throw new Error(
        `${f.key}: ${parsed.badRows} bad row(s), first: row ${e.row}, column ${e.column}: ${e.reason}`,
      );
    }
    const columns = abaloneColumnsFromTable(parsed.table);
    parts.push(columns);
    log(
      `${f.key}: ${columns.rows} rows${
        parsed.headerSkipped ? ' (header skipped)' : ''
      }`,
    );
  }
  if (parts.length === 1) return parts[0];
  const all = new ColumnsBuilder(parts.reduce((n, p) => n + p.rows, 0));
  for (const p of parts) all.append(p);
  return all.build();
}

/** The cached columns of a file, after checking its bytes; undefined on a miss. */
async function cacheOf(f: DataFile): Promise<AbaloneColumns | undefined> {
  let cached: AbaloneColumns;
  try {
    // The cache holds the generic table; the pipeline still takes Abalone's columns.
    cached = abaloneColumnsFromTable(await readTableFile(f.cachePath!));
  } catch {
    // No cache (pruned, never written, unreadable): parse the CSV instead.
    return undefined;
  }
  const sha = await sha256Of(f.path);
  if (sha !== f.sha256) throw changedError(f, sha);
  return cached;
}
