import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  type MlopsResources,
  type ModelVersion,
  type PipelineExecution,
} from '@mlops-portal/plugin-mlops-common';
import {
  type MlopsEngine,
  type MlopsEngineEvent,
} from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import { Readable } from 'stream';
import request from 'supertest';
import { DatasetValidationError } from './errors';
import { mlopsPlugin } from './plugin';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from './__testUtils__/demoSystems';
import { demoSignature, servingEngineParts } from './__testUtils__/signatures';
import {
  ENTITY_PATH,
  ENTITY_REF,
  GUEST,
  OWNER_GROUP,
  VIEWER,
  ownershipPermissions,
  testEntities,
} from './__testUtils__/fixtures';

/** A small in-memory engine double: enough state to see what the router did. */
function createFakeEngine() {
  const executions: PipelineExecution[] = [];
  const versions: ModelVersion[] = [
    {
      modelPackageGroupName: 'AbaloneModelPackageGroup',
      version: 1,
      modelPackageArn: 'local:model-package/AbaloneModelPackageGroup/1',
      approvalStatus: 'PendingManualApproval',
      createdAt: '2026-11-26T00:00:00.000Z',
      metrics: { mse: 4.9 },
      approvalHistory: [],
      deployed: false,
    },
  ];
  const listeners = new Set<(e: MlopsEngineEvent) => void>();
  const seen: MlopsResources[] = [];
  const engine: MlopsEngine & { subscribe: any } = {
    type: 'fake',
    listExecutions: jest.fn(
      async (r: MlopsResources, o?: { limit?: number }) => {
        seen.push(r);
        return { items: executions.slice(0, o?.limit ?? 50) };
      },
    ),
    getExecution: jest.fn(async (_r, id: string) => {
      const e = executions.find(x => x.executionId === id);
      if (!e) throw new NotFoundError(`execution ${id} not found`);
      return { ...e, steps: [] };
    }),
    startExecution: jest.fn(async (r, o) => {
      const e: PipelineExecution = {
        executionId: `exec-${executions.length + 1}`,
        pipelineName: r.pipelineName,
        status: 'Executing',
        trigger: o.trigger,
        triggeredBy: o.actor.ref,
        parameters: (o.parameters ?? {}) as any,
        createdAt: new Date().toISOString(),
      };
      executions.unshift(e);
      return e;
    }),
    retryExecution: jest.fn(async () => {
      throw new ConflictError(
        'only failed or stopped executions can be retried',
      );
    }),
    stopExecution: jest.fn(async (_r, id: string) => {
      throw new NotFoundError(`execution ${id} not found`);
    }),
    getReleaseState: jest.fn(async () => undefined),
    listModelVersions: jest.fn(async () => ({ items: versions })),
    getModelVersion: jest.fn(async (_r, v: number) => {
      const found = versions.find(x => x.version === v);
      if (!found) throw new NotFoundError(`version ${v} not found`);
      return found;
    }),
    updateModelApproval: jest.fn(async (_r, v: number, o) => {
      const found = versions.find(x => x.version === v);
      if (!found) throw new NotFoundError(`version ${v} not found`);
      found.approvalStatus = o.status;
      found.approvalHistory.push({
        status: o.status,
        by: o.actor.ref,
        at: 'now',
        comment: o.comment,
      });
      found.deployed = o.status === 'Approved';
      return found;
    }),
    // Serves version 1, whose signature the service checks records against.
    ...servingEngineParts(demoSignature('abalone')),
    uploadDataset: jest.fn(async () => {
      throw new DatasetValidationError('abalone.csv: 1 row error(s)', [
        { row: 3, column: 'length', value: 'abc', reason: 'not a number' },
      ]);
    }),
    predict: jest.fn(async (r, instances) => {
      if (instances.length > 2)
        throw new ServiceUnavailableError('nothing deployed');
      return {
        predictions: instances.map(() => ({ value: 9.5, rings: 9.5, age: 11 })),
        modelVersion: 1,
        endpointName: r.endpointName,
      };
    }),
    subscribe: (l: (e: MlopsEngineEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    engine,
    executions,
    versions,
    seen,
    emit: (e: MlopsEngineEvent) => listeners.forEach(l => l(e)),
  };
}

describe('mlops backend plugin (router over an engine double)', () => {
  let server: any;
  let fake: ReturnType<typeof createFakeEngine>;
  const auditEvents: Array<{ eventId: string; outcome: string; meta?: any }> =
    [];
  const notifications = { send: jest.fn(async () => {}) };
  const signals = { publish: jest.fn(async () => {}) };
  const actionsRegistry = actionsRegistryServiceMock();

  beforeAll(async () => {
    fake = createFakeEngine();
    const auditor = mockServices.auditor.mock({
      createEvent: async ({ eventId, meta }) => ({
        success: async () =>
          void auditEvents.push({ eventId, outcome: 'success', meta }),
        fail: async () =>
          void auditEvents.push({ eventId, outcome: 'fail', meta }),
      }),
    });
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        createTestEngineModule({ type: 'fake', engine: () => fake.engine }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => notifications,
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => signals,
        }),
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => actionsRegistry,
        }),
        catalogServiceMock.factory({ entities: testEntities }),
        mockServices.permissions.mock(ownershipPermissions()).factory,
        auditor.factory,
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              engine: 'fake',
              publicApi: {
                enabled: true,
                cors: { origins: ['http://localhost:3001'] },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
  });

  // Undo a test's engine overrides: the engine double lives for the suite.
  const afterThis: Array<() => void> = [];
  beforeEach(() => {
    auditEvents.length = 0;
    jest.clearAllMocks();
  });
  afterEach(() => {
    afterThis.splice(0).forEach(undo => undo());
  });

  const asGuest = mockCredentials.user.header(GUEST);
  const asViewer = mockCredentials.user.header(VIEWER);

  it('serves /health without credentials and refuses entity routes without them', async () => {
    await request(server)
      .get('/api/mlops/health')
      .expect(200, { status: 'ok' });
    const res = await request(server).get(`${ENTITY_PATH}/runs`);
    expect(res.status).toBe(401);
  });

  it('lists runs of the entity with the resources named by its annotations', async () => {
    await request(server)
      .get(`${ENTITY_PATH}/runs`)
      .set('Authorization', asGuest)
      .expect(200, { items: [] });
    expect(fake.seen.at(-1)).toEqual({
      entityRef: ENTITY_REF,
      pipelineName: 'abalone-pipeline',
      modelPackageGroupName: 'AbaloneModelPackageGroup',
      endpointName: 'abalone-endpoint',
      releasePipelineName: 'abalone-release',
      region: undefined,
      awsAccountId: undefined,
    });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=101', 'limit'],
  ])('rejects bad list query %s naming the parameter', async (query, field) => {
    const res = await request(server)
      .get(`${ENTITY_PATH}/runs?${query}`)
      .set('Authorization', asGuest)
      .expect(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toContain(field);
  });

  it('returns 404 for an unknown entity and 400 for one without MLOps annotations', async () => {
    const missing = await request(server)
      .get('/api/mlops/v1/entity/default/component/nope/runs')
      .set('Authorization', asGuest)
      .expect(404);
    expect(missing.body.error.name).toBe('NotFoundError');
    const plain = await request(server)
      .get('/api/mlops/v1/entity/default/component/plain-service/runs')
      .set('Authorization', asGuest)
      .expect(400);
    expect(plain.body.error.message).toContain('mlops.io/pipeline');
  });

  it('starts a run as an owner: 202, actor and trigger recorded, audited', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/runs`)
      .set('Authorization', asGuest)
      .send({ parameters: { MaxDepth: 4, Eta: 0.3 }, displayName: 'tuning' })
      .expect(202);
    expect(res.body).toMatchObject({
      executionId: expect.any(String),
      status: 'Executing',
      triggeredBy: GUEST,
    });
    expect(fake.engine.startExecution).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: ENTITY_REF }),
      expect.objectContaining({
        trigger: 'manual',
        actor: { ref: GUEST },
        parameters: { MaxDepth: 4, Eta: 0.3 },
      }),
    );
    expect(auditEvents).toEqual([
      expect.objectContaining({
        eventId: 'pipeline-execution-start',
        outcome: 'success',
      }),
    ]);
  });

  it.each([
    [{ foo: 1 }, 'unknown field(s) foo'],
    [{ parameters: { MaxDepth: '5' } }, 'parameters.MaxDepth'],
    [
      { parameters: { MaxDepth: 2.5 } },
      'parameters.MaxDepth must be an integer',
    ],
    [{ parameters: { Eta: 7 } }, 'parameters.Eta must be ≤ 1'],
    [{ parameters: { Bogus: 1 } }, 'unknown field(s) Bogus'],
    [{ displayName: 42 }, 'displayName'],
  ])(
    'rejects start body %j with a message naming the field',
    async (body, message) => {
      const before = fake.executions.length;
      const res = await request(server)
        .post(`${ENTITY_PATH}/runs`)
        .set('Authorization', asGuest)
        .send(body)
        .expect(400);
      expect(res.body.error.message).toContain(message);
      expect(fake.executions.length).toBe(before);
      expect(auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'pipeline-execution-start',
          outcome: 'fail',
        }),
      ]);
    },
  );

  it('rejects malformed JSON with 400', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/runs`)
      .set('Authorization', asGuest)
      .set('Content-Type', 'application/json')
      .send('{"parameters": ')
      .expect(400);
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it('refuses writes to a non-owner with 403, audits the refusal and never calls the engine', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/model-versions/1/approval`)
      .set('Authorization', asViewer)
      .send({ status: 'Approved', comment: 'ship it' })
      .expect(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(fake.engine.updateModelApproval).not.toHaveBeenCalled();
    expect(auditEvents).toEqual([
      expect.objectContaining({ eventId: 'model-approval', outcome: 'fail' }),
    ]);
    await request(server)
      .post(`${ENTITY_PATH}/runs`)
      .set('Authorization', asViewer)
      .send({})
      .expect(403);
    expect(fake.engine.startExecution).not.toHaveBeenCalled();
  });

  it('lets an owner approve; the engine gets the actor and comment', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/model-versions/1/approval`)
      .set('Authorization', asGuest)
      .send({ status: 'Approved', comment: 'MSE fine' })
      .expect(200);
    expect(res.body).toMatchObject({
      version: 1,
      approvalStatus: 'Approved',
      deployed: true,
    });
    expect(fake.engine.updateModelApproval).toHaveBeenCalledWith(
      expect.anything(),
      1,
      {
        status: 'Approved',
        comment: 'MSE fine',
        actor: { ref: GUEST },
        // resolved by the service: no spec, no override → all at once
        deployment: {
          trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
        },
      },
    );
    expect(auditEvents).toEqual([
      expect.objectContaining({
        eventId: 'model-approval',
        outcome: 'success',
        meta: expect.objectContaining({ version: 1 }),
      }),
    ]);
  });

  it.each([
    ['abc', { status: 'Approved', comment: 'x' }, 400, 'version'],
    ['0', { status: 'Approved', comment: 'x' }, 400, 'version'],
    ['1.5', { status: 'Approved', comment: 'x' }, 400, 'version'],
    [
      '1',
      { status: 'Maybe', comment: 'x' },
      400,
      'status must be "Approved" or "Rejected"',
    ],
    ['1', { status: 'Approved' }, 400, 'comment'],
    ['1', { status: 'Approved', comment: '   ' }, 400, 'comment is required'],
    [
      '1',
      { status: 'Approved', comment: 'x', extra: true },
      400,
      'unknown field(s) extra',
    ],
    ['99', { status: 'Approved', comment: 'x' }, 404, 'version 99 not found'],
  ])(
    'approval of version %s with %j → %i',
    async (version, body, status, message) => {
      const res = await request(server)
        .post(`${ENTITY_PATH}/model-versions/${version}/approval`)
        .set('Authorization', asGuest)
        .send(body)
        .expect(status);
      expect(res.body.error.message).toContain(message);
    },
  );

  it('maps engine conflicts and unknown runs to 409 and 404', async () => {
    await request(server)
      .post(`${ENTITY_PATH}/runs/exec-1/retry`)
      .set('Authorization', asGuest)
      .expect(409);
    const res = await request(server)
      .post(
        `${ENTITY_PATH}/runs/${encodeURIComponent(
          'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/x',
        )}/stop`,
      )
      .set('Authorization', asGuest)
      .expect(404);
    expect(res.body.error.message).toContain(
      'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/x',
    );
    await request(server)
      .get(`${ENTITY_PATH}/runs/nope`)
      .set('Authorization', asGuest)
      .expect(404);
  });

  it('hides unexpected engine failures behind a safe 500', async () => {
    const serving = fake.engine.listDeployments;
    // Simulates an SDK failure carrying internals that must not leak.
    fake.engine.listDeployments = jest.fn(async () => {
      throw new Error(
        'connect ECONNREFUSED 10.0.0.7:443 at /secret/path/client.js',
      );
    });
    const res = await request(server)
      .get(`${ENTITY_PATH}/deployments`)
      .set('Authorization', asGuest)
      .expect(500);
    fake.engine.listDeployments = serving;
    expect(res.body.error.message).not.toMatch(
      /ECONNREFUSED|secret|10\.0\.0\.7/,
    );
    expect(res.body.error.stack).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('/secret/path');
  });

  it('validates predict bodies field by field', async () => {
    const ok = await request(server)
      .post(`${ENTITY_PATH}/predict`)
      .set('Authorization', asViewer)
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(200);
    expect(ok.body).toEqual({
      predictions: [{ value: 9.5, rings: 9.5, age: 11 }],
      modelVersion: 1,
      endpointName: 'abalone-endpoint',
    });

    const cases: Array<[unknown, string]> = [
      // Checked against the deployed version's signature, naming the field.
      [
        { instances: [{ ...EXAMPLE_ABALONE, length: 5 }] },
        'instances.0.length: must be in [0, 1], got 5',
      ],
      [
        { instances: [{ ...EXAMPLE_ABALONE, length: 'long' }] },
        'instances.0.length: must be a number',
      ],
      [
        { instances: [{ ...EXAMPLE_ABALONE, sex: 'X' }] },
        "instances.0.sex: 'X' is not one of M, F, I",
      ],
      [
        { instances: [{ ...EXAMPLE_ABALONE, colour: 'red' }] },
        'instances.0.colour: is not an input of this model',
      ],
      [{ instances: [{ sex: 'M' }] }, 'instances.0.length: is missing'],
      [{ instances: [] }, 'instances must hold at least one item'],
      [{}, 'instances'],
      [[EXAMPLE_ABALONE], 'JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await request(server)
        .post(`${ENTITY_PATH}/predict`)
        .set('Authorization', asGuest)
        .send(body as any);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringContaining(message),
      });
    }
    expect(fake.engine.predict).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when the engine has nothing deployed', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/predict`)
      .set('Authorization', asGuest)
      .send({ instances: [EXAMPLE_ABALONE, EXAMPLE_ABALONE, EXAMPLE_ABALONE] })
      .expect(503);
    expect(res.body.error.name).toBe('ServiceUnavailableError');
  });

  it('refuses oversized JSON bodies with 413', async () => {
    const big = {
      instances: Array.from({ length: 5000 }, () => EXAMPLE_ABALONE),
    };
    const res = await request(server)
      .post(`${ENTITY_PATH}/predict`)
      .set('Authorization', asGuest)
      .send(big)
      .expect(413);
    expect(res.body.error.message).toContain('256kb');
    expect(fake.engine.predict).not.toHaveBeenCalled();
  });

  it('passes CSV row errors through as error.rowErrors', async () => {
    const res = await request(server)
      .post(`${ENTITY_PATH}/datasets?fileName=abalone.csv`)
      .set('Authorization', asGuest)
      .set('Content-Type', 'text/csv')
      .send(
        'M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\nM,abc,0.3,0.1,0.5,0.2,0.1,0.15,9\n',
      )
      .expect(400);
    expect(res.body.error.rowErrors).toEqual([
      { row: 3, column: 'length', value: 'abc', reason: 'not a number' },
    ]);
    expect(fake.engine.uploadDataset).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({
        fileName: 'abalone.csv',
        actor: { ref: GUEST },
        // Streamed to the engine, never buffered by the router.
        content: expect.any(Readable),
        sizeBytes: 66,
      }),
    );
  });

  it.each([
    ['?fileName=../etc/passwd', 'text/csv', 'a,b', 'fileName'],
    ['?fileName=.hidden', 'text/csv', 'a,b', 'fileName'],
    ['', 'application/json', '{"a":1}', 'text/csv'],
    ['', 'text/csv', '', 'empty'],
  ])(
    'rejects uploads %s (%s) before they reach the engine',
    async (query, type, body, message) => {
      const res = await request(server)
        .post(`${ENTITY_PATH}/datasets${query}`)
        .set('Authorization', asGuest)
        .set('Content-Type', type)
        .send(body)
        .expect(400);
      expect(res.body.error.message).toContain(message);
      expect(fake.engine.uploadDataset).not.toHaveBeenCalled();
    },
  );

  it('refuses uploads from non-owners', async () => {
    await request(server)
      .post(`${ENTITY_PATH}/datasets`)
      .set('Authorization', asViewer)
      .set('Content-Type', 'text/csv')
      .send('M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n')
      .expect(403);
    expect(fake.engine.uploadDataset).not.toHaveBeenCalled();
  });

  it('serves the public predict route without credentials, only for catalog endpoints, with CORS', async () => {
    const ok = await request(server)
      .post('/api/mlops/v1/public/endpoints/abalone-endpoint/predict')
      .set('Origin', 'http://localhost:3001')
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe(
      'http://localhost:3001',
    );
    expect(ok.body.predictions).toHaveLength(1);

    const preflight = await request(server)
      .options('/api/mlops/v1/public/endpoints/abalone-endpoint/predict')
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    await request(server)
      .post('/api/mlops/v1/public/endpoints/other-endpoint/predict')
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(404);
    const bad = await request(server)
      .post('/api/mlops/v1/public/endpoints/abalone-endpoint/predict')
      .send({ instances: [{ ...EXAMPLE_ABALONE, height: -1 }] })
      .expect(400);
    expect(bad.body.error.message).toContain('instances.0.height');
  });

  it('builds the summary from the engine', async () => {
    const serving = fake.engine.listDeployments;
    fake.engine.listDeployments = jest.fn(async () => ({ deployments: [] }));
    afterThis.push(() => {
      fake.engine.listDeployments = serving;
    });
    const res = await request(server)
      .get(`${ENTITY_PATH}/summary`)
      .set('Authorization', asGuest)
      .expect(200);
    expect(res.body).toMatchObject({ entityRef: ENTITY_REF, versionCount: 1 });
    await request(server)
      .get(`${ENTITY_PATH}/release`)
      .set('Authorization', asGuest)
      .expect(200, { stages: null });
  });

  it('publishes a signal for every engine event and notifies owners when a version awaits approval', async () => {
    const resources = { entityRef: ENTITY_REF } as MlopsResources;
    const version = {
      ...fake.versions[0],
      version: 7,
      approvalStatus: 'PendingManualApproval' as const,
    };
    fake.emit({ type: 'model-version', resources, modelVersion: version });
    fake.emit({ type: 'model-version', resources, modelVersion: version }); // repeated: notify once
    fake.emit({ type: 'deployment', resources, version: 7 });
    await new Promise(r => setTimeout(r, 50));
    // Only the owners get the entity's signals (security review finding 8).
    expect(signals.publish).toHaveBeenCalledWith({
      recipients: { type: 'user', entityRef: OWNER_GROUP },
      channel: `mlops:${ENTITY_REF}`,
      message: { type: 'deployment', version: 7 },
    });
    expect(signals.publish).toHaveBeenCalledTimes(3);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: OWNER_GROUP },
      payload: expect.objectContaining({
        title: expect.stringContaining('Model version 7'),
        // deep link: the review panel of that version
        link: '/catalog/default/component/abalone-age-predictor/mlops?version=7',
        description: expect.stringContaining('(test mse 4.900)'),
      }),
    });
  });

  it('notifies owners when a run fails the quality gate', async () => {
    const resources = { entityRef: ENTITY_REF } as MlopsResources;
    fake.emit({
      type: 'execution',
      resources,
      execution: {
        executionId: 'exec-gate',
        pipelineName: 'abalone-pipeline',
        status: 'Failed',
        trigger: 'manual',
        parameters: {},
        createdAt: 'now',
        metrics: { mse: 7.25 },
        failureReason: 'CheckMSE: test MSE 7.25 > 6',
      },
    });
    await new Promise(r => setTimeout(r, 50));
    expect(notifications.send).toHaveBeenCalledWith(
      expect.objectContaining({
        payload: expect.objectContaining({
          title: expect.stringContaining('quality gate'),
          severity: 'high',
        }),
      }),
    );
  });

  it('audits files dropped into the bucket (actor bucket) and tells the owners of a refusal', async () => {
    const resources = {
      entityRef: ENTITY_REF,
      pipelineName: 'abalone-pipeline',
    } as MlopsResources;
    const drop = {
      type: 'dataset-drop' as const,
      resources,
      actor: { ref: 'bucket' },
    };
    fake.emit({
      ...drop,
      fileName: 'good.csv',
      outcome: 'ingested',
      manifestId: 'm-1',
      executionId: 'exec-drop',
    });
    fake.emit({
      ...drop,
      fileName: 'bad.csv',
      outcome: 'rejected',
      message: 'bad.csv: 1 bad row(s), nothing was stored',
      rowErrors: [{ row: 2, column: 'sex', reason: 'unknown sex', value: 'Q' }],
    });
    await new Promise(r => setTimeout(r, 50));
    expect(auditEvents).toEqual([
      {
        eventId: 'dataset-upload',
        outcome: 'success',
        meta: expect.objectContaining({
          fileName: 'good.csv',
          actor: 'bucket',
        }),
      },
      {
        eventId: 'dataset-upload',
        outcome: 'fail',
        meta: expect.objectContaining({ fileName: 'bad.csv', actor: 'bucket' }),
      },
    ]);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: OWNER_GROUP },
      payload: expect.objectContaining({
        title: 'Data file bad.csv was refused',
        severity: 'high',
      }),
    });
    // No UI signal for a drop: the run it starts signals on its own.
    expect(signals.publish).not.toHaveBeenCalled();
  });

  it('registers read and approve actions that apply the same permissions', async () => {
    const { actions } = await actionsRegistry.list();
    expect(actions.map(a => a.name).sort()).toEqual([
      'approve-model-version',
      'control-rollout',
      'get-deployments',
      'get-model-signature',
      'get-rollout',
      'list-model-versions',
      'list-pipeline-executions',
      'predict',
    ]);
    const approve = actions.find(a => a.name === 'approve-model-version')!;
    await expect(
      actionsRegistry.invoke({
        id: approve.id,
        input: {
          entityRef: ENTITY_REF,
          version: 1,
          status: 'Rejected',
          comment: 'no',
        },
        credentials: mockCredentials.user(VIEWER),
      }),
    ).rejects.toThrow(/may not mlops.model.approve/);
    expect(fake.engine.updateModelApproval).not.toHaveBeenCalled();

    const list = actions.find(a => a.name === 'list-model-versions')!;
    const { output } = await actionsRegistry.invoke({
      id: list.id,
      input: { entityRef: ENTITY_REF },
      credentials: mockCredentials.user(VIEWER),
    });
    expect((output as any).items[0]).toMatchObject({ version: 1 });
  });

  it('predict and get-model-signature actions go through the same signature check as the API', async () => {
    const { actions } = await actionsRegistry.list();
    const id = (name: string) => actions.find(a => a.name === name)!.id;
    const signature = await actionsRegistry.invoke({
      id: id('get-model-signature'),
      input: { entityRef: ENTITY_REF },
      credentials: mockCredentials.user(GUEST),
    });
    expect(fake.engine.getModelSignature).toHaveBeenCalledWith(
      expect.objectContaining({ entityRef: ENTITY_REF }),
      1,
    );
    expect((signature.output as any).outputs).toMatchObject({
      task: 'regression',
    });
    await expect(
      actionsRegistry.invoke({
        id: id('predict'),
        input: {
          entityRef: ENTITY_REF,
          instances: [{ ...EXAMPLE_ABALONE, height: 'tall' }],
        },
        credentials: mockCredentials.user(GUEST),
      }),
    ).rejects.toThrow(/instances\.0\.height: must be a number/);
    expect(fake.engine.predict).not.toHaveBeenCalled();
    const { output } = await actionsRegistry.invoke({
      id: id('predict'),
      input: { entityRef: ENTITY_REF, instances: [EXAMPLE_ABALONE] },
      credentials: mockCredentials.user(GUEST),
    });
    expect(output).toMatchObject({ predictions: [{ rings: 9.5, age: 11 }] });
  });
});
