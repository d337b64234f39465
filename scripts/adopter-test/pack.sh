#!/usr/bin/env bash
# Builds our publishable packages and packs each into <out-dir> with `npm pack`
# (its prepack/postpack scripts make the tarball's package.json point at dist/).
# Usage: pack.sh <out-dir>
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$1
mkdir -p "$OUT"
bash scripts/build-packages.sh
for p in packages/abalone-schema packages/ml-core plugins/mlops-common plugins/mlops-node plugins/mlops-backend \
  plugins/mlops-backend-module-aws plugins/mlops; do
  npm pack --silent --pack-destination "$OUT" -w "$p"
done
