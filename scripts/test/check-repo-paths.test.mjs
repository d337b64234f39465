// node --test scripts/test/check-repo-paths.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkRepository, checkText } from '../check-repo-paths.mjs';

// built from parts so this file does not name them itself
const HOME = ['', 'home', 'alice', 'data.csv'].join('/');
const WORK = ['', 'work', 'shared', 'data', 'abalone.data'].join('/');
const TMP_DOC = ['', 'tmp', 'API.md'].join('/');

test('absolute paths of one machine are found, with file and line', () => {
  assert.deepEqual(checkText('a.md', `x\nread ${HOME} first`), [
    `a.md:2: names ${HOME.slice(0, 7)}…, a path outside the repository`,
  ]);
  assert.equal(checkText('b.ts', `const f = '${WORK}';`).length, 1);
  assert.equal(checkText('c.ts', `// see ${TMP_DOC}`).length, 1);
});

test('system paths, temp folders and SageMaker container paths are fine', () => {
  const ok = [
    "const chromium = '/usr/bin/chromium';",
    'WORK=$(mktemp -d /tmp/mlops-e2e.XXXXXX)',
    "localPath: '/opt/ml/processing/input/code'",
    'npx mlops-ml train --out /tmp/run',
    '#!/usr/bin/env node',
  ];
  for (const line of ok) assert.deepEqual(checkText('x.sh', line), [], line);
});

test('relative paths that climb out of the repository are found', () => {
  assert.equal(checkText('README.md', 'notes in ../shared/notes.md').length, 1);
  assert.equal(checkText('docs/a.md', 'see ../../elsewhere/x').length, 1);
  // inside the repository, or the repository's own root files from a package folder
  assert.deepEqual(
    checkText('plugins/a/src/b.ts', "import x from '../../../scripts/y';"),
    [],
  );
  assert.deepEqual(
    checkText(
      'app-config.yaml',
      'target: ../../catalog-info.yaml',
      n => n === 'catalog-info.yaml',
    ),
    [],
  );
});

test('checks tracked files only and reads no binary file', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-paths-'));
  try {
    const git = (...args) =>
      execFileSync('git', args, { cwd: root, stdio: 'pipe' });
    git('init', '-q');
    fs.writeFileSync(path.join(root, '.gitignore'), '/data/\n');
    fs.writeFileSync(path.join(root, 'tracked.md'), `data: ${HOME}\n`);
    fs.writeFileSync(path.join(root, 'untracked.md'), `data: ${HOME}\n`);
    fs.writeFileSync(
      path.join(root, 'image.png'),
      Buffer.from([0, 1, ...Buffer.from(HOME)]),
    );
    git('add', '.gitignore', 'tracked.md', 'image.png');
    const problems = checkRepository(root);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^tracked\.md:1: /);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('this repository is clean', () => {
  assert.deepEqual(
    checkRepository(path.join(import.meta.dirname, '..', '..')),
    [],
  );
});
