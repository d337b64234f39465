import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * TEST DOUBLE of the predict API, used only by the e2e test when
 * CONSUMER_E2E_API_BASE_URL is not set (i.e. when no real back end is
 * running). It follows the contract in the README: CORS, POST /predict,
 * 200 {predictions, modelVersion}, 400 in Backstage's error shape. Its
 * "model" is a made-up linear rule, not the trained one.
 */
export const FAKE_MODEL_VERSION = 42;

const MAX_SCALED: Record<string, number> = {
  length: 1.0,
  diameter: 0.8,
  height: 1.4,
  wholeWeight: 3.5,
  shuckedWeight: 1.9,
  visceraWeight: 0.95,
  shellWeight: 1.3,
};

/**
 * Like the portal backend's cors() middleware: only listed origins get the
 * CORS headers, so a test serving the app from an unlisted origin fails here
 * just as it would against the real back end.
 */
function corsHeaders(
  req: IncomingMessage,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const origin = req.headers.origin;
  return origin && allowedOrigins.includes(origin)
    ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
    : { Vary: 'Origin' };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function inputError(
  res: ServerResponse,
  message: string,
  headers: Record<string, string>,
) {
  send(res, 400, { error: { name: 'InputError', message } }, headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  allowedOrigins: readonly string[],
) {
  const cors = corsHeaders(req, allowedOrigins);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type',
    });
    res.end();
    return;
  }
  if (req.method !== 'POST' || !req.url?.endsWith('/predict')) {
    send(
      res,
      404,
      { error: { name: 'NotFoundError', message: 'not found' } },
      cors,
    );
    return;
  }
  let body: { instances?: Array<Record<string, unknown>> };
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    inputError(res, 'body must be JSON', cors);
    return;
  }
  if (!Array.isArray(body.instances) || body.instances.length === 0) {
    inputError(res, 'instances must hold at least one item', cors);
    return;
  }
  const predictions = [];
  for (const [i, instance] of body.instances.entries()) {
    if (!['M', 'F', 'I'].includes(instance.sex as string)) {
      inputError(res, `instances.${i}.sex: sex must be one of M, F, I`, cors);
      return;
    }
    for (const [key, max] of Object.entries(MAX_SCALED)) {
      const value = instance[key];
      if (typeof value !== 'number' || value < 0 || value > max) {
        inputError(
          res,
          `instances.${i}.${key}: ${key} must be a number in [0, ${max}]`,
          cors,
        );
        return;
      }
    }
    const rings =
      Math.round(
        (3 +
          30 * (instance.shellWeight as number) +
          2 * (instance.diameter as number)) *
          100,
      ) / 100;
    predictions.push({ rings, age: Math.round((rings + 1.5) * 100) / 100 });
  }
  send(
    res,
    200,
    {
      predictions,
      modelVersion: FAKE_MODEL_VERSION,
      endpointName: 'abalone-endpoint',
    },
    cors,
  );
}

export interface FakePredictServer {
  server: Server;
  apiBaseUrl: string;
  /** Origins allowed by CORS; add the app's origin once it is known. */
  allowedOrigins: string[];
}

export async function startFakePredictServer(): Promise<FakePredictServer> {
  const allowedOrigins: string[] = [];
  const server = createServer((req, res) => {
    handle(req, res, allowedOrigins).catch(error =>
      send(res, 500, { message: String(error) }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    apiBaseUrl: `http://127.0.0.1:${port}/api/fake-endpoint`,
    allowedOrigins,
  };
}
