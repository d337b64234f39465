import { TestDatabases } from '@backstage/backend-test-utils';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import {
  type EngineContractSystem,
  runEngineContract,
} from '@mlops-portal/plugin-mlops-node/testUtils';
import fs from 'fs';
import path from 'path';
import { ABALONE_RECORD, demoSystem } from '../../__testUtils__/demoSystems';
import {
  GUEST,
  PENGUIN_RESOURCES,
  abaloneSubset,
  abaloneWithMseGate,
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

const abalone = demoSystem('abalone');
const penguins = demoSystem('penguins');
const penguinsText = fs.readFileSync(penguins.dataPath, 'utf8');
const penguinLines = penguinsText.trimEnd().split('\n');

/** The demo systems as the contract sees them: test data only. */
const SYSTEMS: Array<{
  system: EngineContractSystem;
  resources: MlopsResources;
  /** Training data (a subset where the whole set is slow to train). */
  data: () => string;
}> = [
  {
    // The contract is about behaviour, not model quality: subset + lenient gate.
    resources: abaloneWithMseGate(1000),
    data: () => abaloneSubset(),
    system: {
      name: 'abalone (regression)',
      task: 'regression',
      target: 'rings',
      metric: 'mse',
      records: [ABALONE_RECORD, { ...ABALONE_RECORD, sex: 'F', shellWeight: 0.3 }],
      display: abalone.spec.spec.prediction?.output,
      csv: {
        goodRow: 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15',
        badRow: 'F,0.53,abc,0.135,0.677,0.2565,0.1415,0.21,9',
        badColumn: 'diameter',
      },
    },
  },
  {
    resources: PENGUIN_RESOURCES,
    data: () => penguinsText,
    system: {
      name: 'penguins (multiclass, categorical, missing values)',
      task: 'multiclass',
      target: 'species',
      metric: 'accuracy',
      classes: penguins.spec.spec.dataset.classes,
      records: [
        {
          island: 'Biscoe',
          bill_length_mm: 46.5,
          bill_depth_mm: 15,
          flipper_length_mm: 215,
          body_mass_g: 5000,
          sex: 'MALE',
        },
        {
          island: 'Dream',
          bill_length_mm: 38,
          bill_depth_mm: 18,
          flipper_length_mm: 190,
          body_mass_g: 3600,
          sex: null,
        },
      ],
      csv: {
        header: penguinLines[0],
        goodRow: penguinLines[1],
        // the same row on an island the spec does not know
        badRow: penguinLines[1].replace('Torgersen', 'Atlantis'),
        badColumn: 'island',
      },
    },
  },
];

describe.each(databases.eachSupportedId())('on %p', databaseId => {
  describe.each(SYSTEMS)('$system.name', ({ system, resources, data }) => {
    runEngineContract(`local (${databaseId}, ${system.name})`, async () => {
      const knex = await databases.init(databaseId);
      const dataDir = tempDataDir();
      const engine = await createTestEngine(knex, dataDir);
      let n = 0;
      return {
        engine,
        resources,
        system,
        createPendingVersion: async () => {
          n += 1;
          const res = await engine.uploadDataset(resources, {
            fileName: `contract-${n}.csv`,
            content: Buffer.from(data()),
            actor: GUEST,
          });
          const done = await waitForExecution(
            engine,
            res.execution!.executionId,
            undefined,
            60_000,
            resources,
          );
          if (done.status !== 'Succeeded' || done.modelVersion === undefined) {
            throw new Error(`pipeline did not register: ${done.failureReason}`);
          }
          return done.modelVersion;
        },
        settle: () => engine.idle(),
        countStoredDatasets: async () =>
          countFiles(path.join(dataDir, 'bucket')),
        close: () => engine.close(),
      };
    });
  });
});
