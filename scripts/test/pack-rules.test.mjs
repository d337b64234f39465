// node --test scripts/test/pack-rules.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runtimeDependencyProblems } from '../lib/pack-rules.mjs';

const ROOT = path.join(import.meta.dirname, '..', '..');

test('a TypeScript loader among runtime dependencies is a problem', () => {
  const pkg = {
    name: '@x/plugin',
    dependencies: { express: '^4', tsx: '^4' },
    optionalDependencies: { 'ts-node': '^10' },
    devDependencies: { typescript: '~5.8', tsx: '^4' },
  };
  assert.deepEqual(runtimeDependencyProblems(pkg), [
    '@x/plugin: tsx is in dependencies; a TypeScript loader/dev tool belongs in devDependencies',
    '@x/plugin: ts-node is in optionalDependencies; a TypeScript loader/dev tool belongs in devDependencies',
  ]);
  assert.deepEqual(
    runtimeDependencyProblems({ name: 'y', devDependencies: { tsx: '^4' } }),
    [],
  );
});

test("the publishable packages' runtime dependencies hold no dev tool", () => {
  const src = fs.readFileSync(
    path.join(ROOT, 'scripts', 'check-packs.mjs'),
    'utf8',
  );
  const dirs = [
    ...src.matchAll(/^\s+'((?:packages|plugins)\/[\w-]+)',$/gm),
  ].map(m => m[1]);
  assert.ok(dirs.includes('plugins/mlops-backend'), dirs.join());
  for (const dir of dirs) {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'),
    );
    assert.deepEqual(runtimeDependencyProblems(pkg), [], dir);
  }
});
