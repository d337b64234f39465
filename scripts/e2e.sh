#!/usr/bin/env bash
# End-to-end tests in Debian Chromium against the real portal: builds the app,
# starts the backend (serving the app on :7007, local engine, fresh data dir),
# runs the owner story, restarts the backend as a non-owner on the same data
# (which also proves state survives a restart), then the consumer app's test.
# The backend runs from source like `backstage-cli package start`, minus the
# file watcher. Usage: e2e.sh <results-dir>
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS=${1:-$ROOT/.test-results}
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/mlops-e2e.XXXXXX)
# The rollout e2e drops a CSV into the local engine's data bucket (see rolloutSteps.ts).
export MLOPS_E2E_DATA_DIR="$WORK/data"
BACKEND_PID=""
CONSUMER_PID=""

fail_suite() { echo "{\"passed\":0,\"failed\":1}" >"$RESULTS/$1.json"; }

stop_backend() {
  if [ -n "$BACKEND_PID" ]; then
    kill -- -"$BACKEND_PID" 2>/dev/null || kill "$BACKEND_PID" 2>/dev/null
    wait "$BACKEND_PID" 2>/dev/null
    BACKEND_PID=""
  fi
}
cleanup() {
  stop_backend
  [ -n "$CONSUMER_PID" ] && kill "$CONSUMER_PID" 2>/dev/null
  true
}
trap cleanup EXIT

start_backend() { # guest user entity ref, log name
  (
    cd packages/backend &&
      MLOPS_GUEST_USER="$1" MLOPS_DATA_DIR="$WORK/data" MLOPS_SQLITE_DIR="$WORK/sqlite" \
        MLOPS_ENDPOINT_PORT=7071 \
        exec setsid node --require @backstage/cli-node/config/nodeTransform.cjs src/index.ts \
          --config ../../app-config.yaml --config ../../app-config.e2e.yaml \
          --config ../../app-config.demo.yaml
  ) >"$RESULTS/$2.log" 2>&1 &
  BACKEND_PID=$!
  for _ in $(seq 1 180); do
    if curl -fs http://localhost:7007/api/mlops/health >/dev/null 2>&1 &&
      curl -fs http://localhost:7007/ >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  echo "backend did not become ready; last log lines:"
  tail -n 40 "$RESULTS/$2.log"
  return 1
}

echo "building the app and the consumer app…"
if ! (cd packages/app && npx backstage-cli package build) >"$RESULTS/e2e-build-app.log" 2>&1; then
  tail -n 40 "$RESULTS/e2e-build-app.log"
  fail_suite e2e-portal-owner; fail_suite e2e-portal-viewer; fail_suite e2e-consumer-app
  exit 1
fi
npm run build -w @mlops-portal/consumer-app >"$RESULTS/e2e-build-consumer.log" 2>&1 || tail -n 20 "$RESULTS/e2e-build-consumer.log"

run_pw() { # suite name, grep tag
  PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/$1.json" npx playwright test --config playwright.config.ts --grep "$2" --reporter=list,json \
    >"$RESULTS/$1.pw.log" 2>&1
  tail -n 30 "$RESULTS/$1.pw.log"
  [ -s "$RESULTS/$1.json" ] || fail_suite "$1"
}

if start_backend user:default/guest e2e-backend-owner; then
  run_pw e2e-portal-owner @owner
  # the consumer app against the same running backend and its deployed model
  if [ -d packages/consumer-app/e2e ]; then
    PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e-consumer-app.json" \
      CONSUMER_E2E_API_BASE_URL=http://localhost:7007/api/mlops/v1/public/endpoints/abalone-endpoint \
      npm run test:e2e -w @mlops-portal/consumer-app >"$RESULTS/e2e-consumer-app.pw.log" 2>&1
    tail -n 20 "$RESULTS/e2e-consumer-app.pw.log"
    [ -s "$RESULTS/e2e-consumer-app.json" ] || fail_suite e2e-consumer-app
  fi
  stop_backend
else
  fail_suite e2e-portal-owner
  fail_suite e2e-consumer-app
fi

if start_backend user:default/viewer e2e-backend-viewer; then
  run_pw e2e-portal-viewer @viewer
  stop_backend
else
  fail_suite e2e-portal-viewer
fi
rm -rf "$WORK"
