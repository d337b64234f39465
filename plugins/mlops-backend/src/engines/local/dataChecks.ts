import { NO_SEX, SEX_VALUES } from '@mlops-portal/ml-core';
import type { AbaloneColumns } from '@mlops-portal/ml-core';

export interface DataCheckResult {
  rowCount: number;
  /** One line per passed check, in the order they ran. */
  checks: string[];
  missingCells: number;
}

/**
 * The Validate stage's data checks on the parsed table. Throws with the
 * failed check. Plain loops: spreading 200k labels into Math.min overflows
 * the stack.
 */
export function checkTrainingData(
  table: AbaloneColumns,
  minRows: number,
): DataCheckResult {
  const rows = table.rows;
  const checks: string[] = ['schema: 8 features + rings, types and values'];
  if (rows < minRows) {
    throw new Error(
      `data check: ${rows} rows, at least ${minRows} are needed for a 70/15/15 split`,
    );
  }
  checks.push(`row count ${rows} ≥ ${minRows}`);
  let minRings = Infinity;
  let maxRings = -Infinity;
  for (let i = 0; i < rows; i++) {
    const r = table.rings[i];
    if (r < minRings) minRings = r;
    if (r > maxRings) maxRings = r;
  }
  let missing = 0;
  for (const column of table.numeric)
    for (let i = 0; i < rows; i++) if (Number.isNaN(column[i])) missing++;
  const seen = new Set<string>();
  for (let i = 0; i < rows; i++)
    if (table.sex[i] !== NO_SEX) seen.add(SEX_VALUES[table.sex[i]]);
  const sexes = [...seen];
  if (minRings === maxRings) {
    throw new Error(
      'data check: every row has the same rings value; nothing to learn',
    );
  }
  checks.push('label (rings) varies');
  checks.push(`sex values: ${sexes.sort().join(', ')}`);
  checks.push(`missing numeric cells (to be imputed): ${missing}`);
  return { rowCount: rows, checks, missingCells: missing };
}
