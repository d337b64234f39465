#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Runs the TypeScript CLI from source (no build step): tsx compiles on the fly.
require('tsx/cjs');
const { main } = require('../src/cli.ts');

// `mlops-ml predict ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', e => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  code => {
    process.exitCode = code;
  },
  e => {
    console.error(e && e.message ? e.message : e);
    process.exitCode =
      e && e.constructor && e.constructor.name === 'UsageError' ? 2 : 1;
  },
);
