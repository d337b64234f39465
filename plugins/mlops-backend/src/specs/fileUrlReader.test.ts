import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { pathToFileURL } from 'url';
import { mockServices } from '@backstage/backend-test-utils';
import { AllowedDirsFileReader, readAllowedSpecDirs } from './fileUrlReader';

describe('AllowedDirsFileReader', () => {
  let tmp: string;
  let allowed: string;
  let outside: string;

  beforeEach(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-spec-')),
    );
    allowed = path.join(tmp, 'allowed');
    outside = path.join(tmp, 'outside');
    await fs.mkdir(path.join(allowed, 'system'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(
      path.join(allowed, 'system', 'ml-system.yaml'),
      'a: 1\n',
    );
    await fs.writeFile(path.join(outside, 'secret.yaml'), 'token: x\n');
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const url = (...parts: string[]) =>
    pathToFileURL(path.join(...parts)).toString();

  it('reads a YAML file inside an allowed directory, with a content etag', async () => {
    const reader = new AllowedDirsFileReader([allowed]);
    const res = await reader.readUrl(url(allowed, 'system', 'ml-system.yaml'));
    expect((await res.buffer()).toString()).toBe('a: 1\n');
    expect(res.etag).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a file outside the allowed directories, also through ..', async () => {
    const reader = new AllowedDirsFileReader([allowed]);
    await expect(
      reader.readUrl(url(outside, 'secret.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    // A URL with .. segments is normalised before it is checked.
    const dotted = `${pathToFileURL(allowed)}/../outside/secret.yaml`;
    await expect(reader.readUrl(dotted)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    // A sibling whose name only starts like the allowed one is outside too.
    await fs.mkdir(`${allowed}-2`);
    await fs.writeFile(path.join(`${allowed}-2`, 'x.yaml'), 'a: 1');
    await expect(
      reader.readUrl(url(`${allowed}-2`, 'x.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('refuses a symlink inside an allowed directory pointing outside it', async () => {
    await fs.symlink(
      path.join(outside, 'secret.yaml'),
      path.join(allowed, 'link.yaml'),
    );
    await fs.symlink(outside, path.join(allowed, 'linkdir'));
    const reader = new AllowedDirsFileReader([allowed]);
    await expect(
      reader.readUrl(url(allowed, 'link.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      reader.readUrl(url(allowed, 'linkdir', 'secret.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('refuses files that are not YAML, and directories', async () => {
    await fs.writeFile(path.join(allowed, 'key.pem'), 'x');
    await fs.mkdir(path.join(allowed, 'dir.yaml'));
    const reader = new AllowedDirsFileReader([allowed]);
    await expect(reader.readUrl(url(allowed, 'key.pem'))).rejects.toMatchObject(
      { name: 'NotAllowedError' },
    );
    await expect(
      reader.readUrl(url(allowed, 'dir.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('refuses a file over the size cap, naming the cap but not the host path', async () => {
    await fs.writeFile(path.join(allowed, 'big.yaml'), 'x'.repeat(101));
    const reader = new AllowedDirsFileReader([allowed], 100);
    const error = await reader
      .readUrl(url(allowed, 'big.yaml'))
      .catch(e => e as Error);
    expect(error).toMatchObject({ name: 'InputError' });
    expect((error as Error).message).toContain('at most 100');
    expect((error as Error).message).not.toContain(tmp);
    await fs.writeFile(path.join(allowed, 'ok.yaml'), 'x'.repeat(100));
    const ok = await reader.readUrl(url(allowed, 'ok.yaml'));
    expect((await ok.buffer()).length).toBe(100);
  });

  it('reports a missing file as not found', async () => {
    const reader = new AllowedDirsFileReader([allowed]);
    const error = await reader
      .readUrl(url(allowed, 'nope.yaml'))
      .catch(e => e as Error);
    expect(error).toMatchObject({ name: 'NotFoundError' });
    expect((error as Error).message).not.toContain(tmp);
  });

  it('does not reveal whether a file outside exists', async () => {
    const reader = new AllowedDirsFileReader([allowed]);
    await expect(
      reader.readUrl(url(outside, 'nope.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('allows nothing when the configured directory does not exist', async () => {
    const reader = new AllowedDirsFileReader([path.join(tmp, 'missing')]);
    await expect(
      reader.readUrl(url(allowed, 'system', 'ml-system.yaml')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('reads mlops.specs.allowedDirs relative to the working directory', () => {
    const config = mockServices.rootConfig({
      data: { mlops: { specs: { allowedDirs: ['../x', '/abs'] } } },
    });
    expect(readAllowedSpecDirs(config)).toEqual([
      path.resolve('../x'),
      path.resolve('/abs'),
    ]);
    expect(readAllowedSpecDirs(mockServices.rootConfig())).toEqual([]);
  });
});
