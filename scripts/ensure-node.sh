#!/usr/bin/env bash
# Source this: keeps a supported node (22 or 24, package.json engines) and
# otherwise switches to Node 22 from the npm registry (scripts/use-node.sh).
# Older majors cannot load better-sqlite3 13, the Node-API build that Node 24 needs.
case "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" in
  22 | 24) ;;
  *)
    echo "node $(node --version 2>/dev/null || echo missing) is not 22 or 24: using Node 22" >&2
    # shellcheck source=use-node.sh
    source "$(dirname "${BASH_SOURCE[0]}")/use-node.sh" 22
    ;;
esac
