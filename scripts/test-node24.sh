#!/usr/bin/env bash
# The server-side packages' Jest suites again on Node 24 (engines: 22 || 24);
# the rest of the suite runs on Node 22. better-sqlite3 13 is a Node-API addon
# with prebuilt binaries, so the same node_modules serve both majors.
# Usage: scripts/test-node24.sh RESULTS_JSON
set -uo pipefail
OUT=$1
cd "$(dirname "$0")/.."
# shellcheck source=use-node.sh
source scripts/use-node.sh 24
PACKAGES=(packages/ml-core plugins/mlops-backend plugins/mlops-backend-module-aws)
passed=0
failed=0
# One package at a time: each Jest run gets both cores.
for p in "${PACKAGES[@]}"; do
  json=$(mktemp /tmp/mlops-node24.XXXXXX.json)
  (cd "$p" && CI=true npx backstage-cli package test --maxWorkers=2 --json --outputFile="$json") >"$json.log" 2>&1
  tail -n 8 "$json.log"
  # A suite that could not run (a crashed worker) counts as a failure.
  read -r ok bad < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$json" 2>/dev/null || echo "0 1")
  echo "$p on $(node --version): $ok passed, $bad failed"
  passed=$((passed + ok))
  failed=$((failed + bad))
done
echo "{\"passed\":$passed,\"failed\":$failed}" >"$OUT"
