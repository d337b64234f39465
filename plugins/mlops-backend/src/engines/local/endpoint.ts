import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  cellValue,
  checkTablePreprocessor,
  createModelScorer,
  splitCsvLine,
  tableFromRecords,
  transformTable,
  upgradeLegacyPreprocessor,
  validateRecords,
} from '@mlops-portal/ml-core';
import type {
  DatasetSchema,
  ModelScorer,
  ModelSignature as CoreSignature,
  TablePreprocessorArtifact,
} from '@mlops-portal/ml-core';
import { toPrediction } from '@mlops-portal/plugin-mlops-common';
import type {
  FeatureRecord,
  ModelSignature,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import express from 'express';
import fs from 'fs/promises';
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import type { CapturedPrediction } from './monitoring/captureMiddleware';

/** A model version ready to serve: its signature and a batch predictor. */
export interface ServedModel {
  signature: ModelSignature;
  /**
   * Checks the records against the signature (InputError naming
   * `instances.N.field`), then scores them; one raw score per record
   * (regression value, P(class 1), or every class's probability) and its
   * Prediction as every engine answers it.
   */
  predict(records: readonly FeatureRecord[]): ServedPredictions;
}

export interface ServedPredictions {
  /**
   * The records as the model read them: numbers, booleans and trimmed
   * category text, null where missing, only the signature's inputs (what
   * monitoring captures).
   */
  records: FeatureRecord[];
  predictions: Prediction[];
  /** Raw model output per record, in the shape `toPrediction` reads. */
  scores: Array<number | number[]>;
}

/** A deployed version, loaded once per deployment. */
export interface LoadedModel {
  deploymentId: string;
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  model: ServedModel;
}

/** Artifact file names training writes into a model package directory. */
export const MODEL_FILES = {
  model: 'model.json',
  preprocessor: 'preprocessor.json',
  signature: 'signature.json',
} as const;

async function readJson(dir: string, file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(path.join(dir, file), 'utf8'));
}

/** Most errors listed in one 400 answer (the rest are counted). */
const MAX_LISTED_ERRORS = 10;

/**
 * The table schema prediction records are read with: the signature's
 * inputs only. Only an empty cell (CSV) or null (JSON) is missing here;
 * any other text is a value the signature checks.
 */
function recordSchema(signature: ModelSignature): DatasetSchema {
  return {
    header: true,
    columns: signature.inputs.map(i => ({ name: i.name, type: i.type })),
    target: signature.outputs.target,
    task: signature.outputs.task,
    classes: signature.outputs.classes,
    missingValues: [''],
    maxCategories: Number.MAX_SAFE_INTEGER,
  };
}

/** One 400 naming each bad field as `<prefix>.N.field` (row numbers from `rowBase`). */
export function checkRecords(
  signature: ModelSignature,
  records: readonly FeatureRecord[],
  name: (record: number, field: string) => string = (r, f) =>
    `instances.${r}.${f}`,
): void {
  const errors = validateRecords(
    signature as unknown as CoreSignature,
    records,
  );
  if (errors.length === 0) return;
  const listed = errors
    .slice(0, MAX_LISTED_ERRORS)
    .map(e => `${name(e.record, e.field)}: ${e.reason}`);
  const more =
    errors.length > MAX_LISTED_ERRORS
      ? ` (and ${errors.length - MAX_LISTED_ERRORS} more)`
      : '';
  throw new InputError(`${listed.join('; ')}${more}`);
}

/** A served model from its artifacts (model.json, preprocessor.json, signature.json). */
export function servedModelOf(
  signature: ModelSignature,
  preprocessor: unknown,
  modelJson: object,
): ServedModel {
  checkTablePreprocessor(preprocessor);
  const pre: TablePreprocessorArtifact = preprocessor;
  const scorer: ModelScorer = createModelScorer(
    modelJson,
    signature.outputs.classes,
  );
  if (scorer.task !== signature.outputs.task) {
    throw new Error(
      `model.json is a ${scorer.task} model but signature.json says ${signature.outputs.task}`,
    );
  }
  const schema = recordSchema(signature);
  const k = signature.outputs.classes?.length ?? 1;
  return {
    signature,
    predict(records) {
      checkRecords(signature, records);
      const table = tableFromRecords(schema, records);
      const raw = scorer.predict(transformTable(pre, table));
      const scores: Array<number | number[]> = [];
      for (let r = 0; r < records.length; r++) {
        scores.push(
          scorer.task === 'multiclass'
            ? Array.from(raw.subarray(r * k, (r + 1) * k))
            : raw[r],
        );
      }
      return {
        records: records.map((_, r) => {
          const rec: FeatureRecord = {};
          table.names.forEach((n, j) => {
            rec[n] = cellValue(table.columns[j], r);
          });
          return rec;
        }),
        scores,
        predictions: scores.map(s => toPrediction(signature.outputs, s)),
      };
    },
  };
}

/**
 * A model package directory's signature.json; undefined when the version
 * has none (registered before signatures), an error when it is not one.
 */
export async function readSignature(
  modelDir: string,
): Promise<ModelSignature | undefined> {
  let signature: ModelSignature;
  try {
    signature = (await readJson(
      modelDir,
      MODEL_FILES.signature,
    )) as ModelSignature;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (
    signature?.format !== 'mlops-portal/signature' ||
    !Array.isArray(signature.inputs) ||
    !signature.outputs
  ) {
    throw new Error(`${MODEL_FILES.signature} is not a model signature`);
  }
  return signature;
}

/**
 * Loads a model package directory. A version registered before signatures
 * (no signature.json) is served when the ML core can restate its
 * first-release artifacts in the generic form (upgraded portals keep
 * serving what they had deployed); anything else is refused clearly.
 */
export async function loadServedModel(modelDir: string): Promise<ServedModel> {
  const [signature, pre, model] = await Promise.all([
    readSignature(modelDir),
    readJson(modelDir, MODEL_FILES.preprocessor),
    readJson(modelDir, MODEL_FILES.model),
  ]);
  if (signature) return servedModelOf(signature, pre, model as object);
  const legacy = upgradeLegacyPreprocessor(pre);
  if (!legacy) {
    throw new Error(
      `it has no ${MODEL_FILES.signature} and its ${MODEL_FILES.preprocessor} is of no known format; train and approve a new version to serve this system`,
    );
  }
  return servedModelOf(
    legacy.signature as unknown as ModelSignature,
    legacy.preprocessor,
    model as object,
  );
}

/**
 * Parses SageMaker-style CSV input: one record per line, the signature's
 * inputs in its order, no header, no label; an empty cell is missing.
 * Cells stay text: the signature check reads numbers and booleans from it
 * and names the 1-based row and the column.
 */
export function parseCsvInstances(
  text: string,
  signature: ModelSignature,
): FeatureRecord[] {
  const names = signature.inputs.map(i => i.name);
  const out: FeatureRecord[] = [];
  const rowOf: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let cells: string[];
    try {
      cells = splitCsvLine(lines[i]);
    } catch (e) {
      throw new InputError(
        `row ${i + 1}: not valid CSV (${String((e as Error).message).slice(
          0,
          200,
        )})`,
      );
    }
    if (cells.length !== names.length) {
      throw new InputError(
        `row ${i + 1}: expected ${names.length} columns (${names
          .join(',')
          .slice(0, 512)}), got ${cells.length}`,
      );
    }
    const rec: FeatureRecord = {};
    names.forEach((n, c) => {
      rec[n] = cells[c] === '' ? null : cells[c];
    });
    out.push(rec);
    rowOf.push(i + 1);
  }
  if (out.length === 0) throw new InputError('body holds no rows');
  checkRecords(signature, out, (r, f) => `row ${rowOf[r]}, column ${f}`);
  return out;
}

/** The JSON body `{instances: FeatureRecord[]}`; errors name the field. */
export function parseJsonInstances(body: unknown): FeatureRecord[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('body must be a JSON object {instances: [...]}');
  }
  const extra = Object.keys(body).filter(k => k !== 'instances');
  if (extra.length > 0) {
    throw new InputError(
      `body: unrecognized key(s) ${extra.slice(0, 5).join(', ')}`,
    );
  }
  const instances = (body as { instances?: unknown }).instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw new InputError('instances must be an array of at least one record');
  }
  return instances as FeatureRecord[];
}

/** Raw outputs as SageMaker's XGBoost container writes CSV: value, P(class 1), or each class's probability. */
function csvLine(score: number | number[]): string {
  return Array.isArray(score) ? score.join(',') : String(score);
}

/** What the endpoint server needs from the engine. */
export interface EndpointBackend {
  /** The model an endpoint serves; undefined → nothing deployed. */
  modelFor(endpointName: string | undefined): LoadedModel | undefined;
  hasEndpoint(endpointName: string): boolean;
  /**
   * Scores records on the endpoint (during a rollout: the version the split
   * picks); answers the predictions and the version that gave them.
   * Without it (a single fixed model) the resolved model scores.
   */
  serve?(
    endpointName: string | undefined,
    records: FeatureRecord[],
  ): ServedPredictions & { modelVersion: number };
  /** Runs first on every request, e.g. to capture invocations for monitoring. */
  capture?: express.RequestHandler;
}

/**
 * SageMaker's serving contract on its own port: GET /ping answers 200 only
 * when a model is loaded (503 otherwise, so a load balancer would not route
 * to an empty endpoint); POST /invocations takes text/csv (the signature's
 * inputs in order; answers text/csv, one raw output per line, like the
 * XGBoost container) or JSON `{instances: FeatureRecord[]}` (answers
 * `{predictions: Prediction[]}` built by `toPrediction`).
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
    const { signature } = model.model;
    let instances: FeatureRecord[];
    if (isCsv) {
      instances = parseCsvInstances(req.body, signature);
    } else if (req.is('application/json')) {
      instances = parseJsonInstances(req.body);
    } else {
      throw Object.assign(
        new Error('Content-Type must be text/csv or application/json'),
        { name: 'UnsupportedMediaType', status: 415 },
      );
    }
    const { records, predictions, scores, modelVersion } = backend.serve
      ? backend.serve(name, instances)
      : { ...model.model.predict(instances), modelVersion: model.version };
    res.locals.capture = {
      modelVersion,
      instances: records,
      predictions,
    } satisfies CapturedPrediction;
    res.setHeader('X-Model-Version', String(modelVersion));
    const wantsJson =
      !isCsv || (req.get('accept') ?? '').includes('application/json');
    if (wantsJson) {
      res.json({ predictions });
    } else {
      res.type('text/csv').send(`${scores.map(csvLine).join('\n')}\n`);
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
