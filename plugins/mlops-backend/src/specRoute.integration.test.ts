import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { mlopsPlugin } from './plugin';
import { mlopsSpecFileReaderFactory } from './specs/fileUrlReader';
import { GUEST } from './__testUtils__/fixtures';

jest.setTimeout(120_000);

const ABALONE_SPEC = path.resolve(
  __dirname,
  '../../../packages/demo-systems/abalone/ml-system.yaml',
);

/**
 * GET …/spec over real HTTP, with the plugin as a backend runs it: the
 * UrlReaderService with the file reader factory, the local engine and the
 * claims table. Each entity names its own resources.
 */
describe('GET /v1/entity/:namespace/:kind/:name/spec', () => {
  let server: any;
  let stop: () => Promise<void>;
  let root: string;
  const auth = mockCredentials.user.header(GUEST);

  const entity = (
    name: string,
    annotations: Record<string, string>,
    resourcesOf = name,
  ): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${path.join(
          root,
          'repo',
          'catalog-info.yaml',
        )}`,
        'mlops.io/pipeline': `${resourcesOf}-pipeline`,
        'mlops.io/model-package-group': `${resourcesOf}-group`,
        'mlops.io/endpoint': `${resourcesOf}-endpoint`,
        ...annotations,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: GUEST },
  });

  beforeAll(async () => {
    root = fs.realpathSync(
      fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-spec-it-')),
    );
    const systems = path.join(root, 'repo', 'systems');
    fs.mkdirSync(systems, { recursive: true });
    fs.mkdirSync(path.join(root, 'data'));
    const text = fs.readFileSync(ABALONE_SPEC, 'utf8');
    fs.writeFileSync(path.join(systems, 'good.yaml'), text);
    fs.writeFileSync(
      path.join(systems, 'bad.yaml'),
      text
        .replace('task: regression', 'task: clustering')
        .replace('comparison: LessThanOrEqualTo', 'comparison: About'),
    );
    fs.writeFileSync(path.join(root, 'repo', 'outside.yaml'), text);
    const entities = [
      entity('good', { 'mlops.io/spec': './systems/good.yaml' }),
      entity('bad', { 'mlops.io/spec': './systems/bad.yaml' }),
      entity('outside', { 'mlops.io/spec': './outside.yaml' }),
      entity('escape', { 'mlops.io/spec': '../../../etc/x.yaml' }),
      entity('absolute', { 'mlops.io/spec': '/etc/passwd' }),
      entity('missing', { 'mlops.io/spec': './systems/missing.yaml' }),
      entity('none', {}),
      // Names the good entity's resources: refused before its spec is read.
      entity('twin', { 'mlops.io/spec': './systems/good.yaml' }, 'good'),
    ];
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        mlopsSpecFileReaderFactory,
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              engine: 'local',
              local: {
                dataDir: path.join(root, 'data'),
                endpoint: { enabled: false },
              },
              specs: { allowedDirs: [systems] },
            },
          },
        }),
        catalogServiceMock.factory({ entities }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async () => {} }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({ publish: async () => {} }),
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const get = (name: string) =>
    request(server)
      .get(`/api/mlops/v1/entity/default/component/${name}/spec`)
      .set('Authorization', auth);

  it('answers 200 with the validated spec and its content hash', async () => {
    const res = await get('good');
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('./systems/good.yaml');
    expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.spec.metadata.name).toBe('abalone-age-predictor');
    expect(res.body.spec.spec.gate).toMatchObject({ metric: 'mse' });
  });

  it('answers 422 listing every field problem by path', async () => {
    const res = await get('bad');
    expect(res.status).toBe(422);
    expect(res.body.error.name).toBe('SpecValidationError');
    const paths = res.body.error.problems.map((p: any) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['spec.dataset.task', 'spec.gate.comparison']),
    );
    expect(JSON.stringify(res.body)).not.toContain(root);
  });

  it('answers 403 for a spec outside mlops.specs.allowedDirs, without host paths', async () => {
    for (const name of ['outside', 'escape']) {
      const res = await get(name);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('mlops.specs.allowedDirs');
      expect(JSON.stringify(res.body)).not.toContain(root);
    }
  });

  it('answers 400 for an annotation that is not a relative path', async () => {
    const res = await get('absolute');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('relative');
  });

  it('answers 404 naming the annotation when there is none, or no file', async () => {
    const none = await get('none');
    expect(none.status).toBe(404);
    expect(none.body.error.message).toContain('mlops.io/spec');
    const missing = await get('missing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('./systems/missing.yaml');
    expect(JSON.stringify(missing.body)).not.toContain(root);
  });

  it("refuses (409) an entity naming another entity's resources", async () => {
    expect((await get('good')).status).toBe(200);
    expect((await get('twin')).status).toBe(409);
  });

  it('needs a signed-in caller', async () => {
    const res = await request(server)
      .get('/api/mlops/v1/entity/default/component/good/spec')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});
