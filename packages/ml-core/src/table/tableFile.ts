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

/** Inverse of encodeTable; throws on a file of another shape or size. */
export function decodeTable(buf: Buffer): Table {
  const nl = buf.indexOf(10);
  let header: Header | undefined;
  try {
    header = nl > 0 ? JSON.parse(buf.subarray(0, nl).toString()) : undefined;
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
  const rows = n!;
  let offset = nl + 1;
  const columns: ColumnData[] = [];
  for (const c of header.columns) {
    const bytes = c.type === 'numeric' ? rows * 8 : rows * 4;
    if (offset + bytes > buf.length) throw new Error('table file is truncated');
    // Copies: the file buffer may be unaligned (Node's pool) and is let go.
    if (c.type === 'numeric') {
      const values = new Float64Array(rows);
      new Uint8Array(values.buffer).set(buf.subarray(offset, offset + bytes));
      columns.push({ type: 'numeric', values });
    } else {
      const codes = new Int32Array(rows);
      new Uint8Array(codes.buffer).set(buf.subarray(offset, offset + bytes));
      columns.push({ type: c.type, codes, levels: c.levels ?? [] });
    }
    offset += bytes + ((8 - (bytes % 8)) % 8);
  }
  if (offset !== buf.length)
    throw new Error(`table file is ${buf.length} bytes, expected ${offset}`);
  return { rowCount: rows, names: header.columns.map(c => c.name), columns };
}
