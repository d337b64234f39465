import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  EvaluationPlots,
  MonitoringResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { ENTITY_REF, GUEST, testEntities } from '../__testUtils__/fixtures';
import { MlopsAccess } from '../service/access';
import { MlopsService } from '../service/MlopsService';
import { MonitoringAlerts } from '../service/monitoringAlerts';
import { createRouter } from './createRouter';

const path = (p: string) =>
  `/v1/entity/default/component/abalone-age-predictor${p}`;

const report = (
  window: MonitoringResponse['window'],
  driftStatus: MonitoringResponse['drift']['status'] = 'ok',
): MonitoringResponse => ({
  endpointName: 'abalone-endpoint',
  modelVersion: 3,
  window,
  totals: { invocations: 10, errors4xx: 0, errors5xx: 0, p50Ms: 1.2 },
  traffic: [],
  drift: {
    status: driftStatus,
    sampleCount: 500,
    baselineVersion: 3,
    features: [
      {
        feature: 'length',
        psi: 1.2,
        ks: 0.5,
        status: driftStatus,
        sampleCount: 500,
      },
    ],
  },
});

const plots: EvaluationPlots = {
  format: 'mlops-portal/evaluation-plots',
  version: 1,
  predictedVsActual: { total: 1, points: [{ actual: 9, predicted: 8.5 }] },
  residualHistogram: { bins: [{ lower: 0, upper: 1, count: 1 }] },
  featureImportance: { importanceType: 'gain', features: [] },
};

async function app(engine: Partial<MlopsEngine>) {
  const catalog = catalogServiceMock({ entities: testEntities });
  const service = new MlopsService({
    engine: { type: 'fake', ...engine } as MlopsEngine,
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
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    }),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig(),
  });
  return express().use(router);
}

const auth = mockCredentials.user.header(GUEST);

describe('monitoring routes', () => {
  it('GET /monitoring passes the window (default 1h) and answers the report', async () => {
    const getMonitoring = jest.fn(async (_r: any, o: { window: any }) =>
      report(o.window),
    );
    const server = await app({ getMonitoring });
    const res = await request(server)
      .get(path('/monitoring?window=24h'))
      .set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(report('24h'));
    expect(getMonitoring).toHaveBeenLastCalledWith(
      expect.objectContaining({
        entityRef: ENTITY_REF,
        endpointName: 'abalone-endpoint',
      }),
      { window: '24h' },
    );
    await request(server)
      .get(path('/monitoring'))
      .set('Authorization', auth)
      .expect(200);
    expect(getMonitoring).toHaveBeenLastCalledWith(expect.anything(), {
      window: '1h',
    });
  });

  it('answers 400 naming the field for a bad window, 404 for an unknown entity', async () => {
    const getMonitoring = jest.fn();
    const server = await app({ getMonitoring });
    const bad = await request(server)
      .get(path('/monitoring?window=2h'))
      .set('Authorization', auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/window/);
    expect(bad.body.error.message).toMatch(/1h, 24h, 7d/);
    await request(server)
      .get('/v1/entity/default/component/nope/monitoring')
      .set('Authorization', auth)
      .expect(404);
    expect(getMonitoring).not.toHaveBeenCalled();
  });

  it('answers 401 without credentials', async () => {
    const getMonitoring = jest.fn();
    const server = await app({ getMonitoring });
    const res = await request(server).get(path('/monitoring'));
    expect(res.status).toBe(401);
    expect(getMonitoring).not.toHaveBeenCalled();
  });

  it('answers 501 when the engine has neither method', async () => {
    const server = await app({});
    const m = await request(server)
      .get(path('/monitoring'))
      .set('Authorization', auth);
    expect(m.status).toBe(501);
    expect(m.body.error.message).toMatch(
      /fake engine does not report monitoring/,
    );
    await request(server)
      .get(path('/model-versions/1/evaluation-plots'))
      .set('Authorization', auth)
      .expect(501);
  });

  it('GET evaluation-plots: 200, 404 when the version has none, 400 for a bad version', async () => {
    const getEvaluationPlots = jest.fn(async (_r: any, version: number) => {
      if (version === 2) throw new NotFoundError('version 2 has no plots');
      return plots;
    });
    const server = await app({ getEvaluationPlots });
    const ok = await request(server)
      .get(path('/model-versions/1/evaluation-plots'))
      .set('Authorization', auth);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(plots);
    const none = await request(server)
      .get(path('/model-versions/2/evaluation-plots'))
      .set('Authorization', auth);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe('version 2 has no plots');
    const bad = await request(server)
      .get(path('/model-versions/x/evaluation-plots'))
      .set('Authorization', auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^version/);
    expect(getEvaluationPlots).toHaveBeenCalledTimes(2);
  });

  it('GET /monitoring notifies no one: breach alerts come from the background check', async () => {
    const notify = jest.fn(async () => {});
    const getMonitoring = jest.fn(async (_r: any, o: { window: any }) =>
      report(o.window, 'drift'),
    );
    const alerts = new MonitoringAlerts(
      { type: 'fake', getMonitoring } as unknown as MlopsEngine,
      notify,
      { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 60_000 },
      mockServices.logger.mock(),
    );
    const server = await app({ getMonitoring });
    for (const w of ['1h', '1h', '7d']) {
      await request(server)
        .get(path(`/monitoring?window=${w}`))
        .set('Authorization', auth)
        .expect(200);
    }
    expect(getMonitoring).toHaveBeenCalledTimes(3);
    expect(notify).not.toHaveBeenCalled();
    // The background check over the same report is what notifies, once.
    const resources = getMonitoring.mock.calls[0][0];
    await alerts.check(resources);
    await alerts.check(resources);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(
      ENTITY_REF,
      expect.objectContaining({ title: 'Data drift on abalone-endpoint' }),
    );
  });
});
