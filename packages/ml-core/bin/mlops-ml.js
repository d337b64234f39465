#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// An installed package (packed with `backstage-cli package prepack`, so its
// main points into dist/) runs the built CLI with plain node. In the repo the
// workspace packages resolve to their TypeScript source, so the CLI runs from
// source through tsx, a devDependency.
let main;
if (require('../package.json').main.startsWith('dist/')) {
  ({ main } = require('../dist/cli.cjs.js'));
} else {
  require('tsx/cjs');
  ({ main } = require('../src/cli.ts'));
}

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
