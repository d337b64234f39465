#!/usr/bin/env bash
# Production mode: the built backend (packages/backend/dist/index.cjs.js, made by
# `npm run build`) serving the built app (packages/app/dist) on :7007, local
# engine, SQLite by default or PostgreSQL when POSTGRES_HOST is set. Plain node:
# no tsx, no TypeScript at run time. Extra arguments go to the backend
# (e.g. --config my-overrides.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh
for f in packages/backend/dist/index.cjs.js packages/app/dist/index.html \
  plugins/mlops-backend/dist/worker.cjs.js; do
  [ -f "$f" ] || { echo "missing $f: run npm run build first" >&2; exit 1; }
done
if [ -z "${MLOPS_DATABASE_CLIENT:-}" ]; then
  if [ -n "${POSTGRES_HOST:-}" ]; then export MLOPS_DATABASE_CLIENT=pg; else export MLOPS_DATABASE_CLIENT=better-sqlite3; fi
fi
export NODE_ENV=production
# relative paths in app-config.yaml are relative to packages/backend
cd packages/backend
exec node dist/index.cjs.js --config ../../app-config.yaml --config ../../app-config.production.yaml "$@"
