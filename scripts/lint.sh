#!/usr/bin/env bash
# ESLint (Backstage's config) over every Backstage package. `backstage-cli repo
# lint` needs yarn, so each package's own `lint` script runs instead.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run lint --workspaces --if-present
