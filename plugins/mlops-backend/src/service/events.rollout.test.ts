import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type {
  MlopsResources,
  Rollout,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import { ENGINE_ACTOR, forwardEngineEvents } from './events';
import { recordingAuditor } from './__testUtils__/recordingAuditor';

const entityRef = 'component:default/penguin-species';
const resources = {
  entityRef,
  pipelineName: 'penguins-pipeline',
  modelPackageGroupName: 'penguins',
  endpointName: 'penguins-endpoint',
} as MlopsResources;

function rollout(overrides: Partial<Rollout>): Rollout {
  return {
    rolloutId: 'r-1',
    endpointName: 'penguins-endpoint',
    strategy: {
      trafficRouting: {
        type: 'CANARY',
        waitIntervalInSeconds: 60,
        canarySize: { type: 'CAPACITY_PERCENT', value: 20 },
      },
      autoRollback: { errorRate: 0.05 },
    },
    fromVersion: 2,
    toVersion: 3,
    status: 'InProgress',
    trafficPercent: 20,
    step: 1,
    totalSteps: 2,
    startedAt: '2026-12-07T10:00:00.000Z',
    updatedAt: '2026-12-07T10:00:00.000Z',
    alarms: [{ name: 'errorRate', threshold: 0.05, state: 'OK' }],
    ...overrides,
  };
}

function setup() {
  let listener: ((event: MlopsEngineEvent) => void) | undefined;
  const sent: Parameters<NotificationService['send']>[0][] = [];
  const published: Parameters<SignalsService['publish']>[0][] = [];
  const { auditor, events } = recordingAuditor();
  forwardEngineEvents({
    engine: {
      subscribe: l => {
        listener = l;
        return () => {};
      },
    },
    auditor,
    signals: { publish: async m => void published.push(m) },
    notifications: { send: async n => void sent.push(n) },
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'penguin-species', namespace: 'default' },
          spec: { owner: 'group:default/ml-team', type: 'service' },
        },
      ],
    }),
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig({ data: {} }),
  });
  /** Emits and waits until forwarding settled (owner look-up, audit, send). */
  const emit = async (
    event: Omit<
      Extract<MlopsEngineEvent, { type: 'rollout' }>,
      'resources' | 'type'
    >,
  ) => {
    listener!({ type: 'rollout', resources, ...event });
    await new Promise(r => setTimeout(r, 50));
  };
  const emitShadow = async (shadowTest: ShadowTest) => {
    listener!({ type: 'shadow-test', resources, shadowTest });
    await new Promise(r => setTimeout(r, 50));
  };
  return { sent, published, events, emit, emitShadow };
}

describe('rollout and shadow-test events', () => {
  it('an automatic rollback: audited as the engine (high), owners told why with a link to the deployments card, once', async () => {
    const { sent, published, events, emit } = setup();
    await emit({ rollout: rollout({}) });
    const longReason = `errorRate 0.35 > 0.05 over 24 invocations ${'x'.repeat(
      1000,
    )}`;
    const rolledBack = rollout({
      status: 'RolledBack',
      trafficPercent: 0,
      reason: longReason,
      endedAt: '2026-12-07T10:00:40.000Z',
      alarms: [
        { name: 'errorRate', threshold: 0.05, value: 0.35, state: 'ALARM' },
      ],
    });
    await emit({ rollout: rolledBack });
    // The engine reports the same state again (e.g. on a later read): nothing new.
    await emit({ rollout: rolledBack });

    expect(published).toHaveLength(3);
    expect(published[0]).toMatchObject({
      channel: expect.stringContaining(entityRef),
      message: { type: 'deployment', version: 3 },
    });

    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'model-rollout',
        severityLevel: 'medium',
        outcome: 'success',
        meta: expect.objectContaining({
          entityRef,
          rolloutId: 'r-1',
          status: 'InProgress',
          step: 1,
          trafficPercent: 20,
          actor: ENGINE_ACTOR.ref,
          automatic: true,
        }),
      }),
      expect.objectContaining({
        eventId: 'model-rollout',
        severityLevel: 'high',
        outcome: 'success',
        meta: expect.objectContaining({
          status: 'RolledBack',
          fromVersion: 2,
          toVersion: 3,
          actor: 'plugin:mlops/engine',
        }),
        outcomeMeta: {
          reason: expect.stringMatching(/^errorRate 0\.35 > 0\.05 .*…$/),
        },
      }),
    ]);
    expect((events[1].outcomeMeta!.reason as string).length).toBeLessThan(310);

    expect(sent).toHaveLength(1);
    const { recipients, payload } = sent[0];
    expect(recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/ml-team',
    });
    expect(payload).toMatchObject({
      title: 'Rollout of version 3 on penguins-endpoint was rolled back',
      severity: 'high',
      topic: 'mlops',
      scope: `mlops:${entityRef}:rollout:r-1`,
      link: '/catalog/default/component/penguin-species/mlops#deployments',
    });
    expect(payload.description).toContain(
      'Reason: errorRate 0.35 > 0.05 over 24 invocations',
    );
    expect(payload.description).toContain('Version 2 serves all traffic again');
    expect(payload.description!.length).toBeLessThan(600);
  });

  it('a rollback by an owner names them; a completion is normal news; a failure is audited as failed', async () => {
    const { sent, events, emit } = setup();
    await emit({
      rollout: rollout({ status: 'RolledBack', reason: 'manual' }),
      actor: { ref: 'user:default/guest' },
    });
    await emit({
      rollout: rollout({
        rolloutId: 'r-2',
        status: 'Completed',
        step: 2,
        trafficPercent: 100,
      }),
    });
    await emit({
      rollout: rollout({
        rolloutId: 'r-3',
        status: 'Failed',
        reason: 'UpdateEndpoint failed',
      }),
    });
    expect(sent.map(n => [n.payload.title, n.payload.severity])).toEqual([
      [
        'Rollout of version 3 on penguins-endpoint was rolled back by user:default/guest',
        'high',
      ],
      ['Rollout of version 3 on penguins-endpoint completed', 'normal'],
      ['Rollout of version 3 on penguins-endpoint failed', 'high'],
    ]);
    expect(
      events.map(e => [
        e.meta!.actor,
        e.meta!.automatic,
        e.meta!.status,
        e.outcome,
      ]),
    ).toEqual([
      ['user:default/guest', false, 'RolledBack', 'success'],
      ['plugin:mlops/engine', true, 'Completed', 'success'],
      ['plugin:mlops/engine', true, 'Failed', 'fail'],
    ]);
    expect(events[2].error?.message).toBe('UpdateEndpoint failed');
  });

  it('shadow tests: a signal per update, one audit line per state, no notification', async () => {
    const { sent, published, events, emitShadow } = setup();
    const test: ShadowTest = {
      shadowTestId: 's-1',
      endpointName: 'penguins-endpoint',
      servingVersion: 2,
      candidateVersion: 3,
      status: 'Running',
      samplePercent: 50,
      startedAt: '2026-12-07T10:00:00.000Z',
      startedBy: 'user:default/guest',
      comparison: { requests: 0, variants: [] },
    };
    await emitShadow(test);
    await emitShadow({ ...test, comparison: { requests: 10, variants: [] } });
    await emitShadow({
      ...test,
      status: 'Stopped',
      endedAt: '2026-12-07T11:00:00.000Z',
    });
    expect(published).toHaveLength(3);
    expect(published[2].message).toEqual({ type: 'deployment', version: 3 });
    expect(events.map(e => [e.eventId, e.meta!.status, e.outcome])).toEqual([
      ['shadow-test', 'Running', 'success'],
      ['shadow-test', 'Stopped', 'success'],
    ]);
    expect(events[0].meta).toMatchObject({
      candidateVersion: 3,
      servingVersion: 2,
      samplePercent: 50,
      actor: ENGINE_ACTOR.ref,
    });
    expect(sent).toHaveLength(0);
  });
});
