import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  formatGate,
  gateStepName,
  passesGate,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ModelMetrics,
  PipelineStep,
  QualityGate,
} from '@mlops-portal/plugin-mlops-common';
import path from 'path';
import type { ActiveRuns, LoadedRun } from './activeRuns';
import type { DataLayout } from './dataLayout';
import { errorMessage, fmt, iso } from './format';
import type { ModelRegistry } from './modelRegistry';
import { gateOf, hyperparametersOf } from './pipeline';
import { openApprovalStage, stageOf, stepOf } from './releaseStages';
import type { ExecutionRecord } from './store';
import type { DataFile } from './tableLoader';
import { type RunSystem, systemOf } from './system';
import {
  type RunRequest,
  StepWorker,
  WorkerKilledError,
} from './workerClient';
import type { WorkerResults, WorkerStep } from './workerProtocol';
import type { WorkerPool } from './workerPool';

/** Fewer rows cannot fill a 70/15/15 split with meaningful validation/test sets. */
const MIN_TRAINING_ROWS = 30;
/** Logs kept per step (the newest ones win). */
export const MAX_STEP_LOG_LINES = 500;

/** Step/stage failure with the name of what failed, for the execution's reason. */
export class StepFailure extends Error {
  constructor(readonly where: string, message: string) {
    super(message);
  }
}

export function appendLog(
  step: PipelineStep,
  level: 'info' | 'warn' | 'error',
  message: string,
) {
  const logs = (step.logs = step.logs ?? []);
  logs.push({ time: iso(), level, message });
  if (logs.length > MAX_STEP_LOG_LINES)
    logs.splice(0, logs.length - MAX_STEP_LOG_LINES);
}

/**
 * Ends a run that threw in stage `where`: Stopped if Stop was asked for
 * (and the error is not a step's own failure), else Failed with a reason
 * naming the step or stage; "interrupted" when the backend shut down.
 */
export function markFailed(
  rec: ExecutionRecord,
  where: string,
  e: unknown,
  o: { stopRequested: boolean; closing: boolean },
) {
  const now = iso();
  const stopped = o.stopRequested && !(e instanceof StepFailure);
  const interrupted = o.closing && !stopped && e instanceof WorkerKilledError;
  const stepName = e instanceof StepFailure ? e.where : rec.currentStep;
  const step = stepName ? rec.steps.find(s => s.name === stepName) : undefined;
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
  const stage = stageOf(
    rec,
    e instanceof StepFailure && !step ? e.where : where,
  );
  stage.status = stopped ? 'Stopped' : 'Failed';
  stage.endTime = now;
  stage.summary = stopped ? 'stopped' : `${stepName ?? stage.name}: ${message}`;
  rec.status = stopped ? 'Stopped' : 'Failed';
  rec.failureReason = stopped
    ? undefined
    : `${stepName ?? stage.name}: ${message}`;
  rec.currentStep = undefined;
  rec.endTime = now;
  return { stopped, interrupted };
}

/**
 * The step state machine of one execution: Source → Validate → MLPipeline
 * (Preprocess → Train → Evaluate → Check<metric> → Register) →
 * Approval/Deploy, all by the system spec the run was queued with.
 * CPU work runs in a child process; every state change is persisted.
 */
export class PipelineRunner {
  constructor(
    private readonly layout: DataLayout,
    private readonly runs: ActiveRuns,
    private readonly workers: WorkerPool<StepWorker>,
    private readonly registry: ModelRegistry,
    private readonly logger: LoggerService,
    private readonly isClosing: () => boolean,
    /** Platform config (`mlops.approval.preApprove`): a spec may pre-approve its versions. */
    private readonly allowPreApproval: boolean = false,
    /** Threads per training unless the spec sets nthread (`mlops.local.training.threads`). */
    private readonly trainingThreads: number = 1,
  ) {}

  async execute(run: LoadedRun): Promise<void> {
    const rec = run.rec;
    const now = iso();
    rec.startTime = now;
    rec.status = 'Executing';
    rec.failureReason = undefined;
    let where = 'Source';
    try {
      // Source: the data manifest this execution trains on.
      const manifest = rec.dataManifest;
      const source = stageOf(rec, 'Source');
      source.startTime = now;
      if (!manifest || manifest.files.length === 0) {
        throw new StepFailure('Source', 'no data manifest to train on');
      }
      // Runs queued before specs (recovered after an upgrade) have none.
      let system: RunSystem;
      try {
        system = systemOf(rec.resources, 'training');
      } catch (e) {
        throw new StepFailure('Source', errorMessage(e));
      }
      source.status = 'Succeeded';
      source.endTime = iso();
      source.summary = `manifest ${manifest.manifestId}: ${manifest.files
        .map(f => f.key)
        .join(', ')} (${manifest.rowCount ?? '?'} rows)`;
      const files: DataFile[] = manifest.files.map(f => ({
        key: f.key,
        path: this.layout.bucketObject(rec.pipelineName, f.key),
        sha256: f.sha256,
        cachePath: f.sha256
          ? this.layout.parseCache(f.sha256, system.hash)
          : undefined,
      }));

      // Validate: schema and data checks, in the child like all CPU work.
      where = 'Validate';
      const validate = stageOf(rec, 'Validate');
      validate.status = 'InProgress';
      validate.startTime = iso();
      await this.runs.persist(run);
      this.checkContinue(run);
      run.worker = this.workers.take();
      const checked = await run.worker.run({
        step: 'validate',
        args: { files, minRows: MIN_TRAINING_ROWS, spec: system.spec },
      });
      validate.status = 'Succeeded';
      validate.endTime = iso();
      validate.summary = checked.checks.join('; ');

      where = 'MLPipeline';
      await this.runMlPipeline(run, files, system, checked.schema);
    } catch (e) {
      const { stopped, interrupted } = markFailed(rec, where, e, {
        stopRequested: run.stopRequested,
        closing: this.isClosing(),
      });
      if (!stopped && !(e instanceof StepFailure) && !interrupted) {
        this.logger.warn(
          `MLOps execution ${rec.executionId} failed: ${rec.failureReason}`,
        );
      }
      await this.runs.persist(run);
    } finally {
      run.worker?.kill();
      // A stopped/failed run's child is gone: have the next one ready.
      if (!this.isClosing()) this.workers.ensureSpare();
      if (run.progressTimer) clearTimeout(run.progressTimer);
      await run.saving;
    }
  }

  /** Preprocess → Train → Evaluate → Check<metric> → Register, then Approval/Deploy. */
  private async runMlPipeline(
    run: LoadedRun,
    files: DataFile[],
    system: RunSystem,
    schema: WorkerResults['validate']['schema'],
  ) {
    const rec = run.rec;
    const ml = stageOf(rec, 'MLPipeline');
    ml.status = 'InProgress';
    ml.startTime = iso();
    const params = rec.parameters;
    const seed = Number(params.Seed ?? 0);
    const runDir = this.layout.runDir(rec.executionId);

    const pre = await this.runWorkerStep(
      run,
      'Preprocess',
      {
        step: 'preprocess',
        args: {
          files,
          outDir: path.join(runDir, 'preprocess'),
          seed,
          spec: system.spec,
          schema,
        },
      },
      {
        seed,
        split: system.spec.spec.training?.split ?? {
          train: 0.7,
          validation: 0.15,
          test: 0.15,
        },
        inputs: files.map(f => f.key),
      },
    );
    const preArtifacts = pre.artifacts;
    const matrices = pre.matrices;

    const hyperparameters = {
      ...hyperparametersOf(params, system.spec, schema.classes?.length),
      seed,
    };
    const train = await this.runWorkerStep(
      run,
      'Train',
      {
        step: 'train',
        args: {
          trainCsv: preArtifacts.train,
          validationCsv: preArtifacts.validation,
          trainMatrix: matrices.train,
          validationMatrix: matrices.validation,
          outDir: path.join(runDir, 'train'),
          hyperparameters,
          threads: this.trainingThreads,
        },
      },
      { hyperparameters },
    );
    const modelPath = train.artifacts.model;
    const gate = gateOf(rec.steps) ?? (system.spec.spec.gate as QualityGate);

    const evaluation = await this.runWorkerStep(
      run,
      'Evaluate',
      {
        step: 'evaluate',
        args: {
          testCsv: preArtifacts.test,
          testMatrix: matrices.test,
          modelPath,
          outDir: path.join(runDir, 'evaluate'),
          task: schema.task,
          classes: schema.classes,
          preprocessorPath: preArtifacts.preprocessor,
        },
      },
      { task: schema.task, testSet: preArtifacts.test },
    );
    const metrics = evaluation.metrics;
    rec.metrics = metrics;
    this.workers.release(run.worker);
    run.worker = undefined;

    this.checkGate(run, metrics, gate);

    // Register: copy artifacts into the model package, then one transaction.
    this.checkContinue(run);
    // Approved at registration: asked for on the run (the service lets only
    // approvers ask), or the spec pre-approves and the platform allows it.
    const preApproved =
      params.ModelApprovalStatus === 'Approved' ||
      (this.allowPreApproval && system.spec.spec.approval?.preApprove === true);
    const approvalStatus = preApproved ? 'Approved' : 'PendingManualApproval';
    const reg = this.beginStep(run, 'Register', {
      modelPackageGroupName: rec.resources.modelPackageGroupName,
      modelApprovalStatus: approvalStatus,
    });
    await this.runs.persist(run);
    const version = await this.registry.register(
      rec,
      {
        preprocessor: preArtifacts.preprocessor,
        model: modelPath,
        signature: preArtifacts.signature,
        evaluation: evaluation.artifacts.evaluation,
        statistics: preArtifacts.statistics,
        evaluationPlots: evaluation.artifacts.plots,
      },
      { task: schema.task, approvalStatus },
    );
    reg.status = 'Succeeded';
    reg.endTime = iso();
    reg.outputs = {
      modelPackageArn: version.modelPackageArn,
      version: version.version,
      approvalStatus: version.approvalStatus,
    };
    appendLog(
      reg,
      'info',
      `registered ${version.modelPackageArn} (${version.approvalStatus})`,
    );
    rec.modelVersion = version.version;
    rec.currentStep = undefined;
    ml.status = 'Succeeded';
    ml.endTime = iso();
    ml.summary = `test ${gate.metric} ${fmt(
      metrics[gate.metric],
    )}; registered version ${version.version}`;
    rec.status = 'Succeeded';
    rec.endTime = iso();
    openApprovalStage(rec, version);
    await this.runs.persist(run);
    // The run has succeeded: nothing below may turn it into a failure.
    this.registry.announce(rec.resources, version);
    if (version.approvalStatus === 'Approved') {
      // ModelApprovalStatus=Approved: the pipeline approved it, so deploy now.
      try {
        await this.registry.deployApproved(rec.resources, version);
      } catch (e) {
        const deploy = stageOf(rec, 'Deploy');
        deploy.status = 'Failed';
        deploy.endTime = iso();
        deploy.summary = errorMessage(e);
        await this.runs.persist(run);
      }
    }
  }

  /**
   * Check<metric>: the spec's quality gate (a condition step; the else
   * branch fails the run and nothing is registered).
   */
  private checkGate(run: LoadedRun, metrics: ModelMetrics, gate: QualityGate) {
    this.checkContinue(run);
    const name = gateStepName(gate);
    const check = this.beginStep(run, name, {
      gate: { ...gate },
      metric: `${gate.metric} (test set)`,
    });
    const value = metrics[gate.metric];
    const passed = value !== undefined && passesGate(gate, value);
    check.outputs = {
      outcome: passed,
      [gate.metric]: value,
      threshold: gate.threshold,
    };
    check.endTime = iso();
    const shown = `test ${gate.metric} ${
      value === undefined ? '(not reported)' : fmt(value)
    }`;
    if (!passed) {
      const reason = `${shown} fails the gate ${formatGate(gate)}`;
      check.status = 'Failed';
      check.failureReason = reason;
      appendLog(check, 'warn', `${reason}: the model is not registered`);
      throw new StepFailure(name, `${reason}; model not registered`);
    }
    check.status = 'Succeeded';
    appendLog(check, 'info', `${shown} passes the gate ${formatGate(gate)}`);
  }

  /** Ends the run between steps when Stop was asked for or the engine closes. */
  private checkContinue(run: LoadedRun) {
    if (run.stopRequested || this.isClosing()) throw new WorkerKilledError();
  }

  private beginStep(
    run: LoadedRun,
    name: string,
    parameters: Record<string, unknown>,
  ) {
    const s = stepOf(run.rec, name);
    s.status = 'Executing';
    s.startTime = iso();
    s.parameters = parameters;
    s.logs = s.logs ?? [];
    run.rec.currentStep = name;
    return s;
  }

  private async runWorkerStep<S extends WorkerStep>(
    run: LoadedRun,
    name: string,
    req: RunRequest<S>,
    parameters: Record<string, unknown>,
  ): Promise<WorkerResults[S]> {
    this.checkContinue(run);
    const s = this.beginStep(run, name, parameters);
    await this.runs.persist(run);
    const outputs = await run.worker!.run<S>(req, {
      onLog: (level, message) => {
        appendLog(s, level, message);
        this.runs.persistSoon(run);
      },
      onProgress: (done, total, detail) => {
        s.progress = total > 0 ? done / total : undefined;
        s.outputs = {
          ...s.outputs,
          roundsCompleted: done,
          totalRounds: total,
          ...detail,
        };
        this.runs.persistSoon(run);
      },
    });
    s.status = 'Succeeded';
    s.endTime = iso();
    s.progress = 1;
    s.outputs = {
      ...(name === 'Train' ? s.outputs : {}),
      ...(outputs as object),
    };
    await this.runs.persist(run);
    return outputs;
  }
}
