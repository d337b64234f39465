#!/usr/bin/env bash
# Production mode: the built backend (packages/backend/dist/index.cjs.js, made by
# `npm run build`) serving the built app (packages/app/dist) on :7007, local
# engine, SQLite by default or PostgreSQL when POSTGRES_HOST is set. Plain node:
# no tsx, no TypeScript at run time. Extra arguments go to the backend
# (e.g. --config my-overrides.yaml, with your sign-in provider). Guest sign-in
# is off; MLOPS_DEMO=1 turns on the demo mode (app-config.demo.yaml).
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
CONFIGS=(--config ../../app-config.yaml --config ../../app-config.production.yaml)
# Demo mode (MLOPS_DEMO=1): guest sign-in with owner rights for anyone who can
# reach the portal; for a demo on this machine only (see SECURITY.md).
if [ "${MLOPS_DEMO:-}" = 1 ]; then
  echo "WARNING: demo mode: anyone who can reach this portal signs in as the guest user (app-config.demo.yaml)" >&2
  CONFIGS+=(--config ../../app-config.demo.yaml)
fi
exec node dist/index.cjs.js "${CONFIGS[@]}" "$@"
