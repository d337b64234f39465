import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { DatasetValidationError } from '@mlops-portal/plugin-mlops-node';
import express from 'express';
import request from 'supertest';
import { MlopsAccess } from '../service/access';
import {
  GUEST,
  VIEWER,
  ownershipPermissions,
  testEntities,
} from '../__testUtils__/fixtures';
import { MlopsService } from '../service/MlopsService';
import { createRouter } from './createRouter';

const path = (p: string) =>
  `/v1/entity/default/component/abalone-age-predictor${p}`;
const KEY = 'staging/2026-12-01T15-30-00-000Z-big.csv';
const owner = mockCredentials.user.header(GUEST);

function directEngine() {
  return {
    type: 'aws',
    createDatasetUpload: jest.fn(async (_r, o) => ({
      uploadId: 'up-1',
      key: KEY,
      partSizeBytes: 8388608,
      parts: [{ partNumber: 1, url: `https://s3.example/${o.fileName}` }],
      expiresAt: '2026-12-01T15:45:00.000Z',
    })),
    completeDatasetUpload: jest.fn(async (_r, o) => {
      if (o.parts[0].etag === '"bad"') {
        throw new DatasetValidationError('big.csv: 1 row error(s)', [
          { row: 3, column: 'sex', reason: 'must be one of M, F, I' },
        ]);
      }
      return {
        manifest: {
          manifestId: 'upload-1',
          files: [],
          createdAt: '2026-12-01T15:40:00.000Z',
        },
      };
    }),
    abortDatasetUpload: jest.fn(async (_r: unknown, _o: unknown) => {}),
  };
}

async function app(engine: Partial<MlopsEngine>) {
  const catalog = catalogServiceMock({ entities: testEntities });
  const auditor = mockServices.auditor.mock();
  const service = new MlopsService({
    engine: engine as MlopsEngine,
    access: new MlopsAccess({
      catalog,
      permissions: mockServices.permissions.mock(ownershipPermissions()),
      auditor,
    }),
    catalog,
    auth: mockServices.auth(),
  });
  const router = await createRouter({
    service,
    httpAuth: mockServices.httpAuth(),
    logger: mockServices.logger.mock(),
    config: mockServices.rootConfig({ data: {} }),
  });
  return { server: express().use(router), auditor };
}

describe('direct dataset upload routes', () => {
  it('answer 501 on an engine without direct uploads', async () => {
    const { server } = await app({ type: 'local' });
    const res = await request(server)
      .post(path('/datasets/uploads'))
      .set('Authorization', owner)
      .send({ fileName: 'big.csv', sizeBytes: 100 });
    expect(res.status).toBe(501);
    expect(res.body.error.name).toBe('NotImplementedError');
    await request(server)
      .post(path('/datasets/uploads/up-1/complete'))
      .set('Authorization', owner)
      .send({ key: KEY, parts: [{ partNumber: 1, etag: '"e"' }] })
      .expect(501);
  });

  it('open, complete and abort an upload for an owner, audited as dataset-upload', async () => {
    const engine = directEngine();
    const { server, auditor } = await app(engine);
    const opened = await request(server)
      .post(path('/datasets/uploads'))
      .set('Authorization', owner)
      .send({ fileName: 'big.csv', sizeBytes: 30_000_000 })
      .expect(201);
    expect(opened.body).toMatchObject({ uploadId: 'up-1', key: KEY });
    expect(engine.createDatasetUpload).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/abalone-age-predictor',
      }),
      { fileName: 'big.csv', sizeBytes: 30_000_000, actor: { ref: GUEST } },
    );
    const parts = [{ partNumber: 1, etag: '"e1"' }];
    const done = await request(server)
      .post(path('/datasets/uploads/up-1/complete'))
      .set('Authorization', owner)
      .send({ key: KEY, parts })
      .expect(201);
    expect(done.body.manifest.manifestId).toBe('upload-1');
    expect(engine.completeDatasetUpload.mock.calls[0][1]).toEqual({
      uploadId: 'up-1',
      key: KEY,
      parts,
      actor: { ref: GUEST },
    });
    await request(server)
      .delete(path('/datasets/uploads/up-1'))
      .set('Authorization', owner)
      .send({ key: KEY })
      .expect(204);
    expect(engine.abortDatasetUpload.mock.calls[0][1]).toEqual({
      uploadId: 'up-1',
      key: KEY,
      actor: { ref: GUEST },
    });
    const events = auditor.createEvent.mock.calls.map(([e]) => e);
    expect(events.map(e => e.eventId)).toEqual([
      'dataset-upload',
      'dataset-upload',
      'dataset-upload',
    ]);
    expect(events.map(e => (e.meta as any).direct)).toEqual([
      'create',
      'complete',
      'abort',
    ]);
  });

  it('answer 400 naming the field on a bad body, and pass row errors through', async () => {
    const engine = directEngine();
    const { server } = await app(engine);
    const bad = await request(server)
      .post(path('/datasets/uploads'))
      .set('Authorization', owner)
      .send({ fileName: '../etc/passwd', sizeBytes: -1 })
      .expect(400);
    expect(bad.body.error.message).toContain('fileName');
    expect(bad.body.error.message).toContain('sizeBytes');
    const noParts = await request(server)
      .post(path('/datasets/uploads/up-1/complete'))
      .set('Authorization', owner)
      .send({ key: KEY, parts: [], extra: 1 })
      .expect(400);
    expect(noParts.body.error.message).toContain('parts');
    expect(noParts.body.error.message).toContain('unknown field(s) extra');
    const rows = await request(server)
      .post(path('/datasets/uploads/up-1/complete'))
      .set('Authorization', owner)
      .send({ key: KEY, parts: [{ partNumber: 1, etag: '"bad"' }] })
      .expect(400);
    expect(rows.body.error.rowErrors).toEqual([
      { row: 3, column: 'sex', reason: 'must be one of M, F, I' },
    ]);
    expect(engine.createDatasetUpload).not.toHaveBeenCalled();
  });

  it('answer 403 without the upload permission, and call no engine method', async () => {
    const engine = directEngine();
    const { server } = await app(engine);
    const viewer = mockCredentials.user.header(VIEWER);
    await request(server)
      .post(path('/datasets/uploads'))
      .set('Authorization', viewer)
      .send({ fileName: 'big.csv', sizeBytes: 100 })
      .expect(403);
    await request(server)
      .post(path('/datasets/uploads/up-1/complete'))
      .set('Authorization', viewer)
      .send({ key: KEY, parts: [{ partNumber: 1, etag: '"e"' }] })
      .expect(403);
    await request(server)
      .delete(path('/datasets/uploads/up-1'))
      .set('Authorization', viewer)
      .send({ key: KEY })
      .expect(403);
    expect(engine.createDatasetUpload).not.toHaveBeenCalled();
    expect(engine.completeDatasetUpload).not.toHaveBeenCalled();
    expect(engine.abortDatasetUpload).not.toHaveBeenCalled();
  });
});
