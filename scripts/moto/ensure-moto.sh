#!/usr/bin/env bash
# Makes sure python3 (or $MOTO_PYTHON) has moto 5.2.1 with its server extras,
# the emulator the aws engine's HTTP tests run against
# (plugins/mlops-backend-module-aws/src/testing/moto/README.md). Uses the
# machine's moto when it is there; otherwise installs the pinned version from
# the Python package registry, and fails with a clear message when that cannot
# be reached (an offline machine: install moto==5.2.1 yourself, or point
# MOTO_PYTHON at a Python that has it).
set -euo pipefail
PY=${MOTO_PYTHON:-python3}
PIN=5.2.1
have=$("$PY" -c 'import moto, flask, werkzeug; print(moto.__version__)' 2>/dev/null || true)
if [ "$have" = "$PIN" ]; then
  echo "moto $PIN: $($PY -c 'import moto, os; print(os.path.dirname(moto.__file__))')"
  exit 0
fi
echo "moto $PIN not found for $PY (found: ${have:-none}); installing moto[server]==$PIN from the Python package registry…"
if "$PY" -m pip install --quiet "moto[server]==$PIN" 2>&1 | tail -n 5; then
  have=$("$PY" -c 'import moto; print(moto.__version__)' 2>/dev/null || true)
  [ "$have" = "$PIN" ] && { echo "installed moto $PIN"; exit 0; }
fi
cat >&2 <<MSG
ERROR: the aws engine's HTTP tests need moto $PIN for $PY, and it could not be installed
(the Python package registry is not reachable from here?). Install it with
  $PY -m pip install 'moto[server]==$PIN'
on a machine that can reach PyPI (or from a wheel), or set MOTO_PYTHON to a Python that has it.
MSG
exit 1
