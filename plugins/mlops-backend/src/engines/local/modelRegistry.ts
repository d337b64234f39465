import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ALL_AT_ONCE,
  resolveDeploymentStrategy,
} from '@mlops-portal/plugin-mlops-common';
import type {
  DeploymentStrategy,
  ListResponse,
  MlopsResources,
  ModelApprovalStatus,
  ModelSignature,
  ModelTask,
  ModelVersion,
} from '@mlops-portal/plugin-mlops-common';
import type {
  ApprovalOptions,
  ListOptions,
} from '@mlops-portal/plugin-mlops-node';
import {
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  buildSignature,
  upgradeLegacyPreprocessor,
  tableFromRecords,
} from '@mlops-portal/ml-core';
import type { MlSystemSpec } from '@mlops-portal/ml-core';
import type { Knex } from 'knex';
import fs from 'fs/promises';
import path from 'path';
import type { ActiveRuns } from './activeRuns';
import type { DataLayout } from './dataLayout';
import type { EndpointHost } from './endpointHost';
import type { EngineEventBus } from './engineEvents';
import { iso, pageOptions } from './format';
import { copyIntoDirAtomic } from './fsutil';
import { recordDecision, recordDeploy } from './releaseStages';
import type { RolloutManager } from './rollout/rolloutManager';
import { specSchema } from './tableLoader';
import type { ExecutionRecord, LocalStore, VersionRecord } from './store';

/** The signature's file in a model package, next to model.json. */
export const SIGNATURE_FILE = 'signature.json';

export interface ModelArtifacts {
  preprocessor: string;
  model: string;
  /** signature.json (inputs, outputs, examples); absent from runs before signatures. */
  signature?: string;
  evaluation: string;
  /** Drift baseline (statistics.json); absent from older runs. */
  statistics?: string;
  evaluationPlots?: string;
}

/** SageMaker lowercases the group name in model package ARNs. */
export const modelPackageArn = (groupName: string, version: number) =>
  `arn:local:sagemaker:local:000000000000:model-package/${groupName.toLocaleLowerCase(
    'en-US',
  )}/${version}`;

/**
 * Model package groups: registering versions, approve/reject with history,
 * and what each decision does to the endpoint (deploy, roll back, clear).
 * Changes to one group are serialised.
 */
export class ModelRegistry {
  private readonly groupLocks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: LocalStore,
    private readonly layout: DataLayout,
    private readonly host: EndpointHost,
    private readonly runs: ActiveRuns,
    private readonly events: EngineEventBus,
    private readonly rollouts?: RolloutManager,
  ) {}

  /** Serialises registry/deployment changes of a model package group. */
  withGroupLock<T>(groupName: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.groupLocks.get(groupName) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.groupLocks.set(groupName, next);
    // Forget a settled tail, so the map holds only groups with work in flight.
    void next
      .catch(() => undefined)
      .then(() => {
        if (this.groupLocks.get(groupName) === next) {
          this.groupLocks.delete(groupName);
        }
      });
    return next;
  }

  toModelVersion(v: VersionRecord, endpointName: string): ModelVersion {
    return {
      ...v,
      deployed: this.host.serves(
        endpointName,
        v.modelPackageGroupName,
        v.version,
      ),
    };
  }

  /** A page of versions, newest first; the token is the last version shown. */
  async list(
    resources: MlopsResources,
    options?: ListOptions,
  ): Promise<ListResponse<ModelVersion>> {
    const { limit, before } = pageOptions(options, 200);
    const rows = await this.store.listVersions(
      resources.modelPackageGroupName,
      limit + 1,
      before,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(v => this.toModelVersion(v, resources.endpointName)),
      nextToken:
        rows.length > limit ? String(page[page.length - 1].version) : undefined,
    };
  }

  async get(resources: MlopsResources, version: number): Promise<ModelVersion> {
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
   * Registers the execution's model as a new version. Idempotent per
   * execution (looked up first; execution_id is also unique in the table).
   * Artifacts are copied into the version's directory before the row
   * commits, so a visible version always has its files.
   */
  register(
    rec: ExecutionRecord,
    artifacts: ModelArtifacts,
    options: { task: ModelTask; approvalStatus: ModelApprovalStatus },
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
        const dir = this.layout.modelPackageDir(group, version);
        const files = [
          { from: artifacts.preprocessor, name: 'preprocessor.json' },
          { from: artifacts.model, name: 'model.json' },
          ...(artifacts.signature
            ? [{ from: artifacts.signature, name: SIGNATURE_FILE }]
            : []),
          { from: artifacts.evaluation, name: 'evaluation.json' },
          ...(artifacts.statistics
            ? [{ from: artifacts.statistics, name: STATISTICS_FILE }]
            : []),
          ...(artifacts.evaluationPlots
            ? [{ from: artifacts.evaluationPlots, name: EVALUATION_PLOTS_FILE }]
            : []),
        ];
        await copyIntoDirAtomic(dir, files);
        const status = options.approvalStatus;
        const now = iso();
        const v: VersionRecord = {
          modelPackageGroupName: group,
          version,
          modelPackageArn: modelPackageArn(group, version),
          approvalStatus: status,
          createdAt: now,
          createdBy: rec.triggeredBy,
          executionId: rec.executionId,
          task: options.task,
          metrics: rec.metrics,
          hyperparameters: rec.parameters,
          dataManifest: rec.dataManifest,
          artifacts: files.map(f => ({
            name: f.name,
            uri: path.join(dir, f.name),
          })),
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

  /**
   * A version's signature: its signature.json. A version registered before
   * signatures has none; when the entity's spec is given it is rebuilt from
   * the spec alone (schema resolved from the spec, no statistics seen in
   * training), else NotFoundError.
   */
  async getSignature(
    resources: MlopsResources,
    version: number,
  ): Promise<ModelSignature> {
    const v = await this.get(resources, version);
    const file = v.artifacts?.find(a => a.name === SIGNATURE_FILE)?.uri;
    if (file) {
      return JSON.parse(await fs.readFile(file, 'utf8')) as ModelSignature;
    }
    if (resources.system?.spec) {
      return signatureFromSpec(
        resources.system.spec as unknown as MlSystemSpec,
      ) as ModelSignature;
    }
    // Without a spec: what the version's own first-release preprocessor implies.
    const pre = v.artifacts?.find(a => a.name === 'preprocessor.json')?.uri;
    const legacy = pre
      ? upgradeLegacyPreprocessor(
          JSON.parse(await fs.readFile(pre, 'utf8').catch(() => 'null')),
        )
      : undefined;
    if (legacy) return legacy.signature as unknown as ModelSignature;
    throw new NotFoundError(
      `version ${version} of model package group ${resources.modelPackageGroupName} has no signature (registered before signatures) and the entity names no spec (mlops.io/spec) to build one from`,
    );
  }

  /** Tells listeners about a newly registered version. */
  announce(resources: MlopsResources, v: VersionRecord) {
    this.events.emit({
      type: 'model-version',
      resources,
      modelVersion: this.toModelVersion(v, resources.endpointName),
    });
  }

  /** A version the pipeline itself approved (ModelApprovalStatus=Approved) goes live. */
  deployApproved(resources: MlopsResources, v: VersionRecord) {
    // No approver chose a strategy: the system's spec default applies.
    const strategy = resolveDeploymentStrategy(
      resources.system?.spec.spec.deployment as DeploymentStrategy | undefined,
      undefined,
    );
    return this.withGroupLock(v.modelPackageGroupName, async () => {
      this.assertNoRollout(resources);
      if (this.rollsOut(resources, v.version, strategy)) {
        await this.rollouts!.start(resources, v, strategy, { ref: 'pipeline' });
        return;
      }
      await this.deploy(resources, v, 'pipeline', 'approval');
    });
  }

  /**
   * A strategy other than all-at-once starts a rollout when the endpoint
   * already serves another version; otherwise the version goes live at once.
   */
  private rollsOut(
    resources: MlopsResources,
    version: number,
    strategy: DeploymentStrategy,
  ): boolean {
    if (!this.rollouts) return false;
    if (strategy.trafficRouting.type === ALL_AT_ONCE.trafficRouting.type)
      return false;
    const current = this.host.current(resources.endpointName);
    return (
      !!current &&
      !(
        current.modelPackageGroupName === resources.modelPackageGroupName &&
        current.version === version
      )
    );
  }

  /** ConflictError naming the endpoint's active rollout, if one is. */
  private assertNoRollout(resources: MlopsResources) {
    const active = this.rollouts?.activeOn(resources.endpointName);
    if (active) {
      throw new ConflictError(
        `rollout ${active.rolloutId} of version ${active.toVersion} is ${active.status} on endpoint ${resources.endpointName}; promote or roll it back first`,
      );
    }
  }

  /**
   * Approve → deploy to the entity's endpoint. Reject → if that version is
   * deployed, roll back to the newest other Approved version, else leave the
   * endpoint without a model. Approved↔Rejected may change again later (as
   * in SageMaker); nothing goes back to PendingManualApproval.
   */
  async updateApproval(
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
    const status = options.status;
    const group = resources.modelPackageGroupName;
    const updated = await this.withGroupLock(group, async () => {
      const v = await this.store.getVersion(group, version);
      if (!v)
        throw new NotFoundError(
          `version ${version} of model package group ${group} not found`,
        );
      if (v.approvalStatus === status) {
        throw new ConflictError(`version ${version} is already ${status}`);
      }
      const history = [
        ...v.approvalHistory,
        { status, by: options.actor.ref, at: iso(), comment: options.comment },
      ];
      const setApproval = (trx: Knex.Transaction) =>
        this.store.updateApproval(
          group,
          version,
          status,
          options.comment,
          history,
          trx,
        );
      const decided: VersionRecord = {
        ...v,
        approvalStatus: status,
        approvalDescription: options.comment,
        approvalHistory: history,
      };
      const by = options.actor.ref;
      const active = this.rollouts?.activeOn(resources.endpointName);
      if (status === 'Approved') {
        this.assertNoRollout(resources);
        const strategy = options.deployment ?? ALL_AT_ONCE;
        if (this.rollsOut(resources, version, strategy)) {
          await this.rollouts!.start(
            resources,
            decided,
            strategy,
            options.actor,
            setApproval,
          );
          return { decided, deployedVersion: undefined, cleared: false };
        }
        await this.deploy(resources, decided, by, 'approval', setApproval);
        return { decided, deployedVersion: version, cleared: false };
      }
      if (active && active.toVersion === version) {
        // Rejecting the candidate mid-rollout sends all traffic back.
        await this.rollouts!.rollBackFor(
          resources.endpointName,
          `rejected by ${by}: ${options.comment}`,
          options.actor,
          setApproval,
        );
        return { decided, deployedVersion: active.fromVersion, cleared: false };
      }
      if (active && active.fromVersion === version) {
        this.assertNoRollout(resources);
      }
      if (!this.host.serves(resources.endpointName, group, version)) {
        await this.store.db.transaction(setApproval);
        return { decided, deployedVersion: undefined, cleared: false };
      }
      const fallback = await this.store.latestApprovedVersion(group, version);
      if (fallback) {
        await this.deploy(resources, fallback, by, 'rollback', setApproval);
        return { decided, deployedVersion: fallback.version, cleared: false };
      }
      await this.host.clear(resources.endpointName, setApproval);
      return { decided, deployedVersion: undefined, cleared: true };
    });
    await this.runs.update(updated.decided.executionId, rec =>
      recordDecision(rec, {
        status,
        by: options.actor.ref,
        comment: options.comment,
        endpointName: resources.endpointName,
        deployedVersion: updated.deployedVersion,
      }),
    );
    const mv = await this.get(resources, version);
    this.events.emit({ type: 'model-version', resources, modelVersion: mv });
    if (updated.cleared) {
      this.events.emit({ type: 'deployment', resources, version });
    }
    return mv;
  }

  private async deploy(
    resources: MlopsResources,
    v: VersionRecord,
    by: string,
    reason: 'approval' | 'rollback',
    alsoInTransaction?: (trx: Knex.Transaction) => Promise<unknown>,
  ) {
    await this.host.deploy(
      resources.endpointName,
      v,
      by,
      reason,
      alsoInTransaction,
    );
    await this.runs.update(v.executionId, rec =>
      recordDeploy(rec, v.version, resources.endpointName, reason),
    );
    this.events.emit({ type: 'deployment', resources, version: v.version });
  }
}

/**
 * A signature from the spec alone, for versions registered before
 * signatures: the spec must name every column with its type (an empty
 * sample infers nothing), and nothing observed in training is included
 * (no observed ranges; categories only where the spec fixes them).
 */
export function signatureFromSpec(spec: MlSystemSpec) {
  const schema = specSchema(spec);
  if (!schema) {
    throw new NotFoundError(
      'the version has no signature, and the spec (mlops.io/spec) leaves columns or classes to be inferred from training data, so none can be built',
    );
  }
  const table = tableFromRecords(schema, []);
  const signature = buildSignature(
    table,
    schema,
    // Only its one-hot layout would matter, and an empty table has none to add.
    { features: [] } as never,
    spec,
  );
  // Nothing was observed: no rows, so no examples, ranges or missing rates.
  delete signature.examples;
  for (const input of signature.inputs) {
    delete input.observedMin;
    delete input.observedMax;
    if (!input.fixedCategories) delete input.categories;
  }
  return signature;
}
