import { TestDatabases } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import { runEngineContract } from '@mlops-portal/plugin-mlops-node/testUtils';
import {
  GUEST,
  RESOURCES,
  abaloneSubset,
  createTestEngine,
  tempDataDir,
  waitForExecution,
} from './__testUtils__/localEngine';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

/** Files in the data bucket (uploads are stored under bucket/<pipeline>/<manifest>/). */
function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce(
      (n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1),
      0,
    );
}

describe.each(databases.eachSupportedId())('on %p', databaseId => {
  runEngineContract(`local (${databaseId})`, async () => {
    const knex = await databases.init(databaseId);
    const dataDir = tempDataDir();
    // The contract is about behaviour, not model quality: subset + lenient gate.
    const engine = await createTestEngine(knex, dataDir, {
      mseThreshold: 1000,
    });
    let n = 0;
    return {
      engine,
      resources: RESOURCES,
      createPendingVersion: async () => {
        n += 1;
        const res = await engine.uploadDataset(RESOURCES, {
          fileName: `contract-${n}.csv`,
          content: Buffer.from(abaloneSubset()),
          actor: GUEST,
        });
        const done = await waitForExecution(engine, res.execution!.executionId);
        if (done.status !== 'Succeeded' || done.modelVersion === undefined) {
          throw new Error(`pipeline did not register: ${done.failureReason}`);
        }
        return done.modelVersion;
      },
      settle: () => engine.idle(),
      countStoredDatasets: async () => countFiles(path.join(dataDir, 'bucket')),
      close: () => engine.close(),
    };
  });
});
