import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
  ServiceUnavailableError,
  isError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { JsonObject } from '@backstage/types';
import {
  validateRecords,
  type ModelSignature as CoreSignature,
  type MlSystemSpec,
} from '@mlops-portal/ml-core';
import {
  ANNOTATION_ENDPOINT,
  ANNOTATION_PUBLIC_PREDICT,
  ANNOTATION_SPEC,
  DEFAULT_MSE_THRESHOLD,
  GATE_PARAMETER,
  PREDICTION_SOURCE_HEADER,
  abortDatasetUploadRequestSchema,
  approvalRequestSchema,
  completeDatasetUploadRequestSchema,
  createDatasetUploadRequestSchema,
  fourEyesConflict,
  getMlopsResources,
  mlopsDatasetUploadPermission,
  mlopsEndpointInvokePermission,
  mlopsModelApprovePermission,
  mlopsPipelineExecutePermission,
  predictRequestSchema,
  startExecutionRequestSchema,
  type DatasetUploadSession,
  type DeploymentsResponse,
  type EvaluationPlots,
  type FeatureRecord,
  type ListResponse,
  type MlopsGovernance,
  type MlopsResources,
  type MlopsSummary,
  type ModelSignature,
  type ModelVersion,
  type MonitoringResponse,
  type MonitoringWindow,
  type PipelineExecution,
  type PipelineExecutionDetail,
  type PredictResponse,
  type ReleaseStage,
  type UploadDatasetResponse,
  ALL_AT_ONCE,
  resolveDeploymentStrategy,
  rolloutActionBodySchema,
  startShadowTestBodySchema,
  type DeploymentStrategy,
  type Rollout,
  type RolloutAction,
  type ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import type {
  MlopsEngine,
  PredictionSource,
} from '@mlops-portal/plugin-mlops-node';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import type { Readable } from 'stream';
import { parseBody } from './parseBody';
import { MlopsAccess, actorFromCredentials } from './access';
import { ModelVersionsCache, type VersionsPage } from './modelVersionsCache';
import type { ResourceClaims } from './resourceClaims';
import type { SystemSpecs } from './systemSpecs';

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
  /** The quality gate of entities without a spec (`mlops.qualityGate.mseThreshold`); default 6.0. */
  mseThreshold?: number;
  /**
   * Approval rules of the platform (`mlops.approval`): `preApprove` is what
   * any spec may at most ask for; `fourEyes` applies to every entity.
   */
  approval?: ApprovalRules;
  /** Entities' ML system specs (`mlops.io/spec`); without it no spec is read. */
  specs?: SystemSpecs;
  /** Rollout rules of the platform (`mlops.rollout`). */
  rollout?: RolloutRules;
}

/** How approved versions reach endpoints (`mlops.rollout`). */
export interface RolloutRules {
  /**
   * An approval may carry its own `deployment` strategy instead of the
   * spec's. Default true; false keeps every system on its spec's strategy.
   */
  allowOverride?: boolean;
}

/** The owner actions on a rollout (`POST …/rollout/:action`). */
export const ROLLOUT_ACTIONS: readonly RolloutAction[] = [
  'pause',
  'resume',
  'rollback',
  'promote',
];

/** `action` as a RolloutAction, or a 400 naming the accepted ones. */
export function parseRolloutAction(action: unknown): RolloutAction {
  if (
    typeof action !== 'string' ||
    !(ROLLOUT_ACTIONS as readonly string[]).includes(action)
  ) {
    const shown = String(action).slice(0, 40);
    throw new InputError(
      `action: '${shown}' is not a rollout action; use one of ${ROLLOUT_ACTIONS.join(
        ', ',
      )}`,
    );
  }
  return action as RolloutAction;
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
  // Private: routes and actions reach the engine only through the rules here.
  private readonly engine: MlopsEngine;
  private readonly access: MlopsAccess;
  private readonly versionsCache: ModelVersionsCache;
  // Endpoint → resources: the consumer app predicts often and the catalog
  // answer rarely changes. A miss is kept too (as null) so unknown names
  // cannot hammer the catalog.
  private readonly endpoints: LRUCache<
    string,
    { r: MlopsResources | null; entity?: Entity }
  >;
  // A version's signature never changes once registered; kept for a while
  // so a prediction costs the engine one deployments read, not two.
  private readonly signatures = new LRUCache<
    string,
    { s: ModelSignature | null }
  >({
    max: 500,
    ttl: 10 * 60_000,
  });

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

  /**
   * The entity's resources, loaded with the caller's credentials, with its
   * ML system spec attached as `resources.system` when it names one. A spec
   * that does not validate is a SpecValidationError (422, problems listed),
   * one that cannot be read a 4xx: no engine is called with a broken spec.
   * Entities without `mlops.io/spec` resolve without `system`.
   */
  async resolve(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<MlopsResources> {
    const { entity, resources } = await this.access.resolveEntity(
      entityRef,
      credentials,
    );
    return this.withSystem(resources, entity);
  }

  /** `resources` with the entity's spec attached when it names one (see resolve). */
  async withSystem(
    resources: MlopsResources,
    entity: Entity | undefined,
  ): Promise<MlopsResources> {
    const { specs } = this.options;
    if (!specs || !entity?.metadata.annotations?.[ANNOTATION_SPEC]?.trim())
      return resources;
    return {
      ...resources,
      system: await specs.forEntity(resources.entityRef, entity),
    };
  }

  /** The entity's spec (`GET …/spec`); 404 when it names none. */
  async systemSpec(resources: MlopsResources) {
    if (!this.options.specs)
      throw new NotImplementedError('ML system specs are not configured');
    if (!resources.system)
      throw new NotFoundError(
        `Entity ${resources.entityRef} has no ML system spec: add the annotation ${ANNOTATION_SPEC} (e.g. ./ml-system.yaml)`,
      );
    return resources.system;
  }

  /**
   * The entity's resources for an endpoint the public route may serve: the
   * entity that owns the endpoint name and opted in with
   * `mlops.io/public-predict: "true"`. Anything else is the same
   * NotFoundError, so the route does not tell which endpoints exist.
   */
  async resourcesForEndpoint(
    endpointName: string,
  ): Promise<{ resources: MlopsResources; entity?: Entity }> {
    let hit = this.endpoints.get(endpointName);
    if (!hit) {
      const { items } = await this.options.catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${ANNOTATION_ENDPOINT}`]: endpointName,
          },
          // Annotations include the entity's location, which its spec is relative to.
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
      const entity = owner
        ? items.find(e => getMlopsResources(e)?.entityRef === owner.entityRef)
        : undefined;
      const optedIn =
        entity?.metadata.annotations?.[ANNOTATION_PUBLIC_PREDICT]?.trim() ===
        'true';
      hit = optedIn ? { r: owner!, entity } : { r: null };
      this.endpoints.set(endpointName, hit);
    }
    if (!hit.r) throw publicNotFound(endpointName);
    return { resources: hit.r, entity: hit.entity };
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
    const { resources: named, entity } = await this.resourcesForEndpoint(
      endpointName,
    );
    try {
      // The permission backend answers only user and service principals (an
      // unauthenticated one gets 401), so an anonymous caller is put to the
      // policy as a request with no user: the plugin's own service identity.
      await this.access.authorize(
        mlopsEndpointInvokePermission,
        named.entityRef,
        this.options.auth.isPrincipal(credentials, 'none')
          ? await this.options.auth.getOwnServiceCredentials()
          : credentials,
      );
    } catch (e) {
      if (e instanceof NotAllowedError) throw publicNotFound(endpointName);
      throw e;
    }
    // Read per call (SystemSpecs keeps it briefly), after the permission
    // check: anonymous callers learn nothing of the spec, and a broken one
    // is the owners' problem (they see it on the entity page), not theirs.
    let resources: MlopsResources;
    try {
      resources = await this.withSystem(named, entity);
    } catch {
      throw new ServiceUnavailableError(
        `Endpoint ${endpointName} cannot serve predictions right now`,
      );
    }
    return this.score(resources, instances, 'public');
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
    return this.score(caller.resources, instances, source);
  }

  /**
   * Checks records against the signature of the version the endpoint
   * serves, then scores them: every front door (public route, portal route,
   * actions) comes through here, so no engine sees an unchecked record.
   */
  private async score(
    resources: MlopsResources,
    instances: FeatureRecord[],
    source: PredictionSource | undefined,
  ): Promise<PredictResponse> {
    const version = await this.servedVersion(resources);
    const signature = await this.servedSignature(resources, version);
    // A version registered before signatures has none; the engine's own
    // input check (the one it always had) is then the only one.
    if (signature) {
      const errors = validateRecords(
        signature as unknown as CoreSignature,
        instances,
      );
      if (errors.length > 0) {
        const shown = errors
          .slice(0, 10)
          .map(e => `instances.${e.record}.${e.field}: ${e.reason}`);
        throw new InputError(
          `${shown.join('; ')}${
            errors.length > shown.length
              ? ` (and ${errors.length - shown.length} more)`
              : ''
          }`,
        );
      }
    }
    return this.engine.predict(
      resources,
      instances,
      source ? { source } : undefined,
    );
  }

  private async servedSignature(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelSignature | null> {
    const key = `${resources.entityRef}\u0000${resources.modelPackageGroupName}\u0000${version}`;
    const hit = this.signatures.get(key);
    if (hit) return hit.s;
    // An engine written before signatures has no such method: its own input check stays the only one.
    if (typeof this.engine.getModelSignature !== 'function') return null;
    const s = await this.engine
      .getModelSignature(resources, version)
      .catch(e => {
        if (isError(e) && e.name === NotFoundError.name) return null;
        throw e;
      });
    this.signatures.set(key, { s });
    return s;
  }

  /** The version the entity's endpoint serves; 503 when none is deployed. */
  async servedVersion(resources: MlopsResources): Promise<number> {
    const served = (await this.engine.listDeployments(resources)).endpoint;
    if (served?.modelVersion === undefined) {
      throw new ServiceUnavailableError(
        `No model version is deployed to ${resources.endpointName} yet: approve one first`,
      );
    }
    return served.modelVersion;
  }

  /**
   * What a version expects and returns (the deployed one when `version` is
   * left out); 404 for versions without one.
   */
  async getModelSignature(
    resources: MlopsResources,
    version?: number,
  ): Promise<ModelSignature> {
    if (typeof this.engine.getModelSignature !== 'function')
      throw this.notImplemented('model signatures');
    return this.engine.getModelSignature(
      resources,
      version ?? (await this.servedVersion(resources)),
    );
  }

  /**
   * The gate and approval rules of an entity: its spec's `gate`, task and
   * `approval`, within the platform's rules. Pre-approval needs both the
   * platform (`mlops.approval.preApprove`) and the spec to allow it; the
   * four-eyes rule applies when either asks for it. Entities without a spec
   * get the configured gate (`mse ≤ mlops.qualityGate.mseThreshold`).
   */
  governance(resources: MlopsResources): MlopsGovernance {
    const platform = this.options.approval ?? {};
    const spec = resources.system?.spec as unknown as MlSystemSpec | undefined;
    if (!spec) {
      return {
        qualityGate: {
          metric: 'mse',
          comparison: 'LessThanOrEqualTo',
          threshold: this.options.mseThreshold ?? DEFAULT_MSE_THRESHOLD,
        },
        approval: {
          preApprove: platform.preApprove ?? false,
          fourEyes: platform.fourEyes ?? false,
        },
        deployment: ALL_AT_ONCE,
      };
    }
    const { gate, dataset, approval } = spec.spec;
    return {
      qualityGate: {
        metric: gate.metric,
        comparison: gate.comparison,
        threshold: gate.threshold,
      },
      task: dataset.task,
      approval: {
        preApprove:
          (platform.preApprove ?? false) && (approval?.preApprove ?? false),
        fourEyes: (platform.fourEyes ?? false) || (approval?.fourEyes ?? false),
      },
      deployment: resolveDeploymentStrategy(spec.spec.deployment, undefined),
    };
  }

  getExecution(
    resources: MlopsResources,
    executionId: string,
  ): Promise<PipelineExecutionDetail> {
    return this.engine.getExecution(resources, executionId);
  }

  getModelVersion(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelVersion> {
    return this.engine.getModelVersion(resources, version);
  }

  listDeployments(resources: MlopsResources): Promise<DeploymentsResponse> {
    return this.engine.listDeployments(resources);
  }

  /** The release pipeline's stages; null when the entity names none. */
  async releaseState(
    resources: MlopsResources,
  ): Promise<{ stages: ReleaseStage[] | null }> {
    const stages = await this.engine.getReleaseState(resources);
    return { stages: stages ?? null };
  }

  /**
   * The endpoint's monitoring report. A read only: breach notifications
   * are sent by the background check (MonitoringAlerts), so reading the
   * page never notifies anyone.
   */
  getMonitoring(
    resources: MlopsResources,
    window: MonitoringWindow,
  ): Promise<MonitoringResponse> {
    if (!this.engine.getMonitoring) throw this.notImplemented('monitoring');
    return this.engine.getMonitoring(resources, { window });
  }

  getEvaluationPlots(
    resources: MlopsResources,
    version: number,
  ): Promise<EvaluationPlots> {
    if (!this.engine.getEvaluationPlots)
      throw this.notImplemented('evaluation plots');
    return this.engine.getEvaluationPlots(resources, version);
  }

  private notImplemented(what: string): NotImplementedError {
    return new NotImplementedError(
      `the ${this.engine.type} engine does not report ${what}`,
    );
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
            `parameters.${GATE_PARAMETER}: the quality gate is not a run parameter; it comes from configuration (mlops.qualityGate.mseThreshold) or the entity's spec (${ANNOTATION_SPEC}, gate) and is recorded on the run`,
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
   * so it is allowed only where the platform and the entity's spec both
   * allow it (see governance) and only to callers who may approve.
   */
  private async requirePreApprovalRights(
    caller: MlopsCaller,
    parameters: Record<string, string | number> | undefined,
  ): Promise<void> {
    if (parameters?.ModelApprovalStatus !== 'Approved') return;
    if (!this.governance(caller.resources).approval.preApprove) {
      throw new NotAllowedError(
        `parameters.ModelApprovalStatus=Approved: pre-approval is off (mlops.approval.preApprove${
          caller.resources.system
            ? ` and the spec's approval.preApprove must both allow it`
            : ''
        }); versions of ${
          caller.resources.entityRef
        } wait for an owner's approval`,
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
   * The four-eyes rule (`mlops.approval.fourEyes` or the spec's
   * `approval.fourEyes`): whoever started the run that produced the
   * version, or uploaded its data, may not approve it.
   */
  private async requireFourEyes(
    caller: MlopsCaller,
    version: number,
    actorRef: string,
  ): Promise<void> {
    if (!this.governance(caller.resources).approval.fourEyes) return;
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
        const { status, comment, deployment } = parseBody(
          approvalRequestSchema,
          body,
        );
        const strategy = this.approvalStrategy(
          caller.resources,
          status,
          deployment,
        );
        if (status === 'Approved') {
          await this.requireFourEyes(caller, version, actor.ref);
        }
        const result = await this.engine.updateModelApproval(
          caller.resources,
          version,
          strategy
            ? { status, comment, actor, deployment: strategy }
            : { status, comment, actor },
        );
        return {
          result,
          meta: {
            status,
            comment,
            ...(strategy
              ? {
                  deployment: strategy as unknown as JsonObject,
                  deploymentOverride: deployment !== undefined,
                }
              : {}),
          },
        };
      },
    );
  }

  /**
   * The strategy an approval deploys with: the body's override over the
   * spec's default (`resolveDeploymentStrategy`); undefined for a
   * rejection. An override on a rejection is a 400 (nothing deploys); one
   * the platform forbids (`mlops.rollout.allowOverride: false`) a 403.
   */
  private approvalStrategy(
    resources: MlopsResources,
    status: 'Approved' | 'Rejected',
    override: DeploymentStrategy | undefined,
  ): DeploymentStrategy | undefined {
    if (status === 'Rejected') {
      if (override)
        throw new InputError(
          'deployment: only an approval deploys; leave it out when rejecting',
        );
      return undefined;
    }
    if (override && !(this.options.rollout?.allowOverride ?? true))
      throw new NotAllowedError(
        `deployment: approvals may not override the deployment strategy on this portal (mlops.rollout.allowOverride is false); versions of ${resources.entityRef} deploy with their spec's strategy`,
      );
    const spec = resources.system?.spec as unknown as MlSystemSpec | undefined;
    return resolveDeploymentStrategy(spec?.spec.deployment, override);
  }

  /** The rollout in progress, else the most recent one; null when there is none. */
  async getRollout(resources: MlopsResources): Promise<Rollout | null> {
    return (await this.engine.listDeployments(resources)).rollout ?? null;
  }

  /**
   * An owner's action on the endpoint's rollout: pause, resume, roll back
   * or promote now. Same permission, ownership and audit as an approval;
   * 501 when the engine cannot control rollouts, 409 (from the engine)
   * when no rollout is in a state that allows the action.
   */
  controlRollout(
    caller: MlopsCaller,
    action: unknown,
    body: unknown,
  ): Promise<Rollout> {
    const parsedAction = parseRolloutAction(action);
    return this.guardedWrite(
      caller,
      {
        eventId: 'model-rollout',
        severityLevel: 'high',
        permission: mlopsModelApprovePermission,
        meta: {
          endpointName: caller.resources.endpointName,
          action: parsedAction,
        },
      },
      async actor => {
        const { comment } = parseBody(rolloutActionBodySchema, body ?? {});
        if (!this.engine.controlRollout)
          throw new NotImplementedError(
            `The ${this.engine.type} engine does not roll out gradually, so there is no rollout to ${parsedAction}`,
          );
        const result = await this.engine.controlRollout(caller.resources, {
          action: parsedAction,
          actor,
          comment,
        });
        return {
          result,
          meta: {
            comment: comment ?? null,
            rolloutId: result.rolloutId,
            toVersion: result.toVersion,
            status: result.status,
          },
        };
      },
    );
  }

  /**
   * Copies live requests to a candidate version of the entity's own
   * registry (the version is looked up in the entity's group first: 404
   * otherwise). 409 from the engine when a test or rollout already runs.
   */
  startShadowTest(caller: MlopsCaller, body: unknown): Promise<ShadowTest> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'shadow-test',
        permission: mlopsModelApprovePermission,
        meta: { endpointName: caller.resources.endpointName, action: 'start' },
      },
      async actor => {
        const { modelVersion, samplePercent, comment } = parseBody(
          startShadowTestBodySchema,
          body ?? {},
        );
        const start = this.engine.startShadowTest?.bind(this.engine);
        if (!start) throw this.noShadowTests();
        // Only a version of this entity's own model package group.
        await this.engine.getModelVersion(caller.resources, modelVersion);
        const result = await start(caller.resources, {
          modelVersion,
          samplePercent,
          actor,
        });
        return {
          result,
          meta: {
            modelVersion,
            samplePercent,
            comment: comment ?? null,
            shadowTestId: result.shadowTestId,
          },
        };
      },
    );
  }

  /** Stops the running shadow test (409 from the engine when none runs). */
  stopShadowTest(caller: MlopsCaller, body: unknown): Promise<ShadowTest> {
    return this.guardedWrite(
      caller,
      {
        eventId: 'shadow-test',
        permission: mlopsModelApprovePermission,
        meta: { endpointName: caller.resources.endpointName, action: 'stop' },
      },
      async actor => {
        const { comment } = parseBody(rolloutActionBodySchema, body ?? {});
        const stop = this.engine.stopShadowTest?.bind(this.engine);
        if (!stop) throw this.noShadowTests();
        const result = await stop(caller.resources, { actor });
        return {
          result,
          meta: {
            comment: comment ?? null,
            shadowTestId: result.shadowTestId,
            candidateVersion: result.candidateVersion,
          },
        };
      },
    );
  }

  private noShadowTests(): NotImplementedError {
    return new NotImplementedError(
      `The ${this.engine.type} engine does not run shadow tests`,
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
   * Opens a direct-to-storage upload (e.g. presigned S3 multipart) for a
   * file too large to pass through the backend. Same permission and audit
   * event as uploadDataset; 501 when the engine takes uploads only through
   * uploadDataset (clients then send the file themselves).
   */
  async createDatasetUpload(
    caller: MlopsCaller,
    body: unknown,
  ): Promise<DatasetUploadSession> {
    // 501 before anything is checked or audited: the client falls back to POST /datasets.
    const uploads = this.directUploads();
    return this.guardedWrite(
      caller,
      uploadWrite({ direct: 'create' }),
      async actor => {
        const parsed = parseBody(createDatasetUploadRequestSchema, body);
        const result = await uploads.create(caller.resources, {
          ...parsed,
          actor,
        });
        return {
          result,
          meta: {
            fileName: parsed.fileName,
            sizeBytes: parsed.sizeBytes,
            uploadId: result.uploadId,
            parts: result.parts.length,
          },
        };
      },
    );
  }

  /** Completes a direct upload: the engine validates the stored file, then publishes it. */
  async completeDatasetUpload(
    caller: MlopsCaller,
    uploadId: string,
    body: unknown,
  ): Promise<UploadDatasetResponse> {
    // 501 before anything is checked or audited: the client falls back to POST /datasets.
    const uploads = this.directUploads();
    return this.guardedWrite(
      caller,
      uploadWrite({ direct: 'complete', uploadId }),
      async actor => {
        const parsed = parseBody(completeDatasetUploadRequestSchema, body);
        const result = await uploads.complete(caller.resources, {
          uploadId,
          ...parsed,
          actor,
        });
        return {
          result,
          meta: {
            key: parsed.key,
            manifestId: result.manifest.manifestId,
            executionId: result.execution?.executionId ?? null,
          },
        };
      },
    );
  }

  /** Cancels a direct upload and discards its parts. */
  async abortDatasetUpload(
    caller: MlopsCaller,
    uploadId: string,
    body: unknown,
  ): Promise<void> {
    // 501 before anything is checked or audited: the client falls back to POST /datasets.
    const uploads = this.directUploads();
    return this.guardedWrite(
      caller,
      uploadWrite({ direct: 'abort', uploadId }),
      async actor => {
        const parsed = parseBody(abortDatasetUploadRequestSchema, body);
        await uploads.abort(caller.resources, { uploadId, ...parsed, actor });
        return { result: undefined, meta: { key: parsed.key } };
      },
    );
  }

  /** The engine's direct-upload methods, or 501 when it has none. */
  private directUploads() {
    const engine = this.engine;
    const { createDatasetUpload, completeDatasetUpload, abortDatasetUpload } =
      engine;
    if (!createDatasetUpload || !completeDatasetUpload || !abortDatasetUpload) {
      throw new NotImplementedError(
        `The ${engine.type} engine takes uploads through POST /datasets only`,
      );
    }
    return {
      create: createDatasetUpload.bind(engine),
      complete: completeDatasetUpload.bind(engine),
      abort: abortDatasetUpload.bind(engine),
    };
  }

  /**
   * An audited write on the caller's entity after checking `permission`; the
   * audit meta always starts with the entity ref.
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

/** Every kind of data set upload is one audited event with one permission. */
function uploadWrite(meta: JsonObject) {
  return {
    eventId: 'dataset-upload',
    permission: mlopsDatasetUploadPermission,
    meta,
  };
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
