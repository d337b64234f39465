// Our packages are not on the npm registry yet, so the adopter test makes the
// packed tarballs stand in for it: it copies them into the app and adds root
// `resolutions` that map each package name to its tarball. The README commands
// (`yarn add @mlops-portal/…`) then run unchanged, and our packages' own
// dependencies on each other resolve to the same tarballs.
// Usage: node registry-stand-in.mjs <appDir> <tarballDir>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [appDir, tarballDir] = process.argv.slice(2);
if (!appDir || !tarballDir) {
  console.error('usage: registry-stand-in.mjs <appDir> <tarballDir>');
  process.exit(2);
}
const dest = path.join(appDir, 'mlops-tarballs');
fs.mkdirSync(dest, { recursive: true });
const rootManifest = path.join(appDir, 'package.json');
const root = JSON.parse(fs.readFileSync(rootManifest, 'utf8'));
root.resolutions ??= {};
const tarballs = fs.readdirSync(tarballDir).filter(f => f.endsWith('.tgz'));
if (tarballs.length === 0) throw new Error(`no .tgz in ${tarballDir}`);
for (const file of tarballs) {
  const manifest = JSON.parse(
    execFileSync(
      'tar',
      ['-xOzf', path.join(tarballDir, file), 'package/package.json'],
      { encoding: 'utf8' },
    ),
  );
  fs.copyFileSync(path.join(tarballDir, file), path.join(dest, file));
  root.resolutions[manifest.name] = `file:./mlops-tarballs/${file}`;
  console.log(`${manifest.name} → mlops-tarballs/${file}`);
}
fs.writeFileSync(rootManifest, `${JSON.stringify(root, null, 2)}\n`);
