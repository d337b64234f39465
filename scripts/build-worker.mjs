#!/usr/bin/env node
// Bundles the local engine's training worker into
// plugins/mlops-backend/dist/worker.cjs.js: the worker is forked as its own
// process, so it must be a standalone JS file. Everything it imports (ml-core,
// abalone-schema from source, csv-parse) is inlined, so the file runs with plain
// `node` wherever the package is installed, without tsx or dependency lookups.
// Run after `backstage-cli package build` (which empties dist/).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const backend = join(root, 'plugins/mlops-backend');

await build({
  entryPoints: [join(backend, 'src/engines/local/worker.ts')],
  outfile: join(backend, 'dist/worker.cjs.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('built plugins/mlops-backend/dist/worker.cjs.js');
