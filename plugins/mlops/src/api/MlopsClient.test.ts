/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import {
  entityRef,
  evaluationPlots,
  modelVersions,
  monitoring,
  penguinsSignature,
  predictResponse,
} from '../__fixtures__';
import { getRowErrors, getSpecProblems, httpStatus } from './MlopsApi';
import { MlopsClient } from './MlopsClient';

const base = 'http://localhost:7007/api/mlops';
const prefix = `${base}/v1/entity/default/component/abalone-age-predictor`;

function setup(response: () => Response) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response(),
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

describe('MlopsClient', () => {
  it("reads the spec and keeps a 422 spec error's field problems", async () => {
    const problems = [{ path: 'spec.dataset.task', message: 'must be one of' }];
    const { client, fetch } = setup(() =>
      json(
        {
          error: {
            name: 'SpecValidationError',
            message:
              'mlops.io/spec ./ml-system.yaml is not a valid ML system spec',
            problems,
            hash: 'h',
          },
          response: { statusCode: 422 },
        },
        422,
      ),
    );
    const error = await client.getSpec(entityRef).catch(e => e);
    expect(fetch.mock.calls[0][0]).toBe(`${prefix}/spec`);
    expect(httpStatus(error)).toBe(422);
    expect(getSpecProblems(error)).toEqual(problems);
    expect(error.message).toContain('not a valid ML system spec');
    expect(getSpecProblems(new Error('x'))).toBeUndefined();
  });

  it('builds entity-scoped URLs from the entity ref', async () => {
    const { client, fetch } = setup(() => json({ items: modelVersions }));
    const res = await client.listModelVersions(entityRef);
    expect(res.items).toHaveLength(3);
    expect(fetch).toHaveBeenCalledWith(
      `${prefix}/model-versions`,
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('encodes execution ids (ARNs) and list paging', async () => {
    const { client, fetch } = setup(() => json({ items: [] }));
    await client.listRuns(entityRef, { limit: 10, nextToken: 'a b' });
    expect(fetch.mock.calls[0][0]).toBe(
      `${prefix}/runs?limit=10&nextToken=a+b`,
    );
    const arn = 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/x1';
    await client.getRun(entityRef, arn);
    expect(fetch.mock.calls[1][0]).toBe(
      `${prefix}/runs/${encodeURIComponent(arn)}`,
    );
    await client.retryRun(entityRef, 'e/1');
    expect(fetch.mock.calls[2][0]).toBe(`${prefix}/runs/e%2F1/retry`);
    expect(fetch.mock.calls[2][1]?.method).toBe('POST');
    await client.stopRun(entityRef, 'e1');
    expect(fetch.mock.calls[3][0]).toBe(`${prefix}/runs/e1/stop`);
  });

  it('sends JSON bodies for start, approval and predict', async () => {
    const { client, fetch } = setup(() => json(predictResponse));
    await client.startRun(entityRef, { parameters: { MaxDepth: 6 } });
    await client.setApproval(entityRef, 3, {
      status: 'Approved',
      comment: 'ok',
    });
    await client.predict(entityRef, {
      instances: [
        {
          sex: 'M',
          length: 0.455,
          diameter: 0.365,
          height: 0.095,
          wholeWeight: 0.514,
          shuckedWeight: 0.2245,
          visceraWeight: 0.101,
          shellWeight: 0.15,
        },
      ],
    });
    const [start, approval, predict] = fetch.mock.calls;
    expect(start[0]).toBe(`${prefix}/runs`);
    expect(JSON.parse(start[1]!.body as string)).toEqual({
      parameters: { MaxDepth: 6 },
    });
    expect(start[1]!.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(approval[0]).toBe(`${prefix}/model-versions/3/approval`);
    expect(JSON.parse(approval[1]!.body as string)).toEqual({
      status: 'Approved',
      comment: 'ok',
    });
    expect(predict[0]).toBe(`${prefix}/predict`);
    // The portal's own widget: left out of the endpoint's monitoring.
    expect(predict[1]!.headers).toEqual({
      'x-mlops-prediction-source': 'portal',
      'Content-Type': 'application/json',
    });
  });

  it('uploads raw CSV with the file name in the query', async () => {
    const { client, fetch } = setup(() =>
      json({ manifest: { manifestId: 'm1', files: [] } }, 201),
    );
    const res = await client.uploadDataset(
      entityRef,
      'abalone 2.csv',
      'M,0.1,0.1,0.1,0.1,0.1,0.1,0.1,9\n',
    );
    expect(res.manifest.manifestId).toBe('m1');
    expect(fetch.mock.calls[0][0]).toBe(
      `${prefix}/datasets?fileName=abalone+2.csv`,
    );
    expect(fetch.mock.calls[0][1]).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'text/csv' },
      body: 'M,0.1,0.1,0.1,0.1,0.1,0.1,0.1,9\n',
    });
  });

  it('throws ResponseError and keeps the row errors of a rejected upload', async () => {
    const rowErrors = [
      { row: 3, column: 'length', value: 'abc', reason: 'not a number' },
      { row: 7, column: 'sex', value: 'X', reason: 'must be one of M, F, I' },
    ];
    const { client } = setup(() =>
      json(
        {
          error: { name: 'InputError', message: '2 invalid rows', rowErrors },
          request: { method: 'POST', url: '/datasets' },
          response: { statusCode: 400 },
        },
        400,
      ),
    );
    const error = await client
      .uploadDataset(entityRef, 'bad.csv', 'x')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(400);
    expect(error.message).toContain('2 invalid rows');
    expect(error.rowErrors).toEqual(rowErrors);
    expect(getRowErrors(error)).toEqual(rowErrors);
  });

  it('turns a 403 into a ResponseError naming the cause', async () => {
    const { client } = setup(() =>
      json(
        {
          error: {
            name: 'NotAllowedError',
            message: 'not an owner of the entity',
          },
          request: { method: 'POST', url: '/model-versions/3/approval' },
          response: { statusCode: 403 },
        },
        403,
      ),
    );
    const error = await client
      .setApproval(entityRef, 3, { status: 'Approved', comment: 'x' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.body.error.name).toBe('NotAllowedError');
    expect(getRowErrors(error)).toBeUndefined();
  });

  it('pages model versions with limit and nextToken, and passes the next token on', async () => {
    const { client, fetch } = setup(() =>
      json({ items: modelVersions.slice(0, 2), nextToken: 'v1' }),
    );
    const page = await client.listModelVersions(entityRef, {
      limit: 2,
      nextToken: 'abc=',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${prefix}/model-versions?limit=2&nextToken=abc%3D`,
    );
    expect(page).toEqual({ items: modelVersions.slice(0, 2), nextToken: 'v1' });
  });

  it("asks for monitoring of one window and a version's evaluation plots", async () => {
    const { client, fetch } = setup(() => json(monitoring));
    expect(await client.getMonitoring(entityRef, '24h')).toEqual(monitoring);
    expect(fetch.mock.calls[0][0]).toBe(`${prefix}/monitoring?window=24h`);
    fetch.mockImplementation(async () => json(evaluationPlots));
    expect(await client.getEvaluationPlots(entityRef, 3)).toEqual(
      evaluationPlots,
    );
    expect(fetch.mock.calls[1][0]).toBe(
      `${prefix}/model-versions/3/evaluation-plots`,
    );
  });

  it('reports the status of a 501 (engine without monitoring) and a 404 (no plots)', async () => {
    const notImplemented = {
      error: { name: 'NotImplementedError', message: 'no monitoring' },
      request: { method: 'GET', url: '/monitoring' },
      response: { statusCode: 501 },
    };
    const { client, fetch } = setup(() => json(notImplemented, 501));
    const error = await client.getMonitoring(entityRef, '1h').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(httpStatus(error)).toBe(501);
    fetch.mockImplementation(async () =>
      json({ ...notImplemented, response: { statusCode: 404 } }, 404),
    );
    const missing = await client.getEvaluationPlots(entityRef, 9).catch(e => e);
    expect(httpStatus(missing)).toBe(404);
    expect(httpStatus(new Error('network down'))).toBeUndefined();
  });

  it("reads a version's signature, and keeps a 404 (version without one) readable", async () => {
    const { client, fetch } = setup(() => json(penguinsSignature));
    expect(await client.getModelSignature(entityRef, 4)).toEqual(
      penguinsSignature,
    );
    expect(fetch.mock.calls[0][0]).toBe(`${prefix}/model-versions/4/signature`);
    fetch.mockImplementation(async () =>
      json(
        {
          error: {
            name: 'NotFoundError',
            message: 'version 1 has no signature',
          },
          request: { method: 'GET', url: '/model-versions/1/signature' },
          response: { statusCode: 404 },
        },
        404,
      ),
    );
    const missing = await client.getModelSignature(entityRef, 1).catch(e => e);
    expect(httpStatus(missing)).toBe(404);
  });
  it('sends rollout actions, shadow tests and an approval with a deployment override', async () => {
    const { client, fetch } = setup(() => json({ status: 'Paused' }));
    await client.controlRollout(entityRef, 'pause', 'looks noisy');
    await client.controlRollout(entityRef, 'promote');
    await client.startShadowTest(entityRef, {
      modelVersion: 3,
      samplePercent: 25,
    });
    await client.stopShadowTest(entityRef);
    const deployment = {
      trafficRouting: {
        type: 'CANARY' as const,
        waitIntervalInSeconds: 60,
        canarySize: { type: 'CAPACITY_PERCENT' as const, value: 20 },
      },
    };
    await client.setApproval(entityRef, 3, {
      status: 'Approved',
      comment: 'canary first',
      deployment,
    });
    const [pause, promote, start, stop, approval] = fetch.mock.calls;
    expect(pause[0]).toBe(`${prefix}/rollout/pause`);
    expect(pause[1]!.method).toBe('POST');
    expect(JSON.parse(pause[1]!.body as string)).toEqual({
      comment: 'looks noisy',
    });
    expect(promote[0]).toBe(`${prefix}/rollout/promote`);
    expect(JSON.parse(promote[1]!.body as string)).toEqual({});
    expect(start[0]).toBe(`${prefix}/shadow-tests`);
    expect(JSON.parse(start[1]!.body as string)).toEqual({
      modelVersion: 3,
      samplePercent: 25,
    });
    expect(stop[0]).toBe(`${prefix}/shadow-tests/stop`);
    expect(stop[1]!.method).toBe('POST');
    expect(JSON.parse(approval[1]!.body as string)).toEqual({
      status: 'Approved',
      comment: 'canary first',
      deployment,
    });
  });

  it("surfaces a 409 rollout answer's reason in the error message", async () => {
    const { client } = setup(() =>
      json(
        {
          error: {
            name: 'ConflictError',
            message: 'the rollout is Completed; nothing to pause',
          },
          response: { statusCode: 409 },
        },
        409,
      ),
    );
    const error = await client.controlRollout(entityRef, 'pause').catch(e => e);
    expect(httpStatus(error)).toBe(409);
    expect(error.message).toContain(
      'the rollout is Completed; nothing to pause',
    );
  });
});
