import type { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import type {
  DeploymentsResponse,
  FeatureRecord,
  MlopsResources,
  Prediction,
  PredictResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { PredictionSource } from '@mlops-portal/plugin-mlops-node';
import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import type { DataLayout } from './dataLayout';
import {
  LoadedModel,
  ServedModel,
  ServedPredictions,
  createEndpointApp,
  loadServedModel,
  startEndpointServer,
} from './endpoint';
import { errorMessage, iso } from './format';
import { captureInvocations } from './monitoring/captureMiddleware';
import type { Invocation } from './monitoring/captureRecorder';
import type { DeployedVersion } from './monitoring/localMonitoring';
import type { LocalStore, VersionRecord } from './store';
import type { TrafficSplit, VariantRole } from './rollout/trafficSplit';

/** A new version served beside the current one during a rollout. */
export interface RolloutCandidate {
  model: LoadedModel;
  split: TrafficSplit;
  /** Counts a served request of either side (the rollout's alarms read it). */
  observe(
    role: VariantRole,
    outcome: { status: number; latencyMs: number; predictions?: Prediction[] },
  ): void;
}

/** Who sent a request to `serve`: the portal's routes, or `/invocations` on the endpoint server. */
export type ServeSource = PredictionSource | 'invocations';

/** What `serve` answers: the predictions and the version that gave them. */
export interface ServeResult extends ServedPredictions {
  modelVersion: number;
}

const isInputError = (e: unknown) => (e as Error)?.name === 'InputError';
const msSince = (start: bigint) =>
  Number(process.hrtime.bigint() - start) / 1e6;

/**
 * The endpoints this process serves: which version each one runs (loaded
 * predictors), the deployment history rows, and the HTTP server speaking
 * SageMaker's serving contract.
 */
export class EndpointHost {
  private readonly models = new Map<string, LoadedModel>();
  private readonly candidates = new Map<string, RolloutCandidate>();
  private readonly knownEndpoints = new Set<string>();
  private lastDeployedEndpoint?: string;
  private server?: { url: string; close(): Promise<void> };

  constructor(
    private readonly store: LocalStore,
    private readonly layout: DataLayout,
    private readonly logger: LoggerService,
    /** Served by `/invocations` without an endpoint name (the seeded one). */
    private readonly defaultEndpoint?: string,
    /** Monitoring capture of every served prediction (memory only). */
    private readonly record?: (invocation: Invocation) => void,
  ) {
    if (defaultEndpoint) this.knownEndpoints.add(defaultEndpoint);
  }

  /** Loads every endpoint's current deployment (after a restart). */
  async loadCurrent() {
    for (const d of await this.store.allCurrentDeployments()) {
      this.knownEndpoints.add(d.endpointName);
      try {
        const model = await loadServedModel(
          this.layout.modelPackageDir(d.modelPackageGroupName, d.modelVersion),
        );
        this.models.set(d.endpointName, {
          deploymentId: d.deploymentId,
          modelPackageGroupName: d.modelPackageGroupName,
          version: d.modelVersion,
          modelPackageArn: d.modelPackageArn,
          model,
        });
        this.lastDeployedEndpoint = d.endpointName;
      } catch (e) {
        this.logger.error(
          `MLOps endpoint ${d.endpointName}: cannot load version ${
            d.modelVersion
          }: ${errorMessage(e)}`,
        );
      }
    }
  }

  async listen(host: string, port: number) {
    this.server = await startEndpointServer(
      createEndpointApp(
        {
          modelFor: name => this.modelFor(name),
          hasEndpoint: name => this.knownEndpoints.has(name),
          serve: (name, records) => {
            const endpointName = this.endpointNameOf(name);
            if (!endpointName) {
              throw new ServiceUnavailableError(
                'endpoint (default) has no deployed model',
              );
            }
            return this.serve(endpointName, records, 'invocations');
          },
          capture: this.record
            ? captureInvocations(this.record, name => this.resolve(name))
            : undefined,
        },
        { listenHost: host },
      ),
      host,
      port,
    );
    this.logger.info(`MLOps local endpoint listening on ${this.server.url}`);
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  /** Whether the endpoint serves this version now. */
  serves(endpointName: string, groupName: string, version: number): boolean {
    const m = this.models.get(endpointName);
    return (
      !!m && m.modelPackageGroupName === groupName && m.version === version
    );
  }

  /**
   * Makes `v` the endpoint's model. The model is loaded before the
   * deployment row commits, so a broken artifact (or a version registered
   * before signatures) never becomes "current".
   */
  async deploy(
    endpointName: string,
    v: VersionRecord,
    by: string,
    reason: 'approval' | 'rollback',
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
    options: {
      /** Already loaded (a rollout's candidate or its serving version). */
      model?: ServedModel;
      rolloutId?: string;
      rollbackReason?: string;
    } = {},
  ) {
    const model = options.model ?? (await this.loadModel(v));
    const deploymentId = randomUUID();
    await this.store.db.transaction(async trx => {
      if (alsoInTransaction) await alsoInTransaction(trx);
      await this.store.insertDeployment(
        {
          deploymentId,
          endpointName,
          modelPackageGroupName: v.modelPackageGroupName,
          modelVersion: v.version,
          modelPackageArn: v.modelPackageArn,
          status: 'InService',
          deployedAt: iso(),
          deployedBy: by,
          reason,
          current: true,
          rolloutId: options.rolloutId,
          rollbackReason: options.rollbackReason,
        },
        trx,
      );
    });
    this.models.set(endpointName, {
      deploymentId,
      modelPackageGroupName: v.modelPackageGroupName,
      version: v.version,
      modelPackageArn: v.modelPackageArn,
      model,
    });
    this.knownEndpoints.add(endpointName);
    this.lastDeployedEndpoint = endpointName;
  }

  /** A version's served model from its artifacts; the error names the version. */
  async loadModel(v: {
    modelPackageGroupName: string;
    version: number;
  }): Promise<ServedModel> {
    const dir = this.layout.modelPackageDir(v.modelPackageGroupName, v.version);
    try {
      return await loadServedModel(dir);
    } catch (e) {
      throw new Error(
        `cannot load the artifacts of version ${v.version}: ${errorMessage(e)}`,
      );
    }
  }

  /** The endpoint's loaded current version (a rollout's serving side). */
  loaded(endpointName: string): LoadedModel | undefined {
    return this.models.get(endpointName);
  }

  /** Serves `candidate` beside the current version, split by its weight. */
  setCandidate(endpointName: string, candidate: RolloutCandidate) {
    this.candidates.set(endpointName, candidate);
  }

  /** The candidate stops receiving traffic (and is unloaded). */
  dropCandidate(endpointName: string) {
    this.candidates.delete(endpointName);
  }

  /** Leaves the endpoint without a model (its last approved version was rejected). */
  async clear(
    endpointName: string,
    alsoInTransaction: (trx: Knex.Transaction) => Promise<unknown>,
  ) {
    await this.store.db.transaction(async trx => {
      await alsoInTransaction(trx);
      await this.store.clearDeployment(endpointName, trx);
    });
    this.models.delete(endpointName);
  }

  async listDeployments(
    resources: MlopsResources,
  ): Promise<DeploymentsResponse> {
    const rows = await this.store.listDeployments(resources.endpointName);
    const deployments = rows.map(({ modelPackageGroupName, ...d }) => d);
    if (rows.length === 0) return { deployments };
    const current = rows.find(d => d.current);
    return {
      endpoint: {
        endpointName: resources.endpointName,
        status: current ? 'InService' : 'OutOfService',
        modelVersion: current?.modelVersion,
        modelPackageArn: current?.modelPackageArn,
        url: this.server
          ? `${this.server.url}/endpoints/${encodeURIComponent(
              resources.endpointName,
            )}`
          : undefined,
        lastModifiedTime: rows[0].deployedAt,
        failureReason: current
          ? undefined
          : 'no approved model version to serve',
      },
      deployments,
    };
  }

  /** The version an endpoint serves now, if any. */
  current(endpointName: string): DeployedVersion | undefined {
    const m = this.models.get(endpointName);
    return (
      m && {
        modelPackageGroupName: m.modelPackageGroupName,
        version: m.version,
        signature: m.model.signature,
      }
    );
  }

  /**
   * The one serving path: the portal's predict and the endpoint server's
   * `/invocations` both score through here. During a rollout the split
   * picks the side; a candidate that fails (not a 400 for bad input) is
   * counted against it and the request is answered by the serving version,
   * so no client sees a failure the good version would have answered.
   */
  serve(
    endpointName: string,
    records: FeatureRecord[],
    _source?: ServeSource,
  ): ServeResult {
    const current = this.models.get(endpointName);
    if (!current) {
      throw new ServiceUnavailableError(
        `endpoint ${endpointName} has no deployed model; approve a model version to deploy one`,
      );
    }
    const candidate = this.candidates.get(endpointName);
    if (candidate && candidate.split.next() === 'candidate') {
      const start = process.hrtime.bigint();
      try {
        const out = candidate.model.model.predict(records);
        candidate.observe('candidate', {
          status: 200,
          latencyMs: msSince(start),
          predictions: out.predictions,
        });
        return { ...out, modelVersion: candidate.model.version };
      } catch (e) {
        if (isInputError(e)) throw e;
        candidate.observe('candidate', {
          status: 500,
          latencyMs: msSince(start),
        });
        this.logger.warn(
          `MLOps endpoint ${endpointName}: candidate version ${
            candidate.model.version
          } failed a request, answered by version ${
            current.version
          }: ${errorMessage(e)}`,
        );
      }
    }
    const start = process.hrtime.bigint();
    try {
      const out = current.model.predict(records);
      candidate?.observe('current', { status: 200, latencyMs: msSince(start) });
      return { ...out, modelVersion: current.version };
    } catch (e) {
      if (!isInputError(e))
        candidate?.observe('current', {
          status: 500,
          latencyMs: msSince(start),
        });
      throw e;
    }
  }

  /**
   * Scores records for the portal (the service has checked them against
   * the signature; the model checks again, so a deployment that changed in
   * between answers 400, not a wrong score) and captures them.
   */
  predict(
    resources: MlopsResources,
    instances: FeatureRecord[],
    source?: PredictionSource,
  ): PredictResponse {
    const start = process.hrtime.bigint();
    const capture = (
      status: number,
      modelVersion: number | undefined,
      served?: { records: FeatureRecord[]; predictions: Prediction[] },
    ) =>
      this.record?.({
        endpointName: resources.endpointName,
        modelVersion,
        latencyMs: msSince(start),
        status,
        instances: served?.records,
        predictions: served?.predictions,
        ...(source ? { source } : {}),
      });
    // Nothing deployed: serve throws 503 before any model was invoked, so
    // there is no traffic to count (a 503 here would read as a 100 % error
    // rate of an endpoint that does not serve yet).
    const current = this.models.get(resources.endpointName);
    let served: ServeResult;
    try {
      served = this.serve(resources.endpointName, instances, source);
    } catch (e) {
      if (current) capture(isInputError(e) ? 400 : 500, current.version);
      throw e;
    }
    capture(200, served.modelVersion, served);
    return {
      predictions: served.predictions,
      modelVersion: served.modelVersion,
      endpointName: resources.endpointName,
    };
  }

  /** A known endpoint by its path name (undefined: the default one). */
  private resolve(name: string | undefined) {
    if (name !== undefined && !this.knownEndpoints.has(name)) return undefined;
    const endpointName =
      name ?? this.defaultEndpoint ?? this.lastDeployedEndpoint;
    if (!endpointName) return undefined;
    return {
      endpointName,
      modelVersion: this.models.get(endpointName)?.version,
    };
  }

  private endpointNameOf(endpointName: string | undefined) {
    return endpointName ?? this.defaultEndpoint ?? this.lastDeployedEndpoint;
  }

  private modelFor(endpointName: string | undefined): LoadedModel | undefined {
    const name = this.endpointNameOf(endpointName);
    return name ? this.models.get(name) : undefined;
  }

  async close() {
    await this.server?.close();
    this.server = undefined;
  }
}
