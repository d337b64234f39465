#!/usr/bin/env node
// Fails when a tracked file names a place outside the repository that only one
// machine has: an absolute path under a user's or a workspace's folder, a
// document or data file left in the temp folder, or a relative path that
// climbs above the repository root. Everything the code, tests and docs need
// lives in the repository (or is a system package at its Debian path).
//   node scripts/check-repo-paths.mjs [ROOT]   (default: this repository)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute paths that belong to one machine's layout. */
const MACHINE_PATHS = [
  // home and workspace folders (written escaped so this file does not name them)
  /(?<![\w.~-])\/(?:work|home|root|Users|mnt|media)\/[\w.-]/,
  // a document or data file in the temp folder (mktemp templates and output folders are fine)
  /(?<![\w.~-])\/tmp\/[\w./-]*\.(?:md|txt|csv|data|ya?ml|json|py|ts)\b/,
];
/** Relative paths (../x), resolved from the file's own folder. */
const RELATIVE = /(?<![\w.])((?:\.\.\/)+)([\w@.-][\w@./-]*)/g;
/** Files this check does not read: the lockfile lists registry paths only. */
const SKIP = new Set(['package-lock.json']);

/**
 * Problems in one file's text: `file:line: what`. `atRoot(name)` says whether the
 * repository has `name` at its root: config and scripts run from a package
 * folder (packages/backend) name the repository's own root files two folders up.
 */
export function checkText(file, text, atRoot = () => false) {
  const problems = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const re of MACHINE_PATHS) {
      const m = line.match(re);
      if (m) {
        problems.push(
          `${file}:${i + 1}: names ${m[0]}…, a path outside the repository`,
        );
      }
    }
    for (const m of line.matchAll(RELATIVE)) {
      const resolved = path.posix.normalize(
        path.posix.join(path.posix.dirname(file), m[1]),
      );
      const first = m[2].split('/')[0];
      if ((resolved === '..' || resolved.startsWith('../')) && !atRoot(first)) {
        problems.push(
          `${file}:${i + 1}: ${m[1]}${m[2]} leads outside the repository`,
        );
      }
    }
  });
  return problems;
}

export function checkRepository(root) {
  const files = execFileSync('git', ['ls-files', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(f => f && !SKIP.has(path.posix.basename(f)));
  // the repository's root entries, tracked or git-ignored (data folders such as .mlops-data)
  const ignoredAtRoot = fs
    .readFileSync(path.join(root, '.gitignore'), 'utf8')
    .split('\n')
    .map(l => l.trim().replace(/^\//, '').replace(/\/$/, ''));
  const rootNames = new Set([
    ...files.map(f => f.split('/')[0]),
    ...ignoredAtRoot,
  ]);
  const problems = [];
  for (const file of files) {
    const full = path.join(root, file);
    if (!fs.statSync(full, { throwIfNoEntry: false })?.isFile()) continue;
    const buf = fs.readFileSync(full);
    if (buf.includes(0)) continue; // binary (images, tarballs)
    problems.push(
      ...checkText(file, buf.toString('utf8'), name => rootNames.has(name)),
    );
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root =
    process.argv[2] ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkRepository(root);
  if (problems.length) {
    console.error(`${problems.length} path(s) outside the repository:`);
    for (const p of problems) console.error(`- ${p}`);
    process.exit(1);
  }
  console.log('no tracked file names a path outside the repository');
}
