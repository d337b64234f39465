// Reads one suite's result file into { passed, failed, skipped, failures, notes }.
// `failed` counts failed tests plus every file/suite that failed without a failed
// test (a file that crashed while loading, an afterAll that threw, a runner that
// reported failure or exited non-zero), so a crash can never read as green.
// Formats: Jest and Vitest JSON (same top-level shape), Playwright JSON, and the
// plain {"passed","failed","skipped"} files test-all.sh, the Python runner and
// node-test-reporter.mjs write (optional: failures[], notes[], rerun).

/** Jest / Vitest: failed tests, plus each failed file none of whose tests failed. */
function fromJestLike(data) {
  const failures = [];
  let failed = data.numFailedTests ?? 0;
  if (Array.isArray(data.testResults)) {
    for (const file of data.testResults) {
      const tests = file.assertionResults ?? [];
      for (const t of tests) {
        if (t.status === 'failed') failures.push(t.fullName ?? t.title);
      }
      if (file.status === 'failed' && !tests.some(t => t.status === 'failed')) {
        failed++;
        failures.push(
          `${file.name}: ${firstLine(file.message) || 'file failed'}`,
        );
      }
    }
  } else {
    // no per-file results: take the runner's own suite counts
    failed += Math.max(
      data.numRuntimeErrorTestSuites ?? 0,
      data.numFailedTestSuites ?? 0,
    );
  }
  const notes = [];
  if (data.success === false && failed === 0) {
    failed = 1;
    notes.push('the runner reported failure with no failed test');
  }
  if (data.wasInterrupted) {
    failed = Math.max(failed, 1);
    notes.push('the run was interrupted');
  }
  return {
    passed: data.numPassedTests,
    failed,
    skipped: (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0),
    failures,
    notes,
  };
}

function fromPlaywright(report) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  const walk = suite => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        // 'expected' = passed, 'flaky' = passed on retry, 'skipped', 'unexpected' = failed
        if (t.status === 'expected' || t.status === 'flaky') passed++;
        else if (t.status === 'skipped') skipped++;
        else {
          failed++;
          failures.push(`${spec.file ?? suite.file}: ${spec.title}`);
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of report.suites ?? []) walk(s);
  // errors outside any test: a spec that failed to load, a global setup that threw
  for (const e of report.errors ?? []) {
    failed++;
    failures.push(
      `${e.location?.file ?? 'outside any test'}: ${firstLine(e.message)}`,
    );
  }
  const notes = [];
  const unexpected = report.stats?.unexpected ?? 0;
  if (unexpected > failed) {
    notes.push(`stats count ${unexpected} unexpected results`);
    failed = unexpected;
  }
  return { passed, failed, skipped, failures, notes };
}

function fromPlain(data) {
  return {
    passed: data.passed,
    failed: data.failed ?? 0,
    skipped: data.skipped ?? 0,
    failures: data.failures ?? [],
    notes: data.notes ?? [],
  };
}

function firstLine(text) {
  // strip ANSI colours so the summary line stays readable
  return String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map(l => l.trim())
    .find(l => l !== '' && !l.startsWith('●'))
    ?.slice(0, 200);
}

/**
 * One result file's counts. `exitCode` (when the runner's exit status was kept)
 * turns a non-zero exit with no counted failure into one failure.
 */
export function parseResult(data, exitCode) {
  let r;
  if (typeof data.numPassedTests === 'number') r = fromJestLike(data);
  else if (data.config && Array.isArray(data.suites)) r = fromPlaywright(data);
  else if (typeof data.passed === 'number') r = fromPlain(data);
  else throw new Error('unknown result format');
  if (exitCode !== undefined && exitCode !== 0 && r.failed === 0) {
    r.failed = 1;
    r.notes.push(`exited ${exitCode} with no failed test`);
  }
  if (typeof data.rerun === 'string') r.rerun = data.rerun;
  return r;
}
