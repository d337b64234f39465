import { TestDatabases } from '@backstage/backend-test-utils';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import fs from 'fs';
import { demoSystem } from '../../__testUtils__/demoSystems';
import { LocalEngine } from './LocalEngine';
import {
  GUEST,
  PENGUIN_RESOURCES,
  RESOURCES,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from './__testUtils__/localEngine';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const penguins = demoSystem('penguins');
const penguinsCsv = () => fs.readFileSync(penguins.dataPath);

/** The penguins system with its spec's approval changed (another spec: another hash). */
function withPreApprove(resources: MlopsResources): MlopsResources {
  const spec = JSON.parse(JSON.stringify(resources.system!.spec));
  spec.spec.approval = { preApprove: true };
  return {
    ...resources,
    system: { ...resources.system!, hash: 'b'.repeat(64), spec },
  };
}

describe('LocalEngine runs any system by its spec', () => {
  const engines: LocalEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map(e => e.close()));
  });
  const start = async (preApprove = false) => {
    const knex = await databases.init('SQLITE_3');
    const e = await createTestEngine(knex, tempDataDir(), { preApprove });
    engines.push(e);
    return e;
  };

  it('trains the penguins classifier: CheckACCURACY, accuracy/logloss metrics, a signature with the spec classes, the spec hash', async () => {
    const engine = await start();
    const res = await engine.uploadDataset(PENGUIN_RESOURCES, {
      fileName: 'penguins.csv',
      content: penguinsCsv(),
      actor: GUEST,
    });
    expect(res.manifest.rowCount).toBe(344);
    const done = await waitForExecution(
      engine,
      res.execution!.executionId,
      undefined,
      60_000,
      PENGUIN_RESOURCES,
    );
    expect(done.failureReason).toBeUndefined();
    expect(done.status).toBe('Succeeded');
    expect(done.specHash).toBe(PENGUIN_RESOURCES.system!.hash);
    expect(done.steps.map(s => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['CheckACCURACY', 'Succeeded'],
      ['Register', 'Succeeded'],
    ]);
    const check = done.steps.find(s => s.name === 'CheckACCURACY')!;
    expect(check.outputs).toMatchObject({ outcome: true, threshold: 0.9 });
    expect(check.parameters).toMatchObject({
      gate: {
        metric: 'accuracy',
        comparison: 'GreaterThanOrEqualTo',
        threshold: 0.9,
      },
    });
    // The spec's objective and hyperparameters reached the trainer.
    expect(done.steps.find(s => s.name === 'Train')!.parameters).toMatchObject({
      hyperparameters: {
        objective: 'multi:softprob',
        num_class: 3,
        max_depth: 3,
        eta: 0.3,
      },
    });
    expect(Object.keys(done.metrics!)).toEqual(
      expect.arrayContaining(['accuracy', 'logloss', 'weighted_f1', 'macro_f1']),
    );
    expect(done.metrics).not.toHaveProperty('mse');
    expect(done.metrics!.accuracy).toBeGreaterThanOrEqual(0.9);

    const { items } = await engine.listModelVersions(PENGUIN_RESOURCES);
    expect(items).toHaveLength(1);
    const v = items[0];
    expect(v).toMatchObject({
      version: 1,
      task: 'multiclass',
      approvalStatus: 'PendingManualApproval',
      metrics: done.metrics,
    });
    expect(v.artifacts!.map(a => a.name)).toEqual(
      expect.arrayContaining([
        'model.json',
        'preprocessor.json',
        'signature.json',
        'evaluation.json',
        'evaluation-plots.json',
        'statistics.json',
      ]),
    );
    // evaluation.json is the multiclass Model Quality report.
    const report = JSON.parse(
      fs.readFileSync(v.artifacts!.find(a => a.name === 'evaluation.json')!.uri, 'utf8'),
    );
    expect(report.multiclass_classification_metrics.accuracy.value).toBe(
      v.metrics!.accuracy,
    );

    const signature = await engine.getModelSignature(PENGUIN_RESOURCES, 1);
    expect(signature.outputs).toMatchObject({
      task: 'multiclass',
      target: 'species',
      classes: penguins.spec.spec.dataset.classes,
    });
    expect(signature.inputs.find(i => i.name === 'island')).toMatchObject({
      type: 'categorical',
      categories: ['Biscoe', 'Dream', 'Torgersen'],
      fixedCategories: true,
    });
    // Missing values ('.', NA) in the training rows show as a missing rate.
    expect(signature.inputs.find(i => i.name === 'sex')!.missingRate).toBeGreaterThan(0);
    expect(signature.examples!.length).toBeGreaterThan(0);
    expect(Object.keys(signature.examples![0])).toContain('body_mass_g');
    await expect(
      engine.getModelSignature(PENGUIN_RESOURCES, 2),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('registers Approved only when the spec pre-approves AND the platform allows it', async () => {
    const platformOff = await start(false);
    const off = withPreApprove(PENGUIN_RESOURCES);
    const r1 = await platformOff.uploadDataset(off, {
      fileName: 'penguins.csv',
      content: penguinsCsv(),
      actor: GUEST,
    });
    const d1 = await waitForExecution(platformOff, r1.execution!.executionId, undefined, 60_000, off);
    expect(d1.steps.find(s => s.name === 'Register')!.outputs).toMatchObject({
      approvalStatus: 'PendingManualApproval',
    });

    const platformOn = await start(true);
    const r2 = await platformOn.uploadDataset(off, {
      fileName: 'penguins.csv',
      content: penguinsCsv(),
      actor: GUEST,
    });
    const d2 = await waitForExecution(platformOn, r2.execution!.executionId, undefined, 60_000, off);
    expect(d2.specHash).toBe('b'.repeat(64));
    expect(d2.steps.find(s => s.name === 'Register')!.outputs).toMatchObject({
      approvalStatus: 'Approved',
    });
    // The platform allowing it is not enough: the spec must say so too.
    const r3 = await platformOn.uploadDataset(PENGUIN_RESOURCES, {
      fileName: 'penguins.csv',
      content: penguinsCsv(),
      actor: GUEST,
    });
    const d3 = await waitForExecution(platformOn, r3.execution!.executionId, undefined, 60_000, PENGUIN_RESOURCES);
    expect(d3.steps.find(s => s.name === 'Register')!.outputs).toMatchObject({
      approvalStatus: 'PendingManualApproval',
    });
  });

  it('seeds several systems at first start, each by its spec; deploy: true approves and deploys the seeded version', async () => {
    const knex = await databases.init('SQLITE_3');
    const seedOf = (name: 'penguins' | 'breast-cancer', deploy: boolean) => {
      const sys = demoSystem(name);
      return {
        spec: sys.dataPath.replace(/[^/]+$/, 'ml-system.yaml'),
        data: sys.dataPath,
        entityRef: `component:default/${name}`,
        pipelineName: `${name}-pipeline`,
        modelPackageGroupName: `${name}-group`,
        endpointName: `${name}-endpoint`,
        deploy,
      };
    };
    const seeds = [seedOf('penguins', true), seedOf('breast-cancer', false)];
    const engine = await createTestEngine(knex, tempDataDir(), { seeds });
    engines.push(engine);
    await engine.seeding;
    const resourcesOf = (s: (typeof seeds)[number]): MlopsResources => ({
      entityRef: s.entityRef,
      pipelineName: s.pipelineName,
      modelPackageGroupName: s.modelPackageGroupName,
      endpointName: s.endpointName,
    });
    const [penguinRun] = (await engine.listExecutions(resourcesOf(seeds[0]))).items;
    expect(penguinRun).toMatchObject({ status: 'Succeeded', triggeredBy: 'mlops:seed' });
    expect(penguinRun.specHash).toBe(penguins.system.hash);
    const [cancerRun] = (await engine.listExecutions(resourcesOf(seeds[1]))).items;
    expect(cancerRun.specHash).toBe(demoSystem('breast-cancer').system.hash);
    const cancer = await engine.getModelVersion(resourcesOf(seeds[1]), 1);
    expect(cancer).toMatchObject({
      task: 'binary',
      approvalStatus: 'PendingManualApproval',
      deployed: false,
    });
    expect(cancer.metrics).toHaveProperty('auc');
    // deploy: true → Approved by the seed and served (needs the endpoint host
    // to load table preprocessors: the serving change).
    const seeded = await engine.getModelVersion(resourcesOf(seeds[0]), 1);
    expect(seeded.approvalHistory.at(-1)).toMatchObject({
      status: 'Approved',
      by: 'mlops:seed',
    });
    expect(seeded.deployed).toBe(true);
  });

  it('refuses training and uploads for an entity without a spec, naming mlops.io/spec (4xx)', async () => {
    const engine = await start();
    const { system, ...noSpec } = RESOURCES;
    await expect(
      engine.uploadDataset(noSpec, {
        fileName: 'abalone.csv',
        content: Buffer.from('M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n'),
        actor: GUEST,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('mlops.io/spec'),
    });
    await expect(
      engine.startExecution(noSpec, { trigger: 'manual', actor: GUEST }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('mlops.io/spec'),
    });
  });
});
