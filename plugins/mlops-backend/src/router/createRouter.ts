import type {
  AuthService,
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ENDPOINT,
  approvalRequestSchema,
  getMlopsResources,
  mlopsDatasetUploadPermission,
  mlopsEndpointInvokePermission,
  mlopsModelApprovePermission,
  mlopsPipelineExecutePermission,
  predictRequestSchema,
  startExecutionRequestSchema,
  type MlopsResources,
  type MlopsSummary,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import type { JsonObject } from '@backstage/types';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import Router from 'express-promise-router';
import { PayloadTooLargeError, toClientError } from '../errors';
import {
  MlopsAccess,
  actorFromCredentials,
  entityRefFromParams,
} from '../service/access';
import { ModelVersionsCache } from '../service/modelVersionsCache';
import { registerDatasetUploadRoutes } from './datasetUploadRoutes';
import {
  parseBody,
  parseEndpointName,
  parseExecutionId,
  parseFileName,
  parseListQuery,
  parseVersion,
} from './validation';

/** Body limits: JSON requests are small; a CSV may be a whole data set. */
export const JSON_BODY_LIMIT = '256kb';
export const CSV_BODY_LIMIT = '50mb';

export interface RouterOptions {
  engine: MlopsEngine;
  access: MlopsAccess;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  logger: LoggerService;
  config: RootConfigService;
  /** Model-version lists kept between engine change events; default: none. */
  versionsCache?: ModelVersionsCache;
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
  return { enabled, origins, rateLimit: { windowSeconds, max } };
}

/**
 * The MLOps REST API (see /tmp/API.md, mirrored in the README). Thin: it
 * validates, resolves the entity with the caller's credentials, authorizes,
 * audits writes and hands over to the engine.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { engine, access, catalog, httpAuth, auth, logger, config } = options;
  const versionsCache =
    options.versionsCache ?? ModelVersionsCache.forEngine({}).cache;
  const publicApi = readPublicApiConfig(config);
  const router = Router();

  const json = express.json({ limit: JSON_BODY_LIMIT });
  // Raw bytes: the engine hashes exactly what was uploaded.
  const csv = express.raw({
    type: ['text/csv', 'text/plain', 'application/csv'],
    limit: CSV_BODY_LIMIT,
  });

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
      message: {
        error: {
          name: 'TooManyRequestsError',
          message: `Too many predictions from this client; at most ${publicApi.rateLimit.max} per ${publicApi.rateLimit.windowSeconds}s`,
        },
        response: { statusCode: 429 },
      },
    });
    // Endpoint → resources, briefly cached: the consumer app predicts often
    // and the catalog answer rarely changes.
    const endpointCache = new Map<
      string,
      { resources?: MlopsResources; expires: number }
    >();
    const ENDPOINT_CACHE_MS = 10_000;

    const resourcesForEndpoint = async (endpointName: string) => {
      const hit = endpointCache.get(endpointName);
      if (hit && hit.expires > Date.now()) return hit.resources;
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_ENDPOINT}`]: endpointName,
          },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.annotations',
          ],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      const resources = items
        .map(e => getMlopsResources(e))
        .find(r => r?.endpointName === endpointName);
      if (endpointCache.size > 1000) endpointCache.clear();
      endpointCache.set(endpointName, {
        resources,
        expires: Date.now() + ENDPOINT_CACHE_MS,
      });
      return resources;
    };

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
        const body = parseBody(predictRequestSchema, req.body);
        const resources = await resourcesForEndpoint(endpointName);
        if (!resources) {
          throw new NotFoundError(
            `No catalog entity serves endpoint ${endpointName}`,
          );
        }
        res.json(await engine.predict(resources, body.instances));
      },
    );
  }

  // --- entity-scoped routes --------------------------------------------------
  const entity = Router({ mergeParams: true });
  router.use('/v1/entity/:namespace/:kind/:name', entity);

  /** The caller, the entity's resources and its ref, for one request. */
  const context = async (req: Request) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefFromParams(req.params as Record<string, string>);
    const resources = await access.resolve(entityRef, credentials);
    const actor = actorFromCredentials(credentials);
    return { request: req, credentials, resources, actor };
  };
  type Context = Awaited<ReturnType<typeof context>>;

  /**
   * An audited write on the request's entity, after checking `permission`;
   * the audit meta always starts with the entity ref.
   */
  const guardedWrite = <T>(
    ctx: Context,
    write: {
      eventId: string;
      permission: ResourcePermission<'catalog-entity'>;
      meta?: JsonObject;
      severityLevel?: 'high';
    },
    fn: (ctx: Context) => Promise<{ result: T; meta?: JsonObject }>,
  ): Promise<T> =>
    access.guardedWrite(
      {
        ...write,
        request: ctx.request,
        entityRef: ctx.resources.entityRef,
        credentials: ctx.credentials,
        meta: { entityRef: ctx.resources.entityRef, ...write.meta },
      },
      () => fn(ctx),
    );

  entity.get('/summary', async (req, res) => {
    const { resources } = await context(req);
    const [executions, versions, deployments] = await Promise.all([
      engine.listExecutions(resources, { limit: 1 }),
      versionsCache.get(engine, resources).then(e => e.items),
      engine.listDeployments(resources),
    ]);
    const summary: MlopsSummary = {
      entityRef: resources.entityRef,
      latestExecution: executions.items[0],
      endpoint: deployments.endpoint,
      deployedVersion: versions.find(v => v.deployed),
      pendingApprovals: versions.filter(
        v => v.approvalStatus === 'PendingManualApproval',
      ).length,
      versionCount: versions.length,
    };
    res.json(summary);
  });

  entity.get('/runs', async (req, res) => {
    const query = parseListQuery(req.query as Record<string, unknown>);
    const { resources } = await context(req);
    res.json(await engine.listExecutions(resources, query));
  });

  entity.post('/runs', json, async (req, res) => {
    const ctx = await context(req);
    const execution = await guardedWrite(
      ctx,
      {
        eventId: 'pipeline-execution-start',
        permission: mlopsPipelineExecutePermission,
        meta: { pipelineName: ctx.resources.pipelineName },
      },
      async ({ resources, actor }) => {
        const body = parseBody(startExecutionRequestSchema, req.body ?? {});
        const idempotencyKey =
          req.header('idempotency-key')?.slice(0, 128) || undefined;
        const result = await engine.startExecution(resources, {
          parameters: body.parameters as
            | Record<string, string | number>
            | undefined,
          displayName: body.displayName,
          trigger: 'manual',
          actor,
          clientRequestToken: idempotencyKey,
        });
        return { result, meta: { executionId: result.executionId } };
      },
    );
    res.status(202).json(execution);
  });

  entity.get('/runs/:executionId', async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    const { resources } = await context(req);
    res.json(await engine.getExecution(resources, executionId));
  });

  entity.post('/runs/:executionId/retry', async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    const ctx = await context(req);
    const execution = await guardedWrite(
      ctx,
      {
        eventId: 'pipeline-execution-retry',
        permission: mlopsPipelineExecutePermission,
        meta: { executionId },
      },
      async ({ resources, actor }) => {
        const result = await engine.retryExecution(
          resources,
          executionId,
          actor,
        );
        return { result, meta: { newExecutionId: result.executionId } };
      },
    );
    res.status(202).json(execution);
  });

  entity.post('/runs/:executionId/stop', async (req, res) => {
    const executionId = parseExecutionId(req.params.executionId);
    const ctx = await context(req);
    const execution = await guardedWrite(
      ctx,
      {
        eventId: 'pipeline-execution-stop',
        permission: mlopsPipelineExecutePermission,
        meta: { executionId },
      },
      async ({ resources, actor }) => ({
        result: await engine.stopExecution(resources, executionId, actor),
      }),
    );
    res.json(execution);
  });

  entity.get('/release', async (req, res) => {
    const { resources } = await context(req);
    res.json({ stages: (await engine.getReleaseState(resources)) ?? null });
  });

  entity.get('/model-versions', async (req, res) => {
    const { resources } = await context(req);
    const { body } = await versionsCache.get(engine, resources);
    res.type('application/json').send(body);
  });

  entity.get('/model-versions/:version', async (req, res) => {
    const version = parseVersion(req.params.version);
    const { resources } = await context(req);
    res.json(await engine.getModelVersion(resources, version));
  });

  entity.post('/model-versions/:version/approval', json, async (req, res) => {
    const version = parseVersion(req.params.version);
    const ctx = await context(req);
    const updated = await guardedWrite(
      ctx,
      {
        eventId: 'model-approval',
        severityLevel: 'high',
        permission: mlopsModelApprovePermission,
        meta: {
          modelPackageGroupName: ctx.resources.modelPackageGroupName,
          version,
        },
      },
      async ({ resources, actor }) => {
        const body = parseBody(approvalRequestSchema, req.body);
        const result = await engine.updateModelApproval(resources, version, {
          status: body.status,
          comment: body.comment,
          actor,
        });
        return { result, meta: { status: body.status, comment: body.comment } };
      },
    );
    res.json(updated);
  });

  entity.get('/deployments', async (req, res) => {
    const { resources } = await context(req);
    res.json(await engine.listDeployments(resources));
  });

  entity.post('/datasets', csv, async (req, res) => {
    const fileName = parseFileName(req.query.fileName);
    const ctx = await context(req);
    const uploaded = await guardedWrite(
      ctx,
      {
        eventId: 'dataset-upload',
        permission: mlopsDatasetUploadPermission,
        meta: { fileName },
      },
      async ({ resources, actor }) => {
        if (!Buffer.isBuffer(req.body)) {
          throw new InputError(
            'Request body must be CSV text with Content-Type: text/csv',
          );
        }
        if (req.body.length === 0)
          throw new InputError('Request body is empty: expected CSV rows');
        const result = await engine.uploadDataset(resources, {
          fileName,
          content: req.body,
          contentType: req.header('content-type'),
          actor,
        });
        return {
          result,
          meta: {
            manifestId: result.manifest.manifestId,
            sizeBytes: req.body.length,
            executionId: result.execution?.executionId ?? null,
          },
        };
      },
    );
    res.status(201).json(uploaded);
  });

  // Large files: straight to the engine's storage (501 when it cannot).
  registerDatasetUploadRoutes(entity, { engine, json, context, guardedWrite });

  entity.post('/predict', json, async (req, res) => {
    const { credentials, resources } = await context(req);
    await access.authorize(
      mlopsEndpointInvokePermission,
      resources.entityRef,
      credentials,
    );
    const body = parseBody(predictRequestSchema, req.body);
    res.json(await engine.predict(resources, body.instances));
  });

  // --- errors ----------------------------------------------------------------
  const mapErrors: ErrorRequestHandler = (error, req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      const limit = req.path.endsWith('/datasets')
        ? CSV_BODY_LIMIT
        : JSON_BODY_LIMIT;
      next(
        new PayloadTooLargeError(
          `Request body exceeds the ${limit} limit of this route`,
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
