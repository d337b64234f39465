/**
 * @jest-environment node
 */
import { entityRef } from '../__fixtures__';
import { httpStatus } from './MlopsApi';
import { MlopsClient } from './MlopsClient';

const base = 'http://localhost:7007/api/mlops';
const prefix = `${base}/v1/entity/default/component/abalone-age-predictor`;

function setup(responses: Response[]) {
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) => responses.shift()!,
  );
  const client = new MlopsClient({
    discoveryApi: { getBaseUrl: jest.fn(async () => base) },
    fetchApi: { fetch: fetch as any },
  });
  return { client, fetch };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('MlopsClient direct uploads', () => {
  it('opens, completes and aborts through the entity-scoped routes', async () => {
    const { client, fetch } = setup([
      json({ uploadId: 'u/1', key: 'staging/k', parts: [] }, 201),
      json({ manifest: { manifestId: 'm1' } }, 201),
      new Response(null, { status: 204 }),
    ]);
    const opened = await client.createDatasetUpload(entityRef, {
      fileName: 'big.csv',
      sizeBytes: 10,
    });
    expect(opened.uploadId).toBe('u/1');
    const parts = [{ partNumber: 1, etag: '"e"' }];
    const done = await client.completeDatasetUpload(entityRef, 'u/1', {
      key: 'staging/k',
      parts,
    });
    expect(done.manifest.manifestId).toBe('m1');
    await expect(
      client.abortDatasetUpload(entityRef, 'u/1', { key: 'staging/k' }),
    ).resolves.toBeUndefined();
    expect(fetch.mock.calls.map(([url, init]) => [url, init?.method])).toEqual([
      [`${prefix}/datasets/uploads`, 'POST'],
      [`${prefix}/datasets/uploads/u%2F1/complete`, 'POST'],
      [`${prefix}/datasets/uploads/u%2F1`, 'DELETE'],
    ]);
    expect(JSON.parse(fetch.mock.calls[1][1]!.body as string)).toEqual({
      key: 'staging/k',
      parts,
    });
  });

  it('rejects with the status when the engine has no direct uploads', async () => {
    const { client } = setup([
      json(
        {
          error: {
            name: 'NotImplementedError',
            message: 'POST /datasets only',
          },
          response: { statusCode: 501 },
        },
        501,
      ),
    ]);
    const error = await client
      .createDatasetUpload(entityRef, { fileName: 'big.csv', sizeBytes: 10 })
      .catch(e => e);
    expect(httpStatus(error)).toBe(501);
  });
});
