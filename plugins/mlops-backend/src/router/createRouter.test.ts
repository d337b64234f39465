import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ListResponse } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import express from 'express';
import request from 'supertest';
import { MlopsAccess } from '../service/access';
import { MlopsService } from '../service/MlopsService';
import { ENTITY_REF, GUEST, testEntities } from '../__testUtils__/fixtures';
import { createRouter } from './createRouter';

const path = (p: string) =>
  `/v1/entity/default/component/abalone-age-predictor${p}`;

/** Writes record their calls; a 415 must reach none of them. */
function fakeEngine() {
  return {
    type: 'fake',
    listDeployments: async () => {
      throw new Error('socket hang up at /srv/secret.js:12');
    },
    startExecution: jest.fn(async () => ({ executionId: 'e-1' })),
    retryExecution: jest.fn(async () => ({ executionId: 'e-2' })),
    // A retry's parameters are checked against the gate before it starts.
    getExecution: jest.fn(async () => ({ executionId: 'e-1', parameters: {} })),
    stopExecution: jest.fn(async () => ({ executionId: 'e-1' })),
    updateModelApproval: jest.fn(async () => ({ version: 1 })),
    predict: jest.fn(async () => ({ predictions: [] })),
    listModelVersions: jest.fn(
      async (_r: unknown, _o?: object): Promise<ListResponse<unknown>> => ({
        items: [],
      }),
    ),
  };
}

async function app(
  config: object = {},
  engine: MlopsEngine = fakeEngine() as unknown as MlopsEngine,
) {
  const catalog = catalogServiceMock({ entities: testEntities });
  const service = new MlopsService({
    engine,
    access: new MlopsAccess({
      catalog,
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
    }),
    catalog,
    auth: mockServices.auth(),
  });
  const router = await createRouter({
    service,
    httpAuth: mockServices.httpAuth(),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig({ data: config }),
  });
  return express().use(router);
}

describe('createRouter', () => {
  it('never sends stack traces, even when built in development mode', async () => {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    let server: express.Express;
    try {
      server = await app();
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    const auth = mockCredentials.user.header(GUEST);
    const bad = await request(server)
      .post(path('/predict'))
      .set('Authorization', auth)
      .send({ instances: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.stack).toBeUndefined();
    const failed = await request(server)
      .get(path('/deployments'))
      .set('Authorization', auth);
    expect(failed.status).toBe(500);
    expect(failed.body.error.stack).toBeUndefined();
    expect(JSON.stringify(failed.body)).not.toContain('secret');
  });

  it('an engine from before signatures: the signature route is 501, predictions pass to its own check', async () => {
    const engine = {
      ...fakeEngine(),
      listDeployments: async () => ({
        endpoint: {
          endpointName: 'abalone-endpoint',
          status: 'InService',
          modelVersion: 1,
        },
        deployments: [],
      }),
    };
    const server = await app({}, engine as unknown as MlopsEngine);
    const auth = mockCredentials.user.header(GUEST);
    const sig = await request(server)
      .get(path('/versions/1/signature'))
      .set('Authorization', auth);
    expect(sig.status).toBe(501);
    expect(sig.body.error.message).toMatch(/does not report model signatures/);
    await request(server)
      .post(path('/predict'))
      .set('Authorization', auth)
      .send({ instances: [{ x: 1 }] })
      .expect(200);
    expect(engine.predict).toHaveBeenCalledWith(
      expect.objectContaining({ endpointName: 'abalone-endpoint' }),
      [{ x: 1 }],
      undefined,
    );
  });

  it('does not serve the public route when mlops.publicApi.enabled is false', async () => {
    const server = await app({ mlops: { publicApi: { enabled: false } } });
    await request(server)
      .post('/v1/public/endpoints/abalone-endpoint/predict')
      .send({})
      .expect(404);
    expect(ENTITY_REF).toContain('abalone-age-predictor');
  });

  it('does not serve the public route unless enabled', async () => {
    const server = await app();
    const res = await request(server)
      .post('/v1/public/endpoints/abalone-endpoint/predict')
      .send({});
    expect(res.status).toBe(404);
  });

  it('rate-limits the public route per client: 429 with Retry-After after max requests', async () => {
    const server = await app({
      mlops: {
        publicApi: {
          enabled: true,
          rateLimit: { windowSeconds: 30, max: 2 },
        },
      },
    });
    const url = '/v1/public/endpoints/abalone-endpoint/predict';
    // Bad bodies count too: the limit guards the route, not the engine.
    await request(server).post(url).send({ instances: [] }).expect(400);
    await request(server).post(url).send({ instances: [] }).expect(400);
    const limited = await request(server)
      .post(url)
      .send({ instances: [] })
      .expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(limited.body.error.name).toBe('TooManyRequestsError');
  });

  it('refuses a bad rate limit config at start-up', async () => {
    await expect(
      app({
        mlops: { publicApi: { enabled: true, rateLimit: { max: 0 } } },
      }),
    ).rejects.toThrow('mlops.publicApi.rateLimit');
  });

  const jsonRoutes = [
    [path('/runs'), 'startExecution'],
    [path('/runs/e-1/retry'), 'retryExecution'],
    [path('/runs/e-1/stop'), 'stopExecution'],
    [path('/model-versions/1/approval'), 'updateModelApproval'],
    [path('/predict'), 'predict'],
    ['/v1/public/endpoints/abalone-endpoint/predict', 'predict'],
  ] as const;

  it.each(jsonRoutes)(
    'answers 415 to a form-encoded body on POST %s and calls nothing',
    async (route, method) => {
      const engine = fakeEngine();
      const server = await app(
        { mlops: { publicApi: { enabled: true } } },
        engine as unknown as MlopsEngine,
      );
      const res = await request(server)
        .post(route)
        .set('Authorization', mockCredentials.user.header(GUEST))
        .type('form')
        .send('displayName=x&status=Approved')
        .expect(415);
      expect(res.body.error).toMatchObject({
        name: 'UnsupportedMediaTypeError',
      });
      expect(res.body.error.message).toContain('application/json');
      expect(res.body.error.message).toContain(
        'application/x-www-form-urlencoded',
      );
      expect(engine[method]).not.toHaveBeenCalled();
    },
  );

  it('still accepts a JSON body, and an empty POST without a type', async () => {
    const engine = fakeEngine();
    const server = await app(
      { mlops: { publicApi: { enabled: true } } },
      engine as unknown as MlopsEngine,
    );
    const auth = mockCredentials.user.header(GUEST);
    await request(server)
      .post(path('/runs'))
      .set('Authorization', auth)
      .send({ displayName: 'json run' })
      .expect(202);
    await request(server)
      .post(path('/runs/e-1/retry'))
      .set('Authorization', auth)
      .expect(202);
    expect(engine.startExecution).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ displayName: 'json run', trigger: 'manual' }),
    );
    expect(engine.retryExecution).toHaveBeenCalledTimes(1);
  });

  it('pages model versions: limit 1..200 (default 50), tokens passed on', async () => {
    const engine = fakeEngine();
    engine.listModelVersions.mockImplementation(async () => ({
      items: [],
      nextToken: 'n',
    }));
    const server = await app(
      { mlops: { publicApi: { enabled: true } } },
      engine as unknown as MlopsEngine,
    );
    const auth = mockCredentials.user.header(GUEST);
    const res = await request(server)
      .get(path('/model-versions'))
      .set('Authorization', auth)
      .expect(200);
    expect(res.body).toEqual({ items: [], nextToken: 'n' });
    await request(server)
      .get(path('/model-versions?limit=200&nextToken=abc'))
      .set('Authorization', auth)
      .expect(200);
    expect(engine.listModelVersions.mock.calls.map(c => c[1])).toEqual([
      { limit: 50, nextToken: undefined },
      { limit: 200, nextToken: 'abc' },
    ]);
    for (const q of ['limit=0', 'limit=201', 'limit=x', 'nextToken=']) {
      const bad = await request(server)
        .get(path(`/model-versions?${q}`))
        .set('Authorization', auth)
        .expect(400);
      expect(bad.body.error.message).toMatch(/limit|nextToken/);
    }
    expect(engine.listModelVersions).toHaveBeenCalledTimes(2);
  });
});

describe('errors an engine could not avoid reach the response', () => {
  // What the aws engine raises (awsErrors.ts) when AWS refuses or throttles a read.
  const refused = new NotAllowedError(
    'AWS refused sagemaker:DescribeModelPackage (AccessDeniedException); check the IAM policy of the Backstage backend',
  );
  const throttled = new ServiceUnavailableError(
    'AWS sagemaker:DescribeEndpoint is throttled or unavailable (ThrottlingException); try again shortly',
  );

  /** An engine whose newest page does not hold the served version 1. */
  function summaryEngine(getModelVersion: () => Promise<unknown>) {
    return {
      ...fakeEngine(),
      listExecutions: async () => ({ items: [] }),
      listModelVersions: jest.fn(async () => ({
        items: [{ version: 2, deployed: false, approvalStatus: 'Approved' }],
        nextToken: 'n',
      })),
      listDeployments: async () => ({
        endpoint: { endpointName: 'e', status: 'InService', modelVersion: 1 },
        deployments: [],
      }),
      getModelVersion: jest.fn(getModelVersion),
    } as unknown as MlopsEngine;
  }

  it('summary: a registry that refuses the served version is a 403 with the reason, not "none deployed"', async () => {
    const auth = mockCredentials.user.header(GUEST);
    const denied = await request(
      await app(
        {},
        summaryEngine(() => Promise.reject(refused)),
      ),
    )
      .get(path('/summary'))
      .set('Authorization', auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(refused.message);

    const busy = await request(
      await app(
        {},
        summaryEngine(() => Promise.reject(throttled)),
      ),
    )
      .get(path('/summary'))
      .set('Authorization', auth);
    expect(busy.status).toBe(503);
    expect(busy.body.error.message).toBe(throttled.message);

    // a served version the registry no longer has: no deployed version, still 200
    const gone = await request(
      await app(
        {},
        summaryEngine(() =>
          Promise.reject(new NotFoundError('no version 1 in the group')),
        ),
      ),
    )
      .get(path('/summary'))
      .set('Authorization', auth)
      .expect(200);
    expect(gone.body.deployedVersion).toBeUndefined();
    expect(gone.body.endpoint.modelVersion).toBe(1);
  });

  it('model versions: refused and throttled reads answer 403 and 503 with the reason', async () => {
    const auth = mockCredentials.user.header(GUEST);
    for (const [error, status] of [
      [refused, 403],
      [throttled, 503],
    ] as const) {
      const engine = fakeEngine();
      engine.listModelVersions.mockRejectedValue(error);
      const res = await request(await app({}, engine as unknown as MlopsEngine))
        .get(path('/model-versions'))
        .set('Authorization', auth);
      expect(res.status).toBe(status);
      expect(res.body.error.message).toBe(error.message);
    }
  });
});
