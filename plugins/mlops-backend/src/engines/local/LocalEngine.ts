import type {
  DatabaseService,
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  DeploymentsResponse,
  EvaluationPlots,
  MonitoringResponse,
  MonitoringWindow,
  ListResponse,
  FeatureRecord,
  MlopsResources,
  ModelSignature,
  ModelVersion,
  PipelineExecution,
  QualityGate,
  PipelineExecutionDetail,
  PredictResponse,
  ReleaseStage,
  ShadowTest,
  Rollout,
  UploadDatasetResponse,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  EngineActor,
  ListOptions,
  MlopsEngine,
  MlopsEngineEvent,
  MlopsEngineEvents,
  StartExecutionOptions,
  StartShadowTestOptions,
  PredictionSource,
  RolloutActionOptions,
  UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import fs from 'fs/promises';
import { ActiveRuns } from './activeRuns';
import { DataLayout } from './dataLayout';
import { DatasetIngest } from './datasetIngest';
import { BucketWatcher } from './bucketWatcher';
import { pageOptions } from './format';
import { EndpointHost } from './endpointHost';
import { EngineEventBus } from './engineEvents';
import { ModelRegistry } from './modelRegistry';
import { RolloutManager } from './rollout/rolloutManager';
import { LocalMonitoring } from './monitoring/localMonitoring';
import { readMonitoringSettings } from './monitoring/monitoringSettings';
import { initialRelease, resolveParameters } from './pipeline';
import { PipelineRunner } from './pipelineRunner';
import { recoverExecutions } from './recovery';
import { recordDeploy, stepOf } from './releaseStages';
import { Scheduler } from './scheduler';
import { ShadowStore } from './shadow/shadowStore';
import { ShadowTests } from './shadow/shadowTests';
import { LocalSettings, readLocalSettings } from './settings';
import { LocalStore, toPublicDetail, toPublicExecution } from './store';
import { systemOf } from './system';
import type { SeedConfig } from './settings';
import { StepWorker } from './workerClient';
import { WorkerPool } from './workerPool';

export interface LocalEngineOptions {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  lifecycle?: LifecycleService;
}

/**
 * The embedded engine: a data bucket directory, a release pipeline runner
 * whose ML steps run in a child process, a model registry and deployment
 * history in the plugin database, and a SageMaker-style endpoint server.
 * This class only wires its parts together and maps the engine contract
 * onto them; the parts are (one reason to change each):
 *
 * - settings: config, read and checked once
 * - dataLayout: where files live under the data directory
 * - recovery: executions left behind by a crashed process
 * - engineEvents: the event bus
 * - scheduler: FIFO per pipeline, one run at a time, idempotency tokens
 * - activeRuns: running executions' state and its persistence
 * - pipelineRunner: the step state machine of one execution
 * - workerPool: a warm child process for the next run
 * - modelRegistry: versions, approval, rollback, history
 * - endpointHost: deployed models, deployment rows, the endpoint server
 * - datasetIngest: validate + store + manifest + trigger
 * - monitoring: capture of served predictions, traffic, drift, plots
 * - shadow: shadow tests (a candidate gets copies of answered requests)
 */
export class LocalEngine implements MlopsEngine, MlopsEngineEvents {
  readonly type = 'local';
  /** Settles when first-start seeding finished (or failed, which is logged). */
  seeding: Promise<void> = Promise.resolve();

  private constructor(
    private readonly state: { closing: boolean },
    private readonly settings: LocalSettings,
    private readonly store: LocalStore,
    private readonly events: EngineEventBus,
    private readonly runs: ActiveRuns,
    private readonly scheduler: Scheduler,
    private readonly workers: WorkerPool<StepWorker>,
    private readonly registry: ModelRegistry,
    private readonly host: EndpointHost,
    private readonly ingest: DatasetIngest,
    private readonly monitoring: LocalMonitoring,
    private readonly rollouts: RolloutManager,
    private readonly logger: LoggerService,
    private readonly shadows: ShadowTests,
    private readonly bucket?: BucketWatcher,
  ) {}

  static async create(options: LocalEngineOptions): Promise<LocalEngine> {
    const { logger } = options;
    const settings = readLocalSettings(options.config);
    const monitoringSettings = readMonitoringSettings(options.config);
    const db = await options.database.getClient();
    const store = await LocalStore.create(db, {
      skipMigrations: options.database.migrations?.skip,
    });
    const layout = new DataLayout(settings.dataDir);
    const monitoring = new LocalMonitoring(
      db,
      layout,
      monitoringSettings,
      logger,
    );
    const events = new EngineEventBus(logger);
    const runs = new ActiveRuns(store, events, logger);
    // The rollouts are made after the host, which needs the shadow tests.
    const late: { rollouts?: RolloutManager } = {};
    const shadows = new ShadowTests({
      store: new ShadowStore(db),
      layout,
      events,
      logger,
      getVersion: (group, version) => store.getVersion(group, version),
      // Two experiments on one endpoint would each judge a moving target.
      blockedBy: endpointName => {
        const active = late.rollouts?.activeOn(endpointName);
        return active
          ? `a rollout of version ${active.toVersion} is in progress`
          : undefined;
      },
    });
    const host = new EndpointHost(
      store,
      layout,
      logger,
      // `/invocations` without an endpoint name serves the first seeded system.
      settings.seeds[0]?.resources.endpointName,
      // Every answered request: monitoring's capture, then shadow tests' copy.
      inv => {
        if (monitoring.capturing) monitoring.record(inv);
        shadows.observe(inv);
      },
    );
    const rollouts = new RolloutManager(store, layout, host, events, logger, {
      onLive: (resources, v) =>
        runs.update(v.executionId, rec =>
          recordDeploy(rec, v.version, resources.endpointName, 'approval'),
        ),
    });
    late.rollouts = rollouts;
    const registry = new ModelRegistry(
      store,
      layout,
      host,
      runs,
      events,
      rollouts,
    );
    const workers = new WorkerPool(() => new StepWorker());
    // Shared with the runner: a closing engine starts no new step.
    const state = { closing: false };
    const isClosing = () => state.closing;
    const runner = new PipelineRunner(
      layout,
      runs,
      workers,
      registry,
      logger,
      isClosing,
      settings.allowPreApproval,
      settings.trainingThreads,
    );
    const scheduler = new Scheduler(store, runs, events, logger, run =>
      runner.execute(run),
    );
    const ingest = new DatasetIngest(
      store,
      layout,
      logger,
      (resources, manifest, actor, fileName) => {
        const system = systemOf(resources, 'training');
        return scheduler.enqueue(resources, {
          trigger: 'upload',
          actor,
          parameters: resolveParameters(system.spec, undefined),
          gate: system.spec.spec.gate as QualityGate,
          specHash: system.hash,
          manifest,
          displayName: `upload ${fileName}`,
        });
      },
    );
    const bucket =
      settings.bucketWatch &&
      new BucketWatcher({
        dataDir: settings.dataDir,
        ingest,
        events,
        logger,
        stableMs: settings.bucketWatch.stableMs,
        // The entity a pipeline last ran for owns its drops, checked and
        // trained by the spec that run carried (a seed's first run included).
        resourcesFor: async pipelineName =>
          (await store.latestExecution(pipelineName))?.resources,
      });
    const engine = new LocalEngine(
      state,
      settings,
      store,
      events,
      runs,
      scheduler,
      workers,
      registry,
      host,
      ingest,
      monitoring,
      rollouts,
      logger,
      shadows,
      bucket,
    );

    await fs.mkdir(settings.dataDir, { recursive: true });
    await ingest.clearStaging();
    for (const rec of await recoverExecutions(store, logger)) {
      scheduler.requeue(rec.pipelineName, rec.executionId);
    }
    await host.loadCurrent();
    await rollouts.resumeAll();
    await shadows.start(endpointName => host.current(endpointName));
    if (settings.endpoint) {
      await host.listen(settings.endpoint.host, settings.endpoint.port);
    }
    options.lifecycle?.addShutdownHook(() => engine.close());
    monitoring.start();
    workers.ensureSpare();
    if (settings.seeds.length > 0) engine.seeding = engine.seed(settings.seeds);
    scheduler.start();
    await bucket?.start();
    return engine;
  }

  /**
   * First start: fills each seed's empty bucket (which starts its run), and
   * for `deploy: true` approves and deploys the version that run registers,
   * so the portal starts with its systems served. Failures are logged; the
   * backend runs without that seed.
   */
  private async seed(seeds: SeedConfig[]): Promise<void> {
    const started = await Promise.all(
      seeds.map(async s => ({ seed: s, res: await this.ingest.seed(s) })),
    );
    const toDeploy = started.flatMap(({ seed, res }) =>
      seed.deploy && res?.execution
        ? [{ seed, executionId: res.execution.executionId }]
        : [],
    );
    if (toDeploy.length === 0) return;
    await this.scheduler.idle();
    for (const { seed, executionId } of toDeploy) {
      const rec = await this.store.getExecution(executionId);
      if (
        !rec ||
        rec.status !== 'Succeeded' ||
        rec.modelVersion === undefined
      ) {
        this.logger.warn(
          `MLOps seed of ${
            seed.resources.pipelineName
          }: run ${executionId} ended ${rec?.status ?? 'missing'}${
            rec?.failureReason ? ` (${rec.failureReason})` : ''
          }; nothing deployed`,
        );
        continue;
      }
      const v = await this.registry.get(rec.resources, rec.modelVersion);
      if (v.approvalStatus === 'Approved') continue; // pre-approved: deployed by its run
      try {
        await this.registry.updateApproval(rec.resources, rec.modelVersion, {
          status: 'Approved',
          comment:
            'seeded demo version, approved at first start (mlops.local.seeds deploy: true)',
          actor: { ref: 'mlops:seed' },
        });
      } catch (e) {
        this.logger.warn(
          `MLOps seed of ${seed.resources.pipelineName}: deploying version ${
            rec.modelVersion
          } failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  }

  /** Base URL of the endpoint server (SageMaker serving contract), if started. */
  get endpointUrl(): string | undefined {
    return this.host.url;
  }

  /** Directory of the data bucket, manifests, run artifacts and model packages. */
  get dataDir(): string {
    return this.settings.dataDir;
  }

  subscribe(listener: (event: MlopsEngineEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  // --- executions ------------------------------------------------------------

  private async getOwnExecution(
    resources: MlopsResources,
    executionId: string,
  ) {
    const rec = await this.store.getExecution(executionId);
    // Pipeline AND entity: a run belongs to the entity it ran for (runs of a
    // seed without an entity stay visible through the pipeline).
    const owner = rec?.resources.entityRef?.toLocaleLowerCase('en-US');
    if (
      !rec ||
      rec.pipelineName !== resources.pipelineName ||
      (owner && owner !== resources.entityRef.toLocaleLowerCase('en-US'))
    ) {
      throw new NotFoundError(
        `execution ${executionId} of pipeline ${resources.pipelineName} not found`,
      );
    }
    return this.runs.freshest(rec);
  }

  async listExecutions(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>> {
    const { limit, before } = pageOptions(options, 100);
    const rows = await this.store.listExecutions(
      resources.pipelineName,
      limit + 1,
      before,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(r =>
        toPublicExecution(
          this.runs.running(r.pipelineName, r.executionId)?.rec ?? r,
        ),
      ),
      nextToken:
        rows.length > limit ? String(page[page.length - 1].seq) : undefined,
    };
  }

  async getExecution(
    resources: MlopsResources,
    executionId: string,
  ): Promise<PipelineExecutionDetail> {
    return toPublicDetail(await this.getOwnExecution(resources, executionId));
  }

  async startExecution(
    resources: MlopsResources,
    options: StartExecutionOptions,
  ): Promise<PipelineExecution> {
    const existing = await this.scheduler.findByToken(
      resources.pipelineName,
      options.clientRequestToken,
    );
    if (existing) return toPublicExecution(existing);
    const system = systemOf(resources, 'training');
    const parameters = resolveParameters(system.spec, options.parameters);
    const manifest = await this.store.latestManifest(resources.pipelineName);
    if (!manifest) {
      throw new ConflictError(
        `the data bucket of ${resources.pipelineName} is empty; upload a dataset first`,
      );
    }
    const rec = await this.scheduler.enqueue(resources, {
      trigger: options.trigger,
      actor: options.actor,
      parameters,
      gate: system.spec.spec.gate as QualityGate,
      specHash: system.hash,
      manifest,
      displayName: options.displayName,
      clientRequestToken: options.clientRequestToken,
    });
    return toPublicExecution(rec);
  }

  async retryExecution(
    resources: MlopsResources,
    executionId: string,
    actor: EngineActor,
  ): Promise<PipelineExecution> {
    const prev = await this.getOwnExecution(resources, executionId);
    if (prev.status !== 'Failed' && prev.status !== 'Stopped') {
      throw new ConflictError(
        `execution ${executionId} is ${prev.status}; only Failed or Stopped executions can be retried`,
      );
    }
    const system = systemOf(resources, 'training');
    // Same hyperparameters, today's spec and gate: a retry is judged like a new run.
    const { MseThreshold: _oldGate, ...parameters } = prev.parameters;
    const rec = await this.scheduler.enqueue(resources, {
      trigger: 'retry',
      actor,
      parameters,
      gate: system.spec.spec.gate as QualityGate,
      specHash: system.hash,
      manifest: prev.dataManifest,
      displayName: prev.displayName,
      retryOf: prev.executionId,
    });
    return toPublicExecution(rec);
  }

  async stopExecution(
    resources: MlopsResources,
    executionId: string,
    _actor: EngineActor,
  ): Promise<PipelineExecution> {
    const rec = await this.getOwnExecution(resources, executionId);
    const run = this.runs.get(rec.pipelineName);
    if (run && run.executionId === executionId) {
      const loaded = this.runs.running(rec.pipelineName, executionId);
      if (!loaded) {
        // Claimed but not loaded yet: the runner sees the flag before any work.
        run.stopRequested = true;
        return toPublicExecution(rec);
      }
      if (!loaded.stopRequested) {
        loaded.stopRequested = true;
        loaded.rec.status = 'Stopping';
        const current =
          loaded.rec.currentStep && stepOf(loaded.rec, loaded.rec.currentStep);
        if (current) current.status = 'Stopping';
        void this.runs.persist(loaded);
        // Killing the child is the stop: the step's promise rejects and the run ends Stopped.
        loaded.worker?.kill();
      }
      return toPublicExecution(loaded.rec);
    }
    if (await this.scheduler.stopQueued(rec)) return toPublicExecution(rec);
    throw new ConflictError(
      `execution ${executionId} is ${rec.status} and cannot be stopped`,
    );
  }

  async getReleaseState(
    resources: MlopsResources,
  ): Promise<ReleaseStage[] | undefined> {
    if (!resources.releasePipelineName) return undefined;
    const latest = await this.store.latestExecution(resources.pipelineName);
    if (!latest) return undefined;
    const rec =
      this.runs.running(latest.pipelineName, latest.executionId)?.rec ?? latest;
    return rec.release ?? initialRelease();
  }

  // --- registry, deployments, prediction, data -------------------------------

  listModelVersions(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>> {
    return this.registry.list(resources, options);
  }

  getModelVersion(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelVersion> {
    return this.registry.get(resources, version);
  }

  updateModelApproval(
    resources: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion> {
    return this.registry.updateApproval(resources, version, options);
  }

  async listDeployments(
    resources: MlopsResources,
  ): Promise<DeploymentsResponse> {
    const [res, rollout, shadowTest] = await Promise.all([
      this.host.listDeployments(resources),
      this.rollouts.latest(resources.endpointName),
      this.shadows.latest(resources.endpointName),
    ]);
    return {
      ...res,
      ...(rollout ? { rollout } : {}),
      ...(shadowTest ? { shadowTest } : {}),
    };
  }

  controlRollout(
    resources: MlopsResources,
    options: RolloutActionOptions,
  ): Promise<Rollout> {
    return this.rollouts.control(resources, options);
  }

  startShadowTest(
    resources: MlopsResources,
    options: StartShadowTestOptions,
  ): Promise<ShadowTest> {
    return this.shadows.startTest(resources, options);
  }

  stopShadowTest(
    resources: MlopsResources,
    options: { actor: EngineActor },
  ): Promise<ShadowTest> {
    return this.shadows.stopTest(resources, options);
  }

  async predict(
    resources: MlopsResources,
    records: FeatureRecord[],
    options?: { source?: PredictionSource },
  ): Promise<PredictResponse> {
    return this.host.predict(resources, records, options?.source);
  }

  getModelSignature(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelSignature> {
    return this.registry.getSignature(resources, version);
  }

  getMonitoring(
    resources: MlopsResources,
    options: { window: MonitoringWindow },
  ): Promise<MonitoringResponse> {
    return this.monitoring.report(
      resources.endpointName,
      options.window,
      this.host.current(resources.endpointName),
    );
  }

  async getEvaluationPlots(
    resources: MlopsResources,
    version: number,
  ): Promise<EvaluationPlots> {
    const v = await this.registry.get(resources, version);
    return this.monitoring.evaluationPlots(v);
  }

  /** Captured rows of an endpoint since `fromMs`, as Data Capture JSONL lines. */
  captureRecords(endpointName: string, fromMs: number): Promise<string[]> {
    return this.monitoring.captureRecords(endpointName, fromMs);
  }

  uploadDataset(
    resources: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    return this.ingest.upload(resources, options);
  }

  // --- shutdown --------------------------------------------------------------

  /** Stops runners (their executions end Failed "interrupted") and the endpoint server. */
  async close(): Promise<void> {
    if (this.state.closing) return;
    this.state.closing = true;
    await this.bucket?.close();
    this.scheduler.close();
    const runs = this.runs.all();
    for (const r of runs) r.worker?.kill();
    await Promise.all(runs.map(r => r.done));
    this.workers.close();
    this.ingest.close();
    await this.shadows.close();
    await this.rollouts.close();
    await this.host.close();
    await this.monitoring.close();
  }

  /** Resolves when no execution is running or queued (tests, benchmarks). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }
}
