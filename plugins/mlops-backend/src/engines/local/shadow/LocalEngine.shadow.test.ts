/**
 * The LocalEngine's shadow test methods as the service calls them: start,
 * the deployments response carrying the test, both serving paths copied,
 * events, and a backend restart (engine closed and created again on the
 * same database and data directory).
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import type {
  MlopsResources,
  Prediction,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsEngineEvent } from '@mlops-portal/plugin-mlops-node';
import { demoSystem } from '../../../__testUtils__/demoSystems';
import { DataLayout } from '../dataLayout';
import { LocalEngine } from '../LocalEngine';
import { LocalStore } from '../store';
import { createTestEngine, tempDataDir } from '../__testUtils__/localEngine';
import { testVersion } from '../__testUtils__/parts';
import { trainTwoVersions } from './__testUtils__/trainVersions';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const RES: MlopsResources = {
  entityRef: 'component:default/breast-cancer-classifier',
  pipelineName: 'breast-cancer-pipeline',
  modelPackageGroupName: 'BreastCancerModelPackageGroup',
  endpointName: 'breast-cancer-endpoint',
  system: demoSystem('breast-cancer').system,
};
const OWNER = { ref: 'user:default/owner' };

describe('LocalEngine shadow tests', () => {
  const engines: LocalEngine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map(e => e.close()));
  });

  it('starts, is listed with the deployments, copies both serving paths, and survives a restart', async () => {
    const knex = await databases.init('SQLITE_3');
    const dataDir = tempDataDir();
    const layout = new DataLayout(dataDir);
    const trained = trainTwoVersions('breast-cancer');
    const store = new LocalStore(knex);
    const engine = await createTestEngine(knex, dataDir);
    engines.push(engine);
    for (const v of [1, 2] as const) {
      trained.write(v, layout.modelPackageDir(RES.modelPackageGroupName, v));
      await knex.transaction(trx =>
        store.insertVersion(
          testVersion(v, {
            modelPackageGroupName: RES.modelPackageGroupName,
            task: 'binary',
          }),
          trx,
        ),
      );
    }
    const events: MlopsEngineEvent[] = [];
    engine.subscribe(e => events.push(e));
    await engine.updateModelApproval(RES, 1, {
      status: 'Approved',
      comment: 'serve',
      actor: OWNER,
    });

    const started = await engine.startShadowTest(RES, {
      modelVersion: 2,
      samplePercent: 100,
      actor: OWNER,
    });
    expect(started).toMatchObject({
      status: 'Running',
      servingVersion: 1,
      candidateVersion: 2,
    });
    expect(events.filter(e => e.type === 'shadow-test')).toHaveLength(1);

    // The portal's path and the SageMaker-style HTTP path.
    const rows = trained.records.slice(0, 6);
    expect((await engine.predict(RES, rows)).modelVersion).toBe(1);
    const r = await fetch(
      `${engine.endpointUrl}/endpoints/${RES.endpointName}/invocations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: rows }),
      },
    );
    expect(r.status).toBe(200);
    expect(
      ((await r.json()) as { predictions: Prediction[] }).predictions,
    ).toHaveLength(6);

    const deadline = Date.now() + 20_000;
    let listed = await engine.listDeployments(RES);
    while (
      listed.shadowTest?.comparison.requests !== 2 &&
      Date.now() < deadline
    ) {
      await new Promise(res => setTimeout(res, 25));
      listed = await engine.listDeployments(RES);
    }
    expect(listed.endpoint?.modelVersion).toBe(1);
    expect(listed.shadowTest).toMatchObject({
      shadowTestId: started.shadowTestId,
      status: 'Running',
      comparison: { requests: 2, agreement: expect.any(Number) },
    });

    // Restart: closing saves the numbers; the new engine resumes the test.
    await engine.close();
    engines.splice(0);
    const again = await createTestEngine(knex, dataDir);
    engines.push(again);
    const resumed = (await again.listDeployments(RES)).shadowTest;
    expect(resumed).toMatchObject({
      shadowTestId: started.shadowTestId,
      status: 'Running',
    });
    expect(resumed!.comparison).toEqual(listed.shadowTest!.comparison);

    const stopped = await again.stopShadowTest(RES, { actor: OWNER });
    expect(stopped).toMatchObject({
      status: 'Stopped',
      comparison: { requests: 2 },
    });
    await expect(
      again.stopShadowTest(RES, { actor: OWNER }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await again.listDeployments(RES)).shadowTest?.status).toBe(
      'Stopped',
    );
  });
});
