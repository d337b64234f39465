/**
 * Prints ml-core's Model Monitor baseline (statistics.json) of a JSON array of
 * rows, for infra/ml/tests/test_monitoring.py to compare the Python baseline
 * with the portal's own code, live.
 *   npx tsx scripts/ml-core-baseline.ts <rows.json>
 */
import { readFileSync } from 'fs';
import { baselineStatistics } from '@mlops-portal/ml-core';

const file = process.argv[2];
if (!file) {
  console.error('usage: ml-core-baseline.ts <rows.json>');
  process.exit(2);
}
process.stdout.write(
  JSON.stringify(baselineStatistics(JSON.parse(readFileSync(file, 'utf8')))),
);
