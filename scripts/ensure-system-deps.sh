#!/usr/bin/env bash
# Installs what the tests need from Debian: Chromium (Playwright drives the system
# browser; browser downloads are not possible here) and PostgreSQL (the suites
# run on SQLite and on a real PostgreSQL), Java + Velocity 1.7 (infra renders its API
# Gateway mapping templates) and the SageMaker step scripts' Python libraries.
# Needs root; otherwise says what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v java >/dev/null || missing+=(default-jre-headless)
[ -f /usr/share/java/velocity.jar ] || missing+=(velocity)
/usr/bin/python3 -c 'import xgboost, sklearn, pandas' 2>/dev/null || missing+=(python3-xgboost python3-sklearn python3-pandas)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Please install: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} from Debian…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-liberation >/dev/null
