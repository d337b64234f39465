// node --test scripts/test/aws-models-python.test.mjs
// validate.cjs must say what is wrong and how to fix it when its Python has no
// botocore or one too old for the service models (Debian's python3-botocore).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const require = createRequire(import.meta.url);
const { validateAwsShapes } = require('../aws-models/validate.cjs');

/** A python3 whose `import botocore` finds `init` as botocore/__init__.py. */
function pythonWithBotocore(init) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-botocore-'));
  fs.mkdirSync(path.join(dir, 'botocore'));
  fs.writeFileSync(path.join(dir, 'botocore', '__init__.py'), init);
  const py = path.join(dir, 'python');
  fs.writeFileSync(py, `#!/bin/sh\nPYTHONPATH=${dir} exec python3 "$@"\n`, {
    mode: 0o755,
  });
  return { py, dir };
}

function withPython(py, fn) {
  const saved = process.env.AWS_MODELS_PYTHON;
  process.env.AWS_MODELS_PYTHON = py;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.AWS_MODELS_PYTHON;
    else process.env.AWS_MODELS_PYTHON = saved;
  }
}

const item = {
  service: 'sagemaker',
  operation: 'DescribeEndpoint',
  kind: 'input',
  value: { EndpointName: 'e' },
};

test('a botocore older than the models need is refused with the fix', () => {
  const { py, dir } = pythonWithBotocore("__version__ = '1.29.27'\n");
  try {
    withPython(py, () =>
      assert.throws(
        () => validateAwsShapes([item]),
        /exit 2.*botocore 1\.29\.27, older than 1\.43\.11.*ensure-python-deps\.sh/s,
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a Python without botocore is refused with the fix', () => {
  const { py, dir } = pythonWithBotocore("raise ImportError('no botocore')\n");
  try {
    withPython(py, () =>
      assert.throws(
        () => validateAwsShapes([item]),
        /has no botocore; bash scripts\/ensure-python-deps\.sh installs it/,
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
