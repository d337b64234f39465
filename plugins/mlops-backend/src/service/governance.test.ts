import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ModelVersion } from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { createRouter } from '../router/createRouter';
import { ENTITY_REF, GUEST, testEntities } from '../__testUtils__/fixtures';
import { MlopsAccess } from './access';
import { MlopsService, type ApprovalRules } from './MlopsService';

const TRAINER = 'user:default/trainer';
const UPLOADER = 'user:default/uploader';
const RETRIER = 'user:default/retrier';
const REVIEWER = 'user:default/reviewer';

const VERSION: ModelVersion = {
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  version: 3,
  modelPackageArn: 'arn:local:model-package/AbaloneModelPackageGroup/3',
  approvalStatus: 'PendingManualApproval',
  createdAt: '2026-12-01T10:00:00.000Z',
  createdBy: TRAINER,
  executionId: 'e-3',
  dataManifest: {
    manifestId: 'm-1',
    files: [],
    createdAt: '2026-12-01T09:00:00.000Z',
    createdBy: UPLOADER,
  },
  approvalHistory: [],
  deployed: false,
};

function fakeEngine() {
  return {
    type: 'fake',
    startExecution: jest.fn(async () => ({ executionId: 'e-9' })),
    retryExecution: jest.fn(async () => ({ executionId: 'e-10' })),
    getExecution: jest.fn(async () => ({
      executionId: 'e-3',
      triggeredBy: RETRIER,
      parameters: { MseThreshold: 6 },
    })),
    getModelVersion: jest.fn(async () => VERSION),
    updateModelApproval: jest.fn(async () => ({
      ...VERSION,
      approvalStatus: 'Approved',
    })),
  };
}

function setup(approval: ApprovalRules = {}) {
  const engine = fakeEngine();
  const audits: Array<{ eventId: string; outcome: string; error?: Error }> = [];
  const catalog = catalogServiceMock({ entities: testEntities });
  const service = new MlopsService({
    engine: engine as unknown as MlopsEngine,
    access: new MlopsAccess({
      catalog,
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock({
        createEvent: async ({ eventId }) => ({
          success: async () =>
            void audits.push({ eventId, outcome: 'success' }),
          fail: async ({ error }) =>
            void audits.push({ eventId, outcome: 'fail', error }),
        }),
      }),
    }),
    catalog,
    auth: mockServices.auth(),
    approval,
  });
  const caller = async (user: string) => {
    const credentials = mockCredentials.user(user);
    return {
      resources: await service.resolve(ENTITY_REF, credentials),
      credentials,
    };
  };
  return { engine, service, audits, caller };
}

const approve = { status: 'Approved', comment: 'looks good' };

describe('governance in the service layer', () => {
  it('refuses the quality gate as a run parameter (400), from anyone', async () => {
    const { engine, service, caller } = setup({ preApprove: true });
    await expect(
      service.startExecution(await caller(GUEST), {
        parameters: { MseThreshold: 5, MaxDepth: 3 },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^parameters\.MseThreshold: the quality gate is not a run parameter; it comes from configuration \(mlops\.qualityGate\.mseThreshold\)/,
      ),
    });
    expect(engine.startExecution).not.toHaveBeenCalled();
  });

  it('refuses pre-approval unless configuration allows it', async () => {
    const off = setup();
    await expect(
      off.service.startExecution(await off.caller(GUEST), {
        parameters: { ModelApprovalStatus: 'Approved' },
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'pre-approval is off (mlops.approval.preApprove)',
      ),
    });
    expect(off.engine.startExecution).not.toHaveBeenCalled();

    const on = setup({ preApprove: true });
    await on.service.startExecution(await on.caller(GUEST), {
      parameters: { ModelApprovalStatus: 'Approved' },
    });
    expect(on.engine.startExecution).toHaveBeenCalledTimes(1);
  });

  it('four-eyes: the trainer, the uploader and the retrier may not approve; audited', async () => {
    const { engine, service, audits, caller } = setup({ fourEyes: true });
    for (const [user, role] of [
      [TRAINER, 'started the run that produced it'],
      [UPLOADER, 'uploaded its data'],
      [RETRIER, 'started the run that produced it'],
    ]) {
      await expect(
        service.updateModelApproval(await caller(user), 3, approve),
      ).rejects.toMatchObject({
        name: 'NotAllowedError',
        message: `Four-eyes rule: ${user} ${role}, so someone else must approve version 3`,
      });
    }
    expect(engine.updateModelApproval).not.toHaveBeenCalled();
    expect(
      audits.filter(a => a.eventId === 'model-approval').map(a => a.outcome),
    ).toEqual(['fail', 'fail', 'fail']);
    expect(audits[0].error?.message).toContain('Four-eyes rule');

    // Someone else approves; the trainer may still reject their own version.
    await service.updateModelApproval(await caller(REVIEWER), 3, approve);
    await service.updateModelApproval(await caller(TRAINER), 3, {
      status: 'Rejected',
      comment: 'found a leak',
    });
    expect(engine.updateModelApproval).toHaveBeenCalledTimes(2);
  });

  it('four-eyes off: whoever may approve, approves', async () => {
    const { engine, service, caller } = setup();
    await service.updateModelApproval(await caller(TRAINER), 3, approve);
    expect(engine.updateModelApproval).toHaveBeenCalledTimes(1);
    expect(engine.getModelVersion).not.toHaveBeenCalled();
  });

  it('over HTTP: 403 with the reason, 400 naming the gate parameter', async () => {
    const { service } = setup({ fourEyes: true });
    const server = express().use(
      await createRouter({
        service,
        httpAuth: mockServices.httpAuth(),
        logger: mockServices.logger.mock(),
        config: mockServices.rootConfig({ data: {} }),
      }),
    );
    const base = '/v1/entity/default/component/abalone-age-predictor';
    const refused = await request(server)
      .post(`${base}/model-versions/3/approval`)
      .set('Authorization', mockCredentials.user.header(TRAINER))
      .send(approve);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      `Four-eyes rule: ${TRAINER} started the run that produced it, so someone else must approve version 3`,
    );
    await request(server)
      .post(`${base}/model-versions/3/approval`)
      .set('Authorization', mockCredentials.user.header(REVIEWER))
      .send(approve)
      .expect(200);
    const gate = await request(server)
      .post(`${base}/runs`)
      .set('Authorization', mockCredentials.user.header(GUEST))
      .send({ parameters: { MseThreshold: 1000 } });
    expect(gate.status).toBe(400);
    expect(gate.body.error.message).toMatch(/^parameters\.MseThreshold: /);
  });
});
