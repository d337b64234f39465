#!/usr/bin/env node
// Adds up every suite's result file in a folder and prints one plain closing
// line `N passed, N failed`. Formats and what counts as a failure: see
// lib/results.mjs (a file that crashes counts, whichever runner ran it). A
// result file may sit beside NAME.exit (the runner's exit status) — a non-zero
// exit with no counted failure is a failure. Reruns of tests already counted
// (the Node 24 pass, {"rerun": "..."}) get their own line: their passes are not
// distinct tests, so they stay out of the closing line; their failures are
// added to it (a test failing only on Node 24 is still a failure).
// Exit code 1 on any failure or an empty/unreadable file.
import fs from 'node:fs';
import path from 'node:path';
import { parseResult } from './lib/results.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: summarize-results.mjs <results-dir>');
  process.exit(2);
}

const fmt = r =>
  `${r.passed} passed, ${r.failed} failed${
    r.skipped ? `, ${r.skipped} skipped` : ''
  }`;

const totals = { passed: 0, failed: 0, skipped: 0 };
const reruns = [];
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter(f => f.endsWith('.json'))
      .sort()
  : [];
for (const file of files) {
  const name = path.basename(file, '.json');
  let r;
  try {
    const data = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const exitFile = path.join(dir, `${name}.exit`);
    const exitCode = fs.existsSync(exitFile)
      ? Number(fs.readFileSync(exitFile, 'utf8').trim())
      : undefined;
    r = parseResult(data, exitCode);
  } catch (e) {
    console.log(`${name}: unreadable result (${e.message})`);
    totals.failed++;
    continue;
  }
  const notes = r.notes.length ? ` (${r.notes.join('; ')})` : '';
  console.log(
    `${name}: ${fmt(r)}${r.rerun ? ` [rerun: ${r.rerun}]` : ''}${notes}`,
  );
  for (const f of r.failures.slice(0, 20)) console.log(`  ✗ ${f}`);
  if (r.rerun) {
    reruns.push({ name, ...r });
    totals.failed += r.failed;
    continue;
  }
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
}
if (files.length === 0) {
  totals.failed += 1;
  console.log('no result files found');
}
for (const r of reruns) {
  console.log(
    `reruns of tests counted above (${r.rerun}, not in the total): ${fmt(r)}${
      r.failed ? ' — these failures are in the failed count below' : ''
    }`,
  );
}
console.log(fmt(totals));
process.exit(totals.failed > 0 ? 1 : 0);
