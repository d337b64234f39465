#!/usr/bin/env bash
# README command 1: the portal with the local engine.
#   UI http://localhost:3000 · backend :7007 · model endpoint :7070 · consumer app http://localhost:3001
# On first start the backend seeds each demo ML system (mlops.local.seeds: Abalone, breast cancer, penguins, from
# packages/demo-systems, shipped in the repository), which trains, registers and deploys version 1 of each.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh
[ -d node_modules/@backstage/cli ] || npm ci --no-audit --no-fund

# The consumer app is static: build once, serve it beside the portal.
if [ ! -f packages/consumer-app/dist/index.html ]; then
  npm run build -w @mlops-portal/consumer-app
fi
PORT=${CONSUMER_PORT:-3001} node packages/consumer-app/serve.mjs &
CONSUMER_PID=$!
trap 'kill $CONSUMER_PID 2>/dev/null || true' EXIT

npx backstage-cli repo start app backend
