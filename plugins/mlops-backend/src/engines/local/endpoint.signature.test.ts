/**
 * Any system's model served by its signature, over real HTTP: a penguin
 * species classifier (categorical inputs, missing values) trained with
 * ml-core in this test, deployed on the endpoint host, asked in JSON and
 * CSV; bad input refused naming the field; its captures give categorical
 * drift and class shares.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type {
  FeatureRecord,
  MlopsResources,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import { DataLayout } from './dataLayout';
import { EndpointHost } from './endpointHost';
import { LocalMonitoring } from './monitoring/localMonitoring';
import { readMonitoringSettings } from './monitoring/monitoringSettings';
import {
  TrainedSystem,
  writeTrainedSystem,
} from './monitoring/__testUtils__/trainedSystem';
import {
  PartsHarness,
  createPartsHarness,
  testVersion,
} from './__testUtils__/parts';

const PENGUINS: MlopsResources = {
  entityRef: 'component:default/penguin-species-classifier',
  pipelineName: 'penguins-pipeline',
  modelPackageGroupName: 'PenguinsModelPackageGroup',
  endpointName: 'penguins-endpoint',
  releasePipelineName: 'penguins-release',
};

const sumOf = (p: Prediction) =>
  Object.values(p.probabilities ?? {}).reduce((a, b) => a + b, 0);

describe('serving a classifier by its signature', () => {
  let h: PartsHarness;
  let host: EndpointHost;
  let monitoring: LocalMonitoring;
  let trained: TrainedSystem;

  beforeEach(async () => {
    h = await createPartsHarness();
    const layout = new DataLayout(h.dataDir);
    trained = writeTrainedSystem(
      'penguins',
      layout.modelPackageDir(PENGUINS.modelPackageGroupName, 1),
    );
    monitoring = new LocalMonitoring(
      h.knex,
      layout,
      readMonitoringSettings(new ConfigReader({})),
      h.logger,
    );
    host = new EndpointHost(
      h.store,
      layout,
      mockServices.logger.mock(),
      PENGUINS.endpointName,
      inv => monitoring.record(inv),
    );
    await host.deploy(
      PENGUINS.endpointName,
      testVersion(1, {
        modelPackageGroupName: PENGUINS.modelPackageGroupName,
      }),
      'u',
      'approval',
    );
    await host.listen('127.0.0.1', 0);
  });
  afterEach(async () => {
    await host.close();
    await monitoring.close();
    await h.close();
  });

  const post = (body: string, contentType: string, accept?: string) =>
    fetch(`${host.url}/endpoints/${PENGUINS.endpointName}/invocations`, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(accept ? { accept } : {}),
      },
      body,
    });

  it('answers JSON records with a class and probabilities summing to 1', async () => {
    const rows = trained.records.slice(0, 20);
    const res = await post(
      JSON.stringify({ instances: rows }),
      'application/json',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-version')).toBe('1');
    const { predictions } = (await res.json()) as { predictions: Prediction[] };
    expect(predictions).toHaveLength(20);
    const classes = trained.signature.outputs.classes!;
    expect(classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    for (const p of predictions) {
      expect(classes).toContain(p.value);
      // The target's name carries the class too (toPrediction).
      expect(p.species).toBe(p.value);
      expect(Object.keys(p.probabilities!)).toEqual(classes);
      expect(sumOf(p)).toBeCloseTo(1, 6);
    }
    // Even a briefly trained model knows the data set's first rows (Adelie).
    const right = predictions.filter(
      (p, i) => p.value === trained.targets[i],
    ).length;
    expect(right).toBeGreaterThanOrEqual(18);

    // In process (engine.predict goes through the host): the same answers.
    const inProcess = host.predict(PENGUINS, rows);
    expect(inProcess.predictions).toEqual(predictions);
  });

  it('reads CSV rows in the signature’s input order, missing cells empty', async () => {
    const names = trained.signature.inputs.map(i => i.name);
    expect(names).toEqual([
      'island',
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'sex',
    ]);
    const csv = ['Biscoe,45.2,14.8,212,5200,FEMALE', 'Dream,49.5,19,200,3800,'];
    const json = await post(csv.join('\n'), 'text/csv', 'application/json');
    expect(json.status).toBe(200);
    const { predictions } = (await json.json()) as {
      predictions: Prediction[];
    };
    expect(predictions.map(p => p.value)).toEqual(['Gentoo', 'Chinstrap']);
    for (const p of predictions) expect(sumOf(p)).toBeCloseTo(1, 6);

    // text/csv back: each class's probability, like the XGBoost container.
    const text = await (await post(csv.join('\n'), 'text/csv')).text();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const probs = line.split(',').map(Number);
      expect(probs).toHaveLength(3);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('refuses bad input with a 400 naming the record and field', async () => {
    const good = trained.records[0];
    const cases: Array<[FeatureRecord[], RegExp]> = [
      [
        [good, { ...good, island: 'Atlantis' }],
        /instances\.1\.island: 'Atlantis' is not one of Biscoe, Dream, Torgersen/,
      ],
      [
        [{ ...good, bill_length_mm: 'long' }],
        /instances\.0\.bill_length_mm: must be a number/,
      ],
      [
        [{ ...good, body_mass_g: 90000 }],
        /instances\.0\.body_mass_g: must be in \[2000, 7000\]/,
      ],
      [
        [{ ...good, beak: 1 }],
        /instances\.0\.beak: is not an input of this model/,
      ],
      [[(({ sex, ...rest }) => rest)(good)], /instances\.0\.sex: is missing/],
    ];
    for (const [instances, message] of cases) {
      const res = await post(JSON.stringify({ instances }), 'application/json');
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('ValidationError');
      expect(((await res.json()) as { message: string }).message).toMatch(
        message,
      );
    }
    const csv = await post(
      'Biscoe,45.2,14.8,212,5200,FEMALE\nMars,1,1,1,1,MALE',
      'text/csv',
    );
    expect(csv.status).toBe(400);
    expect(((await csv.json()) as { message: string }).message).toMatch(
      /row 2, column island: 'Mars' is not one of/,
    );
    const short = await post('Biscoe,45.2', 'text/csv');
    expect(((await short.json()) as { message: string }).message).toMatch(
      /row 1: expected 6 columns \(island,bill_length_mm,/,
    );
    // In process the same check applies (a 400 for the service to map).
    expect(() =>
      host.predict(PENGUINS, [{ ...good, island: 'Atlantis' }]),
    ).toThrow(expect.objectContaining({ name: 'InputError' }));
  });

  it('captures a classifier’s traffic: categorical drift and class shares', async () => {
    // Only Biscoe penguins arrive: island drifts; the classes shift to Gentoo.
    const biscoe = trained.records.filter(r => r.island === 'Biscoe');
    expect(biscoe.length).toBeGreaterThan(150);
    const res = await post(
      JSON.stringify({ instances: biscoe }),
      'application/json',
    );
    expect(res.status).toBe(200);
    // The portal's own widget is not traffic and not drift.
    host.predict(PENGUINS, trained.records.slice(0, 5), 'portal');

    const report = await monitoring.report(
      PENGUINS.endpointName,
      '1h',
      host.current(PENGUINS.endpointName),
    );
    expect(report.totals.invocations).toBe(1);
    const { drift } = report;
    expect(drift.sampleCount).toBe(biscoe.length);
    const island = drift.features.find(f => f.feature === 'island')!;
    expect(island).toMatchObject({
      type: 'categorical',
      ks: null,
      status: 'drift',
    });
    expect(island.linf).toBeGreaterThan(0.4);
    expect(island.psi).toBeGreaterThan(0.25);
    expect(island.unseenCategories).toEqual([]);
    expect(island.distribution!.find(b => b.label === 'Biscoe')!.recent).toBe(
      1,
    );
    const bill = drift.features.find(f => f.feature === 'bill_length_mm')!;
    expect(bill.type).toBe('numeric');
    expect(bill.ks).not.toBeNull();
    expect(drift.features.find(f => f.feature === 'sex')!.type).toBe(
      'categorical',
    );

    const shares = drift.predictions!;
    expect(shares.map(b => b.label)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const total = (k: 'baseline' | 'recent') =>
      shares.reduce((a, b) => a + b[k], 0);
    expect(total('baseline')).toBeCloseTo(1, 6);
    expect(total('recent')).toBeCloseTo(1, 6);
    const gentoo = shares.find(b => b.label === 'Gentoo')!;
    expect(gentoo.recent).toBeGreaterThan(gentoo.baseline);
    expect(shares.find(b => b.label === 'Chinstrap')!.recent).toBe(0);
  });
});
