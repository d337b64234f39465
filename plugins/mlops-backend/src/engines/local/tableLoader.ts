import {
  ColumnsBuilder,
  readAbaloneCsv,
  readColumnsFile,
  writeColumnsFile,
} from '@mlops-portal/ml-core';
import type { AbaloneColumns, CsvRowError } from '@mlops-portal/ml-core';
import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import { pipeline } from 'stream/promises';

/** A data file of a manifest, as the worker gets it. */
export interface DataFile {
  key: string;
  path: string;
  sha256?: string;
  /** The file's parse cache (columns), written when its upload was checked. */
  cachePath?: string;
}

/** What checking a staged upload found (CheckUpload's result). */
export interface UploadCheck {
  rowCount: number;
  errors: CsvRowError[];
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
  const parsed = await readAbaloneCsv(createReadStream(args.path), {
    policy: 'reject',
    maxErrors: args.maxErrors,
  });
  const rowCount = parsed.columns.rows;
  if (args.cachePath && parsed.errors.length === 0 && rowCount > 0) {
    await writeColumnsFile(args.cachePath, parsed.columns);
  }
  return {
    rowCount,
    errors: parsed.errors,
    size: parsed.bytes,
    sha256: parsed.sha256,
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
    const parsed = await readAbaloneCsv(createReadStream(f.path));
    if (f.sha256 && parsed.sha256 !== f.sha256)
      throw changedError(f, parsed.sha256);
    if (parsed.errors.length > 0) {
      const e = parsed.errors[0];
      throw new Error(
        `${f.key}: ${parsed.errors.length} row error(s), first: row ${e.row}, column ${e.column}: ${e.reason}`,
      );
    }
    parts.push(parsed.columns);
    log(
      `${f.key}: ${parsed.columns.rows} rows${
        parsed.hasHeader ? ' (header skipped)' : ''
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
    cached = await readColumnsFile(f.cachePath!);
  } catch {
    // No cache (pruned, never written, unreadable): parse the CSV instead.
    return undefined;
  }
  const sha = await sha256Of(f.path);
  if (sha !== f.sha256) throw changedError(f, sha);
  return cached;
}
