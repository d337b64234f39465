import { randomBytes } from 'crypto';
import { createWriteStream } from 'fs';
import { mkdir, readFile, rename, rm } from 'fs/promises';
import { dirname } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { type AbaloneColumns, decodeColumns, encodeColumns } from './columns';
import { writeCsvNumber as writeCsvNumberImport } from './csvNumbers';
import type { LabeledMatrix } from './preprocess';
import type { Table } from './spec/types';
import { encodeTable, readTableFile } from './table/tableFile';

// A module-local copy: transpilers turn imports into getter calls.
const writeCsvNumber = writeCsvNumberImport;

/** Bytes of the labeled CSV writer's chunks (bounds the memory alive at once). */
const CSV_CHUNK_BYTES = 1 << 20;
/** Room one cell may take (writeCsvNumber's longest text, a comma and slack). */
const CELL_BYTES = 32;
/** Slots of the feature text cache (2^16 × 32 bytes). */
const TEXT_CACHE_BITS = 16;
/**
 * Writes chunks to `path` through a temp file and a rename, so a reader never
 * sees half a file (a crash leaves only the temp file).
 */
export async function writeChunksAtomic(
  path: string,
  chunks: Iterable<Buffer | string> | AsyncIterable<Buffer | string>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await pipeline(Readable.from(chunks), createWriteStream(tmp));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

function* labeledCsvChunks(m: LabeledMatrix): Iterable<Buffer> {
  const { rows, cols, labels, data } = m;
  const rowBytes = (cols + 1) * CELL_BYTES;
  const size = Math.max(CSV_CHUNK_BYTES, 2 * rowBytes);
  let out = Buffer.allocUnsafe(size);
  let pos = 0;
  // Features usually repeat values (a table's few distinct values per
  // column, scaled): a direct-mapped cache of each value's text by its
  // Float32 bits makes most cells a copy. Same bytes as formatting.
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const cacheKey = new Uint32Array(1 << TEXT_CACHE_BITS);
  const cacheLen = new Uint8Array(1 << TEXT_CACHE_BITS); // 0: empty
  const cacheText = new Uint8Array(CELL_BYTES << TEXT_CACHE_BITS);
  // One pass, straight to bytes: no string per cell or per row.
  for (let i = 0; i < rows; i++) {
    if (pos + rowBytes > size) {
      yield out.subarray(0, pos);
      out = Buffer.allocUnsafe(size);
      pos = 0;
    }
    pos = writeCsvNumber(out, pos, labels[i]);
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      out[pos++] = 0x2c;
      // A repeated value's text is copied from the cache, not formatted.
      const key = bits[base + j];
      const slot = Math.imul(key, 0x9e3779b1) >>> (32 - TEXT_CACHE_BITS);
      const at = slot * CELL_BYTES;
      let len = cacheLen[slot];
      if (len !== 0 && cacheKey[slot] === key) {
        for (let k = 0; k < len; k++) out[pos + k] = cacheText[at + k];
        pos += len;
      } else {
        const start = pos;
        pos = writeCsvNumber(out, pos, data[base + j]);
        len = pos - start;
        if (len > 0 && len <= CELL_BYTES) {
          cacheKey[slot] = key;
          cacheLen[slot] = len;
          for (let k = 0; k < len; k++) cacheText[at + k] = out[start + k];
        }
      }
    }
    out[pos++] = 0x0a;
  }
  if (pos > 0) yield out.subarray(0, pos);
}

/** toLabeledCsv to a file, a chunk of rows at a time (no whole-file string). */
export function writeLabeledCsvFile(path: string, m: LabeledMatrix) {
  return writeChunksAtomic(path, labeledCsvChunks(m));
}

const MATRIX_FORMAT = 'MLOPSMAT1';

/**
 * A labeled matrix as binary Float32 (the twin of train.csv that the Train
 * and Evaluate steps load in one read instead of parsing text).
 */
export function writeMatrixFile(path: string, m: LabeledMatrix) {
  let header = `${JSON.stringify({
    format: MATRIX_FORMAT,
    rows: m.rows,
    cols: m.cols,
  })}\n`;
  // Pad the header so the Float32 payload is 4-byte aligned.
  header = header.padStart(Math.ceil(header.length / 4) * 4, ' ');
  const view = (a: Float32Array) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return writeChunksAtomic(path, [
    Buffer.from(header),
    view(m.labels.subarray(0, m.rows)),
    view(m.data.subarray(0, m.rows * m.cols)),
  ]);
}

export async function readMatrixFile(path: string): Promise<LabeledMatrix> {
  const buf = await readFile(path);
  const nl = buf.indexOf(10);
  let header: { format?: string; rows?: number; cols?: number } = {};
  try {
    header = JSON.parse(buf.subarray(0, nl).toString());
  } catch {
    // reported below
  }
  const { rows = -1, cols = -1 } = header;
  const start = nl + 1;
  if (
    header.format !== MATRIX_FORMAT ||
    !(rows >= 0 && cols >= 0) ||
    buf.length !== start + rows * (cols + 1) * 4
  ) {
    throw new Error(`${path}: not a matrix file of the expected size`);
  }
  // The header is padded so the payload is 4-byte aligned in the file: a
  // file buffer of its own (large files) is viewed, not copied. One from
  // Node's shared pool may be unaligned: copy that out.
  const f32 = (offset: number, n: number) => {
    if ((buf.byteOffset + offset) % 4 === 0)
      return new Float32Array(buf.buffer, buf.byteOffset + offset, n);
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(buf.subarray(offset, offset + n * 4));
    return out;
  };
  return {
    rows,
    cols,
    labels: f32(start, rows),
    data: f32(start + rows * 4, rows * cols),
  };
}

/** The parse cache of a CSV: its columns, binary. */
export function writeColumnsFile(path: string, cols: AbaloneColumns) {
  return writeChunksAtomic(path, encodeColumns(cols));
}

export async function readColumnsFile(path: string): Promise<AbaloneColumns> {
  return decodeColumns(await readFile(path));
}

/** The parse cache of a CSV of any schema: its Table, binary (encodeTable). */
export function writeTableFile(path: string, table: Table) {
  return writeChunksAtomic(path, encodeTable(table));
}

/** Reads a file writeTableFile wrote (column by column); throws on any other file. */
export { readTableFile };
