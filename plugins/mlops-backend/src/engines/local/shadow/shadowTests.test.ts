/**
 * Shadow tests over real HTTP on the local endpoint server, with two real
 * trained versions of a demo system: clients are answered by the serving
 * version only, the candidate's numbers are compared per request off the
 * response path, and the test survives a restart.
 */
import { mockServices } from '@backstage/backend-test-utils';
import type {
  FeatureRecord,
  MlopsResources,
  Prediction,
  ShadowTest,
} from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import { DataLayout } from '../dataLayout';
import { ServedModel, loadServedModel } from '../endpoint';
import { EndpointHost } from '../endpointHost';
import { ModelRegistry } from '../modelRegistry';
import type { DemoSystemName } from '../../../__testUtils__/demoSystems';
import {
  PartsHarness,
  createPartsHarness,
  testVersion,
} from '../__testUtils__/parts';
import { ShadowStore } from './shadowStore';
import { ShadowTests } from './shadowTests';
import { trainTwoVersions } from './__testUtils__/trainVersions';

const SYSTEMS: Record<'breast-cancer' | 'abalone', MlopsResources> = {
  'breast-cancer': {
    entityRef: 'component:default/breast-cancer-classifier',
    pipelineName: 'breast-cancer-pipeline',
    modelPackageGroupName: 'BreastCancerModelPackageGroup',
    endpointName: 'breast-cancer-endpoint',
  },
  abalone: {
    entityRef: 'component:default/abalone-age-predictor',
    pipelineName: 'abalone-pipeline',
    modelPackageGroupName: 'AbaloneModelPackageGroup',
    endpointName: 'abalone-endpoint',
  },
};
const ACTOR = { ref: 'user:default/owner' };

async function waitFor<T>(
  read: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise(r => setTimeout(r, 25));
  }
}

/** One process's parts over a shared database and data directory. */
class Backend {
  host!: EndpointHost;
  shadows!: ShadowTests;
  registry!: ModelRegistry;
  constructor(
    readonly h: PartsHarness,
    readonly layout: DataLayout,
    readonly options: {
      persistIntervalMs?: number;
      loadModel?: (dir: string) => Promise<ServedModel>;
      blockedBy?: (endpointName: string) => string | undefined;
    } = {},
  ) {}

  async start(defaultEndpoint: string) {
    const logger = mockServices.logger.mock();
    this.shadows = new ShadowTests({
      store: new ShadowStore(this.h.knex),
      layout: this.layout,
      events: this.h.events,
      logger,
      getVersion: (g, v) => this.h.store.getVersion(g, v),
      persistIntervalMs: this.options.persistIntervalMs ?? 60_000,
      loadModel: this.options.loadModel,
      blockedBy: this.options.blockedBy,
    });
    this.host = new EndpointHost(
      this.h.store,
      this.layout,
      logger,
      defaultEndpoint,
      inv => this.shadows.observe(inv),
    );
    this.registry = new ModelRegistry(
      this.h.store,
      this.layout,
      this.host,
      this.h.runs,
      this.h.events,
    );
    await this.host.loadCurrent();
    await this.shadows.start(n => this.host.current(n));
    await this.host.listen('127.0.0.1', 0);
  }

  async close() {
    await this.shadows.close();
    await this.host.close();
  }
}

describe('local shadow tests', () => {
  let h: PartsHarness;
  let layout: DataLayout;
  let backends: Backend[];

  beforeEach(async () => {
    h = await createPartsHarness();
    layout = new DataLayout(h.dataDir);
    backends = [];
  });
  afterEach(async () => {
    for (const b of backends) await b.close();
    await h.close();
  });

  /** Writes versions 1 and 2 of the system, registers them, deploys 1 through the registry. */
  async function setUp(
    name: 'breast-cancer' | 'abalone',
    options: Backend['options'] = {},
    deploy = true,
  ) {
    const res = SYSTEMS[name];
    const trained = trainTwoVersions(name as DemoSystemName);
    const task = name === 'abalone' ? 'regression' : 'binary';
    for (const v of [1, 2] as const)
      trained.write(v, layout.modelPackageDir(res.modelPackageGroupName, v));
    await h.knex.transaction(async trx => {
      for (const v of [1, 2])
        await h.store.insertVersion(
          testVersion(v, {
            modelPackageGroupName: res.modelPackageGroupName,
            task,
          }),
          trx,
        );
    });
    const b = await startBackend(res, options);
    if (deploy) {
      await b.registry.updateApproval(res, 1, {
        status: 'Approved',
        comment: 'serve v1',
        actor: ACTOR,
      });
    }
    return { res, trained, b };
  }

  async function startBackend(
    res: MlopsResources,
    options: Backend['options'] = {},
  ) {
    const b = new Backend(h, layout, options);
    await b.start(res.endpointName);
    backends.push(b);
    return b;
  }

  const modelOf = (res: MlopsResources, v: number) =>
    loadServedModel(layout.modelPackageDir(res.modelPackageGroupName, v));

  async function invoke(
    b: Backend,
    res: MlopsResources,
    rows: FeatureRecord[],
  ) {
    const r = await fetch(
      `${b.host.url}/endpoints/${res.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: rows }),
      },
    );
    expect(r.status).toBe(200);
    return {
      version: r.headers.get('x-model-version'),
      predictions: ((await r.json()) as { predictions: Prediction[] })
        .predictions,
    };
  }

  const batches = (records: FeatureRecord[], size: number) => {
    const out: FeatureRecord[][] = [];
    for (let i = 0; i < records.length; i += size)
      out.push(records.slice(i, i + size));
    return out;
  };

  const requestsSeen = (b: Backend, res: MlopsResources, n: number) =>
    waitFor(
      () => b.shadows.latest(res.endpointName),
      t =>
        (t?.comparison.requests ?? 0) +
          (t?.comparison.variants[0].errors ?? 0) >=
        n,
    ) as Promise<ShadowTest>;

  it('answers from the serving version only and measures class agreement on every copied request', async () => {
    const { res, trained, b } = await setUp('breast-cancer');
    const started = await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    expect(started).toMatchObject({
      status: 'Running',
      servingVersion: 1,
      candidateVersion: 2,
      samplePercent: 100,
      startedBy: ACTOR.ref,
      comparison: { requests: 0 },
    });
    const v1 = await modelOf(res, 1);
    const v2 = await modelOf(res, 2);
    const sent = batches(trained.records, 10);
    for (const rows of sent) {
      const answer = await invoke(b, res, rows);
      expect(answer.version).toBe('1');
      expect(answer.predictions).toEqual(v1.predict(rows).predictions);
    }
    const t = await requestsSeen(b, res, sent.length);

    // Agreement computed here from both versions' own predictions.
    const a = v1.predict(trained.records).predictions;
    const c = v2.predict(trained.records).predictions;
    const same = a.filter((p, i) => p.value === c[i].value).length;
    expect(same).toBeLessThan(a.length); // the versions really differ
    expect(t.comparison.requests).toBe(sent.length);
    expect(t.comparison.agreement).toBeCloseTo(same / a.length, 12);
    expect(t.comparison.meanAbsDifference).toBeUndefined();
    expect(t.comparison.variants).toEqual([
      expect.objectContaining({
        modelVersion: 1,
        role: 'current',
        weight: 100,
        invocations: sent.length,
        errors: 0,
      }),
      expect.objectContaining({
        modelVersion: 2,
        role: 'candidate',
        weight: 0,
        invocations: sent.length,
        errors: 0,
      }),
    ]);
    for (const v of t.comparison.variants) {
      expect(v.p50LatencyMs).toBeGreaterThan(0);
      expect(v.p99LatencyMs).toBeGreaterThanOrEqual(v.p50LatencyMs!);
    }
  });

  it('measures regression differences over HTTP and the portal path alike', async () => {
    const { res, trained, b } = await setUp('abalone');
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    const rows = trained.records.slice(0, 300);
    const sent = batches(rows, 20);
    // Every other batch through the portal's path, the rest over HTTP.
    const portal = sent.filter((_, i) => i % 2 === 1);
    const http = sent.filter((_, i) => i % 2 === 0);
    for (const batch of portal)
      expect(b.host.predict(res, batch).modelVersion).toBe(1);
    for (const batch of http)
      expect((await invoke(b, res, batch)).version).toBe('1');
    const t = await requestsSeen(b, res, sent.length);

    const a = (await modelOf(res, 1)).predict(rows).predictions;
    const c = (await modelOf(res, 2)).predict(rows).predictions;
    const diffs = a.map((p, i) =>
      Math.abs(Number(c[i].value) - Number(p.value)),
    );
    expect(Math.max(...diffs)).toBeGreaterThan(0);
    expect(t.comparison.requests).toBe(sent.length);
    expect(t.comparison.meanAbsDifference).toBeCloseTo(
      diffs.reduce((x, y) => x + y, 0) / diffs.length,
      9,
    );
    expect(t.comparison.maxAbsDifference).toBeCloseTo(Math.max(...diffs), 9);
    expect(t.comparison.agreement).toBeUndefined();
  });

  it('copies the configured share of requests (30 % of 200: exactly 60, tolerance ±1)', async () => {
    const { res, trained, b } = await setUp('breast-cancer');
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 30,
      actor: ACTOR,
    });
    for (let i = 0; i < 200; i++) await invoke(b, res, [trained.records[i]]);
    const t = await requestsSeen(b, res, 59);
    // Let any copy still queued land before judging the share.
    await new Promise(r => setTimeout(r, 100));
    const final = (await b.shadows.latest(res.endpointName))!;
    expect(Math.abs(final.comparison.requests - 60)).toBeLessThanOrEqual(1);
    expect(t.comparison.variants[1].invocations).toBe(t.comparison.requests);
  });

  it('a candidate that throws is counted as errors and never reaches clients', async () => {
    const broken = async (dir: string) => {
      const m = await loadServedModel(dir);
      return dir ===
        layout.modelPackageDir(
          SYSTEMS['breast-cancer'].modelPackageGroupName,
          2,
        )
        ? {
            ...m,
            predict: () => {
              throw new Error('candidate exploded');
            },
          }
        : m;
    };
    const { res, trained, b } = await setUp('breast-cancer', {
      loadModel: broken,
    });
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    const v1 = await modelOf(res, 1);
    const sent = batches(trained.records.slice(0, 100), 5);
    for (const rows of sent) {
      const answer = await invoke(b, res, rows);
      expect(answer.version).toBe('1');
      expect(answer.predictions).toEqual(v1.predict(rows).predictions);
    }
    const t = await requestsSeen(b, res, sent.length);
    const [serving, candidate] = t.comparison.variants;
    expect(serving).toMatchObject({ invocations: sent.length, errors: 0 });
    expect(candidate).toMatchObject({
      invocations: sent.length,
      errors: sent.length,
    });
    expect(t.comparison.agreement).toBeUndefined();
  });

  it('refuses wrong states with 409s and unknown versions with 404s, naming the version', async () => {
    const { res, b } = await setUp('breast-cancer', {}, false);
    const start = (modelVersion: number) =>
      b.shadows.startTest(res, {
        modelVersion,
        samplePercent: 50,
        actor: ACTOR,
      });
    await expect(start(2)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        `endpoint ${res.endpointName} serves no version`,
      ),
    });
    await b.registry.updateApproval(res, 1, {
      status: 'Approved',
      comment: 'go',
      actor: ACTOR,
    });
    await expect(start(1)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('version 1 is the version endpoint'),
    });
    await expect(start(9)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('version 9 of model package group'),
    });
    // Registered, but its artifacts are gone.
    await h.knex.transaction(trx =>
      h.store.insertVersion(
        testVersion(3, {
          modelPackageGroupName: res.modelPackageGroupName,
          task: 'binary',
        }),
        trx,
      ),
    );
    await expect(start(3)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'cannot load the artifacts of version 3',
      ),
    });
    await expect(
      b.shadows.stopTest(res, { actor: ACTOR }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('no shadow test runs'),
    });
    await start(2);
    await expect(start(2)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('already runs'),
    });
    await expect(
      b.shadows.startTest(res, {
        modelVersion: 2,
        samplePercent: 0,
        actor: ACTOR,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('samplePercent'),
    });
    // Nothing stored by the refused starts: one row, the running one.
    expect(await h.knex('mlops_local_shadow_tests').count({ n: '*' })).toEqual([
      { n: 1 },
    ]);
  });

  it('refuses to start while the endpoint is busy (e.g. a rollout), naming why', async () => {
    let busy: string | undefined = 'a rollout of version 2 is in progress';
    const { res } = await setUp('breast-cancer', { blockedBy: () => busy });
    const b = backends[0];
    await expect(
      b.shadows.startTest(res, {
        modelVersion: 2,
        samplePercent: 10,
        actor: ACTOR,
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: `endpoint ${res.endpointName} cannot start a shadow test now: a rollout of version 2 is in progress`,
    });
    expect(await b.shadows.latest(res.endpointName)).toBeUndefined();
    busy = undefined;
    await expect(
      b.shadows.startTest(res, {
        modelVersion: 2,
        samplePercent: 10,
        actor: ACTOR,
      }),
    ).resolves.toMatchObject({ status: 'Running' });
  });

  it('stops on request, ends Promoted when the candidate is approved, and tells listeners', async () => {
    const { res, trained, b } = await setUp('breast-cancer');
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    await invoke(b, res, trained.records.slice(0, 4));
    await requestsSeen(b, res, 1);
    const stopped = await b.shadows.stopTest(res, { actor: ACTOR });
    expect(stopped).toMatchObject({
      status: 'Stopped',
      endedAt: expect.any(String),
      comparison: { requests: 1 },
    });
    // Stopped: no more copies, and the numbers stay readable.
    await invoke(b, res, trained.records.slice(0, 4));
    await new Promise(r => setTimeout(r, 50));
    expect(await b.shadows.latest(res.endpointName)).toMatchObject({
      status: 'Stopped',
      comparison: { requests: 1 },
    });

    const second = await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    await b.registry.updateApproval(res, 2, {
      status: 'Approved',
      comment: 'promote',
      actor: ACTOR,
    });
    const promoted = await waitFor(
      () => b.shadows.latest(res.endpointName),
      t => t?.status !== 'Running',
    );
    expect(promoted).toMatchObject({
      shadowTestId: second.shadowTestId,
      status: 'Promoted',
    });
    const events = h.emitted.filter(e => e.type === 'shadow-test') as any[];
    expect(events.map(e => [e.shadowTest.status, e.actor?.ref])).toEqual([
      ['Running', ACTOR.ref],
      ['Stopped', ACTOR.ref],
      ['Running', ACTOR.ref],
      ['Promoted', undefined],
    ]);
    expect(events[0].resources).toEqual(res);
  });

  it('rejecting the serving version (endpoint cleared) ends the test Stopped with the reason', async () => {
    const { res, b } = await setUp('breast-cancer');
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    await b.registry.updateApproval(res, 1, {
      status: 'Rejected',
      comment: 'bad',
      actor: ACTOR,
    });
    const t = await waitFor(
      () => b.shadows.latest(res.endpointName),
      x => x?.status !== 'Running',
    );
    expect(t).toMatchObject({
      status: 'Stopped',
      reason: 'the endpoint no longer serves a model',
    });
  });

  it('keeps its numbers across a restart (saved periodically while running) and resumes', async () => {
    const { res, trained, b } = await setUp('breast-cancer', {
      persistIntervalMs: 100,
    });
    const started = await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    const sent = batches(trained.records.slice(0, 120), 10);
    for (const rows of sent) await invoke(b, res, rows);
    const before = await requestsSeen(b, res, sent.length);
    // The periodic save wrote them without any close.
    const stored = new ShadowStore(h.knex);
    const row = await waitFor(
      () => stored.latest(res.endpointName),
      r => r?.stats.requests === sent.length,
    );
    expect(row).toMatchObject({ status: 'Running', candidateVersion: 2 });

    await b.close();
    backends = backends.filter(x => x !== b);
    const again = await startBackend(res, { persistIntervalMs: 100 });
    const resumed = await again.shadows.latest(res.endpointName);
    expect(resumed).toMatchObject({
      shadowTestId: started.shadowTestId,
      status: 'Running',
    });
    expect(resumed!.comparison).toEqual(before.comparison);
    // And it keeps counting on top.
    await invoke(again, res, trained.records.slice(0, 3));
    const after = await requestsSeen(again, res, sent.length + 1);
    expect(after.comparison.requests).toBe(sent.length + 1);
  });

  it('after a restart, a candidate that no longer loads ends the test Stopped with a reason', async () => {
    const { res, trained, b } = await setUp('breast-cancer');
    await b.shadows.startTest(res, {
      modelVersion: 2,
      samplePercent: 100,
      actor: ACTOR,
    });
    await invoke(b, res, trained.records.slice(0, 2));
    await requestsSeen(b, res, 1);
    await b.close();
    backends = backends.filter(x => x !== b);
    fs.rmSync(layout.modelPackageDir(res.modelPackageGroupName, 2), {
      recursive: true,
    });

    const again = await startBackend(res);
    const t = await again.shadows.latest(res.endpointName);
    expect(t).toMatchObject({
      status: 'Stopped',
      reason: expect.stringContaining(
        'candidate version 2 could not be loaded after a restart',
      ),
      comparison: { requests: 1 },
    });
    // Serving is unaffected.
    expect(
      (await invoke(again, res, trained.records.slice(0, 1))).version,
    ).toBe('1');
  });
});
