import type { ColumnData, DatasetSchema, Table } from '../spec/types';
import {
  BOOLEAN_LEVELS,
  parseBooleanText,
  parseNumberText,
} from '../schema/cells';

/** A field of a prediction record or a JSON row. */
export type RecordValue = number | string | boolean | null | undefined;

/**
 * Records (objects keyed by column name) → a Table in schema order, every
 * schema column included (a field left out is missing). Cells are read as the
 * CSV reader reads them; a value that does not fit its column (text in a
 * numeric one) is read as missing, so check records with validateRecords
 * first where that matters. Used for prediction records and small tables.
 */
export function tableFromRecords(
  schema: DatasetSchema,
  records: ReadonlyArray<Record<string, RecordValue>>,
): Table {
  const n = records.length;
  const missing = new Set(schema.missingValues);
  const columns: ColumnData[] = schema.columns.map(col => {
    const key = col.name;
    if (col.type === 'numeric') {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = records[i][key];
        let x = NaN;
        if (typeof v === 'number' && Number.isFinite(v)) x = v;
        else if (typeof v === 'string' && !missing.has(v.trim()))
          x = parseNumberText(v.trim()) ?? NaN;
        values[i] = x;
      }
      return { type: 'numeric', values };
    }
    const codes = new Int32Array(n);
    if (col.type === 'boolean') {
      for (let i = 0; i < n; i++) {
        const v = records[i][key];
        const b = typeof v === 'string' ? parseBooleanText(v.trim()) : v;
        codes[i] = typeof b === 'boolean' ? Number(b) : -1;
      }
      return { type: 'boolean', codes, levels: [...BOOLEAN_LEVELS] };
    }
    const levels: string[] = [];
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const v = records[i][key];
      const text = typeof v === 'string' ? v.trim() : String(v);
      if (
        v === null ||
        typeof v === 'object' ||
        v === undefined ||
        missing.has(text)
      ) {
        codes[i] = -1;
        continue;
      }
      let code = index.get(text);
      if (code === undefined) {
        code = levels.length;
        levels.push(text);
        index.set(text, code);
      }
      codes[i] = code;
    }
    return { type: 'categorical', codes, levels };
  });
  return { rowCount: n, names: schema.columns.map(c => c.name), columns };
}

/** The raw value of one cell (null when missing), as a record holds it. */
export function cellValue(
  column: ColumnData,
  row: number,
): number | string | boolean | null {
  if (column.type === 'numeric') {
    const v = column.values[row];
    return Number.isNaN(v) ? null : v;
  }
  const code = column.codes[row];
  if (code < 0) return null;
  return column.type === 'boolean' ? code === 1 : column.levels[code];
}

/** The table's column of that name, or an error naming it. */
export function columnOf(table: Table, name: string): ColumnData {
  const i = table.names.indexOf(name);
  if (i < 0) throw new Error(`the table has no column '${name.slice(0, 64)}'`);
  return table.columns[i];
}

/**
 * Tables read with one schema (e.g. the files of a data manifest), stacked
 * in order. Category codes are remapped onto one level list, since each
 * reader numbers the levels it met in its own order.
 */
export function concatTables(tables: ReadonlyArray<Table>): Table {
  if (tables.length === 0) throw new Error('concatTables: no tables');
  if (tables.length === 1) return tables[0];
  const names = tables[0].names;
  for (const t of tables)
    if (t.names.join('\u0000') !== names.join('\u0000'))
      throw new Error(
        `concatTables: columns differ (${t.names.join(', ')} vs ${names.join(
          ', ',
        )})`,
      );
  const rowCount = tables.reduce((n, t) => n + t.rowCount, 0);
  const columns: ColumnData[] = names.map((_, j) => {
    const first = tables[0].columns[j];
    if (first.type === 'numeric') {
      const values = new Float64Array(rowCount);
      let at = 0;
      for (const t of tables) {
        const c = t.columns[j] as Extract<ColumnData, { type: 'numeric' }>;
        values.set(c.values.subarray(0, t.rowCount), at);
        at += t.rowCount;
      }
      return { type: 'numeric', values };
    }
    const levels: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(rowCount);
    let at = 0;
    for (const t of tables) {
      const c = t.columns[j] as Exclude<ColumnData, { type: 'numeric' }>;
      const map = c.levels.map(level => {
        let k = index.get(level);
        if (k === undefined) {
          k = levels.length;
          levels.push(level);
          index.set(level, k);
        }
        return k;
      });
      for (let i = 0; i < t.rowCount; i++)
        codes[at + i] = c.codes[i] < 0 ? -1 : map[c.codes[i]];
      at += t.rowCount;
    }
    return { type: first.type, codes, levels };
  });
  return { rowCount, names: [...names], columns };
}
