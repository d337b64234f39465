import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { AllowedDirsFileReader } from '../specs/fileUrlReader';
import { SpecValidationError, SystemSpecs } from './systemSpecs';

const ABALONE_SPEC = path.resolve(
  __dirname,
  '../../../../packages/demo-systems/abalone/ml-system.yaml',
);

function entity(annotations: Record<string, string>, name = 'sys'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {},
  };
}

describe('SystemSpecs', () => {
  let tmp: string;
  let catalogFile: string;

  beforeEach(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-specs-')),
    );
    catalogFile = path.join(tmp, 'catalog-info.yaml');
    await fs.mkdir(path.join(tmp, 'sys'));
    await fs.copyFile(ABALONE_SPEC, path.join(tmp, 'sys', 'ml-system.yaml'));
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const setup = (annotations: Record<string, string>, ttlMs?: number) => {
    const e = entity({
      'backstage.io/managed-by-location': `file:${catalogFile}`,
      ...annotations,
    });
    const reader = new AllowedDirsFileReader([tmp]);
    const readUrl = jest.spyOn(reader, 'readUrl');
    const specs = new SystemSpecs({
      catalog: catalogServiceMock({ entities: [e] }),
      urlReader: reader,
      ttlMs,
    });
    return { specs, readUrl };
  };
  const ref = 'component:default/sys';
  const credentials = mockCredentials.user();

  it('reads and validates the spec next to the entity, with its content hash', async () => {
    const { specs, readUrl } = setup({
      'mlops.io/spec': './sys/ml-system.yaml',
    });
    const result = await specs.get(ref, credentials);
    expect(result.source).toBe('./sys/ml-system.yaml');
    expect(result.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.spec.metadata.name).toBe('abalone-age-predictor');
    expect((result.spec.spec as any).gate).toMatchObject({
      metric: 'mse',
      threshold: 6,
    });
    expect(readUrl).toHaveBeenCalledWith(
      `file://${path.join(tmp, 'sys', 'ml-system.yaml')}`,
    );
  });

  it('lists field problems of an invalid spec by path (422), without host paths', async () => {
    const text = await fs.readFile(ABALONE_SPEC, 'utf8');
    await fs.writeFile(
      path.join(tmp, 'sys', 'bad.yaml'),
      text.replace('task: regression', 'task: clustering'),
    );
    const { specs } = setup({ 'mlops.io/spec': './sys/bad.yaml' });
    const error = await specs.get(ref, credentials).catch(e => e);
    expect(error).toBeInstanceOf(SpecValidationError);
    expect(error.statusCode).toBe(422);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'spec.dataset.task' }),
      ]),
    );
    expect(error.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(
      tmp,
    );
  });

  it('is a clear 404 when the entity has no mlops.io/spec', async () => {
    const { specs } = setup({});
    await expect(specs.get(ref, credentials)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('mlops.io/spec'),
    });
    await expect(
      specs.get('component:default/other', credentials),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('refuses absolute paths and URLs in the annotation (400)', async () => {
    for (const value of [
      '/etc/passwd.yaml',
      'file:///etc/x.yaml',
      'https://example.com/x.yaml',
      '..\\x.yaml',
      'a\nb.yaml',
    ]) {
      const { specs } = setup({ 'mlops.io/spec': value });
      await expect(specs.get(ref, credentials)).rejects.toMatchObject({
        name: 'InputError',
      });
    }
  });

  it('refuses a spec outside the allowed directories (403) without naming host paths', async () => {
    const { specs } = setup({ 'mlops.io/spec': '../../etc/ml-system.yaml' });
    const error = await specs.get(ref, credentials).catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toContain('mlops.specs.allowedDirs');
    expect(error.message).not.toContain(tmp);
  });

  it('is a 404 naming the annotation when the file is missing', async () => {
    const { specs } = setup({ 'mlops.io/spec': './sys/missing.yaml' });
    await expect(specs.get(ref, credentials)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('./sys/missing.yaml'),
    });
  });

  it('reuses a read within the TTL and reads again after it', async () => {
    const { specs, readUrl } = setup(
      { 'mlops.io/spec': './sys/ml-system.yaml' },
      1500,
    );
    const first = await specs.get(ref, credentials);
    const second = await specs.get(ref, credentials);
    expect(second.hash).toBe(first.hash);
    expect(readUrl).toHaveBeenCalledTimes(1);

    const file = path.join(tmp, 'sys', 'ml-system.yaml');
    await fs.writeFile(
      file,
      (
        await fs.readFile(file, 'utf8')
      ).replace('threshold: 6.0', 'threshold: 5.0'),
    );
    await new Promise(r => setTimeout(r, 1600));
    const third = await specs.get(ref, credentials);
    expect(readUrl).toHaveBeenCalledTimes(2);
    expect(third.hash).not.toBe(first.hash);
    expect((third.spec.spec as any).gate.threshold).toBe(5);
  });

  it('resolves the annotation against a url location', async () => {
    const readUrl = jest.fn(async () => {
      throw Object.assign(new Error('Reading from https://h is not allowed'), {
        name: 'NotAllowedError',
      });
    });
    const e = entity({
      'backstage.io/managed-by-location':
        'url:https://github.com/o/r/blob/main/catalog-info.yaml',
      'mlops.io/spec': './ml/ml-system.yaml',
    });
    const specs = new SystemSpecs({
      catalog: catalogServiceMock({ entities: [e] }),
      urlReader: { readUrl } as any,
    });
    await expect(specs.get(ref, credentials)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(readUrl).toHaveBeenCalledWith(
      'https://github.com/o/r/blob/main/ml/ml-system.yaml',
    );
  });
});
