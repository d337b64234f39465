import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { PREDICTION_SOURCE_HEADER } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { createRouter } from '../router/createRouter';
import { GUEST, testEntities } from '../__testUtils__/fixtures';
import { MlopsAccess } from './access';
import { MlopsService } from './MlopsService';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../__testUtils__/demoSystems';
import { demoSignature, servingEngineParts } from '../__testUtils__/signatures';

async function setup() {
  const predict = jest.fn(async () => ({
    predictions: [{ rings: 9, age: 10.5 }],
    modelVersion: 1,
    endpointName: 'abalone-endpoint',
  }));
  const catalog = catalogServiceMock({ entities: testEntities });
  const service = new MlopsService({
    engine: {
      type: 'fake',
      predict,
      ...servingEngineParts(demoSignature('abalone')),
    } as unknown as MlopsEngine,
    access: new MlopsAccess({
      catalog,
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
    }),
    catalog,
    auth: mockServices.auth(),
  });
  const server = express().use(
    await createRouter({
      service,
      httpAuth: mockServices.httpAuth(),
      logger: mockServices.logger.mock(),
      config: mockServices.rootConfig({ data: {} }),
    }),
  );
  return { predict, server };
}

const PREDICT = '/v1/entity/default/component/abalone-age-predictor/predict';

describe('prediction source', () => {
  it("tags the portal widget's predictions for monitoring; other callers stay untagged", async () => {
    const { predict, server } = await setup();
    const auth = mockCredentials.user.header(GUEST);
    await request(server)
      .post(PREDICT)
      .set('Authorization', auth)
      .set(PREDICTION_SOURCE_HEADER, 'portal')
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(200);
    await request(server)
      .post(PREDICT)
      .set('Authorization', auth)
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(200);
    expect(predict.mock.calls.map(c => (c as unknown[])[2])).toEqual([
      { source: 'portal' },
      undefined,
    ]);
  });

  it('refuses any other source (400 naming the header), without echoing it', async () => {
    const { predict, server } = await setup();
    const res = await request(server)
      .post(PREDICT)
      .set('Authorization', mockCredentials.user.header(GUEST))
      .set(PREDICTION_SOURCE_HEADER, 'public<script>')
      .send({ instances: [EXAMPLE_ABALONE] })
      .expect(400);
    expect(res.body.error.message).toBe(
      `${PREDICTION_SOURCE_HEADER}: must be "portal" when given`,
    );
    expect(predict).not.toHaveBeenCalled();
  });
});
