import {
  DEFAULT_MAX_CATEGORIES,
  DEFAULT_MISSING_VALUES,
  SchemaError,
  concatTables,
  inferSchema,
  readTableCsv,
  readTableFile,
  resolveSchema,
  writeTableFile,
} from '@mlops-portal/ml-core';
import type {
  DatasetSchema,
  MlSystemSpec,
  Table,
} from '@mlops-portal/ml-core';
import type { DatasetRowError } from '@mlops-portal/plugin-mlops-common';
import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import { open, stat } from 'fs/promises';
import { pipeline } from 'stream/promises';

/** Read size for data files: fewer, larger chunks for the CSV reader. */
const READ_CHUNK = 1 << 20;
/** Bytes of a file the schema is inferred from (what the spec leaves open). */
const SAMPLE_BYTES = 1 << 20;

/**
 * The schema a spec fixes on its own: every column (the target included)
 * listed with its type, and the classes of a classifier. Undefined when
 * something is left to infer from data.
 */
export function specSchema(spec: MlSystemSpec): DatasetSchema | undefined {
  const dataset = spec.spec.dataset;
  const columns = dataset.columns ?? [];
  if (
    !columns.some(c => c.name === dataset.target) ||
    columns.some(c => !c.type) ||
    (dataset.task !== 'regression' && !dataset.classes)
  )
    return undefined;
  return {
    header: dataset.header,
    columns: columns.map(c => ({ ...c, type: c.type! })),
    target: dataset.target,
    task: dataset.task,
    ...(dataset.classes ? { classes: [...dataset.classes] } : {}),
    missingValues: [...(dataset.missingValues ?? DEFAULT_MISSING_VALUES)],
    maxCategories: dataset.maxCategories ?? DEFAULT_MAX_CATEGORIES,
  };
}

/**
 * The data set schema of a system's file: the spec's dataset section, with
 * what it leaves open (types, categories) inferred from the file's first
 * MiB. Throws ml-core's SchemaError (e.g. a spec column the header lacks).
 */
export async function schemaOf(
  spec: MlSystemSpec,
  file: string,
): Promise<DatasetSchema> {
  // Nothing left open: the spec is the schema, and every cell is the
  // reader's to judge (a bad one is an error naming its row and column).
  const declared = specSchema(spec);
  if (declared) return declared;
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    const truncated = bytesRead === SAMPLE_BYTES;
    // A cut sample ends mid-record: infer from whole lines only.
    if (truncated) text = text.slice(0, text.lastIndexOf('\n') + 1);
    const dataset = spec.spec.dataset;
    const missingValues = dataset.missingValues ?? DEFAULT_MISSING_VALUES;
    const inferred = inferSchema(text, {
      header: dataset.header,
      names: dataset.header
        ? undefined
        : (dataset.columns ?? []).map(c => c.name),
      missingValues,
      truncated,
    });
    // What the spec declares is taken as declared: a cell that breaks it is
    // the reader's row error naming row and column, not a schema problem of
    // the whole file (which could name neither).
    const declare = (name: string, type?: string, allowed?: string[]) => {
      const p = inferred.columns.find(c => c.name === name);
      if (!p) return;
      if (type && p.type !== type) {
        p.type = type as typeof p.type;
        delete p.firstText;
      }
      if (allowed && p.values) {
        p.values = p.values.filter(v => allowed.includes(v));
        p.distinct = p.values.length;
      }
    };
    for (const c of dataset.columns ?? [])
      declare(c.name, c.type, c.categories);
    if (dataset.classes) declare(dataset.target, undefined, dataset.classes);
    return resolveSchema(dataset, inferred);
  } finally {
    await fh.close();
  }
}

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
  errors: DatasetRowError[];
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
  spec: MlSystemSpec;
}): Promise<UploadCheck> {
  let schema: DatasetSchema;
  try {
    schema = await schemaOf(args.spec, args.path);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    // The file does not fit the spec as a whole (a column missing from the
    // header, a target that is not there): one error, on the header row.
    return {
      rowCount: 0,
      errors: e.problems
        .slice(0, args.maxErrors)
        .map(reason => ({ row: 1, column: '*', reason })),
      badRows: 1,
      size: (await stat(args.path)).size,
      sha256: await sha256Of(args.path),
    };
  }
  const parsed = await readDataFile(args.path, schema, args.maxErrors);
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
 * Reads a data file by the system's schema with the ML core's table reader
 * (policy reject) and hashes the same bytes as they pass. For a headerless
 * schema, a header row the file has anyway is skipped.
 */
async function readDataFile(
  file: string,
  schema: DatasetSchema,
  maxErrors: number,
) {
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
  const out = await readTableCsv(hashed(), schema, {
    policy: 'reject',
    maxErrors,
    detectHeader: !schema.header,
    expectedBytes,
  });
  return {
    table: out.table,
    // A whole-record error names no column: '*' as the API has always said.
    errors: out.errors.map(
      (e): DatasetRowError => ({ ...e, column: e.column ?? '*' }),
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
  schema: DatasetSchema,
  log: (message: string) => void,
): Promise<Table> {
  const parts: Table[] = [];
  for (const f of files) {
    const cached = f.cachePath && f.sha256 ? await cacheOf(f) : undefined;
    if (cached) {
      parts.push(cached);
      log(`${f.key}: ${cached.rowCount} rows (parsed at upload)`);
      continue;
    }
    const parsed = await readDataFile(f.path, schema, 100);
    if (f.sha256 && parsed.sha256 !== f.sha256)
      throw changedError(f, parsed.sha256);
    if (parsed.errors.length > 0) {
      const e = parsed.errors[0];
      throw new Error(
        `${f.key}: ${parsed.badRows} bad row(s), first: row ${e.row}, column ${e.column}: ${e.reason}`,
      );
    }
    parts.push(parsed.table);
    log(
      `${f.key}: ${parsed.table.rowCount} rows${
        parsed.headerSkipped ? ' (header skipped)' : ''
      }`,
    );
  }
  return concatTables(parts);
}

/**
 * The cached table of a file, after checking its bytes; undefined on a miss.
 * The cache path is keyed by content and spec (see DataLayout.parseCache),
 * so a table parsed by another schema is never read here.
 */
async function cacheOf(f: DataFile): Promise<Table | undefined> {
  let cached: Table;
  try {
    cached = await readTableFile(f.cachePath!);
  } catch {
    // No cache (pruned, never written, unreadable): parse the CSV instead.
    return undefined;
  }
  const sha = await sha256Of(f.path);
  if (sha !== f.sha256) throw changedError(f, sha);
  return cached;
}
