#!/usr/bin/env bash
# End-to-end test of the aws engine in Debian Chromium: the moto emulator with
# the harness extension (plugins/mlops-backend-module-aws/src/testing/moto)
# holding the abalone reference system, the backend with `mlops.engine: aws`
# pointed at it (AWS_ENDPOINT_URL), then the @aws Playwright story. Writes
# <results>/e2e-portal-aws.json (Playwright JSON) and
# <results>/e2e-aws-operations.txt (what went over the wire).
# Usage: e2e-aws.sh <results-dir>   (builds the app when packages/app/dist is missing)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS=${1:-$ROOT/.test-results}
mkdir -p "$RESULTS"
WORK=$(mktemp -d /tmp/mlops-e2e-aws.XXXXXX)
EMU_PID=""
BACKEND_PID=""
fail_suite() { echo '{"passed":0,"failed":1}' >"$RESULTS/e2e-portal-aws.json"; }

cleanup() {
  if [ -n "$BACKEND_PID" ]; then
    kill -- -"$BACKEND_PID" 2>/dev/null || kill "$BACKEND_PID" 2>/dev/null
    wait "$BACKEND_PID" 2>/dev/null
  fi
  if [ -n "$EMU_PID" ]; then
    kill "$EMU_PID" 2>/dev/null # the emulator script stops moto by its pid
    wait "$EMU_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! bash scripts/moto/ensure-moto.sh >"$RESULTS/e2e-aws-moto.log" 2>&1; then
  cat "$RESULTS/e2e-aws-moto.log"
  # red in CI (MLOPS_CI=true), a visible skip locally
  node scripts/lib/prerequisite.mjs "$RESULTS" e2e-portal-aws "moto 5.2.1 missing: the aws e2e did not run"
  exit 1
fi

if [ ! -f packages/app/dist/index.html ]; then
  echo "building the app…"
  if ! (cd packages/app && npx backstage-cli package build) >"$RESULTS/e2e-aws-build-app.log" 2>&1; then
    tail -n 40 "$RESULTS/e2e-aws-build-app.log"
    fail_suite
    exit 1
  fi
fi

started=$(date +%s)
node_modules/.bin/tsx scripts/moto/aws-emulator.ts --step-seconds 3 --cors-origin http://localhost:7007 \
  >"$RESULTS/e2e-aws-emulator.log" 2>&1 &
EMU_PID=$!
ENDPOINT=""
for _ in $(seq 1 120); do
  ENDPOINT=$(sed -n 's/^AWS_EMULATOR_ENDPOINT=//p' "$RESULTS/e2e-aws-emulator.log")
  [ -n "$ENDPOINT" ] && break
  kill -0 "$EMU_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ENDPOINT" ]; then
  echo "the emulator did not start:"
  tail -n 40 "$RESULTS/e2e-aws-emulator.log"
  fail_suite
  exit 1
fi
echo "emulator at $ENDPOINT ($(($(date +%s) - started)) s)"

(
  cd packages/backend &&
    MLOPS_DATA_DIR="$WORK/data" MLOPS_SQLITE_DIR="$WORK/sqlite" MLOPS_ENDPOINT_PORT=7072 \
      AWS_ENDPOINT_URL="$ENDPOINT" AWS_REGION=eu-west-1 \
      AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=emulator-secret \
      exec setsid node --require @backstage/cli-node/config/nodeTransform.cjs src/index.ts \
        --config ../../app-config.yaml --config ../../app-config.e2e.yaml --config ../../app-config.demo.yaml \
        --config ../../app-config.e2e-aws.yaml
) >"$RESULTS/e2e-aws-backend.log" 2>&1 &
BACKEND_PID=$!
ready=""
for _ in $(seq 1 180); do
  if curl -fs http://localhost:7007/api/mlops/health >/dev/null 2>&1 && curl -fs http://localhost:7007/ >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 1
done
if [ -z "$ready" ]; then
  echo "backend did not become ready; last log lines:"
  tail -n 40 "$RESULTS/e2e-aws-backend.log"
  fail_suite
  exit 1
fi

PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e-portal-aws.json" E2E_AWS_EMULATOR="$ENDPOINT" \
  npx playwright test --config playwright.config.ts --grep @aws --reporter=list,json \
  >"$RESULTS/e2e-portal-aws.pw.log" 2>&1
tail -n 30 "$RESULTS/e2e-portal-aws.pw.log"
[ -s "$RESULTS/e2e-portal-aws.json" ] || fail_suite
curl -fs "$ENDPOINT/moto-ext/operations" >"$RESULTS/e2e-aws-operations.txt" 2>/dev/null || true
echo "aws e2e: $(($(date +%s) - started)) s; operations served: $(cat "$RESULTS/e2e-aws-operations.txt" 2>/dev/null)"
