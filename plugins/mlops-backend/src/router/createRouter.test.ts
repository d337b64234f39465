import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { MlopsAccess } from '../service/access';
import { ENTITY_REF, GUEST, testEntities } from '../__testUtils__/fixtures';
import { createRouter } from './createRouter';

const path = (p: string) =>
  `/v1/entity/default/component/abalone-age-predictor${p}`;

async function app(config: object = {}) {
  const catalog = catalogServiceMock({ entities: testEntities });
  const engine = {
    type: 'fake',
    listDeployments: async () => {
      throw new Error('socket hang up at /srv/secret.js:12');
    },
  } as unknown as MlopsEngine;
  const router = await createRouter({
    engine,
    access: new MlopsAccess({
      catalog,
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
    }),
    catalog,
    httpAuth: mockServices.httpAuth(),
    auth: mockServices.auth(),
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
});
