#!/usr/bin/env bash
# Installs what the tests need from Debian: Chromium (Playwright drives the system
# browser; browser downloads are not possible here) and PostgreSQL (the suites
# run on SQLite and on a real PostgreSQL), Java + Velocity 1.7 (infra renders its API
# Gateway mapping templates), the SageMaker step scripts' Python libraries (also
# ml-core's real-XGBoost checks) and python3-venv/pip (ensure-python-deps.sh).
# Needs root; otherwise says what to install and exits 1 (test-all.sh fails the
# run in CI, skips visibly otherwise).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null || missing+=(default-jre-headless)
[ -f /usr/share/java/velocity.jar ] || missing+=(velocity)
/usr/bin/python3 -c 'import xgboost, sklearn, pandas' 2>/dev/null || missing+=(python3-xgboost python3-sklearn python3-pandas)
# venv + pip: scripts/ensure-python-deps.sh installs botocore (too old in Debian) with pip
/usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv python3-pip)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Please install: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-liberation >/dev/null
