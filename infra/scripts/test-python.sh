#!/usr/bin/env bash
# Runs the step scripts' unit tests (infra/ml/tests) and prints unittest's summary.
# Uses Debian's python3 (apt-get install python3-sklearn python3-pandas python3-xgboost);
# tests skip, naming the module, when those are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi
cd "$here/ml"
PYTHONDONTWRITEBYTECODE=1 exec "$py" -m unittest discover -s tests -t . -v
