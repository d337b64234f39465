#!/usr/bin/env node
// Bundles a package's worker into a standalone dist/*.cjs.js: by default the
// local engine's training worker (plugins/mlops-backend/dist/worker.cjs.js,
// forked as its own process); with `aws`, the aws engine's CSV validator
// (plugins/mlops-backend-module-aws/dist/validateWorker.cjs.js, a worker
// thread). Each runs from its own file, so it must be standalone JS. Everything it imports (ml-core,
// abalone-schema from source, csv-parse) is inlined, so the file runs with plain
// `node` wherever the package is installed, without tsx or dependency lookups.
// Run after `backstage-cli package build` (which empties dist/).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKERS = {
  local: ['plugins/mlops-backend', 'src/engines/local/worker.ts', 'worker'],
  aws: [
    'plugins/mlops-backend-module-aws',
    'src/engine/ingest/validateWorker.ts',
    'validateWorker',
  ],
};
const [pkg, entry, name] = WORKERS[process.argv[2] ?? 'local'];
const outfile = join(root, pkg, `dist/${name}.cjs.js`);

await build({
  entryPoints: [join(root, pkg, entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`built ${pkg}/dist/${name}.cjs.js`);
