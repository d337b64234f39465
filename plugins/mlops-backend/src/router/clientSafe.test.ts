import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import { createTestEngineModule } from '@mlops-portal/plugin-mlops-node/testUtils';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { ENTITY_PATH, GUEST, testEntities } from '../__testUtils__/fixtures';
import { clientReason, clientUri } from './clientSafe';

describe('client-safe responses', () => {
  it('shows local files relative to the data directory, other URIs as they are', () => {
    expect(
      clientUri('/srv/ops/.mlops-data/model-packages/G/1/model.json'),
    ).toBe('local://model-packages/G/1/model.json');
    expect(clientUri('C:\\data\\manifests\\p\\m.json')).toBe(
      'local://manifests/p/m.json',
    );
    expect(clientUri('s3://bucket/data/x.csv')).toBe('s3://bucket/data/x.csv');
  });

  it('keeps host paths out of failure texts and bounds them', () => {
    expect(
      clientReason(
        "Train: ENOENT: no such file or directory, open '/srv/mlops/.mlops-data/runs/abc/train.columns'",
      ),
    ).toBe("Train: ENOENT: no such file or directory, open '…/train.columns'");
    expect(clientReason('CheckMSE: test MSE 7.25 > 6')).toBe(
      'CheckMSE: test MSE 7.25 > 6',
    );
    expect(clientReason('x'.repeat(10_000)).length).toBeLessThanOrEqual(501);
  });

  it('applies to what the API answers', async () => {
    const execution = {
      executionId: 'e-1',
      pipelineName: 'abalone-pipeline',
      status: 'Failed',
      trigger: 'manual',
      parameters: {},
      createdAt: '2026-12-07T00:00:00.000Z',
      failureReason:
        "Preprocess: EACCES: permission denied, open '/var/lib/mlops/runs/e-1/x'",
      dataManifest: {
        manifestId: 'm-1',
        uri: '/var/lib/mlops/manifests/abalone-pipeline/m-1.json',
        files: [],
      },
      steps: [
        {
          name: 'Preprocess',
          status: 'Failed',
          failureReason: 'at /var/lib/mlops/node_modules/x/index.js:1',
        },
      ],
    };
    const engine = {
      type: 'fake',
      getExecution: async () => execution,
    } as unknown as MlopsEngine;
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        createTestEngineModule({ type: 'fake', engine: () => engine }),
        catalogServiceMock.factory({ entities: testEntities }),
        mockServices.rootConfig.factory({
          data: { mlops: { engine: 'fake' } },
        }),
      ],
    });
    try {
      const res = await request(backend.server)
        .get(`${ENTITY_PATH}/runs/e-1`)
        .set('Authorization', mockCredentials.user.header(GUEST))
        .expect(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('/var/lib/mlops');
      expect(res.body.dataManifest.uri).toBe(
        'local://manifests/abalone-pipeline/m-1.json',
      );
      expect(res.body.failureReason).toBe(
        "Preprocess: EACCES: permission denied, open '…/x'",
      );
    } finally {
      await backend.stop();
    }
  });
});
