#!/usr/bin/env node
// Packs every publishable package the way `npm publish` would (npm pack runs
// `backstage-cli package prepack`, which points the entry points at dist/) and
// fails when a tarball lacks something its package.json promises: main, module,
// types, exports/typesVersions/bin targets, the configSchema file, and for the
// backend plugin the bundled worker and the migrations; or when its runtime
// dependencies include a TypeScript loader/dev tool (tsx, ts-node, typescript).
// Then it "installs" the tarballs (extracted under node_modules/.cache, so third-party dependencies
// resolve from the repo) and runs them with plain node: require() of every
// CommonJS entry point, the training worker's start-up, the ml-core CLI.
// Needs `npm run build:packages` first. Prints tarball sizes.
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { runtimeDependencyProblems } from './lib/pack-rules.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = [
  'packages/abalone-schema',
  'packages/ml-core',
  'plugins/mlops-common',
  'plugins/mlops-node',
  'plugins/mlops-backend',
  'plugins/mlops-backend-module-aws',
  'plugins/mlops',
];
// what a package needs beyond its package.json's entry points
const REQUIRED = {
  'plugins/mlops-backend': ['dist/worker.cjs.js', 'migrations/'],
  'plugins/mlops-backend-module-aws': ['dist/validateWorker.cjs.js'],
};

const problems = [];
const work = path.join(root, 'node_modules/.cache/check-packs');
fs.rmSync(work, { recursive: true, force: true });
const tarballs = path.join(work, 'tarballs');
const installed = path.join(work, 'node_modules');
fs.mkdirSync(tarballs, { recursive: true });

/** Every file path named by an entry-point field, exports and typesVersions included. */
function entryTargets(pkg) {
  const targets = [];
  const walk = v => {
    if (typeof v === 'string') targets.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const field of ['main', 'module', 'types', 'configSchema']) {
    if (pkg[field]) targets.push(pkg[field]);
  }
  walk(pkg.exports);
  walk(pkg.typesVersions);
  walk(typeof pkg.bin === 'string' ? [pkg.bin] : pkg.bin);
  // a non-relative export value is a condition marker, not a file
  return [...new Set(targets.map(t => t.replace(/^\.\//, '')))].filter(
    t => !t.startsWith('@'),
  );
}

const rows = [];
for (const dir of PACKAGES) {
  const out = execFileSync(
    'npm',
    ['pack', '--pack-destination', tarballs, '--silent'],
    { cwd: path.join(root, dir), encoding: 'utf8' },
  );
  const file = path.join(tarballs, out.trim().split('\n').pop());
  const listing = execFileSync('tar', ['tzf', file], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(f => f.replace(/^package\//, ''));
  const pkg = JSON.parse(
    execFileSync('tar', ['xzf', file, '-O', 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const has = t =>
    t.endsWith('/') ? listing.some(f => f.startsWith(t)) : listing.includes(t);
  for (const t of [...entryTargets(pkg), ...(REQUIRED[dir] ?? [])]) {
    if (!has(t)) problems.push(`${pkg.name}: ${t} is not in the tarball`);
  }
  // adopters install `dependencies`: no TypeScript loader or compiler among them
  problems.push(...runtimeDependencyProblems(pkg));
  for (const field of ['main', 'module', 'types']) {
    if (pkg[field] && !/^(\.\/)?dist\//.test(pkg[field])) {
      problems.push(`${pkg.name}: ${field} ${pkg[field]} is not built output`);
    }
  }
  const target = path.join(installed, pkg.name);
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', file, '-C', target, '--strip-components=1']);
  rows.push({
    package: pkg.name,
    tarball: path.basename(file),
    kB: Math.round(fs.statSync(file).size / 1024),
    files: listing.length,
    main: pkg.main,
  });
}
console.table(rows);

// Run the installed copies with plain node (no tsx hook anywhere).
function nodeRun(args, cwd = work) {
  try {
    execFileSync(process.execPath, args, {
      cwd,
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
  } catch (e) {
    problems.push(`node ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}
for (const name of [
  '@mlops-portal/abalone-schema',
  '@mlops-portal/ml-core',
  '@mlops-portal/plugin-mlops-common',
  '@mlops-portal/plugin-mlops-node',
  '@mlops-portal/plugin-mlops-backend',
  '@mlops-portal/plugin-mlops-backend-module-aws',
]) {
  const code = `const m = require(${JSON.stringify(name)});
    if (!require.resolve(${JSON.stringify(name)}).startsWith(${JSON.stringify(
    installed,
  )})) throw new Error('resolved outside the installed copy');
    if (Object.keys(m).length === 0) throw new Error('no exports');`;
  nodeRun(['-e', code]);
}
const cli = path.join(installed, '@mlops-portal/ml-core/bin/mlops-ml.js');
const abalone = path.join(root, 'packages/demo-systems/abalone/abalone.data');
if (fs.existsSync(abalone)) {
  const out = path.join(work, 'cli-train');
  nodeRun([cli, 'train', '--data', abalone, '--out', out, '--num_round', '3']);
  if (!fs.existsSync(path.join(out, 'evaluation.json'))) {
    problems.push('mlops-ml train (installed) wrote no evaluation.json');
  }
} else {
  nodeRun([cli]); // prints usage; exits 0
}

// The worker must start from the tarball with plain node and say `ready`.
const worker = path.join(
  installed,
  '@mlops-portal/plugin-mlops-backend/dist/worker.cjs.js',
);
await new Promise(resolve => {
  const child = fork(worker, [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  let ready = false;
  child.stderr.on('data', d => (stderr += d));
  const timer = setTimeout(() => child.kill(), 20_000);
  child.on('message', msg => {
    if (msg?.type !== 'ready') return;
    ready = true;
    child.kill();
  });
  child.on('exit', () => {
    clearTimeout(timer);
    if (!ready || stderr) {
      problems.push(`installed worker did not start: ${stderr.trim()}`);
    }
    resolve();
  });
});

// The aws engine's CSV validator must run from the tarball as a worker thread:
// the schema first (here a small spec's data set), then the data.
await new Promise(resolve => {
  const validator = new Worker(
    path.join(
      installed,
      '@mlops-portal/plugin-mlops-backend-module-aws/dist/validateWorker.cjs.js',
    ),
  );
  // never wait for ever on a worker that does not answer
  const timer = setTimeout(() => done('no result within 20 s'), 20_000);
  let finished = false;
  function done(problem) {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (problem) problems.push(`installed CSV validator: ${problem}`);
    validator.terminate().then(resolve);
  }
  validator.on('error', e => done(String(e)));
  validator.on('message', msg => {
    if (msg.type === 'error') done(msg.message);
    if (msg.type !== 'result') return;
    done(msg.result.rowCount === 1 ? undefined : JSON.stringify(msg.result));
  });
  validator.postMessage({
    type: 'start',
    schema: {
      source: 'spec',
      dataset: {
        header: false,
        target: 'y',
        task: 'regression',
        columns: [
          { name: 'size', type: 'numeric' },
          { name: 'kind', type: 'categorical' },
          { name: 'y', type: 'numeric' },
        ],
      },
    },
  });
  const row = '1.5,small,3\n';
  validator.postMessage({ type: 'chunk', data: new TextEncoder().encode(row) });
  validator.postMessage({ type: 'end' });
});

if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`\nall ${PACKAGES.length} tarballs complete and runnable`);
