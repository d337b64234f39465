import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { createPredictor } from '@mlops-portal/ml-core';
import type { Predictor } from '@mlops-portal/ml-core';
import {
  FEATURE_INFO,
  NUMERIC_FEATURES,
  SEX_VALUES,
  abaloneFeaturesSchema,
  ageFromRings,
  formatZodError,
} from '@mlops-portal/plugin-mlops-common';
import type { AbaloneFeatures } from '@mlops-portal/plugin-mlops-common';
import express from 'express';
import fs from 'fs/promises';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import { z } from 'zod/v3';

/** A deployed version, loaded once per deployment. */
export interface LoadedModel {
  deploymentId: string;
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  predictor: Predictor;
}

export async function loadPredictor(modelDir: string): Promise<Predictor> {
  const [pre, model] = await Promise.all([
    fs.readFile(path.join(modelDir, 'preprocessor.json'), 'utf8'),
    fs.readFile(path.join(modelDir, 'model.json'), 'utf8'),
  ]);
  return createPredictor(JSON.parse(pre), JSON.parse(model));
}

const CSV_COLUMNS = ['sex', ...NUMERIC_FEATURES] as const;

/**
 * Parses SageMaker-style CSV input: one abalone per line, the 8 features in
 * the data set's order (sex first), no header, no label. Errors name the
 * 1-based row and the column.
 */
export function parseCsvInstances(text: string): AbaloneFeatures[] {
  const out: AbaloneFeatures[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const row = i + 1;
    const cells = line.split(',').map(c => c.trim());
    if (cells.length !== CSV_COLUMNS.length) {
      throw new InputError(
        `row ${row}: expected ${CSV_COLUMNS.length} columns (${CSV_COLUMNS.join(
          ',',
        )}), got ${cells.length}`,
      );
    }
    const sex = cells[0];
    if (!(SEX_VALUES as readonly string[]).includes(sex)) {
      throw new InputError(
        `row ${row}, column sex: must be one of ${SEX_VALUES.join(
          ', ',
        )} (got ${JSON.stringify(sex)})`,
      );
    }
    const rec: Record<string, unknown> = { sex };
    for (let c = 0; c < NUMERIC_FEATURES.length; c++) {
      const key = NUMERIC_FEATURES[c];
      const raw = cells[c + 1];
      const v = raw === '' ? NaN : Number(raw);
      const info = FEATURE_INFO[key];
      if (!Number.isFinite(v)) {
        throw new InputError(
          `row ${row}, column ${key}: not a number (got ${JSON.stringify(
            raw,
          )})`,
        );
      }
      if (v < info.min || v > info.max) {
        throw new InputError(
          `row ${row}, column ${key}: ${v} is outside ${info.min}..${info.max} (data set units: ${info.unit}/200)`,
        );
      }
      rec[key] = v;
    }
    out.push(rec as unknown as AbaloneFeatures);
  }
  if (out.length === 0) throw new InputError('body holds no rows');
  return out;
}

const jsonInstancesSchema = z
  .object({
    instances: z
      .array(abaloneFeaturesSchema)
      .min(1, 'instances must hold at least one item'),
  })
  .strict();

/** What the endpoint server needs from the engine. */
export interface EndpointBackend {
  /** The model an endpoint serves; undefined → nothing deployed. */
  modelFor(endpointName: string | undefined): LoadedModel | undefined;
  hasEndpoint(endpointName: string): boolean;
  /** Runs first on every request, e.g. to capture invocations for monitoring. */
  capture?: express.RequestHandler;
}

/**
 * SageMaker's serving contract on its own port: GET /ping answers 200 only
 * when a model is loaded (503 otherwise, so a load balancer would not route
 * to an empty endpoint); POST /invocations takes text/csv (answers text/csv,
 * one prediction of rings per line, like the XGBoost container) or JSON
 * `{instances}` (answers `{predictions: [{rings, age}]}`).
 * `/endpoints/:name/...` addresses a named endpoint; the bare paths serve the
 * default one.
 */
export function createEndpointApp(
  backend: EndpointBackend,
  options: { listenHost?: string } = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(refuseBrowsers(options.listenHost ?? '127.0.0.1'));
  if (backend.capture) app.use(backend.capture);
  // SageMaker's real-time payload limit is 6 MB.
  app.use(express.text({ type: ['text/csv', 'text/plain'], limit: '6mb' }));
  app.use(express.json({ limit: '6mb' }));

  const resolve = (name: string | undefined) => {
    if (name !== undefined && !backend.hasEndpoint(name)) {
      throw new NotFoundError(`endpoint ${name} not found`);
    }
    const model = backend.modelFor(name);
    if (!model) {
      throw new ServiceUnavailableError(
        `endpoint ${name ?? '(default)'} has no deployed model`,
      );
    }
    return model;
  };

  const ping = (name: string | undefined, res: express.Response) => {
    if (name !== undefined && !backend.hasEndpoint(name)) {
      res.status(404).json({ status: `endpoint ${name} not found` });
      return;
    }
    const model = backend.modelFor(name);
    if (!model) {
      res.status(503).json({ status: 'no model loaded' });
      return;
    }
    res.status(200).json({ status: 'ok', modelVersion: model.version });
  };

  const invoke = (
    name: string | undefined,
    req: express.Request,
    res: express.Response,
  ) => {
    const model = resolve(name);
    const isCsv = typeof req.body === 'string';
    let instances: AbaloneFeatures[];
    if (isCsv) {
      instances = parseCsvInstances(req.body);
    } else if (req.is('application/json')) {
      const parsed = jsonInstancesSchema.safeParse(req.body);
      if (!parsed.success) throw new InputError(formatZodError(parsed.error));
      instances = parsed.data.instances;
    } else {
      throw Object.assign(
        new Error('Content-Type must be text/csv or application/json'),
        { name: 'UnsupportedMediaType', status: 415 },
      );
    }
    const rings = model.predictor.predict(instances);
    res.locals.capture = {
      modelVersion: model.version,
      instances,
      predictions: rings,
    };
    res.setHeader('X-Model-Version', String(model.version));
    const wantsJson =
      !isCsv || (req.get('accept') ?? '').includes('application/json');
    if (wantsJson) {
      res.json({
        predictions: Array.from(rings, r => ({
          rings: r,
          age: ageFromRings(r),
        })),
      });
    } else {
      res.type('text/csv').send(`${Array.from(rings).join('\n')}\n`);
    }
  };

  app.get('/ping', (_req, res) => ping(undefined, res));
  app.post('/invocations', (req, res) => invoke(undefined, req, res));
  app.get('/endpoints/:name/ping', (req, res) => ping(req.params.name, res));
  app.post('/endpoints/:name/invocations', (req, res) =>
    invoke(req.params.name, req, res),
  );

  app.use(
    (
      err: any,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const e = runtimeError(err);
      // SageMaker Runtime's restJson1 errors: the SDK reads the name from
      // x-amzn-ErrorType and the message from the body; `error` is this
      // server's own shape, kept for plain HTTP clients.
      res
        .status(e.status)
        .setHeader('x-amzn-ErrorType', e.type)
        .json({
          __type: e.type,
          message: e.message,
          ...e.extra,
          error: {
            name: e.type === 'InternalFailure' ? 'Error' : err?.name ?? 'Error',
            message: e.message,
          },
        });
    },
  );
  return app;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * The endpoint has no authentication (SageMaker's runtime contract has none
 * of its own; the backend and SDK clients on this machine call it), so it
 * must not be reachable from web pages: a browser sends `Origin` with every
 * cross-site POST (even a "simple" text/plain one, which needs no
 * preflight), and a DNS-rebinding page reaches it under a foreign Host name.
 * Both are refused (403); SDK and curl callers send neither.
 */
export function refuseBrowsers(listenHost: string): express.RequestHandler {
  const allowed = new Set(LOOPBACK_HOSTS);
  allowed.add(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  const anyHost = listenHost === '0.0.0.0' || listenHost === '::';
  return (req, res, next) => {
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (
      req.headers.origin !== undefined ||
      (!anyHost && !allowed.has(hostName))
    ) {
      res
        .status(403)
        .setHeader('x-amzn-ErrorType', 'AccessDeniedException')
        .json({
          __type: 'AccessDeniedException',
          message:
            'the local model endpoint does not serve browsers or foreign Host names; predict through the portal API',
        });
      return;
    }
    next();
  };
}

/**
 * An error as SageMaker Runtime would answer it: bad input and unknown
 * endpoints are ValidationError (400), nothing deployed is
 * ServiceUnavailable (503), a request the model itself refused is ModelError
 * (424, with the model's status), anything else InternalFailure (500).
 */
function runtimeError(err: any): {
  status: number;
  type: string;
  message: string;
  extra?: Record<string, unknown>;
} {
  const message = String(err?.message ?? err);
  if (err?.name === 'InputError' || err?.type === 'entity.parse.failed') {
    return { status: 400, type: 'ValidationError', message };
  }
  if (err?.name === 'NotFoundError') {
    return { status: 400, type: 'ValidationError', message };
  }
  if (err?.type === 'entity.too.large') {
    return { status: 413, type: 'ValidationError', message };
  }
  if (err?.name === 'ServiceUnavailableError') {
    return { status: 503, type: 'ServiceUnavailable', message };
  }
  if (err?.status === 415) {
    return {
      status: 424,
      type: 'ModelError',
      message,
      extra: { OriginalStatusCode: 415, OriginalMessage: message },
    };
  }
  return {
    status: 500,
    type: 'InternalFailure',
    message: 'internal error while predicting',
  };
}

export async function startEndpointServer(
  app: express.Express,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise((resolveServer, reject) => {
    const s = app.listen(port, host, () => resolveServer(s));
    s.once('error', reject);
  });
  // Benchmarks reuse connections; Node's default 5 s keep-alive is fine.
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>(resolveClose => {
        server.close(() => resolveClose());
        server.closeAllConnections?.();
      }),
  };
}
