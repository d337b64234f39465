#!/usr/bin/env bash
# Builds every publishable package from a clean clone, in dependency order:
# `tsc` emits the declarations to dist-types/ (backstage-cli bundles them into
# each package's dist/index.d.ts), then `backstage-cli package build` per
# package (mlops-backend's build script also bundles the training worker,
# mlops-backend-module-aws's the CSV validator worker, both with esbuild).
# `repo build` is not used: it spawns yarn, which this npm workspace lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  packages/abalone-schema
  packages/ml-core
  plugins/mlops-common
  plugins/mlops-node
  plugins/mlops-backend
  plugins/mlops-backend-module-aws
  plugins/mlops
)

# --skip-tsc: the caller has just run tsc (npm test does, as its type check)
if [ "${1:-}" != "--skip-tsc" ]; then
  echo "tsc: declarations → dist-types/"
  npx tsc
fi
for p in "${PACKAGES[@]}"; do
  echo "build $p"
  npm run build --silent --prefix "$p"
done
