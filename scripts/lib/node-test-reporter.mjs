// A `node --test` reporter that writes the summary test-all.sh collects:
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/lib/node-test-reporter.mjs --test-reporter-destination=out.json FILES
// Counts come from node's own final summary, where a file that crashed while
// loading is a failed test; failures[] names each failed test or file.
export default async function* nodeTestJsonReporter(source) {
  const failures = [];
  let counts;
  for await (const event of source) {
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') {
      failures.push(
        event.data.nesting === 0 &&
          event.data.name === baseName(event.data.file)
          ? `${event.data.name}: the file failed`
          : event.data.name,
      );
    }
    // the run's summary has no file; each file's own summary does
    if (event.type === 'test:summary' && !event.data.file) {
      counts = event.data.counts;
    }
  }
  if (!counts) {
    yield `${JSON.stringify({
      passed: 0,
      failed: 1,
      failures: ['node --test gave no summary'],
    })}\n`;
    return;
  }
  yield `${JSON.stringify({
    runner: 'node --test',
    passed: counts.passed,
    failed: counts.failed + counts.cancelled,
    skipped: counts.skipped + counts.todo,
    failures,
  })}\n`;
}

function baseName(file) {
  return String(file ?? '')
    .split('/')
    .pop();
}
