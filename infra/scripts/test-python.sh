#!/usr/bin/env bash
# Runs the step scripts' unit tests (infra/ml/tests) and prints unittest's summary.
#   bash infra/scripts/test-python.sh [result.json]
# With a path, also writes {"name","passed","failed","skipped"} there for the repo's
# test summary. Uses Debian's python3 (apt-get install python3-sklearn python3-pandas
# python3-xgboost); tests skip, naming the module, when those are missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-}"
if [ -n "$out" ]; then out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"; fi
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi
cd "$here/ml"
PYTHONDONTWRITEBYTECODE=1 exec "$py" - "$out" <<'PY'
import json
import sys
import unittest

suite = unittest.defaultTestLoader.discover("tests", top_level_dir=".")
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
if sys.argv[1]:
    with open(sys.argv[1], "w") as f:
        json.dump({"name": "python-infra-scripts", "passed": result.testsRun - failed - skipped, "failed": failed, "skipped": skipped}, f)
sys.exit(0 if result.wasSuccessful() else 1)
PY
