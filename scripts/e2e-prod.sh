#!/usr/bin/env bash
# Smoke test of production mode in Debian Chromium: `npm run start:prod` (the
# built backend serving the built app, plain node) on a fresh data dir, then
# packages/app/e2e-tests/production.smoke.test.ts (@prod). Prints the time to
# ready and the RSS of the backend and its worker. Needs the packages and the
# app built (test-all.sh has done both by now); bundles the backend itself.
# Usage: e2e-prod.sh <results-dir>
set -uo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-$PWD/.test-results}
mkdir -p "$RESULTS"
NAME=e2e-production
PORT=${MLOPS_PROD_E2E_PORT:-7107}
WORK=$(mktemp -d /tmp/mlops-e2e-prod.XXXXXX)
PID=""
fail() { echo "$1"; echo '{"passed":0,"failed":1}' >"$RESULTS/$NAME.json"; exit 1; }
cleanup() {
  [ -n "$PID" ] && { kill -- -"$PID" 2>/dev/null || kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f packages/app/dist/index.html ] ||
  (cd packages/app && npx backstage-cli package build) >"$RESULTS/$NAME-build-app.log" 2>&1 ||
  fail "app build failed (see $NAME-build-app.log)"
node scripts/build-backend.mjs >"$RESULTS/$NAME-build.log" 2>&1 || fail "backend bundle failed"

# another server on the port would answer the readiness probe in our place
curl -s -o /dev/null "http://localhost:$PORT/" && fail "port $PORT is already in use"
start=$(date +%s%N)
# Demo mode: the smoke test signs in as guest (app-config.demo.yaml).
MLOPS_DEMO=1 MLOPS_DATA_DIR="$WORK/data" MLOPS_SQLITE_DIR="$WORK/sqlite" PORT=$PORT \
  MLOPS_BASE_URL=http://localhost:$PORT MLOPS_ENDPOINT_PORT=$((PORT + 64)) \
  setsid bash scripts/start-prod.sh >"$RESULTS/$NAME-backend.log" 2>&1 &
PID=$!
ready=""
for _ in $(seq 1 360); do
  if curl -fs "http://localhost:$PORT/api/mlops/health" >/dev/null 2>&1 &&
    curl -fs "http://localhost:$PORT/" >/dev/null 2>&1; then
    ready=$((($(date +%s%N) - start) / 1000000)); break
  fi
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ready" ] || { tail -n 40 "$RESULTS/$NAME-backend.log"; fail "production backend did not become ready"; }
rss_kb() { ps -o rss= -p "$1" 2>/dev/null | tr -d ' '; }
echo "production mode ready in ${ready} ms; RSS backend $(($(rss_kb "$PID") / 1024)) MB" \
  "+ workers $(($(pgrep -P "$PID" | while read -r c; do rss_kb "$c"; done | paste -sd+ | bc 2>/dev/null || echo 0) / 1024)) MB" |
  tee "$RESULTS/$NAME-figures.txt"

PLAYWRIGHT_URL=http://localhost:$PORT PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/$NAME.json" \
  npx playwright test --config playwright.config.ts --grep @prod --reporter=list,json >"$RESULTS/$NAME.pw.log" 2>&1
tail -n 15 "$RESULTS/$NAME.pw.log"
[ -s "$RESULTS/$NAME.json" ] || fail "playwright wrote no result"
