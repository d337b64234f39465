import type {
  AuditorService,
  AuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  DEFAULT_MSE_THRESHOLD,
  formatGate,
  mlopsSignalChannel,
  passesGate,
  type ApprovalEvent,
  type MlopsResources,
  type MlopsSignal,
  type ModelMetrics,
  type ModelVersion,
  type PipelineExecution,
  type QualityGate,
  type Rollout,
} from '@mlops-portal/plugin-mlops-common';
import { LRUCache } from 'lru-cache';
import type {
  EngineActor,
  MlopsEngineEvent,
  MlopsEngineEvents,
} from '@mlops-portal/plugin-mlops-node';

/**
 * Who the audit log names for what an engine did by itself (an alarm rolled
 * a rollout back, a timer moved it a step): the engine, acting for the plugin.
 */
export const ENGINE_ACTOR: EngineActor = { ref: 'plugin:mlops/engine' };

/** Longest rollback reason a notification or audit line carries. */
const MAX_REASON_CHARS = 300;

function bounded(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_REASON_CHARS
    ? `${text.slice(0, MAX_REASON_CHARS)}…`
    : text;
}

/** What the owners are told about a rollout that ended; undefined for a step. */
export function rolloutNotification(
  entityRef: string,
  rollout: Rollout,
  actor: EngineActor | undefined,
): OwnerNotification | undefined {
  const by = actor ? ` by ${actor.ref}` : '';
  const what = `version ${rollout.toVersion} on ${rollout.endpointName}`;
  const common = {
    scope: `mlops:${entityRef}:rollout:${rollout.rolloutId}`,
    // The deployments card shows the rollout and its history.
    link: { card: 'deployments' },
  };
  const reason = bounded(rollout.reason);
  const serving =
    rollout.fromVersion !== undefined
      ? `Version ${rollout.fromVersion} serves all traffic again.`
      : 'The endpoint serves what it served before.';
  switch (rollout.status) {
    case 'RolledBack':
      return {
        ...common,
        title: `Rollout of ${what} was rolled back${by}`,
        description: `${
          reason ? `Reason: ${reason}. ` : ''
        }${serving} The version stays approved; approve again to retry, or look at its live traffic on the deployments card.`,
        severity: 'high',
      };
    case 'Failed':
      return {
        ...common,
        title: `Rollout of ${what} failed`,
        description: `${
          reason ? `Reason: ${reason}. ` : ''
        }The rollout could neither finish nor roll back cleanly; check the endpoint on the deployments card.`,
        severity: 'high',
      };
    case 'Completed':
      return {
        ...common,
        title: `Rollout of ${what} completed${by}`,
        description: `Version ${rollout.toVersion} now serves all traffic of ${entityRef}.`,
        severity: 'normal',
      };
    default:
      return undefined;
  }
}

export interface EngineEventsOptions {
  engine: Partial<MlopsEngineEvents>;
  auditor: AuditorService;
  signals: SignalsService;
  notifications: NotificationService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  config: RootConfigService;
}

/** What a link opens on the MLOps tab: a version's review, a run's detail, a card. */
export interface MlopsLinkTarget {
  version?: number;
  run?: string;
  /** A card's anchor id, e.g. `drift`, `model-versions`. */
  card?: string;
}

/**
 * Path of the entity's MLOps tab in the app, for notification links; the
 * tab opens `?version=` / `?run=` and scrolls to `#card` when opened cold.
 */
export function entityMlopsLink(
  entityRef: string,
  target: MlopsLinkTarget = {},
): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  const query = new URLSearchParams();
  if (target.version !== undefined)
    query.set('version', String(target.version));
  if (target.run) query.set('run', target.run);
  const search = query.toString();
  return `/catalog/${namespace}/${kind.toLocaleLowerCase(
    'en-US',
  )}/${name}/mlops${search ? `?${search}` : ''}${
    target.card ? `#${encodeURIComponent(target.card)}` : ''
  }`;
}

/**
 * True when a failed execution failed at the quality gate rather than
 * elsewhere: at its gate step (`Check<METRIC>`, whatever the metric), or
 * judged by `gate` when the system's gate is known.
 */
export function failedQualityGate(
  execution: PipelineExecution,
  gate?: QualityGate,
): boolean {
  if (execution.status !== 'Failed') return false;
  const value = gate ? execution.metrics?.[gate.metric] : undefined;
  if (gate && typeof value === 'number' && !passesGate(gate, value))
    return true;
  return (
    /^Check[A-Z0-9]+$/.test(execution.currentStep ?? '') ||
    /quality gate/i.test(execution.failureReason ?? '')
  );
}

/** `accuracy 0.912`: a metric as a notification names it. */
function metricText(
  metrics: ModelMetrics | undefined,
  metric: string | undefined,
) {
  const key =
    metric && metrics?.[metric] !== undefined
      ? metric
      : Object.keys(metrics ?? {})[0];
  const value = key ? metrics?.[key] : undefined;
  return key && typeof value === 'number'
    ? `${key} ${value.toFixed(3)}`
    : undefined;
}

/**
 * The person's decision on a version that waited for approval, or undefined
 * (still pending, or approved by the pipeline without waiting: then no
 * "awaits approval" notification was sent and there is nothing to resolve).
 */
export function decisionOf(version: ModelVersion): ApprovalEvent | undefined {
  if (version.approvalStatus === 'PendingManualApproval') return undefined;
  const history = version.approvalHistory ?? [];
  if (!history.some(e => e.status === 'PendingManualApproval'))
    return undefined;
  const last = history[history.length - 1];
  if (!last || last.status !== version.approvalStatus || last.by === 'pipeline')
    return undefined;
  return last;
}

/** What the UI needs to know to refresh: which run or version changed. */
function signalFor(
  event: Exclude<MlopsEngineEvent, { type: 'dataset-drop' }>,
): MlopsSignal {
  switch (event.type) {
    case 'execution':
      return {
        type: 'execution',
        executionId: event.execution.executionId,
        version: event.execution.modelVersion,
      };
    case 'model-version':
      return {
        type: 'model-version',
        version: event.modelVersion.version,
        executionId: event.modelVersion.executionId,
      };
    case 'rollout':
      // A rollout step changes what the deployments card shows.
      return { type: 'deployment', version: event.rollout.toVersion };
    case 'shadow-test':
      return {
        type: 'deployment',
        version: event.shadowTest.candidateVersion,
      };
    default:
      return { type: 'deployment', version: event.version };
  }
}

/** What an owner notification says; the link always points at the entity's MLOps tab. */
export interface OwnerNotification {
  title: string;
  description: string;
  severity: 'low' | 'normal' | 'high';
  scope: string;
  /** Where on the tab it leads; the tab itself when absent. */
  link?: MlopsLinkTarget;
}

/** The group (or user) owning an entity, from the catalog; undefined without one. */
export function entityOwnerLookup(
  options: Pick<EngineEventsOptions, 'catalog' | 'auth'>,
): (entityRef: string) => Promise<string | undefined> {
  const { catalog, auth } = options;
  return async entityRef => {
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    const owner = entity?.spec?.owner;
    if (typeof owner !== 'string' || !owner) return undefined;
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity!.metadata.namespace ?? 'default',
      }),
    );
  };
}

/**
 * Sends a notification to the group (or user) owning an entity, linking to
 * its MLOps tab; logs instead when the entity has no owner.
 */
export function ownerNotifier(
  options: Pick<
    EngineEventsOptions,
    'catalog' | 'auth' | 'notifications' | 'logger'
  >,
): (entityRef: string, payload: OwnerNotification) => Promise<void> {
  const { notifications, logger } = options;
  const ownerOf = entityOwnerLookup(options);

  const notifyOwners = async (
    entityRef: string,
    payload: OwnerNotification,
  ) => {
    const owner = await ownerOf(entityRef);
    if (!owner) {
      logger.warn(
        `MLOps: ${entityRef} has no owner to notify about "${payload.title}"`,
      );
      return;
    }
    await notifications.send({
      recipients: { type: 'entity', entityRef: owner },
      payload: {
        ...payload,
        link: entityMlopsLink(entityRef, payload.link),
        topic: 'mlops',
      },
    });
  };
  return notifyOwners;
}

/**
 * Forwards engine events: every change becomes a signal on the entity's
 * channel (the UI refreshes), and the two events that need a human — a version
 * awaiting approval, a run failing the quality gate — notify the owning group.
 * Returns the unsubscribe function.
 */
export function forwardEngineEvents(options: EngineEventsOptions): () => void {
  const { engine, auditor, signals, logger, config } = options;
  if (!engine.subscribe) {
    logger.info('MLOps engine does not push events; the UI relies on polling');
    return () => {};
  }
  // Entities without a spec are judged by the configured gate (as governance does).
  const configuredGate: QualityGate = {
    metric: 'mse',
    comparison: 'LessThanOrEqualTo',
    threshold:
      config.getOptionalNumber('mlops.qualityGate.mseThreshold') ??
      DEFAULT_MSE_THRESHOLD,
  };
  const gateOf = (resources: MlopsResources): QualityGate =>
    (resources.system?.spec.spec.gate as QualityGate | undefined) ??
    configuredGate;
  // Engines report a state more than once (every step update); notify once
  // per key. Bounded: the oldest keys go first, and a day later a repeat is news.
  const notified = new LRUCache<string, true>({
    max: 5000,
    ttl: 24 * 60 * 60 * 1000,
  });
  // Signals name runs and versions: by default only the owners (members of
  // the owning group) get them, since who else may read an entity is the
  // catalog's decision, unknowable here. `mlops.signals.audience: everyone`
  // broadcasts, for portals where every signed-in user may read every entity.
  const audience =
    config.getOptionalString('mlops.signals.audience') ?? 'owners';
  if (audience !== 'owners' && audience !== 'everyone') {
    throw new Error(
      `mlops.signals.audience must be owners or everyone, got "${audience}"`,
    );
  }
  const ownerOf = entityOwnerLookup(options);
  // Events come per step update: the owner is looked up once a minute at most.
  const owners = new LRUCache<string, { owner: string | null }>({
    max: 1000,
    ttl: 60_000,
  });
  const signalRecipients = async (
    entityRef: string,
  ): Promise<
    | { type: 'broadcast' }
    | { type: 'user'; entityRef: string | string[] }
    | undefined
  > => {
    if (audience === 'everyone') return { type: 'broadcast' };
    let hit = owners.get(entityRef);
    if (!hit) {
      hit = { owner: (await ownerOf(entityRef)) ?? null };
      owners.set(entityRef, hit);
    }
    return hit.owner ? { type: 'user', entityRef: hit.owner } : undefined;
  };
  const remember = (key: string) => {
    if (notified.has(key)) return false;
    notified.set(key, true);
    return true;
  };

  const notifyOwners = ownerNotifier(options);

  /**
   * A file dropped into the bucket: audited like a portal upload (actor
   * "bucket"); a refusal tells the owners, since no one saw a 400.
   */
  const handleDrop = async (
    event: Extract<MlopsEngineEvent, { type: 'dataset-drop' }>,
  ) => {
    const { entityRef } = event.resources;
    const audit = await auditor.createEvent({
      eventId: 'dataset-upload',
      severityLevel: 'medium',
      meta: {
        entityRef,
        fileName: event.fileName,
        actor: event.actor.ref,
        via: 'bucket',
      },
    });
    if (event.outcome === 'ingested') {
      await audit.success({
        meta: {
          manifestId: event.manifestId ?? null,
          executionId: event.executionId ?? null,
        },
      });
      return;
    }
    await audit.fail({ error: new Error(event.message ?? 'refused') });
    await notifyOwners(entityRef, {
      title: `Data file ${event.fileName} was refused`,
      description: `${
        event.message ?? "The file does not match the system's data set"
      }. It was moved to rejected/ in the data bucket of ${
        event.resources.pipelineName
      }; nothing was started.`,
      severity: 'high',
      scope: `mlops:${entityRef}:dataset:${event.fileName}`,
    });
  };

  /**
   * A rollout changed state: one audit line per state (steps included),
   * named after the acting owner or, when the engine acted by itself, the
   * engine; the owners hear of the end (rolled back or failed: high).
   */
  const handleRollout = async (
    event: Extract<MlopsEngineEvent, { type: 'rollout' }>,
  ) => {
    const { rollout, actor } = event;
    const { entityRef } = event.resources;
    const key = `${entityRef}|rollout|${rollout.rolloutId}|${rollout.status}|${rollout.step}`;
    if (!remember(`${key}|audit`)) return;
    const ended =
      rollout.status === 'RolledBack' || rollout.status === 'Failed';
    const audit = await auditor.createEvent({
      eventId: 'model-rollout',
      severityLevel: ended ? 'high' : 'medium',
      meta: {
        entityRef,
        endpointName: rollout.endpointName,
        rolloutId: rollout.rolloutId,
        fromVersion: rollout.fromVersion ?? null,
        toVersion: rollout.toVersion,
        status: rollout.status,
        step: rollout.step,
        totalSteps: rollout.totalSteps,
        trafficPercent: rollout.trafficPercent,
        actor: (actor ?? ENGINE_ACTOR).ref,
        automatic: !actor,
        via: 'engine',
      },
    });
    const reason = bounded(rollout.reason);
    if (rollout.status === 'Failed')
      await audit.fail({ error: new Error(reason ?? 'rollout failed') });
    else await audit.success({ meta: reason ? { reason } : undefined });

    const payload = rolloutNotification(entityRef, rollout, actor);
    if (payload && remember(`${key}|notify`))
      await notifyOwners(entityRef, payload);
  };

  /** A shadow test started, stopped or was promoted: one audit line per state. */
  const handleShadowTest = async (
    event: Extract<MlopsEngineEvent, { type: 'shadow-test' }>,
  ) => {
    const { shadowTest, actor } = event;
    const { entityRef } = event.resources;
    if (
      !remember(
        `${entityRef}|shadow-test|${shadowTest.shadowTestId}|${shadowTest.status}|audit`,
      )
    )
      return;
    const audit = await auditor.createEvent({
      eventId: 'shadow-test',
      severityLevel: 'medium',
      meta: {
        entityRef,
        endpointName: shadowTest.endpointName,
        shadowTestId: shadowTest.shadowTestId,
        servingVersion: shadowTest.servingVersion,
        candidateVersion: shadowTest.candidateVersion,
        status: shadowTest.status,
        samplePercent: shadowTest.samplePercent,
        requests: shadowTest.comparison.requests,
        actor: (actor ?? ENGINE_ACTOR).ref,
        automatic: !actor,
        via: 'engine',
      },
    });
    await audit.success();
  };

  const handle = async (event: MlopsEngineEvent) => {
    if (event.type === 'dataset-drop') {
      await handleDrop(event);
      return;
    }
    const { entityRef } = event.resources;
    const message = signalFor(event);
    // JSON has no undefined; drop empty fields.
    const payload = JSON.parse(JSON.stringify(message));
    const recipients = await signalRecipients(entityRef);
    if (recipients) {
      await signals.publish({
        recipients,
        channel: mlopsSignalChannel(entityRef),
        message: payload,
      });
    }

    if (event.type === 'rollout') {
      await handleRollout(event);
    } else if (event.type === 'shadow-test') {
      await handleShadowTest(event);
    } else if (
      event.type === 'model-version' &&
      event.modelVersion.approvalStatus === 'PendingManualApproval'
    ) {
      const v = event.modelVersion;
      if (
        !remember(
          `${entityRef}|version|${v.modelPackageGroupName}|${v.version}|pending`,
        )
      )
        return;
      const shown = metricText(v.metrics, gateOf(event.resources).metric);
      const mse = shown ? ` (test ${shown})` : '';
      await notifyOwners(entityRef, {
        title: `Model version ${v.version} of ${v.modelPackageGroupName} awaits approval`,
        description: `A new model version${mse} was registered for ${entityRef}; approve or reject it in the MLOps tab.`,
        severity: 'normal',
        scope: `mlops:${entityRef}:version:${v.version}`,
        link: { version: v.version },
      });
    } else if (event.type === 'model-version') {
      // A decision resolves the "awaits approval" notification: same scope, so
      // the notifications backend rewrites that one instead of adding another.
      const v = event.modelVersion;
      const decision = decisionOf(v);
      if (!decision) return;
      if (
        !remember(
          `${entityRef}|version|${v.modelPackageGroupName}|${v.version}|${decision.status}|${decision.at}`,
        )
      )
        return;
      await notifyOwners(entityRef, {
        title: `Model version ${v.version} of ${v.modelPackageGroupName} was ${
          decision.status === 'Approved' ? 'approved' : 'rejected'
        } by ${decision.by}`,
        description: `Decided ${decision.at}${
          decision.comment ? `: ${decision.comment}` : ''
        }. Nothing waits for approval on this version.`,
        severity: 'low',
        scope: `mlops:${entityRef}:version:${v.version}`,
        link: { version: v.version },
      });
    } else if (
      event.type === 'execution' &&
      failedQualityGate(event.execution, gateOf(event.resources))
    ) {
      const e = event.execution;
      if (!remember(`${entityRef}|execution|${e.executionId}|gate`)) return;
      const gate = gateOf(event.resources);
      const shown = metricText(e.metrics, gate.metric);
      const mse = shown
        ? `${shown} fails the gate ${formatGate(gate)}`
        : e.failureReason ?? 'failed';
      await notifyOwners(entityRef, {
        title: `Pipeline run of ${e.pipelineName} failed the quality gate`,
        description: `Run ${e.executionId} for ${entityRef}: ${mse}. No model version was registered.`,
        severity: 'high',
        scope: `mlops:${entityRef}:execution:${e.executionId}`,
        link: { run: e.executionId },
      });
    }
  };

  return engine.subscribe(event => {
    handle(event).catch(error =>
      logger.warn(
        `MLOps: could not forward ${event.type} event of ${event.resources.entityRef}`,
        error,
      ),
    );
  });
}
