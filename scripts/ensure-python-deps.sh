#!/usr/bin/env bash
# Makes sure the AWS shape checks (scripts/aws-models/validate.py) have a Python
# with botocore new enough for the service models they check against
# (scripts/aws-models/requirements.txt). Debian's python3-botocore is too old
# (1.29.27 in bookworm lacks members our fixtures use), so botocore comes from
# the Python package index with pip, into a virtualenv inside the repository
# (.cache/aws-models-python, git-ignored) that validate.cjs picks up by itself.
# Prints the Python to use on stdout; on failure says why on stderr and exits 1.
#   AWS_MODELS_PYTHON=$(bash scripts/ensure-python-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=scripts/aws-models/requirements.txt
VENV=.cache/aws-models-python
# validate.py itself decides whether a Python is good enough (exit 0 on empty input)
fits() { [ -n "$1" ] && command -v "$1" >/dev/null 2>&1 && "$1" scripts/aws-models/validate.py </dev/null >/dev/null 2>&1; }

for py in "${AWS_MODELS_PYTHON:-}" "$PWD/$VENV/bin/python3" "$(command -v python3 || true)"; do
  if fits "$py"; then echo "$py"; exit 0; fi
done

base=$(command -v python3 || true)
if [ -z "$base" ]; then
  echo "ensure-python-deps: no python3 (apt-get install python3 python3-venv)" >&2
  exit 1
fi
echo "ensure-python-deps: installing $(grep -v '^#' "$REQ" | xargs) into $VENV with pip…" >&2
rm -rf "$VENV"
if ! "$base" -m venv "$VENV" >&2; then
  echo "ensure-python-deps: '$base -m venv' failed (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
if ! "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2; then
  echo "ensure-python-deps: pip could not install $REQ (is the Python package index reachable?);" \
    "the AWS shape checks in infra/ and plugins/mlops-backend-module-aws cannot run." \
    "Point AWS_MODELS_PYTHON at a Python that has botocore >= the version in $REQ." >&2
  exit 1
fi
if ! fits "$PWD/$VENV/bin/python3"; then
  "$VENV/bin/python3" scripts/aws-models/validate.py </dev/null >&2 || true
  exit 1
fi
echo "$PWD/$VENV/bin/python3"
