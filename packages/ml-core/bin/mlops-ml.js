#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Runs the TypeScript CLI from source (no build step): tsx compiles on the fly.
require('tsx/cjs');
const { main } = require('../src/cli.ts');

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
