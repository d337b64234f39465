#!/usr/bin/env node
// Adds up every suite's result file in a folder and prints one plain closing
// line `N passed, N failed`. Understands Jest/Vitest JSON, Playwright JSON and
// the simple {"name","passed","failed"} files the test script writes for checks
// such as tsc and lint. Exit code 1 on any failure or an empty/unreadable file.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: summarize-results.mjs <results-dir>');
  process.exit(2);
}

function countPlaywright(report) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const walk = suite => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        // 'expected' = passed, 'flaky' = passed on retry, 'skipped', 'unexpected' = failed
        if (t.status === 'expected' || t.status === 'flaky') passed++;
        else if (t.status === 'skipped') skipped++;
        else failed++;
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of report.suites ?? []) walk(s);
  failed += (report.errors ?? []).length;
  return { passed, failed, skipped };
}

let totals = { passed: 0, failed: 0, skipped: 0 };
let broken = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort() : [];
for (const file of files) {
  const name = path.basename(file, '.json');
  let r;
  try {
    const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (typeof data.numPassedTests === 'number') {
      // Jest / Vitest; a suite that failed to run counts as one failure
      r = {
        passed: data.numPassedTests,
        failed: data.numFailedTests + (data.numRuntimeErrorTestSuites ?? 0),
        skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
      };
    } else if (data.config && Array.isArray(data.suites)) {
      r = countPlaywright(data);
    } else if (typeof data.passed === 'number') {
      r = { passed: data.passed, failed: data.failed ?? 0, skipped: data.skipped ?? 0 };
    } else {
      throw new Error('unknown result format');
    }
  } catch (e) {
    console.log(`${name}: unreadable result (${e.message})`);
    broken++;
    continue;
  }
  console.log(`${name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
}
totals.failed += broken;
if (files.length === 0) {
  totals.failed += 1;
  console.log('no result files found');
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
