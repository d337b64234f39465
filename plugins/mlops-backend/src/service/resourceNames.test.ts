import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DataLayout } from '../engines/local/dataLayout';
import { safeSegment } from '../engines/local/fsutil';
import { MlopsAccess } from './access';

const entity = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'mlops.io/pipeline': 'ok-pipeline',
      'mlops.io/model-package-group': 'OkGroup',
      'mlops.io/endpoint': 'ok-endpoint',
      ...annotations,
    },
  },
  spec: { owner: 'someone' },
});

describe('resource names follow SageMaker name rules', () => {
  const access = new MlopsAccess({
    catalog: catalogServiceMock({
      entities: [
        entity('dotdot', { 'mlops.io/pipeline': '..' }),
        entity('traversal', { 'mlops.io/model-package-group': '../../etc' }),
        entity('slash', { 'mlops.io/endpoint': 'a/b' }),
        entity('good', {}),
      ],
    }),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
  });
  const credentials = mockCredentials.user();

  it.each([
    ['dotdot', 'mlops.io/pipeline'],
    ['traversal', 'mlops.io/model-package-group'],
    ['slash', 'mlops.io/endpoint'],
  ])('refuses %s with a 400 naming %s', async (name, annotation) => {
    await expect(
      access.resolve(`component:default/${name}`, credentials),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`${annotation}:`),
    });
  });

  it('accepts names SageMaker accepts', async () => {
    await expect(
      access.resolve('component:default/good', credentials),
    ).resolves.toMatchObject({ pipelineName: 'ok-pipeline' });
  });

  it('never maps two names to one folder, nor leaves the data directory', () => {
    const layout = new DataLayout('/data');
    expect(() => layout.modelPackageDir('a/b', 1)).toThrow(/not a valid name/);
    expect(() => layout.runDir('..')).toThrow(/not a valid name/);
    expect(() => layout.bucketObject('p', 'm/../../x')).toThrow(
      /not a valid name/,
    );
    expect(layout.modelPackageDir('a_b', 1)).toBe('/data/model-packages/a_b/1');
    expect(safeSegment('abalone.csv')).toBe('abalone.csv');
    expect(() => safeSegment('.hidden')).toThrow();
    expect(() => safeSegment('')).toThrow();
  });
});
