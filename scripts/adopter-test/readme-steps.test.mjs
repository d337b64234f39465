// node --test scripts/adopter-test/readme-steps.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractSteps, insertBefore } from './readme-steps.mjs';

const REPO = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const FENCE = '```';

test('extracts run, insert-before and append blocks with their files', () => {
  const md = [
    '# X',
    '<!-- adopter-test: run -->',
    '',
    `${FENCE}sh`,
    '# a comment is not run',
    'yarn --cwd packages/app add x',
    FENCE,
    '```ts',
    '// not marked',
    FENCE,
    '<!-- adopter-test: insert-before "backend.start();" -->',
    `${FENCE}ts`,
    '// packages/backend/src/index.ts',
    "backend.add(import('x'));",
    FENCE,
    '<!-- adopter-test: append -->',
    `${FENCE}yaml`,
    '# app-config.yaml',
    'x:',
    '  y: 1',
    FENCE,
  ].join('\n');
  assert.deepEqual(extractSteps(md, 'R'), [
    { kind: 'run', lines: ['yarn --cwd packages/app add x'], source: 'R:2' },
    {
      kind: 'insert-before',
      anchor: 'backend.start();',
      file: 'packages/backend/src/index.ts',
      lines: ["backend.add(import('x'));"],
      source: 'R:11',
    },
    {
      kind: 'append',
      anchor: undefined,
      file: 'app-config.yaml',
      lines: ['x:', '  y: 1'],
      source: 'R:16',
    },
  ]);
});

test('a marker without a block, an anchor or a file comment is an error naming the line', () => {
  assert.throws(
    () => extractSteps('<!-- adopter-test: run -->\ntext', 'R'),
    /R:1: .*fenced code block/,
  );
  assert.throws(
    () =>
      extractSteps(
        `<!-- adopter-test: insert-before -->\n${FENCE}ts\n// f.ts\nx\n${FENCE}`,
        'R',
      ),
    /R:1: .*anchor/,
  );
  assert.throws(
    () =>
      extractSteps(
        `<!-- adopter-test: append -->\n${FENCE}yaml\nx: 1\n${FENCE}`,
        'R',
      ),
    /R:1: .*naming its file/,
  );
});

test('insertBefore puts the lines before the anchor and refuses a missing anchor', () => {
  assert.equal(
    insertBefore('a\nbackend.start();\n', 'backend.start();', ['x', 'y'], 'L'),
    'a\nx\ny\nbackend.start();\n',
  );
  assert.throws(
    () => insertBefore('a\n', 'backend.start();', ['x'], 'L'),
    /L: "backend.start\(\);" not found/,
  );
});

test('the plugin READMEs carry the install steps the adopter test runs', () => {
  const steps = [
    'plugins/mlops-backend',
    'plugins/mlops',
    'plugins/mlops-backend-module-aws',
  ].flatMap(dir =>
    extractSteps(
      fs.readFileSync(path.join(REPO, dir, 'README.md'), 'utf8'),
      dir,
    ),
  );
  const commands = steps.filter(s => s.kind === 'run').flatMap(s => s.lines);
  assert.deepEqual(commands, [
    'yarn --cwd packages/backend add @mlops-portal/plugin-mlops-backend@^0.1.0',
    'yarn set resolution @backstage/plugin-signals-backend@npm:^0.3.19 npm:0.3.19',
    'yarn --cwd packages/app add @mlops-portal/plugin-mlops@^0.1.0',
    'yarn --cwd packages/backend add @mlops-portal/plugin-mlops-backend-module-aws@^0.1.0',
  ]);
  const inserts = steps.filter(s => s.kind === 'insert-before');
  assert.deepEqual(
    inserts.map(s => [s.file, s.anchor]),
    [
      // the plugin, its spec file reader, the aws module
      ['packages/backend/src/index.ts', 'backend.start();'],
      ['packages/backend/src/index.ts', 'backend.start();'],
      ['packages/backend/src/index.ts', 'backend.start();'],
    ],
  );
  assert.ok(
    inserts.some(s => s.lines.join('\n').includes('mlopsSpecFileReaderFactory')),
  );
  assert.ok(
    steps.some(
      s =>
        s.kind === 'append' &&
        s.file === 'app-config.yaml' &&
        s.lines[0] === 'mlops:',
    ),
  );
});
