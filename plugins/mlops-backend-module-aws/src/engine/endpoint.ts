import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { PredictionSource } from '@mlops-portal/plugin-mlops-node';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  toPrediction,
  type Deployment,
  type DeploymentsResponse,
  type EndpointSummary,
  type FeatureRecord,
  type MlopsResources,
  type ModelSignature,
  type PredictResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { ClientContext } from './clientContext';
import { iso, parseInvokeScores, toInvokeCsv } from './mappers';
import type { EndpointDeploymentView } from './rolloutMapping';

/** Serving state of the entity's endpoint, as cached (plain JSON). */
export interface EndpointState {
  endpoint: EndpointSummary;
  endpointConfigName?: string;
  /** What a rollout is read from (DescribeEndpoint's deployment fields). */
  view: EndpointDeploymentView;
  /** An update in progress (DescribeEndpoint's PendingDeploymentSummary). */
  pending?: {
    endpointConfigName: string;
    modelPackageArn?: string;
    startTime?: string;
  };
}

/**
 * Tag the deploy step puts on the endpoint config (infra/lib/serving-stack.ts):
 * the model package ARN it serves, so the engine need not rely on DescribeModel
 * echoing ModelPackageName for a two-container package.
 */
export const MODEL_PACKAGE_TAG = 'mlops:model-package-arn';

/** `arn:...:model-package/<group>/<version>` → version. */
export function versionFromArn(arn: string): number | undefined {
  const m = /\/(\d+)$/.exec(arn);
  return m ? Number(m[1]) : undefined;
}

/** The SageMaker endpoint: which version it serves, its deployments, and predictions. */
export class Endpoint {
  constructor(private readonly ctx: ClientContext) {}

  private async load(r: MlopsResources): Promise<EndpointState | undefined> {
    const state = await this.ctx.cached(r, 'endpoint', 'state', async () => {
      const { sagemaker } = await this.ctx.clients(r);
      let endpoint;
      try {
        endpoint = await this.ctx.call('sagemaker:DescribeEndpoint', () =>
          sagemaker.send(
            new DescribeEndpointCommand({ EndpointName: r.endpointName }),
          ),
        );
      } catch (e) {
        if (e instanceof NotFoundError) return { missing: true };
        throw e;
      }
      const summary: EndpointSummary = {
        endpointName: r.endpointName,
        status: (endpoint?.EndpointStatus ??
          'Creating') as EndpointSummary['status'],
        lastModifiedTime: iso(endpoint?.LastModifiedTime),
        failureReason: endpoint?.FailureReason,
      };
      const configName = endpoint?.EndpointConfigName;
      const arn = configName
        ? await this.packageOfConfig(r, configName)
        : undefined;
      if (arn) {
        summary.modelPackageArn = arn;
        summary.modelVersion = versionFromArn(arn);
      }
      const pendingConfig =
        endpoint?.PendingDeploymentSummary?.EndpointConfigName;
      const pending =
        pendingConfig && pendingConfig !== configName
          ? {
              endpointConfigName: pendingConfig,
              modelPackageArn: await this.packageOfConfig(r, pendingConfig),
              startTime: iso(endpoint?.PendingDeploymentSummary?.StartTime),
            }
          : undefined;
      const view: EndpointDeploymentView = {
        endpointName: r.endpointName,
        endpointConfigName: configName,
        status: summary.status,
        failureReason: endpoint?.FailureReason,
        lastModifiedTime: summary.lastModifiedTime,
        // Plain JSON: the state may sit in a shared CacheService.
        lastDeploymentConfig: endpoint?.LastDeploymentConfig
          ? JSON.parse(JSON.stringify(endpoint.LastDeploymentConfig))
          : undefined,
        pending: pending
          ? {
              endpointConfigName: pending.endpointConfigName,
              startTime: pending.startTime,
              variants: (
                endpoint?.PendingDeploymentSummary?.ProductionVariants ?? []
              ).map(v => ({
                variantName: v.VariantName,
                currentWeight: v.CurrentWeight,
                desiredWeight: v.DesiredWeight,
                statuses: (v.VariantStatus ?? []).map(st => ({
                  status: st.Status,
                  startTime: iso(st.StartTime),
                  message: st.StatusMessage,
                })),
              })),
            }
          : undefined,
      };
      return {
        missing: false,
        endpoint: summary,
        endpointConfigName: configName,
        pending,
        view,
      };
    });
    return state.missing ? undefined : (state as EndpointState);
  }

  /**
   * What an endpoint config serves: its MODEL_PACKAGE_TAG, else (a config
   * deployed without the tag) EndpointConfig → Model → the container's
   * ModelPackageName.
   */
  private async packageOfConfig(r: MlopsResources, configName: string) {
    const { sagemaker } = await this.ctx.clients(r);
    const config = await this.ctx.call('sagemaker:DescribeEndpointConfig', () =>
      sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
      ),
    );
    const tagged = config?.EndpointConfigArn
      ? await this.taggedPackage(r, config.EndpointConfigArn)
      : undefined;
    if (tagged) return tagged;
    const modelName = config?.ProductionVariants?.[0]?.ModelName;
    if (!modelName) return undefined;
    const model = await this.ctx.call('sagemaker:DescribeModel', () =>
      sagemaker.send(new DescribeModelCommand({ ModelName: modelName })),
    );
    const containers = [model?.PrimaryContainer, ...(model?.Containers ?? [])];
    return containers.find(c => c?.ModelPackageName)?.ModelPackageName;
  }

  private async taggedPackage(
    r: MlopsResources,
    configArn: string,
  ): Promise<string | undefined> {
    const { sagemaker } = await this.ctx.clients(r);
    try {
      const res = await this.ctx.call('sagemaker:ListTags', () =>
        sagemaker.send(
          new ListTagsCommand({ ResourceArn: configArn, MaxResults: 50 }),
        ),
      );
      return res?.Tags?.find(t => t.Key === MODEL_PACKAGE_TAG)?.Value;
    } catch (e) {
      // e.g. a policy from before sagemaker:ListTags: the model path still answers.
      this.ctx.logger.debug(`Could not list tags of ${configArn}: ${e}`);
      return undefined;
    }
  }

  /** The endpoint's state (cached unless `fresh`); undefined when it does not exist. */
  async state(
    r: MlopsResources,
    options: { fresh?: boolean } = {},
  ): Promise<EndpointState | undefined> {
    if (options.fresh) this.ctx.invalidate(r, 'endpoint');
    return this.load(r);
  }

  /** The package an endpoint config serves (its tag, else its model's package). */
  configPackageArn(r: MlopsResources, configName: string) {
    return this.packageOfConfig(r, configName);
  }

  /**
   * The package the endpoint serves; undefined when there is no endpoint. An
   * endpoint that cannot be read (refused, throttled) is an error, never
   * "nothing deployed": the caller would show every version as not deployed.
   */
  async servingPackageArn(r: MlopsResources): Promise<string | undefined> {
    return (await this.load(r))?.endpoint.modelPackageArn;
  }

  async listDeployments(r: MlopsResources): Promise<DeploymentsResponse> {
    const state = await this.load(r);
    if (!state) return { deployments: [] };
    const { endpoint, pending } = state;
    // SageMaker keeps no deployment history: what is known is the config the
    // endpoint runs and, during an update, the config it is moving to.
    const deployments: Deployment[] = [];
    const pendingVersion = pending?.modelPackageArn
      ? versionFromArn(pending.modelPackageArn)
      : undefined;
    if (pending?.modelPackageArn && pendingVersion !== undefined) {
      deployments.push({
        deploymentId: pending.endpointConfigName,
        endpointName: endpoint.endpointName,
        modelVersion: pendingVersion,
        modelPackageArn: pending.modelPackageArn,
        status: 'Updating',
        deployedAt:
          pending.startTime ??
          endpoint.lastModifiedTime ??
          new Date(0).toISOString(),
        current: false,
      });
    }
    if (endpoint.modelPackageArn && endpoint.modelVersion !== undefined) {
      deployments.push({
        deploymentId: state.endpointConfigName ?? endpoint.endpointName,
        endpointName: endpoint.endpointName,
        modelVersion: endpoint.modelVersion,
        modelPackageArn: endpoint.modelPackageArn,
        status: endpoint.status,
        deployedAt: endpoint.lastModifiedTime ?? new Date(0).toISOString(),
        current: true,
      });
    }
    return { endpoint, deployments };
  }

  /**
   * Scores records on the endpoint: CSV in the served version's signature
   * order, the answer read by its task and mapped with -common's
   * toPrediction (the same predictions as every engine's).
   */
  async predict(
    r: MlopsResources,
    instances: FeatureRecord[],
    signatureOf: (modelPackageArn: string) => Promise<ModelSignature>,
    source?: PredictionSource,
  ): Promise<PredictResponse> {
    if (!Array.isArray(instances) || instances.length === 0) {
      throw new InputError('instances must hold at least one item');
    }
    const state = await this.load(r);
    if (!state) {
      throw new ServiceUnavailableError(
        `Endpoint ${r.endpointName} does not exist yet; approve a model version to deploy it`,
      );
    }
    // An Updating endpoint keeps serving the old variant until the new one is in.
    if (
      state.endpoint.status !== 'InService' &&
      state.endpoint.status !== 'Updating'
    ) {
      throw new ServiceUnavailableError(
        `Endpoint ${r.endpointName} is ${state.endpoint.status}, not InService`,
      );
    }
    const servedArn = state.endpoint.modelPackageArn;
    if (!servedArn) {
      throw new ServiceUnavailableError(
        `Endpoint ${r.endpointName} does not say which model version it serves (tag ${MODEL_PACKAGE_TAG}); its input columns are unknown`,
      );
    }
    const signature = await signatureOf(servedArn);
    const body = toInvokeCsv(signature.inputs, instances);
    const { runtime } = await this.ctx.clients(r);
    const res = await this.ctx.call('sagemaker:InvokeEndpoint', () =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: r.endpointName,
          ContentType: 'text/csv',
          Accept: 'text/csv',
          Body: Buffer.from(body, 'utf8'),
          // Data Capture records it: public-route and portal-widget traffic
          // are tagged apart.
          ...(source ? { CustomAttributes: `source=${source}` } : {}),
        }),
      ),
    );
    const text = res?.Body ? Buffer.from(res.Body).toString('utf8') : '';
    let scores: number[][];
    try {
      scores = parseInvokeScores(text, signature.outputs, instances.length);
    } catch (e) {
      throw new Error(
        `Endpoint ${r.endpointName} returned an answer that does not fit its ${
          signature.outputs.task
        } signature: ${
          e instanceof SyntaxError ? 'not CSV or JSON' : (e as Error).message
        }`,
      );
    }
    return {
      predictions: scores.map(row =>
        toPrediction(
          signature.outputs,
          signature.outputs.task === 'multiclass' ? row : row[0],
        ),
      ),
      modelVersion: state.endpoint.modelVersion ?? 0,
      endpointName: r.endpointName,
    };
  }
}
