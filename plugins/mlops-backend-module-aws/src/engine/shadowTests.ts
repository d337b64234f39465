import {
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  UpdateEndpointCommand,
  type DescribeEndpointConfigCommandOutput,
  type ProductionVariant,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type {
  MlopsResources,
  ShadowComparison,
  ShadowTest,
  VariantTraffic,
} from '@mlops-portal/plugin-mlops-common';
import type {
  EngineActor,
  StartShadowTestOptions,
} from '@mlops-portal/plugin-mlops-node';
import type { ClientContext } from './clientContext';
import {
  MODEL_PACKAGE_TAG,
  versionFromArn,
  type Endpoint,
  type EndpointState,
} from './endpoint';
import { iso } from './mappers';
import { variantMetricQuery } from './monitoring/traffic';
import { withoutUndefined } from './rolloutMapping';

/** Tags on a shadow endpoint config: what the test is and how to undo it. */
export const SHADOW_TAGS = {
  /** The config the endpoint ran before; stopping returns to it. */
  originalConfig: 'mlops:shadow-original-config',
  candidateArn: 'mlops:shadow-candidate-arn',
  samplePercent: 'mlops:shadow-sample-percent',
  startedBy: 'mlops:shadow-started-by',
  startedAt: 'mlops:shadow-started-at',
} as const;

/** SageMaker's ModelName / EndpointConfigName limit. */
const NAME_MAX = 63;

/**
 * `<endpoint>-shadow-v<N>-<stamp>`, the endpoint part shortened so the whole
 * fits SageMaker's 63 characters and pattern (no leading/trailing hyphen).
 */
export function shadowResourceName(
  endpointName: string,
  version: number,
  at: Date,
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  const suffix = `-shadow-v${version}-${stamp}`;
  const base = endpointName
    .slice(0, Math.max(1, NAME_MAX - suffix.length))
    .replace(/-+$/, '');
  return `${base}${suffix}`.slice(0, NAME_MAX);
}

/** What the engine needs from the registry: a version of the entity's group, ownership-checked. */
export interface ShadowRegistry {
  describeVersion(
    r: MlopsResources,
    version: number,
  ): Promise<{ ModelPackageArn?: string; ModelPackageGroupName?: string }>;
}

interface ShadowConfig {
  configName: string;
  config: DescribeEndpointConfigCommandOutput;
  tags: Record<string, string>;
}

/**
 * Shadow tests with SageMaker's ShadowProductionVariants: the candidate
 * gets a copy of a share of the endpoint's requests on its own instances,
 * and answers nobody. Starting creates a model from the candidate package and
 * an endpoint config copying the serving one plus the shadow variant;
 * stopping updates the endpoint back to the config it ran before (its name is
 * tagged on the shadow config).
 */
export class ShadowTests {
  constructor(
    private readonly ctx: ClientContext,
    private readonly parts: { endpoint: Endpoint; registry: ShadowRegistry },
  ) {}

  async start(
    r: MlopsResources,
    options: StartShadowTestOptions,
  ): Promise<ShadowTest> {
    const { modelVersion, samplePercent, actor } = options;
    if (!Number.isInteger(modelVersion) || modelVersion < 1) {
      throw new InputError(
        `modelVersion must be a positive integer, got ${modelVersion}`,
      );
    }
    if (
      !Number.isInteger(samplePercent) ||
      samplePercent < 1 ||
      samplePercent > 100
    ) {
      throw new InputError(
        `samplePercent must be a whole percent from 1 to 100, got ${samplePercent}`,
      );
    }
    this.ctx.target(r);
    // Only a package of the entity's own group: its model would run with the
    // serving model's role, so another team's package is refused (403).
    const pkg = await this.parts.registry.describeVersion(r, modelVersion);
    const candidateArn = pkg?.ModelPackageArn;
    if (!candidateArn) {
      throw new NotFoundError(
        `Model package group ${r.modelPackageGroupName} has no version ${modelVersion}`,
      );
    }
    if (pkg.ModelPackageGroupName !== r.modelPackageGroupName) {
      throw new NotAllowedError(
        `Model package ${candidateArn} belongs to group ${pkg.ModelPackageGroupName}, not to ${r.entityRef}'s group ${r.modelPackageGroupName}`,
      );
    }
    const state = await this.parts.endpoint.state(r, { fresh: true });
    const configName = this.checkStartable(r, state, modelVersion);
    const { sagemaker } = await this.ctx.clients(r);
    const current = await this.describeConfig(r, configName);
    if (current.ShadowProductionVariants?.length) {
      throw new ConflictError(
        `A shadow test is already running on endpoint ${r.endpointName}`,
      );
    }
    const variants = current.ProductionVariants ?? [];
    if (variants.length !== 1 || !variants[0].ModelName) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} serves ${variants.length} production variants; SageMaker shadows exactly one`,
      );
    }
    const serving = variants[0];
    const servingModel = await this.ctx.call('sagemaker:DescribeModel', () =>
      sagemaker.send(
        new DescribeModelCommand({ ModelName: serving.ModelName }),
      ),
    );
    if (!servingModel?.ExecutionRoleArn) {
      throw new ConflictError(
        `Model ${serving.ModelName} names no execution role to run the candidate with`,
      );
    }
    const now = new Date();
    const name = shadowResourceName(r.endpointName, modelVersion, now);
    await this.ctx.call('sagemaker:CreateModel', () =>
      sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: servingModel.ExecutionRoleArn,
          // As the deploy step builds it: the package expands to its containers.
          Containers: [{ ModelPackageName: candidateArn }],
          ...(servingModel.VpcConfig
            ? { VpcConfig: servingModel.VpcConfig }
            : {}),
          ...(servingModel.EnableNetworkIsolation !== undefined
            ? { EnableNetworkIsolation: servingModel.EnableNetworkIsolation }
            : {}),
          Tags: [{ Key: MODEL_PACKAGE_TAG, Value: candidateArn }],
        }),
      ),
    );
    const servingWeight = serving.InitialVariantWeight ?? 1;
    const shadow: ProductionVariant = {
      VariantName: `shadow-v${modelVersion}`,
      ModelName: name,
      // Copies go to the shadow in proportion to its weight against the production variant's.
      InitialVariantWeight: (servingWeight * samplePercent) / 100,
      ...(serving.ServerlessConfig
        ? { ServerlessConfig: serving.ServerlessConfig }
        : {
            InstanceType: serving.InstanceType,
            InitialInstanceCount: serving.InitialInstanceCount ?? 1,
          }),
    };
    const servingArn = state?.endpoint.modelPackageArn;
    const tags: Tag[] = [
      ...(servingArn ? [{ Key: MODEL_PACKAGE_TAG, Value: servingArn }] : []),
      { Key: SHADOW_TAGS.originalConfig, Value: configName },
      { Key: SHADOW_TAGS.candidateArn, Value: candidateArn },
      { Key: SHADOW_TAGS.samplePercent, Value: String(samplePercent) },
      { Key: SHADOW_TAGS.startedBy, Value: actor.ref.slice(0, 256) },
      { Key: SHADOW_TAGS.startedAt, Value: now.toISOString() },
    ];
    await this.ctx.call('sagemaker:CreateEndpointConfig', () =>
      sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: [withoutUndefined(serving)],
          ShadowProductionVariants: [shadow],
          ...(current.DataCaptureConfig
            ? { DataCaptureConfig: current.DataCaptureConfig }
            : {}),
          ...(current.KmsKeyId ? { KmsKeyId: current.KmsKeyId } : {}),
          Tags: tags,
        }),
      ),
    );
    await this.ctx.call('sagemaker:UpdateEndpoint', () =>
      sagemaker.send(
        new UpdateEndpointCommand({
          EndpointName: r.endpointName,
          EndpointConfigName: name,
        }),
      ),
    );
    this.ctx.invalidate(r, 'endpoint');
    return {
      shadowTestId: name,
      endpointName: r.endpointName,
      servingVersion: state?.endpoint.modelVersion ?? 0,
      candidateVersion: modelVersion,
      status: 'Running',
      samplePercent,
      startedAt: now.toISOString(),
      startedBy: actor.ref,
      comparison: { requests: 0, variants: [] },
    };
  }

  private checkStartable(
    r: MlopsResources,
    state: EndpointState | undefined,
    candidate: number,
  ): string {
    if (!state || !state.endpointConfigName) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} does not exist yet: nothing serves traffic to copy`,
      );
    }
    if (state.endpoint.status !== 'InService' || state.pending) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} is ${state.endpoint.status}${
          state.pending ? ' with an update in progress' : ''
        }; a shadow test starts on an endpoint in service`,
      );
    }
    if (state.endpoint.modelVersion === candidate) {
      throw new ConflictError(
        `Version ${candidate} is the version endpoint ${r.endpointName} serves; shadow another one`,
      );
    }
    return state.endpointConfigName;
  }

  async stop(
    r: MlopsResources,
    _options: { actor: EngineActor },
  ): Promise<ShadowTest> {
    const state = await this.parts.endpoint.state(r, { fresh: true });
    const found = state ? await this.shadowConfig(r, state) : undefined;
    if (!state || !found || found.configName !== state.endpointConfigName) {
      throw new ConflictError(
        `No shadow test is running on endpoint ${r.endpointName}`,
      );
    }
    if (state.endpoint.status !== 'InService' || state.pending) {
      throw new ConflictError(
        `Endpoint ${r.endpointName} is ${state.endpoint.status}; stop the shadow test once it is in service`,
      );
    }
    const original = found.tags[SHADOW_TAGS.originalConfig];
    if (!original) {
      throw new ConflictError(
        `Endpoint config ${found.configName} was not made by the portal (no ${SHADOW_TAGS.originalConfig} tag): update the endpoint to the config you want in SageMaker`,
      );
    }
    const test = await this.toShadowTest(r, state, found, 'Running');
    const { sagemaker } = await this.ctx.clients(r);
    await this.ctx.call('sagemaker:UpdateEndpoint', () =>
      sagemaker.send(
        new UpdateEndpointCommand({
          EndpointName: r.endpointName,
          EndpointConfigName: original,
        }),
      ),
    );
    this.ctx.invalidate(r, 'endpoint');
    return { ...test, status: 'Stopped', endedAt: new Date().toISOString() };
  }

  /**
   * The shadow test the endpoint runs (its config, else the config it is
   * moving to). SageMaker keeps no record of stopped ones: once the endpoint
   * left the shadow config the test is no longer shown.
   */
  async current(
    r: MlopsResources,
    state: EndpointState | undefined,
  ): Promise<ShadowTest | undefined> {
    if (!state) return undefined;
    // A config never changes under its name: cached with the endpoint's state.
    const key = `shadow:${state.endpointConfigName}:${
      state.pending?.endpointConfigName ?? ''
    }`;
    const cached = await this.ctx.cached(r, 'endpoint', key, async () => ({
      found: await this.shadowConfig(r, state),
    }));
    const found = cached.found;
    return found ? this.toShadowTest(r, state, found, 'Running') : undefined;
  }

  private async shadowConfig(
    r: MlopsResources,
    state: EndpointState,
  ): Promise<ShadowConfig | undefined> {
    const names = [
      state.endpointConfigName,
      state.pending?.endpointConfigName,
    ].filter((n): n is string => Boolean(n));
    for (const configName of names) {
      const config = await this.describeConfig(r, configName);
      if (!config.ShadowProductionVariants?.length) continue;
      return { configName, config, tags: await this.tagsOf(r, config) };
    }
    return undefined;
  }

  private async describeConfig(r: MlopsResources, configName: string) {
    const { sagemaker } = await this.ctx.clients(r);
    const config = await this.ctx.call('sagemaker:DescribeEndpointConfig', () =>
      sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
      ),
    );
    return config ?? { $metadata: {} };
  }

  private async tagsOf(
    r: MlopsResources,
    config: DescribeEndpointConfigCommandOutput,
  ): Promise<Record<string, string>> {
    if (!config.EndpointConfigArn) return {};
    const { sagemaker } = await this.ctx.clients(r);
    const res = await this.ctx.call('sagemaker:ListTags', () =>
      sagemaker.send(
        new ListTagsCommand({
          ResourceArn: config.EndpointConfigArn,
          MaxResults: 50,
        }),
      ),
    );
    return Object.fromEntries(
      (res?.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? '']),
    );
  }

  private async toShadowTest(
    r: MlopsResources,
    state: EndpointState,
    found: ShadowConfig,
    status: ShadowTest['status'],
  ): Promise<ShadowTest> {
    const serving = found.config.ProductionVariants?.[0];
    const shadow = found.config.ShadowProductionVariants![0];
    let candidateArn: string | undefined = found.tags[SHADOW_TAGS.candidateArn];
    if (!candidateArn && shadow.ModelName) {
      const { sagemaker } = await this.ctx.clients(r);
      const model = await this.ctx.call('sagemaker:DescribeModel', () =>
        sagemaker.send(
          new DescribeModelCommand({ ModelName: shadow.ModelName }),
        ),
      );
      candidateArn = [
        model?.PrimaryContainer,
        ...(model?.Containers ?? []),
      ].find(c => c?.ModelPackageName)?.ModelPackageName;
    }
    const tagged = Number(found.tags[SHADOW_TAGS.samplePercent]);
    const samplePercent = Number.isInteger(tagged)
      ? tagged
      : Math.round(
          (100 * (shadow.InitialVariantWeight ?? 1)) /
            (serving?.InitialVariantWeight ?? 1),
        );
    const startedAt =
      found.tags[SHADOW_TAGS.startedAt] ??
      iso(found.config.CreationTime) ??
      state.endpoint.lastModifiedTime ??
      new Date().toISOString();
    const servingVersion = state.endpoint.modelVersion ?? 0;
    const candidateVersion = candidateArn
      ? versionFromArn(candidateArn) ?? 0
      : 0;
    return {
      shadowTestId: found.configName,
      endpointName: r.endpointName,
      servingVersion,
      candidateVersion,
      status,
      samplePercent,
      startedAt,
      ...(found.tags[SHADOW_TAGS.startedBy]
        ? { startedBy: found.tags[SHADOW_TAGS.startedBy] }
        : {}),
      comparison: await this.compare(r, {
        since: startedAt,
        serving: { name: serving?.VariantName, version: servingVersion },
        candidate: { name: shadow.VariantName, version: candidateVersion },
      }),
    };
  }

  /**
   * Serving vs candidate from CloudWatch's per-variant endpoint metrics since
   * the test started. CloudWatch holds counts and latencies, not predictions:
   * agreement and prediction differences are left undefined.
   */
  private async compare(
    r: MlopsResources,
    q: {
      since: string;
      serving: { name?: string; version: number };
      candidate: { name?: string; version: number };
    },
  ): Promise<ShadowComparison> {
    const sides = [
      { ...q.serving, role: 'current' as const, weight: 100 },
      { ...q.candidate, role: 'candidate' as const, weight: 0 },
    ].filter((s): s is typeof s & { name: string } => Boolean(s.name));
    if (!sides.length) return { requests: 0, variants: [] };
    const { start, end, period } = comparisonRange(q.since, new Date());
    const { cloudwatch } = await this.ctx.clients(r);
    const res = await this.ctx.call('cloudwatch:GetMetricData', () =>
      cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          MetricDataQueries: comparisonQueries(
            r.endpointName,
            sides.map(s => s.name),
            period,
          ),
        }),
      ),
    );
    // One period covers the whole test: one datapoint per query (summed
    // for counts should CloudWatch split it; a percentile is taken as is).
    const value = (id: string) => {
      const values = res?.MetricDataResults?.find(m => m.Id === id)?.Values;
      if (!values?.length) return undefined;
      return id.endsWith('_inv') || id.endsWith('_e5')
        ? values.reduce((a, b) => a + b, 0)
        : values[0];
    };
    const variants: VariantTraffic[] = sides.map((s, i) => {
      const p50 = value(`v${i}_p50`);
      const p99 = value(`v${i}_p99`);
      return {
        modelVersion: s.version,
        role: s.role,
        weight: s.weight,
        invocations: value(`v${i}_inv`) ?? 0,
        errors: value(`v${i}_e5`) ?? 0,
        // ModelLatency is published in microseconds.
        ...(p50 !== undefined ? { p50LatencyMs: p50 / 1000 } : {}),
        ...(p99 !== undefined ? { p99LatencyMs: p99 / 1000 } : {}),
      };
    });
    const candidate = variants.find(v => v.role === 'candidate');
    return { requests: candidate?.invocations ?? 0, variants };
  }
}

/** One period from the minute the test started to now (CloudWatch periods are multiples of 60 s). */
export function comparisonRange(since: string, now: Date) {
  const minute = 60_000;
  const parsed = Date.parse(since);
  const start =
    Math.floor((Number.isFinite(parsed) ? parsed : now.getTime()) / minute) *
    minute;
  const span = Math.max(
    minute,
    Math.ceil((now.getTime() - start) / minute) * minute,
  );
  return {
    start: new Date(start),
    end: new Date(start + span),
    period: span / 1000,
  };
}

export function comparisonQueries(
  endpointName: string,
  variantNames: string[],
  period: number,
): MetricDataQuery[] {
  const metric = (
    id: string,
    variant: string,
    metricName: string,
    stat: string,
  ) => variantMetricQuery(id, endpointName, variant, metricName, stat, period);
  return variantNames.flatMap((v, i) => [
    metric(`v${i}_inv`, v, 'Invocations', 'Sum'),
    metric(`v${i}_e5`, v, 'Invocation5XXErrors', 'Sum'),
    metric(`v${i}_p50`, v, 'ModelLatency', 'p50'),
    metric(`v${i}_p99`, v, 'ModelLatency', 'p99'),
  ]);
}
