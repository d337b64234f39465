import { NUMERIC_COLUMNS } from '@mlops-portal/ml-core';
import type { LabeledRecord } from '@mlops-portal/ml-core';

export interface DataCheckResult {
  rowCount: number;
  /** One line per passed check, in the order they ran. */
  checks: string[];
  missingCells: number;
}

/**
 * The Validate stage's data checks on parsed records. Throws with the failed
 * check. Plain loops: spreading 200k labels into Math.min overflows the stack.
 */
export function checkTrainingData(
  records: LabeledRecord[],
  minRows: number,
): DataCheckResult {
  const checks: string[] = ['schema: 8 features + rings, types and values'];
  if (records.length < minRows) {
    throw new Error(
      `data check: ${records.length} rows, at least ${minRows} are needed for a 70/15/15 split`,
    );
  }
  checks.push(`row count ${records.length} ≥ ${minRows}`);
  let minRings = Infinity;
  let maxRings = -Infinity;
  let missing = 0;
  const sexes = new Set<string>();
  for (const r of records) {
    if (r.rings < minRings) minRings = r.rings;
    if (r.rings > maxRings) maxRings = r.rings;
    sexes.add(r.sex);
    for (const c of NUMERIC_COLUMNS) if (Number.isNaN(r[c])) missing++;
  }
  if (minRings === maxRings) {
    throw new Error(
      'data check: every row has the same rings value; nothing to learn',
    );
  }
  checks.push('label (rings) varies');
  checks.push(`sex values: ${[...sexes].sort().join(', ')}`);
  checks.push(`missing numeric cells (to be imputed): ${missing}`);
  return { rowCount: records.length, checks, missingCells: missing };
}
