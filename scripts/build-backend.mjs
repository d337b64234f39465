#!/usr/bin/env node
// Production build of packages/backend → packages/backend/dist/index.cjs.js.
// `backstage-cli package build` of a backend spawns yarn (absent under npm), so
// esbuild bundles the backend's own code plus the workspace's @mlops-portal
// packages *as built* (their publishConfig.main in dist/, i.e. what npm would
// install); third-party packages stay external and load from node_modules.
// Needs `npm run build:packages` first. No TypeScript runs at start-up.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const backend = path.join(root, 'packages/backend');

/** @mlops-portal/x → the built file npm's copy of x would load. */
function builtEntry(specifier) {
  const [scope, name, ...sub] = specifier.split('/');
  const dir = fs.realpathSync(path.join(root, 'node_modules', scope, name));
  const pkg = JSON.parse(
    fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
  );
  const rel = sub.length
    ? `dist/${sub.join('/')}.cjs.js`
    : pkg.publishConfig?.main;
  const file = rel && path.join(dir, rel);
  if (!file || !fs.existsSync(file)) {
    throw new Error(
      `${specifier} is not built (${
        file ?? 'no publishConfig.main'
      }): run npm run build:packages`,
    );
  }
  return file;
}

await build({
  entryPoints: [path.join(backend, 'src/index.ts')],
  outfile: path.join(backend, 'dist/index.cjs.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // backend.add(import('x')) → require('x'), the CommonJS the plugins ship
  supported: { 'dynamic-import': false },
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'workspace-built-dist',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, args =>
          args.path.startsWith('@mlops-portal/')
            ? { path: builtEntry(args.path) }
            : { path: args.path, external: true },
        );
      },
    },
  ],
});
console.log('built packages/backend/dist/index.cjs.js');
