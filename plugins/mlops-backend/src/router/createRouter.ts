import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import cors from 'cors';
import express, {
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
} from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { clientSafeResponses } from './clientSafe';
import Router from 'express-promise-router';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  toClientError,
} from '../errors';
import { PREDICTION_SOURCE_HEADER } from '@mlops-portal/plugin-mlops-common';
import { entityRefFromParams } from '../service/access';
import {
  LIST_LIMITS,
  MlopsService,
  parseRolloutAction,
  type MlopsCaller,
} from '../service/MlopsService';
import { DEFAULT_MAX_UPLOAD_BYTES, csvBody } from './csvBody';
import { registerDatasetUploadRoutes } from './datasetUploadRoutes';
import {
  parseEndpointName,
  parseExecutionId,
  parseFileName,
  parseListQuery,
  parseMonitoringWindow,
  parseVersion,
} from './validation';

/** JSON requests are small (a data set is streamed: see csvBody). */
export const JSON_BODY_LIMIT = '256kb';

export interface RouterOptions {
  service: MlopsService;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  config: RootConfigService;
}

/** Settings of the unauthenticated consumer route, read once at start-up. */
function readPublicApiConfig(config: RootConfigService) {
  // Off unless asked for: it predicts for anyone who can reach the backend.
  const enabled = config.getOptionalBoolean('mlops.publicApi.enabled') ?? false;
  const origins =
    config.getOptionalStringArray('mlops.publicApi.cors.origins') ?? [];
  const windowSeconds =
    config.getOptionalNumber('mlops.publicApi.rateLimit.windowSeconds') ?? 60;
  const max = config.getOptionalNumber('mlops.publicApi.rateLimit.max') ?? 60;
  if (!(windowSeconds > 0) || !Number.isInteger(max) || max < 1) {
    throw new Error(
      'mlops.publicApi.rateLimit: windowSeconds must be > 0 and max a positive integer',
    );
  }
  // How many reverse proxies in front of the backend append to
  // X-Forwarded-For; 0 (default) keys the limit on the socket's address.
  const trustProxyHops =
    config.getOptionalNumber('mlops.publicApi.trustProxyHops') ?? 0;
  if (!Number.isInteger(trustProxyHops) || trustProxyHops < 0) {
    throw new Error(
      'mlops.publicApi.trustProxyHops must be an integer ≥ 0 (the number of proxies in front of the backend)',
    );
  }
  return {
    enabled,
    origins,
    rateLimit: { windowSeconds, max },
    trustProxyHops,
  };
}

/**
 * The client address the public route's rate limit counts: with `hops`
 * trusted proxies in front, the address the outermost of them saw (the
 * `hops`-th entry of X-Forwarded-For from the right: entries further left
 * are the client's own claims and could be forged); otherwise the socket's.
 * Without this, behind a proxy every caller shares the proxy's one limit.
 */
export function clientAddress(req: Request, hops: number): string {
  const socket = req.socket?.remoteAddress ?? 'unknown';
  if (hops <= 0) return socket;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map(x => x.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - hops] ?? forwarded[0] ?? socket;
}

/**
 * A body of another type is refused before anything runs: a form-encoded
 * POST must not start a run with defaults. No body at all is fine.
 */
function bodyOf(types: string[], parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    // An empty POST (Content-Length: 0, as clients send for retry/stop) has no type to check.
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(types)) {
      next(
        new UnsupportedMediaTypeError(
          `Content-Type '${
            req.header('content-type') ?? '(none)'
          }' is not supported here: send ${types.join(' or ')}`,
        ),
      );
      return;
    }
    parse(req, res, next);
  };
}

/**
 * The MLOps REST API (documented in this package's README, "API"): routes,
 * request parsing and response mapping. The rules (permissions, audit,
 * limits) live in MlopsService, shared with the actions registry.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, logger, config } = options;
  const publicApi = readPublicApiConfig(config);
  const router = Router();

  const json = bodyOf(
    ['application/json'],
    express.json({ limit: JSON_BODY_LIMIT }),
  );
  // Data sets are streamed to the engine, never buffered here.
  const maxUploadBytes =
    config.getOptionalNumber('mlops.datasets.maxUploadBytes') ??
    DEFAULT_MAX_UPLOAD_BYTES;

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // --- unauthenticated consumer route --------------------------------------
  if (publicApi.enabled) {
    const corsMiddleware = cors({
      origin: publicApi.origins,
      methods: ['POST', 'OPTIONS'],
      allowedHeaders: ['Content-Type'],
      maxAge: 600,
    });
    // Per client address; answers 429 with Retry-After once over the limit.
    const limiter = rateLimit({
      windowMs: publicApi.rateLimit.windowSeconds * 1000,
      limit: publicApi.rateLimit.max,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: req =>
        ipKeyGenerator(clientAddress(req, publicApi.trustProxyHops)),
      // The key is computed above, not from req.ip: express's trust proxy
      // setting is the app's, not this plugin's.
      validate: { xForwardedForHeader: false },
      message: {
        error: {
          name: 'TooManyRequestsError',
          message: `Too many predictions from this client; at most ${publicApi.rateLimit.max} per ${publicApi.rateLimit.windowSeconds}s`,
        },
        response: { statusCode: 429 },
      },
    });
    router.options(
      '/v1/public/endpoints/:endpointName/predict',
      corsMiddleware,
    );
    router.post(
      '/v1/public/endpoints/:endpointName/predict',
      corsMiddleware,
      limiter,
      json,
      async (req, res) => {
        const endpointName = parseEndpointName(req.params.endpointName);
        res.json(
          await service.predictPublic(
            endpointName,
            req.body,
            await httpAuth.credentials(req),
          ),
        );
      },
    );
  }

  // --- entity-scoped routes --------------------------------------------------
  const entity = Router({ mergeParams: true });
  entity.use(clientSafeResponses());
  router.use('/v1/entity/:namespace/:kind/:name', entity);

  /** The caller and the entity's resources, for one request. */
  const caller = async (req: Request): Promise<MlopsCaller> => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefFromParams(req.params as Record<string, string>);
    const resources = await service.resolve(entityRef, credentials);
    return { request: req, credentials, resources };
  };

  entity.get('/summary', async (req, res) => {
    const { resources } = await caller(req);
    res.json(await service.summary(resources));
  });

  entity.get('/governance', async (req, res) => {
    const { resources } = await caller(req);
    res.json(service.governance(resources));
  });

  entity.get('/spec', async (req, res) => {
    const { resources } = await caller(req);
    res.json(await service.systemSpec(resources));
  });

  entity.get('/runs', async (req, res) => {
    const query = parseListQuery(
      req.query as Record<string, unknown>,
      LIST_LIMITS.runs,
    );
    const { resources } = await caller(req);
    res.json(await service.listExecutions(resources, query));
  });

  entity.post('/runs', json, async (req, res) => {
    const execution = await service.startExecution(
      await caller(req),
      req.body,
      req.header('idempotency-key'),
    );
    res.status(202).json(execution);
  });

  entity.get('/runs/:executionId', async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    const { resources } = await caller(req);
    res.json(await service.getExecution(resources, executionId));
  });

  entity.post('/runs/:executionId/retry', json, async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    res
      .status(202)
      .json(await service.retryExecution(await caller(req), executionId));
  });

  entity.post('/runs/:executionId/stop', json, async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    res.json(await service.stopExecution(await caller(req), executionId));
  });

  entity.get('/release', async (req, res) => {
    const { resources } = await caller(req);
    res.json(await service.releaseState(resources));
  });

  entity.get('/model-versions', async (req, res) => {
    const query = parseListQuery(
      req.query as Record<string, unknown>,
      LIST_LIMITS.modelVersions,
    );
    const { resources } = await caller(req);
    const { body } = await service.listModelVersions(resources, query);
    res.type('application/json').send(body);
  });

  entity.get('/model-versions/:version', async (req, res) => {
    const version = parseVersion(req.params.version);
    const { resources } = await caller(req);
    res.json(await service.getModelVersion(resources, version));
  });

  // `/versions/…` as the signature route was specified; `/model-versions/…` beside the version it describes.
  entity.get(
    ['/versions/:version/signature', '/model-versions/:version/signature'],
    async (req, res) => {
      const version = parseVersion(req.params.version);
      const { resources } = await caller(req);
      res.json(await service.getModelSignature(resources, version));
    },
  );

  entity.post('/model-versions/:version/approval', json, async (req, res) => {
    const version = parseVersion(req.params.version);
    res.json(
      await service.updateModelApproval(await caller(req), version, req.body),
    );
  });

  entity.get('/deployments', async (req, res) => {
    const { resources } = await caller(req);
    res.json(await service.listDeployments(resources));
  });

  // --- rollouts and shadow tests (rules: MlopsService) ---------------------
  entity.post('/rollout/:action', json, async (req, res) => {
    const action = parseRolloutAction(req.params.action);
    res.json(await service.controlRollout(await caller(req), action, req.body));
  });

  entity.post('/shadow-tests', json, async (req, res) => {
    res
      .status(201)
      .json(await service.startShadowTest(await caller(req), req.body));
  });

  entity.post('/shadow-tests/stop', json, async (req, res) => {
    res.json(await service.stopShadowTest(await caller(req), req.body));
  });

  entity.post('/datasets', async (req, res) => {
    const fileName = parseFileName(req.query.fileName);
    const content = csvBody(req, maxUploadBytes);
    const uploaded = await service.uploadDataset(await caller(req), {
      fileName,
      content,
      sizeBytes: Number(req.header('content-length')) || undefined,
      contentType: req.header('content-type'),
    });
    res.status(201).json(uploaded);
  });

  // Large files: straight to the engine's storage (501 when it cannot).
  registerDatasetUploadRoutes(entity, { service, json, caller });

  entity.post('/predict', json, async (req, res) => {
    res.json(
      await service.predict(await caller(req), req.body, {
        source: req.header(PREDICTION_SOURCE_HEADER),
      }),
    );
  });

  // --- monitoring ----------------------------------------------------------
  // A read only: breach alerts come from the background check (plugin.ts).
  entity.get('/monitoring', async (req, res) => {
    const window = parseMonitoringWindow(req.query as Record<string, unknown>);
    const { resources } = await caller(req);
    res.json(await service.getMonitoring(resources, window));
  });

  entity.get('/model-versions/:version/evaluation-plots', async (req, res) => {
    const version = parseVersion(req.params.version);
    const { resources } = await caller(req);
    res.json(await service.getEvaluationPlots(resources, version));
  });

  // --- errors ----------------------------------------------------------------
  const mapErrors: ErrorRequestHandler = (error, req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      next(
        new PayloadTooLargeError(
          `Request body exceeds the ${JSON_BODY_LIMIT} limit of this route`,
        ),
      );
      return;
    }
    const mapped = toClientError(error);
    if (mapped.name === 'InternalServerError') {
      // The client gets a safe message; the details stay in the log.
      logger.error(
        `MLOps request ${req.method} ${req.originalUrl} failed`,
        error,
      );
    }
    next(mapped);
  };
  router.use(mapErrors);
  // Stacks stay in the log, even in development: clients never get them.
  router.use(
    MiddlewareFactory.create({ config, logger }).error({
      showStackTraces: false,
    }),
  );
  return router;
}
