#!/usr/bin/env bash
# The README's test command. Runs, in order: type check, lint, every Jest suite
# (Backstage packages on SQLite AND a real PostgreSQL, infra CDK assertions),
# the consumer app's Vitest suite, then end-to-end tests in Debian Chromium
# against the real backend. Ends with one line `N passed, N failed` over all
# suites and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh
RESULTS="${MLOPS_TEST_RESULTS:-$ROOT/.test-results}"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export CI=true
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=4096"

step() { echo; echo "── $* ($(date +%T))"; }

# check NAME CMD...: a pass/fail check (tsc, lint, …) counted as one test
check() {
  local name=$1; shift
  step "$name"
  if "$@" >"$RESULTS/$name.log" 2>&1; then
    echo '{"passed":1,"failed":0}' >"$RESULTS/$name.json"
    echo "ok"
  else
    tail -n 60 "$RESULTS/$name.log"
    echo '{"passed":0,"failed":1}' >"$RESULTS/$name.json"
  fi
}

# suite NAME CMD...: a runner that writes its own JSON result to $RESULTS/NAME.json
suite() {
  local name=$1; shift
  step "$name"
  "$@" >"$RESULTS/$name.log" 2>&1
  local rc=$?
  tail -n 25 "$RESULTS/$name.log"
  if [ ! -s "$RESULTS/$name.json" ]; then
    echo "$name wrote no result (exit $rc)"
    echo '{"passed":0,"failed":1}' >"$RESULTS/$name.json"
  elif [ $rc -ne 0 ]; then
    echo "$name exited $rc"
  fi
}

step "system packages"
bash scripts/ensure-system-deps.sh || echo "(continuing without system packages)"
step "PostgreSQL for the database suites"
if PG_ENV=$(bash scripts/start-test-postgres.sh); then eval "$PG_ENV"; echo "$PG_ENV"; else echo "PostgreSQL unavailable: suites run on SQLite only"; fi

# tsc and eslint are single-threaded: run them side by side on the 2 cores.
# tsc also emits the declarations (dist-types/) the API reports and the package builds read.
check tsc npx tsc &
TSC_PID=$!
check lint bash scripts/lint.sh
wait "$TSC_PID"

# publishable packages built first (the jest suite runs the bundled worker),
# then every tarball complete and runnable with plain node
# each published package's API matches its checked-in report.api.md
check api-reports npm run -s check:api-reports
check build-packages bash scripts/build-packages.sh --skip-tsc
check check-packs node scripts/check-packs.mjs

# the aws engine's HTTP tests (in jest-backstage) and the aws e2e run against moto:
# the machine's, or the pinned version installed now (fails clearly when it cannot be)
check moto-emulator bash scripts/moto/ensure-moto.sh
check moto-harness-python bash -c "cd plugins/mlops-backend-module-aws/src/testing/moto && \${MOTO_PYTHON:-python3} -m unittest -q test_simulation"

# Jest defaults to cores-1 workers in CI; the suites are CPU-bound, so use both cores
suite jest-backstage npx backstage-cli repo test --maxWorkers=2 --json --outputFile="$RESULTS/jest-backstage.json"
# the CDK app must synthesize offline from a clean clone (cdk-nag errors fail it)
check cdk-synth bash -c "cd infra && npx cdk synth -q -o \"$RESULTS/cdk.out\""
suite jest-infra bash -c "cd infra && npx jest --json --outputFile='$RESULTS/jest-infra.json'"
suite vitest-consumer-app bash -c "cd packages/consumer-app && npx vitest run --reporter=default --reporter=json --outputFile.json='$RESULTS/vitest-consumer-app.json'"
if [ -f infra/scripts/test-python.sh ]; then
  suite python-infra-scripts bash infra/scripts/test-python.sh "$RESULTS/python-infra-scripts.json"
fi

step "end-to-end"
bash scripts/e2e.sh "$RESULTS"

# the aws engine (mlops.engine: aws) against the moto emulator, in Chromium
step "end-to-end: aws engine against the emulator"
bash scripts/e2e-aws.sh "$RESULTS"

# production mode (built backend serving the built app, plain node): start-up figures + browser smoke
step "end-to-end: production mode"
bash scripts/e2e-prod.sh "$RESULTS"

# engines is 22 || 24: the server-side Jest suites once more on Node 24
suite jest-node24 bash scripts/test-node24.sh "$RESULTS/jest-node24.json"

# issue #11: a stock create-app Backstage (Node 22, yarn 4) installs the packed plugins as the READMEs say
# (CI runs it as its own, earlier step and passes its result in MLOPS_ADOPTER_RESULTS)
check adopter-readme-steps node --test scripts/adopter-test/readme-steps.test.mjs
if [ -n "${MLOPS_ADOPTER_RESULTS:-}" ]; then
  cp "$MLOPS_ADOPTER_RESULTS/adopter-test.json" "$RESULTS/" 2>/dev/null || echo '{"passed":0,"failed":1}' >"$RESULTS/adopter-test.json"
else
  suite adopter-test bash scripts/adopter-test/run.sh "$RESULTS"
fi

step "summary"
node scripts/summarize-results.mjs "$RESULTS"
