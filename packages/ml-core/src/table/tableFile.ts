import { open } from 'fs/promises';
import type { ColumnData, Table } from '../spec/types';

const FORMAT = 'mlops-portal/table';
const VERSION = 1;

interface Header {
  format: typeof FORMAT;
  version: typeof VERSION;
  rowCount: number;
  columns: Array<{ name: string; type: ColumnData['type']; levels?: string[] }>;
}

const view = (a: Float64Array | Int32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * A table in binary (the parse cache of an upload): a JSON header line
 * (names, types, levels) padded to 8 bytes, then each column's array back to
 * back (Float64 values or Int32 codes, padded to 8 bytes). Chunks, so
 * callers can stream them to a file without one big copy.
 */
export function encodeTable(table: Table): Buffer[] {
  const header: Header = {
    format: FORMAT,
    version: VERSION,
    rowCount: table.rowCount,
    columns: table.names.map((name, i) => {
      const c = table.columns[i];
      return c.type === 'numeric'
        ? { name, type: c.type }
        : { name, type: c.type, levels: c.levels };
    }),
  };
  // Spaces after the JSON pad the header line to 8 bytes (Float64 alignment).
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(Math.ceil((json.length + 1) / 8) * 8, 0x20);
  json.copy(head, 0);
  head[head.length - 1] = 0x0a;
  const chunks = [head];
  for (const c of table.columns) {
    const a = c.type === 'numeric' ? c.values : c.codes;
    chunks.push(view(a));
    const pad = (8 - (a.byteLength % 8)) % 8;
    if (pad) chunks.push(Buffer.alloc(pad));
  }
  return chunks;
}

function parseHeader(line: Buffer): Header {
  let header: Header | undefined;
  try {
    header = JSON.parse(line.toString());
  } catch {
    header = undefined;
  }
  const n = header?.rowCount;
  if (
    header?.format !== FORMAT ||
    header.version !== VERSION ||
    !Number.isInteger(n) ||
    n! < 0 ||
    !Array.isArray(header.columns)
  ) {
    throw new Error('not a table file');
  }
  return header;
}

const bytesOf = (type: ColumnData['type'], rows: number) =>
  type === 'numeric' ? rows * 8 : rows * 4;

const padded = (bytes: number) => bytes + ((8 - (bytes % 8)) % 8);

/** An empty column array of the header's type (filled by the caller). */
function emptyColumn(
  c: Header['columns'][number],
  rows: number,
): { column: ColumnData; bytes: Uint8Array } {
  if (c.type === 'numeric') {
    const values = new Float64Array(rows);
    return {
      column: { type: 'numeric', values },
      bytes: new Uint8Array(values.buffer),
    };
  }
  const codes = new Int32Array(rows);
  return {
    column: { type: c.type, codes, levels: c.levels ?? [] },
    bytes: new Uint8Array(codes.buffer),
  };
}

/** Inverse of encodeTable; throws on a file of another shape or size. */
export function decodeTable(buf: Buffer): Table {
  const nl = buf.indexOf(10);
  if (nl <= 0) throw new Error('not a table file');
  const header = parseHeader(buf.subarray(0, nl));
  const rows = header.rowCount;
  let offset = nl + 1;
  const columns: ColumnData[] = [];
  for (const c of header.columns) {
    const size = bytesOf(c.type, rows);
    if (offset + size > buf.length) throw new Error('table file is truncated');
    // Copies: the file buffer may be unaligned (Node's pool) and is let go.
    const { column, bytes } = emptyColumn(c, rows);
    bytes.set(buf.subarray(offset, offset + size));
    columns.push(column);
    offset += padded(size);
  }
  if (offset !== buf.length)
    throw new Error(`table file is ${buf.length} bytes, expected ${offset}`);
  return { rowCount: rows, names: header.columns.map(c => c.name), columns };
}

/**
 * Reads a table file column by column straight into its typed arrays, so
 * loading never holds the file and the table at once.
 */
export async function readTableFile(path: string): Promise<Table> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const readAt = async (into: Uint8Array, position: number) => {
      for (let done = 0; done < into.length; ) {
        const { bytesRead } = await fh.read(
          into,
          done,
          into.length - done,
          position + done,
        );
        if (bytesRead === 0) throw new Error('table file is truncated');
        done += bytesRead;
      }
    };
    // The header line (levels make it grow with categories): read until its newline.
    let head = Buffer.alloc(0);
    let nl = -1;
    while (nl < 0 && head.length < size) {
      const more = Buffer.alloc(
        Math.min(size, Math.max(1 << 16, head.length * 4)),
      );
      await readAt(more, 0);
      head = more;
      nl = head.indexOf(10);
    }
    if (nl <= 0) throw new Error('not a table file');
    const header = parseHeader(head.subarray(0, nl));
    const rows = header.rowCount;
    let offset = nl + 1;
    const columns: ColumnData[] = [];
    for (const c of header.columns) {
      const bytes = bytesOf(c.type, rows);
      if (offset + bytes > size) throw new Error('table file is truncated');
      const col = emptyColumn(c, rows);
      await readAt(col.bytes, offset);
      columns.push(col.column);
      offset += padded(bytes);
    }
    if (offset !== size)
      throw new Error(`table file is ${size} bytes, expected ${offset}`);
    return { rowCount: rows, names: header.columns.map(c => c.name), columns };
  } finally {
    await fh.close();
  }
}
