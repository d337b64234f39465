import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { DEMO_SYSTEMS_DIR } from '../__testUtils__/demoSystems';
import { GUEST, abaloneEntity } from '../__testUtils__/fixtures';
import { demoSignature, servingEngineParts } from '../__testUtils__/signatures';
import { MlopsAccess } from '../service/access';
import { MlopsService, type ApprovalRules } from '../service/MlopsService';
import { SystemSpecs } from '../service/systemSpecs';
import { AllowedDirsFileReader } from '../specs/fileUrlReader';
import { createRouter } from './createRouter';

/** An entity defined in `dir`/catalog-info.yaml whose spec is `./ml-system.yaml` there. */
function specEntity(name: string, dir: string, endpoint: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': `file:${path.join(
          dir,
          'catalog-info.yaml',
        )}`,
        'mlops.io/pipeline': `${name}-pipeline`,
        'mlops.io/model-package-group': `${name}-group`,
        'mlops.io/endpoint': endpoint,
        'mlops.io/spec': './ml-system.yaml',
        'mlops.io/public-predict': 'true',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
  };
}

const at = (name: string, p: string) =>
  `/v1/entity/default/component/${name}${p}`;
const auth = mockCredentials.user.header(GUEST);
const PENGUIN = {
  island: 'Biscoe',
  bill_length_mm: 45.2,
  bill_depth_mm: 14.8,
  flipper_length_mm: 212,
  body_mass_g: 5200,
  sex: 'FEMALE',
};

describe('routes driven by the spec and the signature', () => {
  let tmp: string;

  beforeAll(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-spec-routes-')),
    );
    const penguins = await fs.readFile(
      path.join(DEMO_SYSTEMS_DIR, 'penguins', 'ml-system.yaml'),
      'utf8',
    );
    // The same system asking for pre-approval, and one with a broken gate.
    await fs.mkdir(path.join(tmp, 'preapproved'));
    await fs.writeFile(
      path.join(tmp, 'preapproved', 'ml-system.yaml'),
      penguins.replace(
        /approval:\n {4}preApprove: false/,
        'approval:\n    preApprove: true',
      ),
    );
    await fs.mkdir(path.join(tmp, 'broken'));
    await fs.writeFile(
      path.join(tmp, 'broken', 'ml-system.yaml'),
      penguins.replace('comparison: GreaterThanOrEqualTo', 'comparison: Above'),
    );
  });

  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function app(approval: ApprovalRules = {}) {
    const entities = [
      abaloneEntity,
      specEntity(
        'penguins',
        path.join(DEMO_SYSTEMS_DIR, 'penguins'),
        'penguins-endpoint',
      ),
      specEntity(
        'breast-cancer',
        path.join(DEMO_SYSTEMS_DIR, 'breast-cancer'),
        'breast-cancer-endpoint',
      ),
      specEntity(
        'preapproved',
        path.join(tmp, 'preapproved'),
        'preapproved-endpoint',
      ),
      specEntity('broken', path.join(tmp, 'broken'), 'broken-endpoint'),
    ];
    const signature = demoSignature('penguins');
    const engine = {
      type: 'fake',
      ...servingEngineParts(signature, 2, 'penguins-endpoint'),
      getModelSignature: jest.fn(async (_r: unknown, version: number) => {
        if (version !== 2)
          throw new NotFoundError(`version ${version} has no signature`);
        return signature;
      }),
      predict: jest.fn(async (_r: unknown, instances: unknown[]) => ({
        predictions: instances.map(() => ({
          value: 'Gentoo',
          species: 'Gentoo',
          probabilities: { Adelie: 0.01, Chinstrap: 0.01, Gentoo: 0.98 },
        })),
        modelVersion: 2,
        endpointName: 'penguins-endpoint',
      })),
      startExecution: jest.fn(async () => ({ executionId: 'e-1' })),
    };
    const catalog = catalogServiceMock({ entities });
    const service = new MlopsService({
      engine: engine as unknown as MlopsEngine,
      access: new MlopsAccess({
        catalog,
        permissions: mockServices.permissions(),
        auditor: mockServices.auditor.mock(),
      }),
      catalog,
      auth: mockServices.auth(),
      mseThreshold: 5.5,
      approval,
      specs: new SystemSpecs({
        catalog,
        urlReader: new AllowedDirsFileReader([DEMO_SYSTEMS_DIR, tmp]),
      }),
    });
    const router = await createRouter({
      service,
      httpAuth: mockServices.httpAuth(),
      logger: mockServices.logger.mock(),
      config: mockServices.rootConfig({
        data: { mlops: { publicApi: { enabled: true } } },
      }),
    });
    return { server: express().use(router), engine, signature };
  }

  it('checks prediction records against the deployed signature: 400 naming instances.N.field, nothing scored', async () => {
    const { server, engine } = await app();
    const cases: Array<[object, string]> = [
      [{ ...PENGUIN, bill_length_mm: 'long' }, 'instances.0.bill_length_mm'],
      [
        { ...PENGUIN, island: 'Mars' },
        "instances.0.island: 'Mars' is not one of",
      ],
      [{ ...PENGUIN, x: 1 }, 'instances.0.x: is not an input of this model'],
    ];
    for (const [record, message] of cases) {
      const res = await request(server)
        .post(at('penguins', '/predict'))
        .set('Authorization', auth)
        .send({ instances: [PENGUIN, record] });
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringContaining(
          message.replace('instances.0', 'instances.1'),
        ),
      });
    }
    expect(engine.predict).not.toHaveBeenCalled();

    // Missing values (null) are imputed as in training: accepted.
    const ok = await request(server)
      .post(at('penguins', '/predict'))
      .set('Authorization', auth)
      .send({ instances: [{ ...PENGUIN, sex: null }] });
    expect(ok.status).toBe(200);
    expect(ok.body.predictions[0]).toMatchObject({ value: 'Gentoo' });
    // The signature of the served version, and the spec rides along.
    expect(engine.getModelSignature).toHaveBeenCalledWith(expect.anything(), 2);
    expect(engine.predict).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/penguins',
        system: expect.objectContaining({
          source: './ml-system.yaml',
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        }),
      }),
      [{ ...PENGUIN, sex: null }],
      undefined,
    );
  });

  it('GET versions/:version/signature: 200 with the signature, 404 without one, 400 for a bad version', async () => {
    const { server, signature } = await app();
    const ok = await request(server)
      .get(at('penguins', '/versions/2/signature'))
      .set('Authorization', auth);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(signature);
    expect(ok.body.outputs.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const alias = await request(server)
      .get(at('penguins', '/model-versions/2/signature'))
      .set('Authorization', auth);
    expect(alias.body).toEqual(signature);
    const none = await request(server)
      .get(at('penguins', '/versions/9/signature'))
      .set('Authorization', auth);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('version 9 has no signature');
    await request(server)
      .get(at('penguins', '/versions/x/signature'))
      .set('Authorization', auth)
      .expect(400);
  });

  it('governance comes from the spec: gate, task, four eyes; pre-approval only when platform and spec allow it', async () => {
    const strict = await app({ preApprove: false, fourEyes: false });
    const bc = await request(strict.server)
      .get(at('breast-cancer', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(bc.body).toEqual({
      qualityGate: {
        metric: 'auc',
        comparison: 'GreaterThanOrEqualTo',
        threshold: 0.95,
      },
      task: 'binary',
      approval: { preApprove: false, fourEyes: false },
      // no deployment section: all at once
      deployment: {
        trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      },
    });
    // The penguins spec asks for four eyes; the platform's fourEyes: false does not forbid it.
    const fourEyes = await request(strict.server)
      .get(at('penguins', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(fourEyes.body.approval).toEqual({ preApprove: false, fourEyes: true });
    // ... and rolls out as a 20 % canary with automatic rollback.
    expect(fourEyes.body.deployment).toEqual({
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 300,
        canarySize: { type: 'CAPACITY_PERCENT', value: 20 },
      },
      autoRollback: {
        errorRate: 0.05,
        p99LatencyMs: 500,
        predictionDrift: 0.5,
        minInvocations: 20,
      },
    });
    // The spec asks for pre-approval, the platform does not allow it.
    const pre = await request(strict.server)
      .get(at('preapproved', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(pre.body.approval.preApprove).toBe(false);

    const open = await app({ preApprove: true, fourEyes: false });
    const allowed = await request(open.server)
      .get(at('preapproved', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(allowed.body).toMatchObject({
      qualityGate: { metric: 'accuracy', threshold: 0.9 },
      task: 'multiclass',
      // a copy of the penguins spec: it keeps the four-eyes rule
      approval: { preApprove: true, fourEyes: true },
    });
    // The platform allows it, this spec does not ask: no pre-approval, and a run asking for it is refused.
    const penguins = await request(open.server)
      .get(at('penguins', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(penguins.body.approval.preApprove).toBe(false);
    const refused = await request(open.server)
      .post(at('penguins', '/runs'))
      .set('Authorization', auth)
      .send({ parameters: { ModelApprovalStatus: 'Approved' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      "the spec's approval.preApprove",
    );
    expect(open.engine.startExecution).not.toHaveBeenCalled();

    // Without a spec: the configured gate, as an mse gate.
    const plain = await request(open.server)
      .get(at('abalone-age-predictor', '/governance'))
      .set('Authorization', auth)
      .expect(200);
    expect(plain.body).toEqual({
      qualityGate: {
        metric: 'mse',
        comparison: 'LessThanOrEqualTo',
        threshold: 5.5,
      },
      approval: { preApprove: true, fourEyes: false },
      deployment: {
        trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
      },
    });
  });

  it('an invalid spec is a 422 naming the field, and no engine call is made', async () => {
    const { server, engine } = await app({ preApprove: true });
    for (const [method, p, body] of [
      ['get', '/governance', undefined],
      ['get', '/spec', undefined],
      ['post', '/runs', {}],
      ['post', '/predict', { instances: [PENGUIN] }],
    ] as const) {
      const req = request(server)
        [method](at('broken', p))
        .set('Authorization', auth);
      const res = await (body ? req.send(body) : req);
      expect({ p, status: res.status }).toEqual({ p, status: 422 });
      expect(res.body.error.name).toBe('SpecValidationError');
      expect(res.body.error.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'spec.gate.comparison' }),
        ]),
      );
    }
    expect(engine.startExecution).not.toHaveBeenCalled();
    expect(engine.listDeployments).not.toHaveBeenCalled();
    expect(engine.predict).not.toHaveBeenCalled();
  });

  it('an entity without a spec still reads (its /spec is a 404 naming the annotation)', async () => {
    const { server } = await app();
    const res = await request(server)
      .get(at('abalone-age-predictor', '/spec'))
      .set('Authorization', auth);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('mlops.io/spec');
  });

  it('the public route checks records the same way, and hides a broken spec behind a 503', async () => {
    const { server, engine } = await app();
    const bad = await request(server)
      .post('/v1/public/endpoints/penguins-endpoint/predict')
      .send({ instances: [{ ...PENGUIN, flipper_length_mm: 999 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      'instances.0.flipper_length_mm: must be in [150, 250], got 999',
    );
    const ok = await request(server)
      .post('/v1/public/endpoints/penguins-endpoint/predict')
      .send({ instances: [PENGUIN] });
    expect(ok.status).toBe(200);
    expect(engine.predict).toHaveBeenCalledWith(
      expect.objectContaining({ system: expect.anything() }),
      [PENGUIN],
      { source: 'public' },
    );
    engine.predict.mockClear();
    const broken = await request(server)
      .post('/v1/public/endpoints/broken-endpoint/predict')
      .send({ instances: [PENGUIN] });
    expect(broken.status).toBe(503);
    expect(broken.body.error.problems).toBeUndefined();
    expect(JSON.stringify(broken.body)).not.toContain('spec.gate');
    expect(engine.predict).not.toHaveBeenCalled();
  });
});
