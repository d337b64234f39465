import { readFileSync } from 'fs';
import { resolve } from 'path';
import { parse } from 'csv-parse/sync';
import type { DatasetSchema, MlSystemSpec, Table } from '../spec/types';
import { parseSpec } from '../spec/parseSpec';
import { resolveSchema } from '../schema/resolve';
import { type RecordValue, tableFromRecords } from './records';

/*
 * Test and benchmark helpers (not part of the public API): small CSV text →
 * Table through records. The product reads CSVs with the streaming table
 * reader; this only has to be right, not fast.
 */

/** CSV text → Table for a resolved schema (header row skipped when it has one). */
export function tableFromCsvText(text: string, schema: DatasetSchema): Table {
  const rows: string[][] = parse(text, {
    skip_empty_lines: true,
    trim: true,
  });
  const body = schema.header ? rows.slice(1) : rows;
  const all = schema.columns.map(c => c.name);
  // Rows without the target (prediction input) leave that column out.
  const unlabeled = all.filter(n => n !== schema.target);
  const records = body.map(cells => {
    let names = schema.header ? rows[0] : all;
    if (!schema.header && cells.length === unlabeled.length) names = unlabeled;
    const rec: Record<string, RecordValue> = {};
    names.forEach((n, j) => {
      rec[n] = cells[j];
    });
    return rec;
  });
  return tableFromRecords(schema, records);
}

/** packages/demo-systems/<name>/… */
export function demoPath(...parts: string[]): string {
  // Tests and benches run from the source tree, where this path holds.
  // eslint-disable-next-line no-restricted-syntax
  return resolve(__dirname, '../../../demo-systems', ...parts);
}

/** A demo system's spec, schema and table (its data file given). */
export function loadDemo(
  system: string,
  dataFile: string,
): { spec: MlSystemSpec; schema: DatasetSchema; table: Table; text: string } {
  const spec = parseSpec(
    readFileSync(demoPath(system, 'ml-system.yaml'), 'utf8'),
    `${system}/ml-system.yaml`,
  );
  const text = readFileSync(demoPath(system, dataFile), 'utf8');
  const schema = resolveSchema(spec.spec.dataset, text);
  return { spec, schema, table: tableFromCsvText(text, schema), text };
}
