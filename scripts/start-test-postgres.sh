#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the test suites (root can't run postgres, so it runs as user postgres).
# Prints the export line the Backstage test utilities read. Idempotent: reuses a running cluster.
set -euo pipefail
PORT="${MLOPS_TEST_PG_PORT:-5433}"
DIR="${MLOPS_TEST_PG_DIR:-/tmp/mlops-test-pg}"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1
  fi
fi
id postgres >/dev/null 2>&1 || useradd -r -m postgres
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if ! run "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"; chown postgres "$DIR" 2>/dev/null || true
    run "$BIN/initdb" -D "$DIR" -U postgres --auth=trust >/dev/null
  fi
  run "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null
fi
echo "export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING=postgresql://postgres@127.0.0.1:$PORT/postgres"
