import fs from 'fs';
import { DataLayout } from './dataLayout';
import { EndpointHost } from './endpointHost';
import type { Invocation } from './monitoring/captureRecorder';
import { RESOURCES } from './__testUtils__/localEngine';
import {
  createPredictor,
  fitPreprocessor,
  parseAbaloneCsv,
  trainXGBoost,
  transform,
} from '@mlops-portal/ml-core';
import {
  ABALONE_RECORD as EXAMPLE_ABALONE,
  demoSystem,
} from '../../__testUtils__/demoSystems';
import { writeTrainedSystem } from './monitoring/__testUtils__/trainedSystem';
import {
  PartsHarness,
  createPartsHarness,
  testVersion,
} from './__testUtils__/parts';

describe('EndpointHost', () => {
  let h: PartsHarness;
  let layout: DataLayout;
  const hosts: EndpointHost[] = [];
  const newHost = () => {
    const host = new EndpointHost(h.store, layout, h.logger);
    hosts.push(host);
    return host;
  };
  beforeEach(async () => {
    h = await createPartsHarness();
    layout = new DataLayout(h.dataDir);
    writeTrainedSystem(
      'abalone',
      layout.modelPackageDir(RESOURCES.modelPackageGroupName, 1),
    );
  });
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map(x => x.close()));
    await h.close();
  });

  it('counts no traffic before anything is deployed; tags the portal widget’s predictions', async () => {
    const recorded: Invocation[] = [];
    const host = new EndpointHost(
      h.store,
      layout,
      h.logger,
      RESOURCES.endpointName,
      inv => recorded.push(inv),
    );
    hosts.push(host);
    expect(() => host.predict(RESOURCES, [EXAMPLE_ABALONE], 'portal')).toThrow(
      /has no deployed model/,
    );
    await host.listen('127.0.0.1', 0);
    const early = await fetch(`${host.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [EXAMPLE_ABALONE] }),
    });
    expect(early.status).toBe(503);
    // A 503 of an endpoint that serves nothing yet is not an error rate.
    expect(recorded).toEqual([]);

    await host.deploy(RESOURCES.endpointName, testVersion(1), 'u', 'approval');
    host.predict(RESOURCES, [EXAMPLE_ABALONE], 'portal');
    host.predict(RESOURCES, [EXAMPLE_ABALONE]);
    expect(recorded.map(r => [r.status, r.source])).toEqual([
      [200, 'portal'],
      [200, undefined],
    ]);
  });

  it('deploys a version, serves it over HTTP and in-process, and reloads it after a restart', async () => {
    const host = newHost();
    await expect(
      Promise.resolve().then(() => host.predict(RESOURCES, [EXAMPLE_ABALONE])),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(await host.listDeployments(RESOURCES)).toEqual({ deployments: [] });

    await host.deploy(RESOURCES.endpointName, testVersion(1), 'u', 'approval');
    const group = RESOURCES.modelPackageGroupName;
    expect(host.serves(RESOURCES.endpointName, group, 1)).toBe(true);
    expect(host.serves(RESOURCES.endpointName, group, 2)).toBe(false);
    const pred = host.predict(RESOURCES, [EXAMPLE_ABALONE]);
    expect(pred.modelVersion).toBe(1);
    // The first API's shape: rings and age beside the generic fields.
    const [p] = pred.predictions as Array<{
      value: number;
      rings: number;
      age: number;
      display: { value: number };
    }>;
    expect(p.rings).toBeGreaterThan(0);
    expect(p.value).toBe(p.rings);
    expect(p.age).toBeCloseTo(p.rings + 1.5);
    expect(p.display.value).toBe(p.age);

    await host.listen('127.0.0.1', 0);
    const res = await fetch(
      `${host.url}/endpoints/${RESOURCES.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [EXAMPLE_ABALONE] }),
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ predictions: pred.predictions });
    const deps = await host.listDeployments(RESOURCES);
    expect(deps.endpoint).toMatchObject({
      status: 'InService',
      modelVersion: 1,
      url: `${host.url}/endpoints/${RESOURCES.endpointName}`,
    });
    expect(deps.deployments[0]).not.toHaveProperty('modelPackageGroupName');

    const restarted = newHost();
    await restarted.loadCurrent();
    expect(restarted.predict(RESOURCES, [EXAMPLE_ABALONE]).modelVersion).toBe(
      1,
    );
  });

  it('keeps serving a version registered before signatures (first-release artifacts), as the first release answered', async () => {
    const host = newHost();
    await host.deploy(RESOURCES.endpointName, testVersion(1), 'u', 'approval');
    // What the first release wrote: its Abalone-only preprocessor and a model, no signature.json.
    const dir2 = layout.modelPackageDir(RESOURCES.modelPackageGroupName, 2);
    fs.mkdirSync(dir2, { recursive: true });
    const { records } = parseAbaloneCsv(
      fs
        .readFileSync(demoSystem('abalone').dataPath, 'utf8')
        .split('\n')
        .slice(0, 400)
        .join('\n'),
    );
    const pre = fitPreprocessor(records);
    const { booster } = trainXGBoost(
      { max_depth: 3, eta: 0.3, num_round: 10 },
      {
        ...transform(pre, records),
        labels: Float32Array.from(records.map(r => r.rings)),
      },
    );
    fs.writeFileSync(`${dir2}/preprocessor.json`, JSON.stringify(pre));
    fs.writeFileSync(`${dir2}/model.json`, booster.toXGBoostJSONString());
    const firstRelease = createPredictor(pre, booster.toXGBoostJSON()).predict([
      { ...(EXAMPLE_ABALONE as any), rings: 0 },
    ])[0];

    await host.deploy(RESOURCES.endpointName, testVersion(2), 'u', 'approval');
    const answer = host.predict(RESOURCES, [EXAMPLE_ABALONE]);
    expect(answer.modelVersion).toBe(2);
    const [p] = answer.predictions;
    expect(p.rings).toBeCloseTo(firstRelease, 5);
    expect(p.value).toBe(p.rings);
    expect(p.age).toBeCloseTo(firstRelease + 1.5, 5);
    // and its inputs are still checked, naming the field
    expect(() =>
      host.predict(RESOURCES, [{ ...EXAMPLE_ABALONE, sex: 'X' }]),
    ).toThrow(/instances\.0\.sex/);
  });

  it('never makes a version with broken artifacts current; clears an endpoint', async () => {
    const host = newHost();
    await host.deploy(RESOURCES.endpointName, testVersion(1), 'u', 'approval');
    const dir2 = layout.modelPackageDir(RESOURCES.modelPackageGroupName, 2);
    fs.mkdirSync(dir2, { recursive: true });
    fs.writeFileSync(`${dir2}/model.json`, '{not json');
    await expect(
      host.deploy(RESOURCES.endpointName, testVersion(2), 'u', 'approval'),
    ).rejects.toThrow(/cannot load the artifacts of version 2/);
    expect(host.predict(RESOURCES, [EXAMPLE_ABALONE]).modelVersion).toBe(1);
    expect((await h.store.listDeployments(RESOURCES.endpointName)).length).toBe(
      1,
    );

    let inTransaction = false;
    await host.clear(RESOURCES.endpointName, async () => {
      inTransaction = true;
    });
    expect(inTransaction).toBe(true);
    expect(() => host.predict(RESOURCES, [EXAMPLE_ABALONE])).toThrow(
      /has no deployed model/,
    );
    expect((await host.listDeployments(RESOURCES)).endpoint).toMatchObject({
      status: 'OutOfService',
      failureReason: 'no approved model version to serve',
    });
  });
});
