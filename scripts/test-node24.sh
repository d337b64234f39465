#!/usr/bin/env bash
# The server-side packages' Jest suites again on Node 24 (engines: 22 || 24);
# the rest of the suite runs on Node 22. better-sqlite3 13 is a Node-API addon
# with prebuilt binaries, so the same node_modules serve both majors.
# Writes one result marked as a rerun: summarize-results.mjs reports it on its
# own line and keeps its passes out of the distinct-test total.
# Usage: scripts/test-node24.sh RESULTS_JSON
set -uo pipefail
OUT=$1
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=use-node.sh
source scripts/use-node.sh 24
PACKAGES=(packages/ml-core plugins/mlops-backend plugins/mlops-backend-module-aws)
TMP=$(mktemp -d /tmp/mlops-node24.XXXXXX)
jsons=()
# One package at a time: each Jest run gets both cores.
for p in "${PACKAGES[@]}"; do
  json="$TMP/$(basename "$p").json"
  jsons+=("$json")
  (cd "$p" && CI=true npx backstage-cli package test --maxWorkers=2 --json --outputFile="$json") >"$json.log" 2>&1
  echo "$p on $(node --version), exit $?:"
  tail -n 8 "$json.log"
done
# counted like every other Jest result: a file that crashed is a failure, a missing result too
node "$ROOT/scripts/lib/merge-results.mjs" --rerun "Node 24" "$OUT" "${jsons[@]}"
rm -rf "$TMP"
