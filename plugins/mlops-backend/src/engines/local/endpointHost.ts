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
  createEndpointApp,
  loadServedModel,
  startEndpointServer,
} from './endpoint';
import { errorMessage, iso } from './format';
import { captureInvocations } from './monitoring/captureMiddleware';
import type { Invocation } from './monitoring/captureRecorder';
import type { DeployedVersion } from './monitoring/localMonitoring';
import type { LocalStore, VersionRecord } from './store';

/**
 * The endpoints this process serves: which version each one runs (loaded
 * predictors), the deployment history rows, and the HTTP server speaking
 * SageMaker's serving contract.
 */
export class EndpointHost {
  private readonly models = new Map<string, LoadedModel>();
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
  ) {
    const dir = this.layout.modelPackageDir(v.modelPackageGroupName, v.version);
    let model;
    try {
      model = await loadServedModel(dir);
    } catch (e) {
      throw new Error(
        `cannot load the artifacts of version ${v.version}: ${errorMessage(e)}`,
      );
    }
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
   * Scores records on the endpoint's deployed version (the service has
   * checked them against its signature; the model checks again, so a
   * deployment that changed in between answers 400, not a wrong score).
   */
  predict(
    resources: MlopsResources,
    instances: FeatureRecord[],
    source?: PredictionSource,
  ): PredictResponse {
    const start = process.hrtime.bigint();
    const model = this.models.get(resources.endpointName);
    const capture = (
      status: number,
      served?: { records: FeatureRecord[]; predictions: Prediction[] },
    ) =>
      this.record?.({
        endpointName: resources.endpointName,
        modelVersion: model?.version,
        latencyMs: Number(process.hrtime.bigint() - start) / 1e6,
        status,
        instances: served?.records,
        predictions: served?.predictions,
        ...(source ? { source } : {}),
      });
    if (!model) {
      // Nothing deployed: no model was invoked, so there is no traffic to
      // count (a 503 here would read as a 100 % error rate of an endpoint
      // that does not serve yet).
      throw new ServiceUnavailableError(
        `endpoint ${resources.endpointName} has no deployed model; approve a model version to deploy one`,
      );
    }
    let served;
    try {
      served = model.model.predict(instances);
    } catch (e) {
      capture((e as Error)?.name === 'InputError' ? 400 : 500);
      throw e;
    }
    capture(200, served);
    return {
      predictions: served.predictions,
      modelVersion: model.version,
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

  private modelFor(endpointName: string | undefined): LoadedModel | undefined {
    const name =
      endpointName ?? this.defaultEndpoint ?? this.lastDeployedEndpoint;
    return name ? this.models.get(name) : undefined;
  }

  async close() {
    await this.server?.close();
    this.server = undefined;
  }
}
