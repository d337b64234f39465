import type {
  DeploymentsResponse,
  EvaluationPlots,
  ListResponse,
  MlopsGovernance,
  MlopsSignal,
  ModelSignature,
  ModelVersion,
  MonitoringResponse,
  MonitoringWindow,
  PipelineExecution,
  PipelineExecutionDetail,
  ReleaseStage,
  SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';
import { httpStatus, type MlopsApi } from '../api';

/** How many runs the runs table shows (and the store keeps). */
export const RUNS_PAGE_SIZE = 50;
/** The newest versions the store keeps: what the trend and compare show. */
export const VERSIONS_PAGE_SIZE = 50;
/** Requests one live tick may cost, however much is live. */
export const TICK_BUDGET = 2;

/** The entity's resources, each loaded by one API call. */
export interface MlopsResources {
  runs: ListResponse<PipelineExecution>;
  release: { stages: ReleaseStage[] | null };
  versions: ListResponse<ModelVersion>;
  deployments: DeploymentsResponse;
  /** The quality gate, task and approval rules (changes only with the spec). */
  governance: MlopsGovernance;
  /** The entity's validated ML system spec (fails with 404/403/422 when it has none or it is invalid). */
  spec: SystemSpecResponse;
}

export type MonitoringKey = `monitoring:${MonitoringWindow}`;
export type EvaluationPlotsKey = `evaluation-plots:${number}`;
export type SignatureKey = `signature:${number}`;

/**
 * A named resource, `run:<executionId>` for one execution's detail,
 * `monitoring:<window>` for the endpoint's traffic and drift (null: nothing
 * deployed, or an engine without monitoring) or `evaluation-plots:<version>`
 * (null: the version has none).
 */
export type ResourceKey =
  | keyof MlopsResources
  | `run:${string}`
  | MonitoringKey
  | EvaluationPlotsKey
  | SignatureKey;

export type ResourceValue<K extends ResourceKey> =
  K extends keyof MlopsResources
    ? MlopsResources[K]
    : K extends MonitoringKey
    ? MonitoringResponse | null
    : K extends EvaluationPlotsKey
    ? EvaluationPlots | null
    : K extends SignatureKey
    ? ModelSignature | null
    : PipelineExecutionDetail;

/**
 * What a view sees of one resource. `value` stays while reloading (live
 * updates do not flash a spinner); `error` is the last load's failure.
 */
export interface ResourceState<T> {
  value?: T;
  error?: Error;
  loading: boolean;
}

/**
 * What each signal type changes. Release stages mirror the pipeline run and
 * the deploy; a deployment moves the "deployed" marker of versions.
 */
export const SIGNAL_RESOURCES: Record<
  MlopsSignal['type'],
  Array<keyof MlopsResources>
> = {
  execution: ['runs', 'release'],
  'model-version': ['versions'],
  deployment: ['deployments', 'versions', 'release'],
};

export function isActive(status?: string): boolean {
  return status === 'Executing' || status === 'Stopping';
}

function isChanging(status?: string): boolean {
  return status === 'Creating' || status === 'Updating';
}

/**
 * A rollout moving (or held) or a shadow test running: its split, alarms
 * and comparison change by themselves, so the deployments are polled.
 */
function deploymentsMoving(value?: DeploymentsResponse): boolean {
  const rollout = value?.rollout?.status;
  return (
    isChanging(value?.endpoint?.status) ||
    rollout === 'InProgress' ||
    rollout === 'Paused' ||
    rollout === 'RollingBack' ||
    value?.shadowTest?.status === 'Running'
  );
}

const IDLE: ResourceState<never> = Object.freeze({ loading: false });

const MONITORING = 'monitoring:';
const PLOTS = 'evaluation-plots:';
const SIGNATURE = 'signature:';

/** Monitoring only matters to someone looking at it. */
function pageVisible(): boolean {
  return (
    typeof document === 'undefined' || document.visibilityState === 'visible'
  );
}

/** The answer, or null when the backend says there is none (`statuses`). */
async function orNone<T>(request: Promise<T>, statuses: number[]) {
  try {
    return await request;
  } catch (error) {
    const status = httpStatus(error);
    if (status !== undefined && statuses.includes(status)) return null;
    throw error;
  }
}

/**
 * The MLOps data of one entity, loaded once and shared by every card: each
 * resource is fetched when a view first asks for it and refetched only when
 * something names it (a signal, a live tick, a mutation made on the page).
 */
export class MlopsEntityStore {
  private readonly states = new Map<ResourceKey, ResourceState<unknown>>();
  /** Latest request per key: answers of superseded requests are dropped. */
  private readonly requests = new Map<ResourceKey, Promise<void>>();
  private readonly listeners = new Set<() => void>();
  /** Monitoring keys on screen now, with how many views show each. */
  private readonly watched = new Map<MonitoringKey, number>();
  /** Set once the engine answers 501: monitoring is never polled again. */
  private monitoringUnsupported = false;
  /** Set by a change made on this page that moves the release; cleared when it settles. */
  private followingRelease = false;

  constructor(private readonly api: MlopsApi, readonly entityRef: string) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  get<K extends ResourceKey>(key: K): ResourceState<ResourceValue<K>> {
    return (this.states.get(key) ?? IDLE) as ResourceState<ResourceValue<K>>;
  }

  /** True once a view has asked for `key`. */
  has(key: ResourceKey): boolean {
    return this.states.has(key);
  }

  /** Starts loading `key` unless it was loaded (or tried) before. */
  ensure(key: ResourceKey): void {
    if (!this.states.has(key)) void this.fetch(key);
  }

  /** Refetches those of `keys` that a view has asked for; others stay unloaded. */
  async refresh(keys: ResourceKey[]): Promise<void> {
    const loaded = [...new Set(keys)].filter(k => this.states.has(k));
    await Promise.all(loaded.map(k => this.fetch(k)));
  }

  /** Refetches what a backend signal names, nothing else (unknown types: nothing). */
  async onSignal(signal: MlopsSignal): Promise<void> {
    const keys: ResourceKey[] = [...(SIGNAL_RESOURCES[signal.type] ?? [])];
    if (signal.type === 'execution') keys.push(...this.runKeys(signal));
    await this.refresh(keys);
  }

  /**
   * Keeps `key` fresh while a view shows it: each tick refreshes it in what
   * is left of the tick's budget, only while the page is visible.
   */
  watch(key: MonitoringKey): () => void {
    this.watched.set(key, (this.watched.get(key) ?? 0) + 1);
    this.listeners.forEach(l => l());
    return () => {
      const n = (this.watched.get(key) ?? 1) - 1;
      if (n > 0) this.watched.set(key, n);
      else this.watched.delete(key);
      this.listeners.forEach(l => l());
    };
  }

  /** True while a view shows monitoring the engine can give (polling is needed). */
  isWatching(): boolean {
    return this.watched.size > 0 && !this.monitoringUnsupported;
  }

  /** True while something on the page changes by itself (polling is needed). */
  isLive(): boolean {
    const runs = this.get('runs').value?.items ?? [];
    return (
      runs.some(r => isActive(r.status)) ||
      deploymentsMoving(this.get('deployments').value) ||
      (this.followingRelease && this.releaseMoving())
    );
  }

  /**
   * Follow the release after a change made on this page: between runs (its
   * source and CI stages before the ML pipeline starts a run, its deploy
   * after an approval) nothing else on the page reports it, and an engine
   * without signals (aws) would show a stale page until a reload.
   */
  followRelease(): void {
    this.followingRelease = true;
    this.listeners.forEach(l => l());
  }

  /** A stage in progress that is not waiting for a person's approval. */
  private releaseMoving(): boolean {
    const stages = this.get('release').value?.stages ?? [];
    return stages.some(s => s.status === 'InProgress' && !s.approvalToken);
  }

  /**
   * One poll while something is live, at most two requests: the executing
   * run (its detail also updates its row in the runs list; the whole list
   * only when an older run is the active one) and the changing endpoint;
   * watched monitoring takes what is left of the two (a visible page only).
   * When a run or the endpoint settles, what that changes is reloaded once.
   */
  async tick(): Promise<void> {
    const runs = this.get('runs').value?.items ?? [];
    const deploymentsBefore = deploymentsMoving(this.get('deployments').value);
    const work: Array<Promise<void>> = [];
    const latest = runs[0];
    let runSettled = false;
    if (latest && isActive(latest.status)) {
      work.push(
        this.fetch(`run:${latest.executionId}`).then(() => {
          const detail = this.get(`run:${latest.executionId}`).value;
          if (detail) runSettled = !isActive(this.patchRun(detail));
        }),
      );
    } else if (runs.some(r => isActive(r.status))) {
      work.push(this.fetch('runs'));
    } else if (this.followingRelease && this.releaseMoving()) {
      // The run the release starts shows up in the runs list.
      work.push(this.fetch('release'));
      if (!deploymentsBefore) work.push(this.fetch('runs'));
    }
    if (deploymentsBefore) work.push(this.fetch('deployments'));
    if (this.isWatching() && pageVisible()) {
      const spare = Math.max(0, TICK_BUDGET - work.length);
      const keys = [...this.watched.keys()].slice(0, spare);
      work.push(...keys.map(k => this.fetch(k)));
    }
    await Promise.all(work);
    // An endpoint that settles or a rollout that ends moves the versions' markers.
    const endpointSettled =
      deploymentsBefore && !deploymentsMoving(this.get('deployments').value);
    const follow: ResourceKey[] = [];
    if (runSettled) follow.push('versions', 'release', 'deployments');
    if (endpointSettled) follow.push('versions', 'release');
    if (this.followingRelease && !this.releaseMoving() && !runSettled) {
      // Settled or waiting for approval: what its deploy changed, once.
      this.followingRelease = false;
      follow.push('versions', 'deployments');
    }
    if (follow.length) await this.refresh(follow);
  }

  /** The loaded run details a signal is about (all of them if it names none). */
  private runKeys(signal: MlopsSignal): ResourceKey[] {
    const keys = [...this.states.keys()].filter(k => k.startsWith('run:'));
    if (!signal.executionId) return keys;
    return keys.filter(k => k === `run:${signal.executionId}`);
  }

  /** Puts a fresh run detail into the runs list; returns its status. */
  private patchRun(detail: PipelineExecutionDetail): string {
    const state = this.get('runs');
    if (state.value) {
      const { steps: _steps, ...run } = detail;
      const items = state.value.items.map(r =>
        r.executionId === run.executionId ? run : r,
      );
      this.set('runs', { ...state, value: { ...state.value, items } });
    }
    return detail.status;
  }

  private load(key: ResourceKey): Promise<unknown> {
    const ref = this.entityRef;
    if (key.startsWith(MONITORING)) {
      const window = key.slice(MONITORING.length) as MonitoringWindow;
      const request = this.api.getMonitoring(ref, window).catch(error => {
        if (httpStatus(error) === 501) this.monitoringUnsupported = true;
        throw error;
      });
      // 404: nothing deployed (yet); 501: the engine has no monitoring.
      return orNone(request, [404, 501]);
    }
    if (key.startsWith(PLOTS)) {
      const version = Number(key.slice(PLOTS.length));
      return orNone(this.api.getEvaluationPlots(ref, version), [404]);
    }
    if (key.startsWith(SIGNATURE)) {
      const version = Number(key.slice(SIGNATURE.length));
      // 404: a version from before signatures
      return orNone(this.api.getModelSignature(ref, version), [404]);
    }
    switch (key) {
      case 'runs':
        return this.api.listRuns(ref, { limit: RUNS_PAGE_SIZE });
      case 'release':
        return this.api.getRelease(ref);
      case 'versions':
        return this.api.listModelVersions(ref, { limit: VERSIONS_PAGE_SIZE });
      case 'deployments':
        return this.api.getDeployments(ref);
      case 'governance':
        return this.api.getGovernance(ref);
      case 'spec':
        return this.api.getSpec(ref);
      default:
        return this.api.getRun(ref, key.slice('run:'.length));
    }
  }

  private fetch(key: ResourceKey): Promise<void> {
    const previous = this.states.get(key);
    this.set(key, { value: previous?.value, loading: true });
    const request: Promise<void> = this.load(key).then(
      value => {
        if (this.requests.get(key) === request)
          this.set(key, { value, loading: false });
      },
      (error: Error) => {
        if (this.requests.get(key) === request)
          this.set(key, { value: previous?.value, error, loading: false });
      },
    );
    this.requests.set(key, request);
    return request;
  }

  private set(key: ResourceKey, state: ResourceState<unknown>) {
    this.states.set(key, state);
    this.listeners.forEach(l => l());
  }
}
