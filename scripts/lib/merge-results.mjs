#!/usr/bin/env node
// Merges several runners' result files into one plain result file, counting
// each the way summarize-results.mjs does (lib/results.mjs). A missing or
// unreadable input is a failure.
//   node scripts/lib/merge-results.mjs [--rerun LABEL] OUT.json IN.json...
// --rerun marks the merged result as a rerun of tests counted elsewhere.
import fs from 'node:fs';
import { parseResult } from './results.mjs';

const args = process.argv.slice(2);
let rerun;
if (args[0] === '--rerun') {
  rerun = args[1];
  args.splice(0, 2);
}
const [out, ...inputs] = args;
if (!out || inputs.length === 0) {
  console.error('usage: merge-results.mjs [--rerun LABEL] OUT.json IN.json...');
  process.exit(2);
}
const merged = { passed: 0, failed: 0, skipped: 0, failures: [], notes: [] };
for (const input of inputs) {
  let r;
  try {
    r = parseResult(JSON.parse(fs.readFileSync(input, 'utf8')));
  } catch (e) {
    r = { passed: 0, failed: 1, skipped: 0, failures: [], notes: [] };
    r.notes.push(`${input}: unreadable result (${e.message})`);
  }
  merged.passed += r.passed;
  merged.failed += r.failed;
  merged.skipped += r.skipped;
  merged.failures.push(...r.failures);
  merged.notes.push(...r.notes);
}
if (rerun) merged.rerun = rerun;
fs.writeFileSync(out, `${JSON.stringify(merged)}\n`);
