import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  isError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { JsonObject } from '@backstage/types';
import {
  ANNOTATION_ENDPOINT,
  ANNOTATION_PUBLIC_PREDICT,
  DEFAULT_MSE_THRESHOLD,
  GATE_PARAMETER,
  PREDICTION_SOURCE_HEADER,
  approvalRequestSchema,
  fourEyesConflict,
  getMlopsResources,
  mlopsDatasetUploadPermission,
  mlopsEndpointInvokePermission,
  mlopsModelApprovePermission,
  mlopsPipelineExecutePermission,
  predictRequestSchema,
  startExecutionRequestSchema,
  type ListResponse,
  type MlopsGovernance,
  type MlopsResources,
  type MlopsSummary,
  type ModelVersion,
  type PipelineExecution,
  type PredictResponse,
  type UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngine } from '@mlops-portal/plugin-mlops-node';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import type { Readable } from 'stream';
import { parseBody } from './parseBody';
import { MlopsAccess, actorFromCredentials } from './access';
import { ModelVersionsCache, type VersionsPage } from './modelVersionsCache';
import type { ResourceClaims } from './resourceClaims';

/** Page sizes of the list operations, shared by the HTTP API and the actions. */
export const LIST_LIMITS = {
  runs: { default: 50, max: 100 },
  modelVersions: { default: 50, max: 200 },
} as const;

/** Who is calling, on which entity (resolved with the caller's credentials). */
export interface MlopsCaller {
  resources: MlopsResources;
  credentials: BackstageCredentials;
  /** The HTTP request, for the audit log; absent for actions. */
  request?: Request<any, any, any, any, any>;
  /** Extra audit meta, e.g. `{ via: 'actions-registry' }`. */
  via?: string;
}

export interface MlopsServiceOptions {
  engine: MlopsEngine;
  access: MlopsAccess;
  catalog: CatalogService;
  auth: AuthService;
  /** Model-version first pages kept between engine change events; default: none. */
  versionsCache?: ModelVersionsCache;
  /** How long an endpoint → entity lookup of the public route is kept. */
  endpointCacheTtlMs?: number;
  /** Which entity owns an endpoint name (the public route serves only that one). */
  claims?: ResourceClaims;
  /** The configured quality gate (`mlops.qualityGate.mseThreshold`); default 6.0. */
  mseThreshold?: number;
  /** Approval rules from configuration (`mlops.approval`); later per entity from its spec. */
  approval?: ApprovalRules;
}

/** How versions get approved (`mlops.approval`). */
export interface ApprovalRules {
  /** Runs may register their version as Approved (`ModelApprovalStatus=Approved`). Default false. */
  preApprove?: boolean;
  /** Whoever started the producing run or uploaded its data may not approve a version. Default false. */
  fourEyes?: boolean;
}

/**
 * The MLOps rules, once: what each operation checks, audits and passes to the
 * engine. The HTTP router and the actions registry are two front doors to it.
 */
export class MlopsService {
  readonly engine: MlopsEngine;
  private readonly access: MlopsAccess;
  private readonly versionsCache: ModelVersionsCache;
  // Endpoint → resources: the consumer app predicts often and the catalog
  // answer rarely changes. A miss is kept too (as null) so unknown names
  // cannot hammer the catalog.
  private readonly endpoints: LRUCache<string, { r: MlopsResources | null }>;

  constructor(private readonly options: MlopsServiceOptions) {
    this.engine = options.engine;
    this.access = options.access;
    this.versionsCache =
      options.versionsCache ?? ModelVersionsCache.forEngine({}).cache;
    this.endpoints = new LRUCache({
      max: 1000,
      ttl: options.endpointCacheTtlMs ?? 10_000,
    });
  }

  resolve(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<MlopsResources> {
    return this.access.resolve(entityRef, credentials);
  }

  /**
   * The entity's resources for an endpoint the public route may serve: the
   * entity that owns the endpoint name and opted in with
   * `mlops.io/public-predict: "true"`. Anything else is the same
   * NotFoundError, so the route does not tell which endpoints exist.
   */
  async resourcesForEndpoint(endpointName: string): Promise<MlopsResources> {
    let hit = this.endpoints.get(endpointName);
    if (!hit) {
      const { items } = await this.options.catalog.getEntities(
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
        { credentials: await this.options.auth.getOwnServiceCredentials() },
      );
      const candidates = items
        .map(e => getMlopsResources(e))
        .filter((x): x is MlopsResources => x?.endpointName === endpointName);
      const owner = await this.ownerAmong(candidates);
      const optedIn =
        owner &&
        items.some(
          e =>
            getMlopsResources(e)?.entityRef === owner.entityRef &&
            e.metadata.annotations?.[ANNOTATION_PUBLIC_PREDICT]?.trim() ===
              'true',
        );
      hit = { r: optedIn ? owner : null };
      this.endpoints.set(endpointName, hit);
    }
    if (!hit.r) throw publicNotFound(endpointName);
    return hit.r;
  }

  /**
   * The one candidate whose names are all its own: several entities may name
   * an endpoint, only the one holding the claims is served.
   */
  private async ownerAmong(
    candidates: MlopsResources[],
  ): Promise<MlopsResources | undefined> {
    const claims = this.options.claims;
    if (!claims) return candidates[0];
    for (const c of candidates) {
      try {
        await claims.bind(c);
        return c;
      } catch {
        // Another entity's twin: not served.
      }
    }
    return undefined;
  }

  /**
   * Scores instances on a public endpoint (the route is unauthenticated):
   * the endpoint must be opted in, and the invoke permission is checked for
   * the anonymous caller (a policy may refuse it); a refusal looks like an
   * unknown endpoint. The traffic is tagged `public` for monitoring.
   */
  async predictPublic(
    endpointName: string,
    body: unknown,
    credentials: BackstageCredentials,
  ): Promise<PredictResponse> {
    const { instances } = parseBody(predictRequestSchema, body);
    const resources = await this.resourcesForEndpoint(endpointName);
    try {
      // The permission backend answers only user and service principals (an
      // unauthenticated one gets 401), so an anonymous caller is put to the
      // policy as a request with no user: the plugin's own service identity.
      await this.access.authorize(
        mlopsEndpointInvokePermission,
        resources.entityRef,
        this.options.auth.isPrincipal(credentials, 'none')
          ? await this.options.auth.getOwnServiceCredentials()
          : credentials,
      );
    } catch (e) {
      if (e instanceof NotAllowedError) throw publicNotFound(endpointName);
      throw e;
    }
    return this.engine.predict(resources, instances, { source: 'public' });
  }

  /**
   * Scores records for a signed-in caller. `source: 'portal'` (the portal's
   * own widget says so) tags them, so monitoring leaves them out of the
   * endpoint's traffic, error rates and drift.
   */
  async predict(
    caller: MlopsCaller,
    body: unknown,
    options: { source?: string } = {},
  ): Promise<PredictResponse> {
    await this.access.authorize(
      mlopsEndpointInvokePermission,
      caller.resources.entityRef,
      caller.credentials,
    );
    const { source } = options;
    if (source !== undefined && source !== 'portal') {
      throw new InputError(
        `${PREDICTION_SOURCE_HEADER}: must be "portal" when given`,
      );
    }
    const { instances } = parseBody(predictRequestSchema, body);
    return this.engine.predict(
      caller.resources,
      instances,
      source ? { source } : undefined,
    );
  }

  /** The gate and approval rules of an entity (configuration today; its spec later). */
  governance(_resources: MlopsResources): MlopsGovernance {
    return {
      qualityGate: {
        mseThreshold: this.options.mseThreshold ?? DEFAULT_MSE_THRESHOLD,
      },
      approval: {
        preApprove: this.options.approval?.preApprove ?? false,
        fourEyes: this.options.approval?.fourEyes ?? false,
      },
    };
  }

  listExecutions(
    resources: MlopsResources,
    options: { limit?: number; nextToken?: string },
  ): Promise<ListResponse<PipelineExecution>> {
    return this.engine.listExecutions(resources, {
      limit: clampLimit(options.limit, LIST_LIMITS.runs),
      nextToken: options.nextToken,
    });
  }

  /** A page of model versions, newest first (first pages come from the cache). */
  listModelVersions(
    resources: MlopsResources,
    options: { limit?: number; nextToken?: string },
  ): Promise<VersionsPage> {
    return this.versionsCache.get(this.engine, resources, {
      limit: clampLimit(options.limit, LIST_LIMITS.modelVersions),
      nextToken: options.nextToken,
    });
  }

  /**
   * The entity at a glance. Reads only the newest page of versions: pending
   * approvals are counted there (older versions waiting would be stale), and
   * beyond one page the count is the newest version number (both registries
   * number versions 1, 2, … without gaps).
   */
  async summary(resources: MlopsResources): Promise<MlopsSummary> {
    const [executions, page, deployments] = await Promise.all([
      this.engine.listExecutions(resources, { limit: 1 }),
      this.listModelVersions(resources, {
        limit: LIST_LIMITS.modelVersions.max,
      }),
      this.engine.listDeployments(resources),
    ]);
    const versions = page.items;
    let deployedVersion = versions.find(v => v.deployed);
    const served = deployments.endpoint?.modelVersion;
    if (!deployedVersion && page.nextToken && served !== undefined) {
      // A served version the registry no longer has is "none"; a registry
      // that cannot be read (refused, throttled) is an error the caller sees.
      deployedVersion = await this.engine
        .getModelVersion(resources, served)
        .catch(e => {
          if (isError(e) && e.name === 'NotFoundError') return undefined;
          throw e;
        });
    }
    return {
      entityRef: resources.entityRef,
      latestExecution: executions.items[0],
      endpoint: deployments.endpoint,
      deployedVersion,
      pendingApprovals: versions.filter(
        v => v.approvalStatus === 'PendingManualApproval',
      ).length,
      versionCount: page.nextToken
        ? Math.max(versions.length, versions[0]?.version ?? 0)
        : versions.length,
    };
  }

  async startExecution(
    caller: MlopsCaller,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<PipelineExecution> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'pipeline-execution-start',
        permission: mlopsPipelineExecutePermission,
        meta: { pipelineName: caller.resources.pipelineName },
      },
      async actor => {
        const requested = (body as { parameters?: unknown } | undefined)
          ?.parameters;
        if (
          requested &&
          typeof requested === 'object' &&
          GATE_PARAMETER in requested
        ) {
          throw new InputError(
            `parameters.${GATE_PARAMETER}: the quality gate is not a run parameter; it comes from configuration (mlops.qualityGate.mseThreshold) and is recorded on the run`,
          );
        }
        const parsed = parseBody(startExecutionRequestSchema, body ?? {});
        const parameters = parsed.parameters as
          | Record<string, string | number>
          | undefined;
        await this.requirePreApprovalRights(caller, parameters);
        const result = await this.engine.startExecution(caller.resources, {
          parameters,
          displayName: parsed.displayName,
          trigger: 'manual',
          actor,
          clientRequestToken: idempotencyKey?.slice(0, 128) || undefined,
        });
        return {
          result,
          meta: {
            executionId: result.executionId,
            parameters: parameters ?? {},
          },
        };
      },
    );
  }

  /**
   * Pre-approval (`ModelApprovalStatus=Approved`) skips the owners' review,
   * so it is allowed only where configuration allows it
   * (`mlops.approval.preApprove`) and only to callers who may approve.
   */
  private async requirePreApprovalRights(
    caller: MlopsCaller,
    parameters: Record<string, string | number> | undefined,
  ): Promise<void> {
    if (parameters?.ModelApprovalStatus !== 'Approved') return;
    if (!this.options.approval?.preApprove) {
      throw new NotAllowedError(
        `parameters.ModelApprovalStatus=Approved: pre-approval is off (mlops.approval.preApprove); versions wait for an owner's approval`,
      );
    }
    try {
      await this.access.authorize(
        mlopsModelApprovePermission,
        caller.resources.entityRef,
        caller.credentials,
      );
    } catch (e) {
      if (e instanceof NotAllowedError) {
        throw new NotAllowedError(
          `parameters.ModelApprovalStatus=Approved needs the ${mlopsModelApprovePermission.name} permission on ${caller.resources.entityRef}`,
        );
      }
      throw e;
    }
  }

  /**
   * The four-eyes rule (`mlops.approval.fourEyes`): whoever started the run
   * that produced the version, or uploaded its data, may not approve it.
   */
  private async requireFourEyes(
    caller: MlopsCaller,
    version: number,
    actorRef: string,
  ): Promise<void> {
    if (!this.options.approval?.fourEyes) return;
    const v = await this.engine.getModelVersion(caller.resources, version);
    let runStartedBy: string | undefined;
    if (v.executionId) {
      // A retry's starter is not the version's creator on every engine.
      runStartedBy = await this.engine
        .getExecution(caller.resources, v.executionId)
        .then(
          e => e.triggeredBy,
          e => {
            if (isError(e) && e.name === 'NotFoundError') return undefined;
            throw e;
          },
        );
    }
    const conflict = fourEyesConflict(v, actorRef, runStartedBy);
    if (conflict) throw new NotAllowedError(conflict);
  }

  retryExecution(
    caller: MlopsCaller,
    executionId: string,
  ): Promise<PipelineExecution> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'pipeline-execution-retry',
        permission: mlopsPipelineExecutePermission,
        meta: { executionId },
      },
      async actor => {
        // A retry replays the run's parameters: the same pre-approval rule applies.
        const previous = await this.engine.getExecution(
          caller.resources,
          executionId,
        );
        await this.requirePreApprovalRights(
          caller,
          previous.parameters as Record<string, string | number> | undefined,
        );
        const result = await this.engine.retryExecution(
          caller.resources,
          executionId,
          actor,
        );
        return { result, meta: { newExecutionId: result.executionId } };
      },
    );
  }

  stopExecution(
    caller: MlopsCaller,
    executionId: string,
  ): Promise<PipelineExecution> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'pipeline-execution-stop',
        permission: mlopsPipelineExecutePermission,
        meta: { executionId },
      },
      async actor => ({
        result: await this.engine.stopExecution(
          caller.resources,
          executionId,
          actor,
        ),
      }),
    );
  }

  /** Approve (and deploy) or reject a version: high-severity audit, owners only. */
  updateModelApproval(
    caller: MlopsCaller,
    version: number,
    body: unknown,
  ): Promise<ModelVersion> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'model-approval',
        severityLevel: 'high',
        permission: mlopsModelApprovePermission,
        meta: {
          modelPackageGroupName: caller.resources.modelPackageGroupName,
          version,
        },
      },
      async actor => {
        const { status, comment } = parseBody(approvalRequestSchema, body);
        if (status === 'Approved') {
          await this.requireFourEyes(caller, version, actor.ref);
        }
        const result = await this.engine.updateModelApproval(
          caller.resources,
          version,
          { status, comment, actor },
        );
        return { result, meta: { status, comment } };
      },
    );
  }

  /** Puts a CSV into the data bucket (which triggers the release pipeline). */
  uploadDataset(
    caller: MlopsCaller,
    upload: {
      fileName: string;
      content: Buffer | Readable;
      sizeBytes?: number;
      contentType?: string;
    },
  ): Promise<UploadDatasetResponse> {
    const { fileName, content, sizeBytes, contentType } = upload;
    return this.guardedWrite(
      caller,
      {
        eventId: 'dataset-upload',
        permission: mlopsDatasetUploadPermission,
        meta: { fileName },
      },
      async actor => {
        const result = await this.engine.uploadDataset(caller.resources, {
          fileName,
          content,
          sizeBytes,
          contentType,
          actor,
        });
        return {
          result,
          meta: {
            manifestId: result.manifest.manifestId,
            sizeBytes: result.manifest.files.reduce(
              (n, f) => n + (f.size ?? 0),
              0,
            ),
            executionId: result.execution?.executionId ?? null,
          },
        };
      },
    );
  }

  /**
   * An audited write on the caller's entity after checking `permission`; the
   * audit meta always starts with the entity ref. Public for route modules
   * whose rules are theirs alone (direct-to-storage uploads).
   */
  guardedWrite<T>(
    caller: MlopsCaller,
    write: {
      eventId: string;
      permission: Parameters<MlopsAccess['authorize']>[0];
      meta: JsonObject;
      severityLevel?: 'high';
    },
    fn: (
      actor: ReturnType<typeof actorFromCredentials>,
    ) => Promise<{ result: T; meta?: JsonObject }>,
  ): Promise<T> {
    const { resources, credentials, request, via } = caller;
    return this.access.guardedWrite(
      {
        ...write,
        request,
        entityRef: resources.entityRef,
        credentials,
        meta: {
          entityRef: resources.entityRef,
          ...write.meta,
          ...(via ? { via } : {}),
        },
      },
      () => fn(actorFromCredentials(credentials)),
    );
  }
}

/** One answer for unknown, not opted-in and refused endpoints of the public route. */
function publicNotFound(endpointName: string): NotFoundError {
  return new NotFoundError(`No public endpoint ${endpointName}`);
}

function clampLimit(
  limit: number | undefined,
  bounds: { default: number; max: number },
): number {
  if (limit === undefined) return bounds.default;
  return Math.min(Math.max(Math.floor(limit), 1), bounds.max);
}
