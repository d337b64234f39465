#!/usr/bin/env bash
# `npm run build`: the publishable packages, then what production mode runs —
# the app's static bundle (packages/app/dist) and the backend bundle
# (packages/backend/dist/index.cjs.js). See README "Production mode".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-packages.sh
echo "build packages/app"
(cd packages/app && npx backstage-cli package build)
node scripts/build-backend.mjs
