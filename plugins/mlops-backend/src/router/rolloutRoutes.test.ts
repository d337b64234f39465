import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { DeploymentStrategy } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { DEMO_SYSTEMS_DIR } from '../__testUtils__/demoSystems';
import {
  GUEST,
  VIEWER,
  abaloneEntity,
  ownershipPermissions,
} from '../__testUtils__/fixtures';
import { withDemoSpec } from '../__testUtils__/specEntities';
import { MlopsAccess } from '../service/access';
import { MlopsService, type RolloutRules } from '../service/MlopsService';
import { SystemSpecs } from '../service/systemSpecs';
import { recordingAuditor } from '../service/__testUtils__/recordingAuditor';
import { RollingEngine } from '../service/__testUtils__/rollingEngine';
import { AllowedDirsFileReader } from '../specs/fileUrlReader';
import { createRouter } from './createRouter';

/** The penguins demo system (its spec: a 20 % canary), owned like Abalone. */
const penguinsEntity = withDemoSpec(
  {
    ...abaloneEntity,
    metadata: {
      name: 'penguins',
      namespace: 'default',
      annotations: {
        'mlops.io/pipeline': 'penguins-pipeline',
        'mlops.io/model-package-group': 'penguins-group',
        'mlops.io/endpoint': 'penguins-endpoint',
      },
    },
  },
  'penguins',
);
const entities = [abaloneEntity, penguinsEntity];
const at = (name: string, p: string) =>
  `/v1/entity/default/component/${name}${p}`;
const owner = mockCredentials.user.header(GUEST);
const viewer = mockCredentials.user.header(VIEWER);

async function app(
  options: {
    engine?: object;
    rollout?: RolloutRules;
  } = {},
) {
  const engine = options.engine ?? new RollingEngine();
  const catalog = catalogServiceMock({ entities });
  const { auditor, events } = recordingAuditor();
  const service = new MlopsService({
    engine: engine as unknown as MlopsEngine,
    access: new MlopsAccess({
      catalog,
      permissions: ownershipPermissions(entities) as any,
      auditor,
    }),
    catalog,
    auth: mockServices.auth(),
    rollout: options.rollout,
    specs: new SystemSpecs({
      catalog,
      urlReader: new AllowedDirsFileReader([DEMO_SYSTEMS_DIR]),
    }),
  });
  const router = await createRouter({
    service,
    httpAuth: mockServices.httpAuth(),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig({ data: {} }),
  });
  return { server: express().use(router), engine, events };
}

const LINEAR: DeploymentStrategy = {
  trafficRouting: {
    type: 'LINEAR',
    waitIntervalInSeconds: 30,
    linearStepSize: { type: 'CAPACITY_PERCENT', value: 25 },
  },
};

describe('approval with a deployment strategy', () => {
  it("passes the spec's strategy, or the override over it (keeping the spec's alarms), and audits it", async () => {
    const { server, engine, events } = await app();
    const e = engine as RollingEngine;
    await request(server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'looks good' })
      .expect(200);
    const penguinsDefault = {
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
    };
    expect(e.approvals[0].options).toEqual({
      status: 'Approved',
      comment: 'looks good',
      actor: { ref: GUEST },
      deployment: penguinsDefault,
    });

    await request(server)
      .post(at('penguins', '/model-versions/1/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'slowly', deployment: LINEAR })
      .expect(200);
    expect(e.approvals[1].options.deployment).toEqual({
      ...LINEAR,
      autoRollback: penguinsDefault.autoRollback,
    });

    // No spec: all at once, as before.
    await request(server)
      .post(at('abalone-age-predictor', '/model-versions/2/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'ok' })
      .expect(200);
    expect(e.approvals[2].options.deployment).toEqual({
      trafficRouting: { type: 'ALL_AT_ONCE', waitIntervalInSeconds: 0 },
    });

    const approvals = events.filter(x => x.eventId === 'model-approval');
    expect(approvals.map(x => x.outcome)).toEqual([
      'success',
      'success',
      'success',
    ]);
    expect(approvals[0].outcomeMeta).toMatchObject({
      deployment: penguinsDefault,
      deploymentOverride: false,
    });
    expect(approvals[1].outcomeMeta).toMatchObject({
      deployment: { trafficRouting: LINEAR.trafficRouting },
      deploymentOverride: true,
    });
  });

  it('refuses an override on a rejection (400), a bad one naming the field (400), and one the platform forbids (403)', async () => {
    const { server, engine } = await app();
    const reject = await request(server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({ status: 'Rejected', comment: 'no', deployment: LINEAR });
    expect(reject.status).toBe(400);
    expect(reject.body.error.message).toMatch(
      /^deployment: only an approval deploys/,
    );
    const bad = await request(server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({
        status: 'Approved',
        comment: 'fast',
        deployment: {
          trafficRouting: {
            type: 'CANARY',
            waitIntervalInSeconds: 60,
            canarySize: { type: 'CAPACITY_PERCENT', value: 80 },
          },
        },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      'deployment.trafficRouting.canarySize.value',
    );
    expect((engine as RollingEngine).approvals).toHaveLength(0);

    const locked = await app({ rollout: { allowOverride: false } });
    const forbidden = await request(locked.server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'fast', deployment: LINEAR });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain(
      'mlops.rollout.allowOverride',
    );
    // Without an override the spec's strategy still applies.
    await request(locked.server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'spec strategy' })
      .expect(200);
    expect(
      (locked.engine as RollingEngine).approvals.map(
        a => a.options.deployment?.trafficRouting.type,
      ),
    ).toEqual(['CANARY']);
  });
});

describe('rollout routes', () => {
  async function rolling() {
    const ctx = await app();
    await request(ctx.server)
      .post(at('penguins', '/model-versions/3/approval'))
      .set('Authorization', owner)
      .send({ status: 'Approved', comment: 'canary' })
      .expect(200);
    return ctx;
  }

  it('pause, resume, promote: 200 with the rollout; the engine gets the actor and comment; each audited', async () => {
    const { server, engine, events } = await rolling();
    const paused = await request(server)
      .post(at('penguins', '/rollout/pause'))
      .set('Authorization', owner)
      .send({ comment: 'looking at latency' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      rolloutId: 'r-3',
      status: 'Paused',
      toVersion: 3,
    });
    // An empty POST (no body) is fine.
    const resumed = await request(server)
      .post(at('penguins', '/rollout/resume'))
      .set('Authorization', owner);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('InProgress');
    const promoted = await request(server)
      .post(at('penguins', '/rollout/promote'))
      .set('Authorization', owner)
      .send({});
    expect(promoted.body.status).toBe('Completed');
    expect((engine as RollingEngine).actions).toEqual([
      { action: 'pause', actor: { ref: GUEST }, comment: 'looking at latency' },
      { action: 'resume', actor: { ref: GUEST }, comment: undefined },
      { action: 'promote', actor: { ref: GUEST }, comment: undefined },
    ]);
    const audited = events.filter(x => x.eventId === 'model-rollout');
    expect(
      audited.map(x => [x.meta!.action, x.outcome, x.outcomeMeta?.status]),
    ).toEqual([
      ['pause', 'success', 'Paused'],
      ['resume', 'success', 'InProgress'],
      ['promote', 'success', 'Completed'],
    ]);
    expect(audited[0]).toMatchObject({
      severityLevel: 'high',
      meta: {
        entityRef: 'component:default/penguins',
        endpointName: 'penguins-endpoint',
      },
      outcomeMeta: { comment: 'looking at latency', rolloutId: 'r-3' },
    });
    // The deployments read carries the rollout.
    const deployments = await request(server)
      .get(at('penguins', '/deployments'))
      .set('Authorization', owner);
    expect(deployments.body.rollout).toMatchObject({ status: 'Completed' });
  });

  it('400 for an unknown action or body field, 403 for a viewer (audited), 409 for a wrong state', async () => {
    const { server, engine, events } = await rolling();
    const unknown = await request(server)
      .post(at('penguins', '/rollout/restart'))
      .set('Authorization', owner)
      .send({});
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      "action: 'restart' is not a rollout action; use one of pause, resume, rollback, promote",
    );
    const extra = await request(server)
      .post(at('penguins', '/rollout/pause'))
      .set('Authorization', owner)
      .send({ comment: 'x', force: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/force/);
    const long = await request(server)
      .post(at('penguins', '/rollout/pause'))
      .set('Authorization', owner)
      .send({ comment: 'x'.repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/comment/);

    const refused = await request(server)
      .post(at('penguins', '/rollout/rollback'))
      .set('Authorization', viewer)
      .send({ comment: 'not mine' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('mlops.model.approve');

    const resume = await request(server)
      .post(at('penguins', '/rollout/resume'))
      .set('Authorization', owner)
      .send({});
    expect(resume.status).toBe(409);
    expect(resume.body.error).toMatchObject({
      name: 'ConflictError',
      message: 'Rollout r-3 is not paused',
    });
    await request(server)
      .post(at('penguins', '/rollout/rollback'))
      .set('Authorization', owner)
      .send({ comment: 'bad latency' })
      .expect(200);
    await request(server)
      .post(at('penguins', '/rollout/promote'))
      .set('Authorization', owner)
      .send({})
      .expect(409);
    // The engine saw no refused call; the viewer's attempt is audited as failed.
    expect(
      (engine as RollingEngine).actions.map(a => a.actor.ref),
    ).not.toContain(VIEWER);
    const rollouts = events.filter(x => x.eventId === 'model-rollout');
    expect(
      rollouts.map(x => [x.meta!.action, x.outcome, x.error?.name]),
    ).toEqual([
      ['pause', 'fail', 'InputError'],
      ['pause', 'fail', 'InputError'],
      ['rollback', 'fail', 'NotAllowedError'],
      ['resume', 'fail', 'ConflictError'],
      ['rollback', 'success', undefined],
      ['promote', 'fail', 'ConflictError'],
    ]);
  });

  it('501 when the engine cannot roll out or shadow (after the permission check)', async () => {
    const plain = {
      type: 'plain',
      listDeployments: async () => ({ deployments: [] }),
      getModelVersion: async () => ({ version: 1 }),
    };
    const { server } = await app({ engine: plain });
    for (const [p, body] of [
      ['/rollout/rollback', {}],
      ['/shadow-tests', { modelVersion: 1 }],
      ['/shadow-tests/stop', {}],
    ] as const) {
      const res = await request(server)
        .post(at('penguins', p))
        .set('Authorization', owner)
        .send(body);
      expect({ p, status: res.status }).toEqual({ p, status: 501 });
      expect(res.body.error.message).toMatch(/plain engine/);
      await request(server)
        .post(at('penguins', p))
        .set('Authorization', viewer)
        .send(body)
        .expect(403);
    }
  });
});

describe('shadow test routes', () => {
  it('start → 201 with the test, a second start 409, stop → 200; unknown version 404; viewer 403; audited', async () => {
    const { server, engine, events } = await app();
    const started = await request(server)
      .post(at('penguins', '/shadow-tests'))
      .set('Authorization', owner)
      .send({ modelVersion: 3, samplePercent: 50, comment: 'compare' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      candidateVersion: 3,
      samplePercent: 50,
      status: 'Running',
    });
    expect((engine as RollingEngine).shadowStarts).toEqual([
      { modelVersion: 3, samplePercent: 50, actor: { ref: GUEST } },
    ]);
    // samplePercent defaults to 100
    const again = await request(server)
      .post(at('penguins', '/shadow-tests'))
      .set('Authorization', owner)
      .send({ modelVersion: 1 });
    expect(again.status).toBe(409);
    expect((engine as RollingEngine).shadowStarts[1].samplePercent).toBe(100);

    const missing = await request(server)
      .post(at('penguins', '/shadow-tests'))
      .set('Authorization', owner)
      .send({ modelVersion: 9 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('penguins-group');
    expect((engine as RollingEngine).shadowStarts).toHaveLength(2);

    const bad = await request(server)
      .post(at('penguins', '/shadow-tests'))
      .set('Authorization', owner)
      .send({ modelVersion: 3, samplePercent: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/samplePercent/);

    await request(server)
      .post(at('penguins', '/shadow-tests/stop'))
      .set('Authorization', viewer)
      .send({})
      .expect(403);
    const stopped = await request(server)
      .post(at('penguins', '/shadow-tests/stop'))
      .set('Authorization', owner)
      .send({ comment: 'enough' });
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('Stopped');
    await request(server)
      .post(at('penguins', '/shadow-tests/stop'))
      .set('Authorization', owner)
      .expect(409);

    const deployments = await request(server)
      .get(at('penguins', '/deployments'))
      .set('Authorization', viewer);
    expect(deployments.body.shadowTest).toMatchObject({ status: 'Stopped' });

    const audited = events.filter(x => x.eventId === 'shadow-test');
    expect(
      audited.map(x => [x.meta!.action, x.outcome, x.error?.name]),
    ).toEqual([
      ['start', 'success', undefined],
      ['start', 'fail', 'ConflictError'],
      ['start', 'fail', 'NotFoundError'],
      ['start', 'fail', 'InputError'],
      ['stop', 'fail', 'NotAllowedError'],
      ['stop', 'success', undefined],
      ['stop', 'fail', 'ConflictError'],
    ]);
    expect(audited[0].outcomeMeta).toMatchObject({
      modelVersion: 3,
      samplePercent: 50,
      comment: 'compare',
      shadowTestId: 's-1',
    });
  });
});
