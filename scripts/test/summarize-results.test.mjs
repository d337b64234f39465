// node --test scripts/test/summarize-results.test.mjs
// The fixtures are real runner outputs (trimmed; paths made relative), recorded
// with a file that throws while loading: Vitest 4 and Jest 30 (backstage-cli)
// JSON reporters, Playwright's JSON reporter, infra/scripts/test-python.sh with a
// test module that raises ImportError, node --test with lib/node-test-reporter.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseResult } from '../lib/results.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUMMARIZE = path.join(HERE, '..', 'summarize-results.mjs');
const MERGE = path.join(HERE, '..', 'lib', 'merge-results.mjs');
const fixture = name =>
  JSON.parse(fs.readFileSync(path.join(HERE, 'fixtures', name), 'utf8'));

/** Runs the summarizer over a results folder holding `files` ({name: json|text}). */
function summarize(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summarize-test-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(
        path.join(dir, name),
        typeof content === 'string' ? content : JSON.stringify(content),
      );
    }
    const run = spawnSync(process.execPath, [SUMMARIZE, dir], {
      encoding: 'utf8',
    });
    const lines = run.stdout.trim().split('\n');
    return { status: run.status, lines, closing: lines[lines.length - 1] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a Vitest file that crashes while loading is a failure', () => {
  // Vitest's report has no numRuntimeErrorTestSuites: only the file's status says it failed
  const data = fixture('vitest-crashing-file.json');
  assert.equal(data.numFailedTests, 0);
  assert.equal(data.numRuntimeErrorTestSuites, undefined);
  const r = parseResult(data);
  assert.deepEqual([r.passed, r.failed], [1, 1]);
  assert.match(
    r.failures[0],
    /zzcrash\.test\.ts: crash while loading the file/,
  );
  const s = summarize({ 'vitest-consumer-app.json': data });
  assert.equal(s.status, 1);
  assert.equal(s.closing, '1 passed, 1 failed');
});

test('a Jest file that crashes and one whose afterAll throws are two failures', () => {
  const r = parseResult(fixture('jest-crashing-file.json'));
  // both files' tests passed; each failed file still counts
  assert.deepEqual([r.passed, r.failed], [2, 2]);
  assert.equal(r.failures.length, 2);
  assert.match(r.failures.join('\n'), /cleanup failed/);
  assert.match(r.failures.join('\n'), /crash while loading the file/);
  const s = summarize({
    'jest-backstage.json': fixture('jest-crashing-file.json'),
  });
  assert.equal(s.status, 1);
  assert.equal(s.closing, '2 passed, 2 failed');
});

test('Jest without per-file results falls back to its suite counts', () => {
  const { testResults, ...counts } = fixture('jest-crashing-file.json');
  assert.ok(testResults.length > 0);
  assert.equal(parseResult(counts).failed, 2);
  // a runner that says it failed but counts nothing is still a failure
  const silent = {
    ...counts,
    numFailedTestSuites: 0,
    numRuntimeErrorTestSuites: 0,
  };
  assert.equal(parseResult(silent).failed, 1);
});

test('a Playwright spec that crashes while loading is a failure', () => {
  const data = fixture('playwright-crashing-spec.json');
  assert.deepEqual(data.suites, []); // Playwright ran nothing at all
  const r = parseResult(data);
  assert.deepEqual([r.passed, r.failed], [0, 1]);
  assert.match(
    r.failures[0],
    /crash\.spec\.ts: Error: crash while loading the spec/,
  );
  const s = summarize({ 'e2e-portal-owner.json': data });
  assert.equal(s.status, 1);
  assert.equal(s.closing, '0 passed, 1 failed');
});

test('a failing Playwright test is a failure; skipped ones are reported', () => {
  const r = parseResult(fixture('playwright-failing-test.json'));
  assert.deepEqual([r.passed, r.failed, r.skipped], [1, 1, 1]);
  assert.deepEqual(r.failures, ['fail.spec.ts: subtracts']);
});

test('a Python test module that fails to import is a failure', () => {
  const data = fixture('python-crashing-module.json');
  const s = summarize({ 'python-infra-scripts.json': data });
  assert.equal(s.status, 1);
  assert.equal(s.closing, '22 passed, 1 failed');
});

test('a node --test file that crashes is a failure', () => {
  const r = parseResult(fixture('node-test-crashing-file.json'));
  assert.equal(r.failed, 3);
  assert.ok(r.failures.includes('crash.test.mjs: the file failed'));
});

test('a runner that exits non-zero with a clean result file is a failure', () => {
  const passing = fixture('jest-passing.json');
  assert.equal(parseResult(passing, 0).failed, 0);
  const r = parseResult(passing, 137);
  assert.equal(r.failed, 1);
  assert.match(r.notes[0], /exited 137/);
  const s = summarize({
    'jest-infra.json': passing,
    'jest-infra.exit': '137\n',
  });
  assert.equal(s.status, 1);
  assert.equal(s.closing, '1 passed, 1 failed, 1 skipped');
});

test('all green: exit 0 and one plain closing line', () => {
  const s = summarize({
    'jest-backstage.json': fixture('jest-passing.json'),
    'jest-backstage.exit': '0',
    'tsc.json': { passed: 1, failed: 0 },
  });
  assert.equal(s.status, 0);
  assert.equal(s.closing, '2 passed, 0 failed, 1 skipped');
});

test('reruns get their own line and stay out of the distinct-test total', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-test-'));
  const a = path.join(dir, 'a.json');
  const out = path.join(dir, 'out.json');
  fs.writeFileSync(a, JSON.stringify(fixture('jest-passing.json')));
  const merge = spawnSync(process.execPath, [
    MERGE,
    '--rerun',
    'Node 24',
    out,
    a,
    path.join(dir, 'missing.json'),
  ]);
  assert.equal(merge.status, 0);
  const rerun = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  // the missing package result is a failure, not a silent zero
  assert.deepEqual(
    [rerun.passed, rerun.failed, rerun.rerun],
    [1, 1, 'Node 24'],
  );

  const green = summarize({
    'jest-backstage.json': fixture('jest-passing.json'),
    'jest-node24.json': { ...rerun, failed: 0, notes: [] },
  });
  assert.equal(green.status, 0);
  assert.ok(
    green.lines.some(l => /^reruns .*Node 24.*: 1 passed, 0 failed/.test(l)),
  );
  assert.equal(green.closing, '1 passed, 0 failed, 1 skipped');

  const red = summarize({
    'jest-backstage.json': fixture('jest-passing.json'),
    'jest-node24.json': rerun,
  });
  assert.equal(red.status, 1);
  assert.equal(red.closing, '1 passed, 1 failed, 1 skipped');
});

test('an unreadable or unknown result file and an empty folder are failures', () => {
  assert.equal(
    summarize({ 'x.json': '{not json' }).closing,
    '0 passed, 1 failed',
  );
  assert.equal(
    summarize({ 'x.json': { hello: 1 } }).closing,
    '0 passed, 1 failed',
  );
  const empty = summarize({});
  assert.equal(empty.status, 1);
  assert.equal(empty.closing, '0 passed, 1 failed');
});

test('a visible local skip is reported with its reason and stays green', () => {
  const s = summarize({
    'postgresql.json': {
      passed: 0,
      failed: 0,
      skipped: 1,
      notes: ['PostgreSQL did not start: the PostgreSQL variants were skipped'],
    },
    'tsc.json': { passed: 1, failed: 0 },
  });
  assert.equal(s.status, 0);
  assert.ok(s.lines.some(l => l.includes('PostgreSQL variants were skipped')));
  assert.equal(s.closing, '1 passed, 0 failed, 1 skipped');
});

test('a missing prerequisite (PostgreSQL down) is red in CI and a visible skip locally', () => {
  const PREREQ = path.join(HERE, '..', 'lib', 'prerequisite.mjs');
  const message =
    'PostgreSQL did not start: the PostgreSQL variants of the database suites did not run';
  for (const [mlopsCi, status, closing] of [
    ['true', 1, '1 passed, 1 failed'],
    ['false', 0, '1 passed, 0 failed, 1 skipped'],
  ]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prereq-test-'));
    try {
      const run = spawnSync(
        process.execPath,
        [PREREQ, dir, 'postgresql', message],
        {
          encoding: 'utf8',
          env: { ...process.env, MLOPS_CI: mlopsCi },
        },
      );
      assert.equal(run.status, 0);
      assert.match(
        run.stdout,
        mlopsCi === 'true' ? /^FAILED \(CI\)/ : /^SKIPPED/,
      );
      fs.writeFileSync(path.join(dir, 'tsc.json'), '{"passed":1,"failed":0}');
      const s = spawnSync(process.execPath, [SUMMARIZE, dir], {
        encoding: 'utf8',
      });
      const lines = s.stdout.trim().split('\n');
      assert.equal(s.status, status, mlopsCi);
      assert.equal(lines[lines.length - 1], closing);
      assert.ok(lines.some(l => l.includes(message)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
