import { readFileSync } from 'fs';
import { resolve } from 'path';
import type { DatasetSchema, MlSystemSpec, Table } from '../spec/types';
import { parseSpec } from '../spec/parseSpec';
import { resolveSchema } from '../schema/resolve';
import { parseTableCsv } from '../table';

/* Test and benchmark helpers (not part of the public API). */

/** CSV text → Table through the product's reader; any row error throws. */
export function tableFromCsvText(text: string, schema: DatasetSchema): Table {
  const read = parseTableCsv(text, schema);
  if (read.errorCount > 0)
    throw new Error(`CSV errors: ${JSON.stringify(read.errors.slice(0, 5))}`);
  return read.table;
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
