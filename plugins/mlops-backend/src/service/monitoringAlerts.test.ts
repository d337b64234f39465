import { mockServices } from '@backstage/backend-test-utils';
import type { MonitoringResponse } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testEntities } from '../__testUtils__/fixtures';
import {
  MonitoringAlerts,
  readMonitoringAlertSettings,
} from './monitoringAlerts';
import { ownerNotifier } from './events';

const RESOURCES = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
};

function report(
  p: { drift?: boolean; invocations?: number; errors?: number } = {},
): MonitoringResponse {
  return {
    endpointName: 'abalone-endpoint',
    window: '1h',
    totals: {
      invocations: p.invocations ?? 100,
      errors4xx: p.errors ?? 0,
      errors5xx: 0,
    },
    traffic: [],
    drift: {
      status: p.drift ? 'drift' : 'ok',
      sampleCount: 300,
      baselineVersion: 2,
      features: [
        {
          feature: 'length',
          psi: p.drift ? 1.1 : 0.01,
          ks: 0.4,
          status: p.drift ? 'drift' : 'ok',
          sampleCount: 300,
        },
      ],
    },
  };
}

function alertsWith(reports: MonitoringResponse[]) {
  const notify = jest.fn(async () => {});
  const engine = {
    type: 'fake',
    getMonitoring: jest.fn(async () => reports.shift()!),
  } as unknown as MlopsEngine;
  const alerts = new MonitoringAlerts(
    engine,
    notify,
    { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 1000 },
    mockServices.logger.mock(),
  );
  return { alerts, notify };
}

describe('MonitoringAlerts', () => {
  it('notifies once per drift episode; a new episode only after ok', async () => {
    const { alerts, notify } = alertsWith([
      report({ drift: true }),
      report({ drift: true }),
      report(),
      report({ drift: true }),
    ]);
    for (let i = 0; i < 4; i++) await alerts.check(RESOURCES);
    expect(notify).toHaveBeenCalledTimes(2);
    expect(notify).toHaveBeenLastCalledWith(RESOURCES.entityRef, {
      title: 'Data drift on abalone-endpoint',
      description:
        'Inputs of endpoint abalone-endpoint drifted from the training baseline of version 2 (length; 300 captured rows).',
      severity: 'high',
      scope: `mlops:${RESOURCES.entityRef}:monitoring:drift`,
      link: { card: 'drift' },
    });
  });

  it('judges the error rate only above the minimum count', async () => {
    const { alerts, notify } = alertsWith([
      report({ invocations: 10, errors: 5 }),
      report({ invocations: 100, errors: 5 }),
      report({ invocations: 100, errors: 6 }),
    ]);
    for (let i = 0; i < 3; i++) await alerts.check(RESOURCES);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(
      RESOURCES.entityRef,
      expect.objectContaining({
        title: 'High error rate on abalone-endpoint',
        description: expect.stringContaining('6.0 % > 5.0 %'),
        link: { card: 'endpoint-monitoring' },
      }),
    );
  });

  it("sends through Backstage notifications to the owning group, linking the tab's drift card", async () => {
    const notifications = { send: jest.fn(async () => {}) };
    const notify = ownerNotifier({
      catalog: catalogServiceMock({ entities: testEntities }),
      auth: mockServices.auth(),
      notifications: notifications as any,
      logger: mockServices.logger.mock(),
    });
    const engine = {
      type: 'fake',
      getMonitoring: async () => report({ drift: true }),
    } as unknown as MlopsEngine;
    const alerts = new MonitoringAlerts(
      engine,
      notify,
      { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 1000 },
      mockServices.logger.mock(),
    );
    await alerts.check(RESOURCES);
    await alerts.check(RESOURCES);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'group:default/ml-platform' },
      payload: expect.objectContaining({
        title: 'Data drift on abalone-endpoint',
        link: '/catalog/default/component/abalone-age-predictor/mlops#drift',
        topic: 'mlops',
      }),
    });
  });

  it('checks every catalog entity naming an endpoint on its interval', async () => {
    jest.useFakeTimers();
    try {
      const getMonitoring = jest.fn(async () => report({ drift: true }));
      const notify = jest.fn(async () => {});
      const alerts = new MonitoringAlerts(
        { type: 'fake', getMonitoring } as unknown as MlopsEngine,
        notify,
        { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 1000 },
        mockServices.logger.mock(),
      );
      alerts.start(
        catalogServiceMock({ entities: testEntities }),
        mockServices.auth(),
      );
      await jest.advanceTimersByTimeAsync(2500);
      alerts.stop();
      await jest.advanceTimersByTimeAsync(5000);
      // Two ticks, only the annotated entity, one notification.
      expect(getMonitoring).toHaveBeenCalledTimes(2);
      expect(getMonitoring).toHaveBeenCalledWith(
        expect.objectContaining({ endpointName: 'abalone-endpoint' }),
        { window: '1h' },
      );
      expect(notify).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('skips an entity naming an endpoint it does not hold (a twin hears nothing)', async () => {
    jest.useFakeTimers();
    try {
      const getMonitoring = jest.fn(async () => report({ drift: true }));
      const notify = jest.fn(async () => {});
      const alerts = new MonitoringAlerts(
        { type: 'fake', getMonitoring } as unknown as MlopsEngine,
        notify,
        { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 1000 },
        mockServices.logger.mock(),
      );
      alerts.start(
        catalogServiceMock({ entities: testEntities }),
        mockServices.auth(),
        async () => false,
      );
      await jest.advanceTimersByTimeAsync(2500);
      alerts.stop();
      expect(getMonitoring).not.toHaveBeenCalled();
      expect(notify).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });

  it("checks with the entity's spec attached, and skips (logged) an entity whose spec cannot be read", async () => {
    jest.useFakeTimers();
    try {
      const getMonitoring = jest.fn(async () => report({ drift: true }));
      const logger = mockServices.logger.mock();
      const alerts = new MonitoringAlerts(
        { type: 'fake', getMonitoring } as unknown as MlopsEngine,
        jest.fn(async () => {}),
        { errorRateThreshold: 0.05, minInvocations: 20, intervalMs: 1000 },
        logger,
      );
      const system = { source: './ml-system.yaml', hash: 'h', spec: {} as any };
      let broken = false;
      alerts.start(
        catalogServiceMock({ entities: testEntities }),
        mockServices.auth(),
        async () => true,
        async r => {
          if (broken) throw new Error('spec.gate.metric: required');
          return { ...r, system };
        },
      );
      await jest.advanceTimersByTimeAsync(1500);
      expect(getMonitoring).toHaveBeenCalledWith(
        expect.objectContaining({ endpointName: 'abalone-endpoint', system }),
        { window: '1h' },
      );
      broken = true;
      await jest.advanceTimersByTimeAsync(1000);
      alerts.stop();
      expect(getMonitoring).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('spec.gate.metric: required'),
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('reads its settings with defaults and names a bad key', () => {
    expect(readMonitoringAlertSettings(new ConfigReader({}))).toEqual({
      errorRateThreshold: 0.05,
      minInvocations: 20,
      intervalMs: 300_000,
    });
    expect(() =>
      readMonitoringAlertSettings(
        new ConfigReader({ mlops: { monitoring: { errorRateThreshold: 2 } } }),
      ),
    ).toThrow(/mlops\.monitoring\.errorRateThreshold/);
  });
});
