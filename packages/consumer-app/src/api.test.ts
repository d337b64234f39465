import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PredictError,
  errorFromResponse,
  extractServerMessage,
  predict,
  predictUrl,
} from './api';
import type { AbaloneInstance } from './features';

const instance: AbaloneInstance = {
  sex: 'M',
  length: 0.455,
  diameter: 0.365,
  height: 0.095,
  wholeWeight: 0.514,
  shuckedWeight: 0.2245,
  visceraWeight: 0.101,
  shellWeight: 0.15,
};

function respond(status: number, body: string) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

async function predictError(promise: Promise<unknown>): Promise<PredictError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PredictError);
    return error as PredictError;
  }
  throw new Error('expected predict to fail');
}

describe('predict', () => {
  it('POSTs the instance as JSON to {apiBaseUrl}/predict and reads the answer', async () => {
    const { fetchImpl, calls } = respond(
      200,
      JSON.stringify({
        predictions: [{ rings: 9.8, age: 11.3 }],
        modelVersion: 3,
        endpointName: 'abalone-endpoint',
      }),
    );
    const result = await predict('http://api.test/v1/', instance, {
      fetchImpl,
    });
    expect(result).toEqual({
      rings: 9.8,
      age: 11.3,
      modelVersion: 3,
      endpointName: 'abalone-endpoint',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('http://api.test/v1/predict');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({
      instances: [instance],
    });
    expect(
      (calls[0].init?.headers as Record<string, string>)['Content-Type'],
    ).toBe('application/json');
  });

  it('derives age from rings when the back end leaves it out', async () => {
    const { fetchImpl } = respond(
      200,
      JSON.stringify({ predictions: [{ rings: 7 }] }),
    );
    const result = await predict('http://api.test', instance, { fetchImpl });
    expect(result.age).toBe(8.5);
    expect(result.modelVersion).toBeUndefined();
  });

  it('maps a Backstage 400 to "rejected" with the server message', async () => {
    const { fetchImpl } = respond(
      400,
      JSON.stringify({
        error: {
          name: 'InputError',
          message: 'instances.0.length: length must be ≤ 1',
        },
        request: { method: 'POST', url: '/predict' },
        response: { statusCode: 400 },
      }),
    );
    const error = await predictError(
      predict('http://api.test', instance, { fetchImpl }),
    );
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(400);
    expect(error.serverMessage).toBe('instances.0.length: length must be ≤ 1');
    expect(error.userMessage).toMatch(/Check the values/);
  });

  it('maps an API Gateway 400 ({"message"}) to "rejected"', async () => {
    const { fetchImpl } = respond(
      400,
      JSON.stringify({ message: 'Invalid request body' }),
    );
    const error = await predictError(
      predict('http://api.test', instance, { fetchImpl }),
    );
    expect(error.kind).toBe('rejected');
    expect(error.serverMessage).toBe('Invalid request body');
  });

  it('maps 503 to "unavailable" and tells the user to come back later', async () => {
    const { fetchImpl } = respond(
      503,
      JSON.stringify({
        error: {
          name: 'ServiceUnavailableError',
          message: 'No model deployed',
        },
      }),
    );
    const error = await predictError(
      predict('http://api.test', instance, { fetchImpl }),
    );
    expect(error.kind).toBe('unavailable');
    expect(error.userMessage).toMatch(/try again later/);
    expect(error.serverMessage).toBe('No model deployed');
  });

  it('rejects a 200 without a prediction', async () => {
    const { fetchImpl } = respond(200, JSON.stringify({ predictions: [] }));
    const error = await predictError(
      predict('http://api.test', instance, { fetchImpl }),
    );
    expect(error.kind).toBe('server');
  });

  it('rejects a 200 that is not JSON', async () => {
    const { fetchImpl } = respond(200, '<html>proxy page</html>');
    const error = await predictError(
      predict('http://api.test', instance, { fetchImpl }),
    );
    expect(error.kind).toBe('server');
    expect(error.userMessage).toMatch(/not JSON/);
  });
});

describe('predict over real HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise(r => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  it('reports "network" when nothing listens at the address', async () => {
    // Bind then close to get a port that is certainly free.
    server = createServer();
    await new Promise<void>(r => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise(r => server!.close(r));
    server = undefined;

    const error = await predictError(
      predict(`http://127.0.0.1:${port}`, instance),
    );
    expect(error.kind).toBe('network');
    expect(error.userMessage).toMatch(/could not be reached/);
  });

  it('reports "network" with a timeout message when the service hangs', async () => {
    server = createServer(() => {
      // never answers
    });
    await new Promise<void>(r => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;

    const error = await predictError(
      predict(`http://127.0.0.1:${port}`, instance, { timeoutMs: 200 }),
    );
    expect(error.kind).toBe('network');
    expect(error.userMessage).toMatch(/did not answer within 1 second\./);
  });
});

describe('errorFromResponse', () => {
  it.each([
    [422, 'rejected'],
    [429, 'unavailable'],
    [401, 'misconfigured'],
    [403, 'misconfigured'],
    [404, 'misconfigured'],
    [500, 'server'],
    [502, 'server'],
    [504, 'server'],
  ] as const)('maps HTTP %d to %s', (status, kind) => {
    const error = errorFromResponse(status, '');
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.serverMessage).toBeUndefined();
  });

  it('names the status for errors the user cannot fix', () => {
    expect(errorFromResponse(500, '').userMessage).toContain('HTTP 500');
    expect(errorFromResponse(403, '').userMessage).toContain('HTTP 403');
  });
});

describe('extractServerMessage', () => {
  it('reads both error shapes and short plain text', () => {
    expect(extractServerMessage('{"error":{"message":"bad length"}}')).toBe(
      'bad length',
    );
    expect(extractServerMessage('{"message":"Forbidden"}')).toBe('Forbidden');
    expect(extractServerMessage('{"error":"oops"}')).toBe('oops');
    expect(extractServerMessage('Upstream timed out')).toBe(
      'Upstream timed out',
    );
  });

  it('ignores HTML pages, empty bodies and JSON without a message', () => {
    expect(
      extractServerMessage('<html><body>502</body></html>'),
    ).toBeUndefined();
    expect(extractServerMessage('')).toBeUndefined();
    expect(extractServerMessage('{"status":"bad"}')).toBeUndefined();
  });
});

describe('predictUrl', () => {
  it('joins without doubling slashes', () => {
    expect(predictUrl('http://h/api/')).toBe('http://h/api/predict');
    expect(predictUrl('http://h/api')).toBe('http://h/api/predict');
    expect(predictUrl('/api//')).toBe('/api/predict');
  });
});
