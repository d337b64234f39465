import { InputError } from '@backstage/errors';
import { randomBytes } from 'crypto';
import fs from 'fs/promises';
import path from 'path';

const tmpSuffix = () => `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Writes a file so readers see either the old or the new content, never a
 * torn one: write a sibling temp file, fsync it, then rename over the target.
 */
export async function writeFileAtomic(file: string, data: string | Buffer) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}${tmpSuffix()}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Copies files into a fresh directory that appears at `dir` in one rename.
 * A leftover `dir` (from a crash before its database row committed) is replaced.
 */
export async function copyIntoDirAtomic(
  dir: string,
  files: Array<{ from: string; name: string }>,
) {
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}${tmpSuffix()}`;
  await fs.mkdir(tmp);
  try {
    for (const f of files) {
      await fs.copyFile(f.from, path.join(tmp, f.name));
    }
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * A name checked for use as one path segment: letters, digits, ".", "_" and
 * "-", not starting with a dot, no "..". Refused (InputError), never
 * rewritten: rewriting `a/b` to `a_b` would put two names in one folder.
 */
export function safeSegment(name: string): string {
  if (!SEGMENT.test(name) || name.includes('..')) {
    throw new InputError(
      `'${name.slice(
        0,
        64,
      )}' is not a valid name here (letters, digits, ".", "_" or "-"; no "..")`,
    );
  }
  return name;
}
