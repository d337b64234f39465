import type {
  DatabaseService,
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { loadAbaloneSource, parseAbaloneCsv } from '@mlops-portal/ml-core';
import type { CsvRowError } from '@mlops-portal/ml-core';
import {
  DEFAULT_MSE_THRESHOLD,
  ageFromRings,
} from '@mlops-portal/plugin-mlops-common';
import type {
  AbaloneFeatures,
  DataManifest,
  DatasetRowError,
  DeploymentsResponse,
  ExecutionTrigger,
  ListResponse,
  MlopsResources,
  ModelApprovalStatus,
  ModelVersion,
  ParameterValues,
  PipelineExecution,
  PipelineExecutionDetail,
  PipelineStep,
  PredictResponse,
  RegressionMetrics,
  ReleaseStage,
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
  UploadDatasetOptions,
} from '@mlops-portal/plugin-mlops-node';
import { createHash, randomBytes, randomUUID } from 'crypto';
import fs from 'fs/promises';
import type { Knex } from 'knex';
import path from 'path';
import { DatasetValidationError } from '../../errors';
import {
  LoadedModel,
  createEndpointApp,
  loadPredictor,
  startEndpointServer,
} from './endpoint';
import { copyIntoDirAtomic, safeSegment, writeFileAtomic } from './fsutil';
import {
  hyperparametersOf,
  initialRelease,
  initialSteps,
  resolveParameters,
} from './pipeline';
import {
  ExecutionRecord,
  LocalStore,
  VersionRecord,
  toPublicDetail,
  toPublicExecution,
} from './store';
import { StepWorker, WorkerKilledError } from './workerClient';

/** Fewer rows cannot fill a 70/15/15 split with meaningful validation/test sets. */
const MIN_TRAINING_ROWS = 30;
/** Logs kept per step (the newest ones win). */
const MAX_STEP_LOG_LINES = 500;
/** Row errors returned for a refused upload. */
const MAX_ROW_ERRORS = 100;
const PROGRESS_PERSIST_MS = 250;
/** Uploads up to this size are parsed inline; larger ones in a child process. */
const INLINE_PARSE_LIMIT_BYTES = 1024 * 1024;

export interface LocalEngineOptions {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  lifecycle?: LifecycleService;
}

interface SeedConfig {
  source: string;
  resources: MlopsResources;
}

interface LocalSettings {
  dataDir: string;
  mseThreshold: number;
  seed?: SeedConfig;
  endpoint?: { host: string; port: number };
}

function readSettings(config: Config): LocalSettings {
  const local = config.getOptionalConfig('mlops.local');
  const seedCfg = local?.getOptionalConfig('seed');
  let seed: SeedConfig | undefined;
  if (seedCfg?.has('source')) {
    seed = {
      source: seedCfg.getString('source'),
      resources: {
        entityRef: seedCfg.getOptionalString('entityRef') ?? '',
        pipelineName:
          seedCfg.getOptionalString('pipelineName') ?? 'abalone-pipeline',
        modelPackageGroupName:
          seedCfg.getOptionalString('modelPackageGroupName') ??
          'AbaloneModelPackageGroup',
        endpointName:
          seedCfg.getOptionalString('endpointName') ?? 'abalone-endpoint',
        releasePipelineName:
          seedCfg.getOptionalString('releasePipelineName') ?? undefined,
      },
    };
  }
  const ep = local?.getOptionalConfig('endpoint');
  const endpointEnabled = ep?.getOptionalBoolean('enabled') ?? true;
  return {
    dataDir: path.resolve(local?.getOptionalString('dataDir') ?? '.mlops-data'),
    mseThreshold:
      config.getOptionalNumber('mlops.qualityGate.mseThreshold') ??
      DEFAULT_MSE_THRESHOLD,
    seed,
    endpoint: endpointEnabled
      ? {
          host: ep?.getOptionalString('host') ?? '127.0.0.1',
          port: ep?.getOptionalNumber('port') ?? 7070,
        }
      : undefined,
  };
}

const iso = () => new Date().toISOString();
/** SageMaker-like execution id: 12 lowercase alphanumerics. */
const newExecutionId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(12), b => alphabet[b % alphabet.length]).join(
    '',
  );
};
/** 7.1234 → "7.123", 6 → "6.0" (readable in failure reasons). */
const fmt = (n: number) => {
  const s = String(Math.round(n * 1000) / 1000);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
};
/** `row 3, column length: not a number ("x"); ...` for the first few row errors. */
function summariseRowErrors(rowErrors: DatasetRowError[], max = 5): string {
  const parts = rowErrors
    .slice(0, max)
    .map(
      e =>
        `row ${e.row}, column ${e.column}: ${e.reason}${
          e.value !== undefined ? ` (${JSON.stringify(e.value)})` : ''
        }`,
    );
  const more =
    rowErrors.length > max ? `; and ${rowErrors.length - max} more` : '';
  return `${parts.join('; ')}${more}`;
}
const errorMessage = (e: unknown) =>
  e instanceof Error ? e.message : String(e);

/** Step/stage failure with the name of what failed, for the execution's reason. */
class StepFailure extends Error {
  constructor(readonly where: string, message: string) {
    super(message);
  }
}

/** An execution this process is running. */
interface ActiveRun {
  executionId: string;
  /** Loaded right after the run claimed its pipeline. */
  rec: ExecutionRecord;
  worker?: StepWorker;
  stopRequested: boolean;
  /** Saves are chained so they land in order even on a pooled (PostgreSQL) connection. */
  saving: Promise<void>;
  progressTimer?: NodeJS.Timeout;
  done?: Promise<void>;
}

/**
 * The embedded engine: a data bucket directory, a release pipeline runner
 * whose ML steps run in a child process, a model registry and deployment
 * history in the plugin database, and a SageMaker-style endpoint server.
 *
 * Concurrency: triggers for a pipeline that is already running are QUEUED
 * (FIFO, one execution per pipeline at a time). Every trigger keeps its own
 * execution and data manifest, so none is lost and each upload's data gets
 * trained; a queued execution shows status Executing with no step started yet
 * (SageMaker has no "queued" status). Queued executions survive a restart.
 */
export class LocalEngine implements MlopsEngine, MlopsEngineEvents {
  readonly type = 'local';
  private readonly listeners = new Set<(e: MlopsEngineEvent) => void>();
  private readonly queues = new Map<string, string[]>();
  private readonly active = new Map<string, ActiveRun>();
  private readonly models = new Map<string, LoadedModel>();
  private readonly knownEndpoints = new Set<string>();
  private readonly groupLocks = new Map<string, Promise<unknown>>();
  private lastDeployedEndpoint?: string;
  /**
   * A pre-started child for the next execution: starting Node with the TS
   * loader takes ~0.5-2 s, which would otherwise sit between upload and model.
   */
  private spareWorker?: StepWorker;
  /** Child that parses large uploads (started on the first one). */
  private uploadChecker?: StepWorker;
  private uploadChecks: Promise<unknown> = Promise.resolve();
  private server?: { url: string; close(): Promise<void> };
  private closing = false;
  /** Settles when first-start seeding finished (or failed, which is logged). */
  seeding: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: LocalStore,
    private readonly settings: LocalSettings,
    private readonly logger: LoggerService,
  ) {}

  static async create(options: LocalEngineOptions): Promise<LocalEngine> {
    const settings = readSettings(options.config);
    const db: Knex = await options.database.getClient();
    const store = await LocalStore.create(db, {
      skipMigrations: options.database.migrations?.skip,
    });
    const engine = new LocalEngine(store, settings, options.logger);
    await fs.mkdir(settings.dataDir, { recursive: true });
    await engine.recover();
    await engine.loadDeployments();
    if (settings.endpoint) {
      engine.server = await startEndpointServer(
        createEndpointApp({
          modelFor: name => engine.modelFor(name),
          hasEndpoint: name => engine.knownEndpoints.has(name),
        }),
        settings.endpoint.host,
        settings.endpoint.port,
      );
      options.logger.info(
        `MLOps local endpoint listening on ${engine.server.url}`,
      );
    }
    options.lifecycle?.addShutdownHook(() => engine.close());
    engine.spareWorker = new StepWorker().warm();
    if (settings.seed) engine.seeding = engine.seed(settings.seed);
    for (const pipelineName of engine.queues.keys()) engine.pump(pipelineName);
    return engine;
  }

  /** Base URL of the endpoint server (SageMaker serving contract), if started. */
  get endpointUrl(): string | undefined {
    return this.server?.url;
  }

  /** Directory of the data bucket, manifests, run artifacts and model packages. */
  get dataDir(): string {
    return this.settings.dataDir;
  }

  subscribe(listener: (event: MlopsEngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: MlopsEngineEvent) {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.logger.warn(`MLOps event listener failed: ${errorMessage(e)}`);
      }
    }
  }

  // --- paths -----------------------------------------------------------------

  private bucketPath(pipelineName: string, key: string) {
    return path.join(
      this.settings.dataDir,
      'bucket',
      safeSegment(pipelineName),
      ...key.split('/'),
    );
  }

  private manifestPath(pipelineName: string, manifestId: string) {
    return path.join(
      this.settings.dataDir,
      'manifests',
      safeSegment(pipelineName),
      `${manifestId}.json`,
    );
  }

  private runDir(executionId: string) {
    return path.join(this.settings.dataDir, 'runs', safeSegment(executionId));
  }

  private modelPackageDir(groupName: string, version: number) {
    return path.join(
      this.settings.dataDir,
      'model-packages',
      safeSegment(groupName),
      String(version),
    );
  }

  private arnOf(groupName: string, version: number) {
    // SageMaker lowercases the group name in model package ARNs.
    return `arn:local:sagemaker:local:000000000000:model-package/${groupName.toLocaleLowerCase(
      'en-US',
    )}/${version}`;
  }

  // --- start-up ----------------------------------------------------------------

  /**
   * After a crash or kill -9: executions that had started are marked Failed
   * (their child process died with the backend); queued ones are queued again.
   * A version row is written in one transaction after its artifacts were
   * copied, so a run either registered completely or not at all.
   */
  private async recover() {
    const stale = await this.store.executionsWithStatus([
      'Executing',
      'Stopping',
    ]);
    for (const rec of stale) {
      if (rec.status === 'Executing' && !rec.startTime) {
        this.queueOf(rec.pipelineName).push(rec.executionId);
        continue;
      }
      const now = iso();
      const registered = await this.store.findVersionByExecution(
        rec.executionId,
      );
      if (registered) {
        // The crash hit after the Register transaction committed: the run did its work.
        for (const s of rec.steps) {
          if (s.status !== 'Succeeded') {
            s.status = 'Succeeded';
            s.endTime = s.endTime ?? now;
          }
        }
        this.stage(rec, 'MLPipeline').status = 'Succeeded';
        rec.status = 'Succeeded';
        rec.modelVersion = registered.version;
        rec.metrics = registered.metrics;
        rec.currentStep = undefined;
        rec.endTime = now;
        this.openApprovalStage(rec, registered);
      } else {
        const reason = 'interrupted: backend restarted';
        for (const s of rec.steps) {
          if (['Starting', 'Executing', 'Stopping'].includes(s.status)) {
            s.status = 'Failed';
            s.failureReason = reason;
            s.endTime = now;
          }
        }
        for (const st of rec.release ?? []) {
          if (st.status === 'InProgress') {
            st.status = 'Failed';
            st.endTime = now;
            st.summary = reason;
          }
        }
        rec.status = 'Failed';
        rec.failureReason = reason;
        rec.currentStep = undefined;
        rec.endTime = now;
      }
      await this.store.saveExecution(rec);
      this.logger.warn(
        `MLOps execution ${rec.executionId} of ${rec.pipelineName} was left ${
          registered ? 'registering' : 'running'
        } by a previous process; marked ${rec.status}`,
      );
    }
  }

  private async loadDeployments() {
    if (this.settings.seed)
      this.knownEndpoints.add(this.settings.seed.resources.endpointName);
    for (const d of await this.store.allCurrentDeployments()) {
      this.knownEndpoints.add(d.endpointName);
      try {
        const predictor = await loadPredictor(
          this.modelPackageDir(d.modelPackageGroupName, d.modelVersion),
        );
        this.models.set(d.endpointName, {
          deploymentId: d.deploymentId,
          modelPackageGroupName: d.modelPackageGroupName,
          version: d.modelVersion,
          modelPackageArn: d.modelPackageArn,
          predictor,
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

  private async seed(seed: SeedConfig) {
    try {
      if (await this.store.latestManifest(seed.resources.pipelineName)) return;
      const text = await loadAbaloneSource(seed.source);
      let fileName = path.basename(seed.source);
      if (/^https?:\/\//.test(seed.source)) {
        fileName =
          path.posix.basename(new URL(seed.source).pathname) || 'abalone.data';
      }
      const res = await this.storeDataset(seed.resources, {
        fileName,
        content: Buffer.from(text, 'utf8'),
        actor: { ref: 'mlops:seed' },
      });
      this.logger.info(
        `MLOps data bucket of ${seed.resources.pipelineName} seeded from ${seed.source} (${res.manifest.rowCount} rows)`,
      );
    } catch (e) {
      this.logger.warn(
        `MLOps seeding from ${seed.source} failed: ${errorMessage(e)}`,
      );
    }
  }

  // --- events/persistence helpers ------------------------------------------------

  private stage(rec: ExecutionRecord, name: string): ReleaseStage {
    if (!rec.release) rec.release = initialRelease();
    return rec.release.find(s => s.name === name)!;
  }

  private step(rec: ExecutionRecord, name: string): PipelineStep {
    return rec.steps.find(s => s.name === name)!;
  }

  /** Queues a save of the run's current state; `notify` also emits an event. */
  private persist(run: ActiveRun, notify = true): Promise<void> {
    if (run.progressTimer) {
      clearTimeout(run.progressTimer);
      run.progressTimer = undefined;
    }
    const snapshot: ExecutionRecord = JSON.parse(JSON.stringify(run.rec));
    run.saving = run.saving
      .then(() => this.store.saveExecution(snapshot))
      .then(() => {
        if (notify) this.emitExecution(snapshot);
      })
      .catch(e =>
        this.logger.error(
          `MLOps: saving execution ${
            snapshot.executionId
          } failed: ${errorMessage(e)}`,
        ),
      );
    return run.saving;
  }

  /** Progress/log changes are saved at most every PROGRESS_PERSIST_MS. */
  private persistSoon(run: ActiveRun) {
    if (run.progressTimer) return;
    run.progressTimer = setTimeout(() => {
      run.progressTimer = undefined;
      void this.persist(run, false);
    }, PROGRESS_PERSIST_MS);
  }

  private emitExecution(rec: ExecutionRecord) {
    this.emit({
      type: 'execution',
      resources: rec.resources,
      execution: toPublicExecution(rec),
    });
  }

  private queueOf(pipelineName: string) {
    let q = this.queues.get(pipelineName);
    if (!q) {
      q = [];
      this.queues.set(pipelineName, q);
    }
    return q;
  }

  /** Serialises registry/deployment changes of a model package group. */
  private withGroupLock<T>(
    groupName: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const prev = this.groupLocks.get(groupName) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.groupLocks.set(groupName, next);
    return next;
  }

  private async getOwnExecution(
    resources: MlopsResources,
    executionId: string,
  ) {
    const rec = await this.store.getExecution(executionId);
    if (!rec || rec.pipelineName !== resources.pipelineName) {
      throw new NotFoundError(
        `execution ${executionId} of pipeline ${resources.pipelineName} not found`,
      );
    }
    // A running execution's freshest state is in memory.
    const run = this.active.get(rec.pipelineName);
    if (run?.rec && run.executionId === executionId) {
      return {
        ...(JSON.parse(JSON.stringify(run.rec)) as ExecutionRecord),
        seq: rec.seq,
      };
    }
    return rec;
  }

  // --- executions ------------------------------------------------------------------

  async listExecutions(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<PipelineExecution>> {
    const limit = Math.min(Math.max(Math.floor(options?.limit ?? 50), 1), 100);
    let before: number | undefined;
    if (options?.nextToken) {
      before = Number(options.nextToken);
      if (!Number.isInteger(before) || before < 0) {
        throw new InputError('nextToken is not valid');
      }
    }
    const rows = await this.store.listExecutions(
      resources.pipelineName,
      limit + 1,
      before,
    );
    const page = rows.slice(0, limit);
    const run = this.active.get(resources.pipelineName);
    return {
      items: page.map(r =>
        toPublicExecution(
          run?.rec && run.executionId === r.executionId ? run.rec : r,
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
    if (options.clientRequestToken) {
      const existing = await this.store.findExecutionByToken(
        resources.pipelineName,
        options.clientRequestToken,
      );
      if (existing) return toPublicExecution(existing);
    }
    const parameters = resolveParameters(
      this.settings.mseThreshold,
      options.parameters,
    );
    const manifest = await this.store.latestManifest(resources.pipelineName);
    if (!manifest) {
      throw new ConflictError(
        `the data bucket of ${resources.pipelineName} is empty; upload a dataset first`,
      );
    }
    const rec = await this.enqueue(resources, {
      trigger: options.trigger,
      actor: options.actor,
      parameters,
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
    const rec = await this.enqueue(resources, {
      trigger: 'retry',
      actor,
      parameters: prev.parameters,
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
    const run = this.active.get(rec.pipelineName);
    if (run && run.executionId === executionId) {
      if (!run.rec) {
        // Claimed but not loaded yet: execute() sees the flag before any work.
        run.stopRequested = true;
        return toPublicExecution(rec);
      }
      if (!run.stopRequested) {
        run.stopRequested = true;
        run.rec.status = 'Stopping';
        const current =
          run.rec.currentStep && this.step(run.rec, run.rec.currentStep);
        if (current) current.status = 'Stopping';
        void this.persist(run);
        // Killing the child is the stop: the step's promise rejects and the run ends Stopped.
        run.worker?.kill();
      }
      return toPublicExecution(run.rec);
    }
    const queue = this.queues.get(rec.pipelineName) ?? [];
    const idx = queue.indexOf(executionId);
    if (idx >= 0) {
      queue.splice(idx, 1);
      rec.status = 'Stopped';
      rec.endTime = iso();
      this.stage(rec, 'Source').summary = 'stopped while queued';
      await this.store.saveExecution(rec);
      this.emitExecution(rec);
      return toPublicExecution(rec);
    }
    throw new ConflictError(
      `execution ${executionId} is ${rec.status} and cannot be stopped`,
    );
  }

  private async enqueue(
    resources: MlopsResources,
    o: {
      trigger: ExecutionTrigger;
      actor: EngineActor;
      parameters: ParameterValues;
      manifest?: DataManifest;
      displayName?: string;
      retryOf?: string;
      clientRequestToken?: string;
    },
  ): Promise<ExecutionRecord> {
    if (this.closing)
      throw new ServiceUnavailableError('the MLOps engine is shutting down');
    const rec: ExecutionRecord = {
      executionId: newExecutionId(),
      pipelineName: resources.pipelineName,
      displayName: o.displayName,
      status: 'Executing',
      trigger: o.trigger,
      triggeredBy: o.actor.ref,
      retryOf: o.retryOf,
      parameters: o.parameters,
      dataManifest: o.manifest,
      createdAt: iso(),
      release: initialRelease(),
      steps: initialSteps(),
      resources,
      clientRequestToken: o.clientRequestToken,
    };
    const running = this.active.get(resources.pipelineName);
    if (running) {
      // Said before the insert: once queued, only the runner writes the row.
      this.stage(
        rec,
        'Source',
      ).summary = `queued behind execution ${running.executionId}`;
    }
    let saved: ExecutionRecord;
    try {
      saved = await this.store.insertExecution(rec);
    } catch (e) {
      // Two requests with one idempotency token: the loser returns the winner's execution.
      if (o.clientRequestToken) {
        const existing = await this.store.findExecutionByToken(
          resources.pipelineName,
          o.clientRequestToken,
        );
        if (existing) return existing;
      }
      throw e;
    }
    const queue = this.queueOf(resources.pipelineName);
    queue.push(saved.executionId);
    this.emitExecution(saved);
    this.pump(resources.pipelineName);
    return saved;
  }

  /** Starts the next queued execution of a pipeline if none is running. */
  private pump(pipelineName: string) {
    if (this.closing || this.active.has(pipelineName)) return;
    const queue = this.queues.get(pipelineName);
    const next = queue?.shift();
    if (!next) return;
    const run: ActiveRun = {
      executionId: next,
      rec: undefined as unknown as ExecutionRecord,
      stopRequested: false,
      saving: Promise.resolve(),
    };
    // Claim the pipeline synchronously so concurrent triggers queue behind this run.
    this.active.set(pipelineName, run);
    run.done = (async () => {
      try {
        const rec = await this.store.getExecution(next);
        if (!rec || rec.status !== 'Executing') return;
        run.rec = rec;
        await this.execute(run);
      } catch (e) {
        this.logger.error(
          `MLOps execution ${next} crashed: ${errorMessage(e)}`,
        );
      } finally {
        this.active.delete(pipelineName);
        this.pump(pipelineName);
      }
    })();
  }

  // --- the release pipeline ----------------------------------------------------------

  private async execute(run: ActiveRun) {
    const rec = run.rec;
    const now = iso();
    rec.startTime = now;
    rec.status = 'Executing';
    rec.failureReason = undefined;
    let where = 'Source';
    try {
      // Source: the data manifest this execution trains on.
      const manifest = rec.dataManifest;
      const source = this.stage(rec, 'Source');
      source.startTime = now;
      if (!manifest || manifest.files.length === 0) {
        throw new StepFailure('Source', 'no data manifest to train on');
      }
      source.status = 'Succeeded';
      source.endTime = iso();
      source.summary = `manifest ${manifest.manifestId}: ${manifest.files
        .map(f => f.key)
        .join(', ')} (${manifest.rowCount ?? '?'} rows)`;
      const files = manifest.files.map(f => ({
        key: f.key,
        path: this.bucketPath(rec.pipelineName, f.key),
        sha256: f.sha256,
      }));

      // Validate: schema and data checks, in the child like all CPU work.
      where = 'Validate';
      const validate = this.stage(rec, 'Validate');
      validate.status = 'InProgress';
      validate.startTime = iso();
      await this.persist(run);
      this.checkContinue(run);
      run.worker = this.takeWorker();
      const checked = await run.worker.run({
        step: 'validate',
        args: { files, minRows: MIN_TRAINING_ROWS },
      });
      validate.status = 'Succeeded';
      validate.endTime = iso();
      validate.summary = (checked.checks as string[]).join('; ');

      // MLPipeline: Preprocess → Train → Evaluate → CheckMSE → Register.
      where = 'MLPipeline';
      const ml = this.stage(rec, 'MLPipeline');
      ml.status = 'InProgress';
      ml.startTime = iso();
      const params = rec.parameters;
      const seed = Number(params.Seed ?? 0);
      const runDir = this.runDir(rec.executionId);

      const pre = await this.runWorkerStep(
        run,
        'Preprocess',
        {
          step: 'preprocess',
          args: { files, outDir: path.join(runDir, 'preprocess'), seed },
        },
        {
          seed,
          splitFractions: [0.7, 0.15, 0.15],
          inputs: files.map(f => f.key),
        },
      );
      const preArtifacts = pre.artifacts as Record<string, string>;

      const hyperparameters = { ...hyperparametersOf(params), seed };
      const train = await this.runWorkerStep(
        run,
        'Train',
        {
          step: 'train',
          args: {
            trainCsv: preArtifacts.train,
            validationCsv: preArtifacts.validation,
            outDir: path.join(runDir, 'train'),
            hyperparameters,
          },
        },
        { hyperparameters },
      );
      const modelPath = (train.artifacts as Record<string, string>).model;

      const evaluation = await this.runWorkerStep(
        run,
        'Evaluate',
        {
          step: 'evaluate',
          args: {
            testCsv: preArtifacts.test,
            modelPath,
            outDir: path.join(runDir, 'evaluate'),
          },
        },
        { metric: 'mse', testSet: preArtifacts.test },
      );
      const metrics = evaluation.metrics as RegressionMetrics;
      const evaluationPath = (evaluation.artifacts as Record<string, string>)
        .evaluation;
      rec.metrics = metrics;
      this.releaseWorker(run);

      // CheckMSE: the quality gate (a condition step; the else branch fails the run).
      this.checkContinue(run);
      const threshold = Number(params.MseThreshold);
      const check = this.beginStep(run, 'CheckMSE', {
        threshold,
        metric: 'regression_metrics.mse.value',
      });
      const passed = metrics.mse <= threshold;
      check.outputs = { outcome: passed, mse: metrics.mse, threshold };
      check.endTime = iso();
      if (!passed) {
        const reason = `test MSE ${fmt(metrics.mse)} > threshold ${fmt(
          threshold,
        )}`;
        check.status = 'Failed';
        check.failureReason = reason;
        this.log(check, 'warn', `${reason}: the model is not registered`);
        throw new StepFailure('CheckMSE', `${reason}; model not registered`);
      }
      check.status = 'Succeeded';
      this.log(
        check,
        'info',
        `test MSE ${fmt(metrics.mse)} ≤ threshold ${fmt(threshold)}`,
      );

      // Register: copy artifacts into the model package, then one transaction.
      this.checkContinue(run);
      const reg = this.beginStep(run, 'Register', {
        modelPackageGroupName: rec.resources.modelPackageGroupName,
        modelApprovalStatus: params.ModelApprovalStatus,
      });
      await this.persist(run);
      const version = await this.register(rec, {
        preprocessor: preArtifacts.preprocessor,
        model: modelPath,
        evaluation: evaluationPath,
      });
      reg.status = 'Succeeded';
      reg.endTime = iso();
      reg.outputs = {
        modelPackageArn: version.modelPackageArn,
        version: version.version,
        approvalStatus: version.approvalStatus,
      };
      this.log(
        reg,
        'info',
        `registered ${version.modelPackageArn} (${version.approvalStatus})`,
      );
      rec.modelVersion = version.version;
      rec.currentStep = undefined;
      ml.status = 'Succeeded';
      ml.endTime = iso();
      ml.summary = `test MSE ${fmt(metrics.mse)}; registered version ${
        version.version
      }`;
      rec.status = 'Succeeded';
      rec.endTime = iso();
      this.openApprovalStage(rec, version);
      await this.persist(run);
      // The run has succeeded: nothing below may turn it into a failure.
      this.emit({
        type: 'model-version',
        resources: rec.resources,
        modelVersion: this.toModelVersion(version, rec.resources.endpointName),
      });
      if (version.approvalStatus === 'Approved') {
        // ModelApprovalStatus=Approved: the pipeline approved it, so deploy now.
        try {
          await this.withGroupLock(rec.resources.modelPackageGroupName, () =>
            this.deploy(rec.resources, version, 'pipeline', 'approval'),
          );
        } catch (e) {
          const deploy = this.stage(rec, 'Deploy');
          deploy.status = 'Failed';
          deploy.endTime = iso();
          deploy.summary = errorMessage(e);
          await this.persist(run);
        }
      }
    } catch (e) {
      this.finishFailed(run, where, e);
      await this.persist(run);
    } finally {
      run.worker?.kill();
      // A stopped/failed run's child is gone: have the next one ready.
      if (!this.closing && !this.spareWorker) {
        this.spareWorker = new StepWorker().warm();
      }
      if (run.progressTimer) clearTimeout(run.progressTimer);
      await run.saving;
    }
  }

  private finishFailed(run: ActiveRun, where: string, e: unknown) {
    const rec = run.rec;
    const now = iso();
    const stopped = run.stopRequested && !(e instanceof StepFailure);
    const interrupted =
      this.closing && !stopped && e instanceof WorkerKilledError;
    const stepName = e instanceof StepFailure ? e.where : rec.currentStep;
    const step = stepName
      ? rec.steps.find(s => s.name === stepName)
      : undefined;
    const message = interrupted
      ? 'interrupted: backend shut down'
      : errorMessage(e);
    if (step && step.status !== 'Succeeded') {
      if (stopped) {
        step.status = 'Stopped';
      } else if (step.status !== 'Failed') {
        step.status = 'Failed';
        step.failureReason = message;
      }
      step.endTime = step.endTime ?? now;
    }
    const stageName = e instanceof StepFailure && !step ? e.where : where;
    const stage = this.stage(rec, stageName);
    stage.status = stopped ? 'Stopped' : 'Failed';
    stage.endTime = now;
    stage.summary = stopped
      ? 'stopped'
      : `${stepName ?? stageName}: ${message}`;
    rec.status = stopped ? 'Stopped' : 'Failed';
    rec.failureReason = stopped
      ? undefined
      : `${stepName ?? stageName}: ${message}`;
    rec.currentStep = undefined;
    rec.endTime = now;
    if (!stopped && !(e instanceof StepFailure) && !interrupted) {
      this.logger.warn(
        `MLOps execution ${rec.executionId} failed: ${rec.failureReason}`,
      );
    }
  }

  private takeWorker(): StepWorker {
    const worker = this.spareWorker ?? new StepWorker();
    this.spareWorker = undefined;
    return worker;
  }

  /** A healthy child goes back to the spare slot: the next run starts warm. */
  private releaseWorker(run: ActiveRun) {
    const worker = run.worker;
    run.worker = undefined;
    if (!worker) return;
    if (!this.closing && !this.spareWorker && worker.reusable) {
      this.spareWorker = worker;
    } else {
      worker.dispose();
    }
  }

  /** Ends the run between steps when Stop was asked for or the engine closes. */
  private checkContinue(run: ActiveRun) {
    if (run.stopRequested || this.closing) throw new WorkerKilledError();
  }

  private beginStep(
    run: ActiveRun,
    name: string,
    parameters: Record<string, unknown>,
  ) {
    const s = this.step(run.rec, name);
    s.status = 'Executing';
    s.startTime = iso();
    s.parameters = parameters;
    s.logs = s.logs ?? [];
    run.rec.currentStep = name;
    return s;
  }

  private log(
    step: PipelineStep,
    level: 'info' | 'warn' | 'error',
    message: string,
  ) {
    const logs = (step.logs = step.logs ?? []);
    logs.push({ time: iso(), level, message });
    if (logs.length > MAX_STEP_LOG_LINES)
      logs.splice(0, logs.length - MAX_STEP_LOG_LINES);
  }

  private async runWorkerStep(
    run: ActiveRun,
    name: string,
    req: Parameters<StepWorker['run']>[0],
    parameters: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.checkContinue(run);
    const s = this.beginStep(run, name, parameters);
    await this.persist(run);
    const outputs = await run.worker!.run(req, {
      onLog: (level, message) => {
        this.log(s, level, message);
        this.persistSoon(run);
      },
      onProgress: (done, total, detail) => {
        s.progress = total > 0 ? done / total : undefined;
        s.outputs = {
          ...s.outputs,
          roundsCompleted: done,
          totalRounds: total,
          ...detail,
        };
        this.persistSoon(run);
      },
    });
    s.status = 'Succeeded';
    s.endTime = iso();
    s.progress = 1;
    s.outputs = { ...(name === 'Train' ? s.outputs : {}), ...outputs };
    await this.persist(run);
    return outputs;
  }

  /** Approval stage after registration: waits with a token unless already decided. */
  private openApprovalStage(rec: ExecutionRecord, version: VersionRecord) {
    const approval = this.stage(rec, 'Approval');
    if (approval.status !== 'NotStarted') return; // decided while we were finishing
    approval.startTime = iso();
    if (version.approvalStatus === 'Approved') {
      approval.status = 'Succeeded';
      approval.endTime = approval.startTime;
      approval.summary = `version ${version.version} approved by the pipeline (ModelApprovalStatus=Approved)`;
    } else {
      approval.status = 'InProgress';
      approval.approvalToken = randomUUID();
      approval.summary = `version ${version.version} awaits manual approval`;
    }
  }

  /**
   * Registers the execution's model as a new version. Idempotent per
   * execution (looked up first; execution_id is also unique in the table).
   * Artifacts are copied into the version's directory before the row
   * commits, so a visible version always has its files.
   */
  private register(
    rec: ExecutionRecord,
    artifacts: { preprocessor: string; model: string; evaluation: string },
  ): Promise<VersionRecord> {
    const group = rec.resources.modelPackageGroupName;
    return this.withGroupLock(group, () =>
      this.store.db.transaction(async trx => {
        const existing = await this.store.findVersionByExecution(
          rec.executionId,
          trx,
        );
        if (existing) return existing;
        const version = await this.store.nextVersion(group, trx);
        const dir = this.modelPackageDir(group, version);
        await copyIntoDirAtomic(dir, [
          { from: artifacts.preprocessor, name: 'preprocessor.json' },
          { from: artifacts.model, name: 'model.json' },
          { from: artifacts.evaluation, name: 'evaluation.json' },
        ]);
        const status: ModelApprovalStatus =
          rec.parameters.ModelApprovalStatus === 'Approved'
            ? 'Approved'
            : 'PendingManualApproval';
        const now = iso();
        const v: VersionRecord = {
          modelPackageGroupName: group,
          version,
          modelPackageArn: this.arnOf(group, version),
          approvalStatus: status,
          createdAt: now,
          createdBy: rec.triggeredBy,
          executionId: rec.executionId,
          metrics: rec.metrics,
          hyperparameters: rec.parameters,
          dataManifest: rec.dataManifest,
          artifacts: [
            {
              name: 'preprocessor.json',
              uri: path.join(dir, 'preprocessor.json'),
            },
            { name: 'model.json', uri: path.join(dir, 'model.json') },
            { name: 'evaluation.json', uri: path.join(dir, 'evaluation.json') },
          ],
          approvalHistory: [
            {
              status,
              by: 'pipeline',
              at: now,
              comment: `registered by execution ${rec.executionId}`,
            },
          ],
        };
        await this.store.insertVersion(v, trx);
        return v;
      }),
    );
  }

  // --- registry ---------------------------------------------------------------------

  private toModelVersion(v: VersionRecord, endpointName: string): ModelVersion {
    const m = this.models.get(endpointName);
    return {
      ...v,
      deployed:
        !!m &&
        m.modelPackageGroupName === v.modelPackageGroupName &&
        m.version === v.version,
    };
  }

  async listModelVersions(resources: MlopsResources): Promise<ModelVersion[]> {
    const versions = await this.store.listVersions(
      resources.modelPackageGroupName,
    );
    return versions.map(v => this.toModelVersion(v, resources.endpointName));
  }

  async getModelVersion(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelVersion> {
    const v = await this.store.getVersion(
      resources.modelPackageGroupName,
      version,
    );
    if (!v) {
      throw new NotFoundError(
        `version ${version} of model package group ${resources.modelPackageGroupName} not found`,
      );
    }
    return this.toModelVersion(v, resources.endpointName);
  }

  /**
   * Approve → deploy to the entity's endpoint. Reject → if that version is
   * deployed, roll back to the newest other Approved version, else leave the
   * endpoint without a model. Approved↔Rejected may change again later (as
   * in SageMaker); nothing goes back to PendingManualApproval.
   */
  async updateModelApproval(
    resources: MlopsResources,
    version: number,
    options: ApprovalOptions,
  ): Promise<ModelVersion> {
    // Nothing goes back to PendingManualApproval: that is a bad request
    // (InputError, as the shared engine contract fixes for both engines).
    if (options.status !== 'Approved' && options.status !== 'Rejected') {
      throw new InputError(
        `status must be Approved or Rejected, not ${String(options.status)}`,
      );
    }
    if (typeof options.comment !== 'string' || options.comment.trim() === '') {
      throw new InputError('comment is required');
    }
    const group = resources.modelPackageGroupName;
    const updated = await this.withGroupLock(group, async () => {
      const v = await this.store.getVersion(group, version);
      if (!v)
        throw new NotFoundError(
          `version ${version} of model package group ${group} not found`,
        );
      if (v.approvalStatus === options.status) {
        throw new ConflictError(
          `version ${version} is already ${options.status}`,
        );
      }
      const history = [
        ...v.approvalHistory,
        {
          status: options.status,
          by: options.actor.ref,
          at: iso(),
          comment: options.comment,
        },
      ];
      const setApproval = (trx: Knex.Transaction) =>
        this.store.updateApproval(
          group,
          version,
          options.status,
          options.comment,
          history,
          trx,
        );
      const decided: VersionRecord = {
        ...v,
        approvalStatus: options.status,
        approvalDescription: options.comment,
        approvalHistory: history,
      };
      let deployedVersion: number | undefined;
      let cleared = false;
      if (options.status === 'Approved') {
        await this.deploy(
          resources,
          decided,
          options.actor.ref,
          'approval',
          setApproval,
        );
        deployedVersion = version;
      } else {
        const current = this.models.get(resources.endpointName);
        const isDeployed =
          current &&
          current.modelPackageGroupName === group &&
          current.version === version;
        if (isDeployed) {
          const fallback = (await this.store.listVersions(group)).find(
            o => o.version !== version && o.approvalStatus === 'Approved',
          );
          if (fallback) {
            await this.deploy(
              resources,
              fallback,
              options.actor.ref,
              'rollback',
              setApproval,
            );
            deployedVersion = fallback.version;
          } else {
            await this.store.db.transaction(async trx => {
              await setApproval(trx);
              await this.store.clearDeployment(resources.endpointName, trx);
            });
            this.models.delete(resources.endpointName);
            cleared = true;
          }
        } else {
          await this.store.db.transaction(setApproval);
        }
      }
      return { decided, deployedVersion, cleared };
    });
    await this.recordDecisionOnExecution(
      updated.decided,
      options,
      updated.deployedVersion,
      resources,
    );
    const mv = await this.getModelVersion(resources, version);
    this.emit({ type: 'model-version', resources, modelVersion: mv });
    if (updated.cleared) this.emit({ type: 'deployment', resources, version });
    return mv;
  }

  /**
   * Makes `v` the endpoint's model. The predictor is loaded before the
   * deployment row commits, so a broken artifact never becomes "current".
   */
  private async deploy(
    resources: MlopsResources,
    v: VersionRecord,
    by: string,
    reason: 'approval' | 'rollback',
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ) {
    const dir = this.modelPackageDir(v.modelPackageGroupName, v.version);
    let predictor;
    try {
      predictor = await loadPredictor(dir);
    } catch (e) {
      throw new Error(
        `cannot load the artifacts of version ${v.version}: ${errorMessage(e)}`,
      );
    }
    const deploymentId = randomUUID();
    const now = iso();
    await this.store.db.transaction(async trx => {
      if (alsoInTransaction) await alsoInTransaction(trx);
      await this.store.insertDeployment(
        {
          deploymentId,
          endpointName: resources.endpointName,
          modelPackageGroupName: v.modelPackageGroupName,
          modelVersion: v.version,
          modelPackageArn: v.modelPackageArn,
          status: 'InService',
          deployedAt: now,
          deployedBy: by,
          reason,
          current: true,
        },
        trx,
      );
    });
    this.models.set(resources.endpointName, {
      deploymentId,
      modelPackageGroupName: v.modelPackageGroupName,
      version: v.version,
      modelPackageArn: v.modelPackageArn,
      predictor,
    });
    this.knownEndpoints.add(resources.endpointName);
    this.lastDeployedEndpoint = resources.endpointName;
    await this.recordDeployOnExecution(v, resources, reason);
    this.emit({ type: 'deployment', resources, version: v.version });
  }

  /** Updates the release stages of the execution that registered a version. */
  private async updateExecutionOf(
    v: VersionRecord,
    mutate: (rec: ExecutionRecord) => void,
  ) {
    if (!v.executionId) return;
    const run = [...this.active.values()].find(
      r => r.rec && r.executionId === v.executionId,
    );
    if (run) {
      mutate(run.rec);
      await this.persist(run);
      return;
    }
    const rec = await this.store.getExecution(v.executionId);
    if (!rec) return;
    mutate(rec);
    await this.store.saveExecution(rec);
    this.emitExecution(rec);
  }

  private async recordDecisionOnExecution(
    v: VersionRecord,
    options: ApprovalOptions,
    deployedVersion: number | undefined,
    resources: MlopsResources,
  ) {
    await this.updateExecutionOf(v, rec => {
      const approval = this.stage(rec, 'Approval');
      const now = iso();
      approval.startTime = approval.startTime ?? now;
      approval.endTime = now;
      approval.approvalToken = undefined;
      approval.status = options.status === 'Approved' ? 'Succeeded' : 'Failed';
      approval.summary = `${options.status} by ${options.actor.ref}: ${options.comment}`;
      if (options.status === 'Rejected') {
        const deploy = this.stage(rec, 'Deploy');
        if (deploy.status === 'NotStarted') {
          deploy.status = 'Cancelled';
        } else {
          deploy.summary = `${deploy.summary ?? ''}; later rejected, ${
            deployedVersion !== undefined
              ? `endpoint ${resources.endpointName} rolled back to version ${deployedVersion}`
              : `endpoint ${resources.endpointName} has no approved version left`
          }`.replace(/^; /, '');
        }
      }
    });
  }

  private async recordDeployOnExecution(
    v: VersionRecord,
    resources: MlopsResources,
    reason: string,
  ) {
    await this.updateExecutionOf(v, rec => {
      const deploy = this.stage(rec, 'Deploy');
      const now = iso();
      deploy.status = 'Succeeded';
      deploy.startTime = deploy.startTime ?? now;
      deploy.endTime = now;
      deploy.summary = `version ${v.version} serving on ${
        resources.endpointName
      }${reason === 'rollback' ? ' (rollback)' : ''}`;
    });
  }

  // --- deployments & prediction ------------------------------------------------------

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

  async predict(
    resources: MlopsResources,
    instances: AbaloneFeatures[],
  ): Promise<PredictResponse> {
    const model = this.models.get(resources.endpointName);
    if (!model) {
      throw new ServiceUnavailableError(
        `endpoint ${resources.endpointName} has no deployed model; approve a model version to deploy one`,
      );
    }
    const rings = model.predictor.predict(instances);
    return {
      predictions: Array.from(rings, r => ({ rings: r, age: ageFromRings(r) })),
      modelVersion: model.version,
      endpointName: resources.endpointName,
    };
  }

  private modelFor(endpointName: string | undefined): LoadedModel | undefined {
    const name =
      endpointName ??
      this.settings.seed?.resources.endpointName ??
      this.lastDeployedEndpoint;
    return name ? this.models.get(name) : undefined;
  }

  async getReleaseState(
    resources: MlopsResources,
  ): Promise<ReleaseStage[] | undefined> {
    if (!resources.releasePipelineName) return undefined;
    const latest = await this.store.latestExecution(resources.pipelineName);
    if (!latest) return undefined;
    const run = this.active.get(resources.pipelineName);
    const rec =
      run?.rec && run.executionId === latest.executionId ? run.rec : latest;
    return rec.release ?? initialRelease();
  }

  // --- data bucket ---------------------------------------------------------------------

  async uploadDataset(
    resources: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    return this.storeDataset(resources, options);
  }

  /**
   * Validates the whole file first (nothing is stored if any row is bad),
   * then writes the object and its manifest atomically and triggers the
   * release pipeline. Each upload is a complete data set (like a new object
   * in the S3 data bucket) and lives under its manifest id, so older
   * executions can still be retried on their own data.
   */
  private async storeDataset(
    resources: MlopsResources,
    options: UploadDatasetOptions,
  ): Promise<UploadDatasetResponse> {
    const fileName = options.fileName.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(fileName)) {
      throw new InputError(
        `fileName must be 1-128 characters of letters, digits, '.', '_' or '-' (got ${JSON.stringify(
          options.fileName,
        )})`,
      );
    }
    if (options.content.length === 0) {
      throw new DatasetValidationError(`${fileName}: the file is empty`, [
        { row: 1, column: 'sex', reason: 'the file is empty' },
      ]);
    }
    const { rowCount, errors, sha256, staged } = await this.checkUpload(
      options.content,
    );
    const discard = () => (staged ? fs.rm(staged, { force: true }) : undefined);
    if (errors.length > 0) {
      await discard();
      throw new DatasetValidationError(
        `${fileName}: ${errors.length}${
          errors.length >= MAX_ROW_ERRORS ? '+' : ''
        } bad row(s), nothing was stored: ${summariseRowErrors(errors)}`,
        errors.map(e => ({
          row: e.row,
          column: e.column,
          value: e.value,
          reason: e.reason,
        })),
      );
    }
    if (rowCount === 0) {
      await discard();
      throw new DatasetValidationError(`${fileName}: no data rows`, [
        { row: 1, column: 'sex', reason: 'no data rows' },
      ]);
    }
    const createdAt = iso();
    const manifestId = `${createdAt
      .replace(/[-:.]/g, '')
      .replace('T', '-')
      .slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const key = `${manifestId}/${fileName}`;
    const objectPath = this.bucketPath(resources.pipelineName, key);
    if (staged) {
      // Same file system: the checked file appears in the bucket in one rename.
      await fs.mkdir(path.dirname(objectPath), { recursive: true });
      await fs.rename(staged, objectPath);
    } else {
      await writeFileAtomic(objectPath, options.content);
    }
    const manifestFile = this.manifestPath(resources.pipelineName, manifestId);
    const manifest: DataManifest = {
      manifestId,
      uri: manifestFile,
      files: [
        {
          key,
          size: options.content.length,
          sha256,
          rowCount,
        },
      ],
      rowCount,
      createdAt,
      createdBy: options.actor.ref,
    };
    await writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2));
    await this.store.insertManifest(resources.pipelineName, manifest);
    const execution = await this.enqueue(resources, {
      trigger: 'upload',
      actor: options.actor,
      parameters: resolveParameters(this.settings.mseThreshold, undefined),
      manifest,
      displayName: `upload ${fileName}`,
    });
    return { manifest, execution: toPublicExecution(execution) };
  }

  /**
   * Parses an upload with the ML core's CSV reader (policy reject). Small
   * files are parsed inline (a few ms); large ones are staged outside the
   * bucket and parsed in a child process, so a 50 MB upload does not stall
   * the backend's event loop for seconds.
   */
  private async checkUpload(content: Buffer): Promise<{
    rowCount: number;
    errors: CsvRowError[];
    sha256: string;
    staged?: string;
  }> {
    if (content.length <= INLINE_PARSE_LIMIT_BYTES) {
      const parsed = parseAbaloneCsv(content.toString('utf8'), {
        policy: 'reject',
        maxErrors: MAX_ROW_ERRORS,
      });
      return {
        rowCount: parsed.records.length,
        errors: parsed.errors,
        sha256: createHash('sha256').update(content).digest('hex'),
      };
    }
    const staged = path.join(
      this.settings.dataDir,
      'incoming',
      `${randomBytes(8).toString('hex')}.csv`,
    );
    await writeFileAtomic(staged, content);
    const check = async () => {
      this.uploadChecker = this.uploadChecker ?? new StepWorker();
      return this.uploadChecker.run({
        step: 'checkUpload',
        args: { path: staged, maxErrors: MAX_ROW_ERRORS },
      });
    };
    // One check at a time per checker process; uploads queue here.
    const result = this.uploadChecks.catch(() => undefined).then(check);
    this.uploadChecks = result;
    try {
      const out = await result;
      return {
        rowCount: out.rowCount as number,
        errors: out.errors as CsvRowError[],
        sha256: out.sha256 as string,
        staged,
      };
    } catch (e) {
      await fs.rm(staged, { force: true });
      throw e;
    }
  }

  // --- shutdown ---------------------------------------------------------------------------

  /** Stops runners (their executions end Failed "interrupted") and the endpoint server. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const runs = [...this.active.values()];
    for (const r of runs) r.worker?.kill();
    await Promise.all(runs.map(r => r.done));
    this.spareWorker?.dispose();
    this.spareWorker = undefined;
    this.uploadChecker?.dispose();
    this.uploadChecker = undefined;
    await this.server?.close();
    this.server = undefined;
  }

  /** Resolves when no execution is running or queued (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const runs = [...this.active.values()];
      if (runs.length === 0) return;
      await Promise.all(runs.map(r => r.done));
    }
  }
}
