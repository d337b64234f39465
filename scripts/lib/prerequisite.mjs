#!/usr/bin/env node
// Records a prerequisite the run lacks (PostgreSQL that did not start, a
// missing system package) as a result file for summarize-results.mjs: in CI
// (MLOPS_CI=true) a failure, so the run is red; elsewhere a skip whose reason
// the summary prints.
//   node scripts/lib/prerequisite.mjs RESULTS_DIR NAME "what is missing and which suites it skips"
import fs from 'node:fs';
import path from 'node:path';

const [dir, name, message] = process.argv.slice(2);
if (!dir || !name || !message) {
  console.error('usage: prerequisite.mjs RESULTS_DIR NAME MESSAGE');
  process.exit(2);
}
const inCi = process.env.MLOPS_CI === 'true';
console.log(
  `${
    inCi ? 'FAILED (CI)' : 'SKIPPED (local run; in CI this fails)'
  }: ${message}`,
);
fs.writeFileSync(
  path.join(dir, `${name}.json`),
  JSON.stringify({
    passed: 0,
    failed: inCi ? 1 : 0,
    skipped: inCi ? 0 : 1,
    notes: [message],
  }),
);
