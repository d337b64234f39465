/**
 * Node side of validate.py: validateAwsShapes(items) → problem lines ([] when
 * every value fits its AWS service model). CommonJS so Jest suites (which run
 * CommonJS) can require it; validate.mjs re-exports it for ES modules.
 *
 *   items: [{ service: 'sagemaker', operation: 'CreateTrainingJob',
 *             kind: 'input' | 'output', value: {...}, label?: 'Train step' }]
 *
 * Python is `$AWS_MODELS_PYTHON`, else the virtualenv scripts/ensure-python-deps.sh
 * creates when the machine's Python lacks a recent botocore, else `python3` on
 * PATH; it needs botocore (the service models ship inside it; version in
 * requirements.txt). Throws if Python cannot run the script, saying how to fix it.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const SCRIPT = path.join(__dirname, 'validate.py');
const VENV_PYTHON = path.join(
  __dirname,
  '..',
  '..',
  '.cache',
  'aws-models-python',
  'bin',
  'python3',
);

function pythonToUse() {
  if (process.env.AWS_MODELS_PYTHON) return process.env.AWS_MODELS_PYTHON;
  return fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3';
}

/** SDK values JSON lacks: bytes (Body, blobs) become base64 strings; Dates already become ISO strings. */
function toJsonValue(key, value) {
  const original = this[key];
  if (ArrayBuffer.isView(original)) {
    return Buffer.from(
      original.buffer,
      original.byteOffset,
      original.byteLength,
    ).toString('base64');
  }
  return value;
}

function validateAwsShapes(items) {
  const python = pythonToUse();
  const input = items.map(item => JSON.stringify(item, toJsonValue)).join('\n');
  const run = spawnSync(python, [SCRIPT], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  // EPIPE: Python exited before reading its input (e.g. no botocore); its exit status says why.
  if (run.error && run.error.code !== 'EPIPE') {
    throw new Error(`cannot run ${python} ${SCRIPT}: ${run.error.message}`);
  }
  // Exit 0: valid; exit 1 with problem lines; anything else (a traceback, no botocore) is a crash.
  const lines = run.stdout.split('\n').filter(line => line.trim() !== '');
  if (run.status !== 0 && !(run.status === 1 && lines.length > 0)) {
    // exit 2: no botocore or too old a one; validate.py's message says how to install it
    throw new Error(
      `${python} ${SCRIPT} failed (exit ${run.status}): ${run.stderr.trim()}`,
    );
  }
  return lines;
}

module.exports = { validateAwsShapes };
