import { ConfigReader } from '@backstage/config';
import os from 'os';
import path from 'path';
import { readLocalSettings } from './settings';

const read = (mlops: object) => readLocalSettings(new ConfigReader({ mlops }));

const penguins = {
  spec: '../../packages/demo-systems/penguins/ml-system.yaml',
  data: '../../packages/demo-systems/penguins/penguins.csv',
  entityRef: 'component:default/penguin-species-classifier',
  pipelineName: 'penguins-pipeline',
  modelPackageGroupName: 'PenguinsModelPackageGroup',
  endpointName: 'penguins-endpoint',
  releasePipelineName: 'penguins-release',
  deploy: true,
};

describe('readLocalSettings', () => {
  it('fills defaults from an empty config', () => {
    expect(read({})).toEqual({
      dataDir: path.resolve('.mlops-data'),
      seeds: [],
      allowPreApproval: false,
      endpoint: { host: '127.0.0.1', port: 7070 },
      bucketWatch: { stableMs: 1000 },
      trainingThreads: Math.min(os.availableParallelism(), 64),
    });
  });

  it('reads the training threads and names a bad value', () => {
    expect(read({ local: { training: { threads: 3 } } }).trainingThreads).toBe(
      3,
    );
    for (const threads of [0, 1.5, 65])
      expect(() => read({ local: { training: { threads } } })).toThrow(
        `mlops.local.training.threads must be an integer 1-64, got ${threads}`,
      );
  });

  it('reads the bucket watcher settings and names a bad stableMs', () => {
    expect(
      read({ local: { bucketWatch: { enabled: false } } }).bucketWatch,
    ).toBeUndefined();
    expect(
      read({ local: { bucketWatch: { stableMs: 200 } } }).bucketWatch,
    ).toEqual({ stableMs: 200 });
    expect(() => read({ local: { bucketWatch: { stableMs: 5 } } })).toThrow(
      'mlops.local.bucketWatch.stableMs must be an integer 50-600000',
    );
  });

  it('reads a list of seeds, each with its spec, data, resources and deploy flag', () => {
    const s = read({
      approval: { preApprove: true },
      local: {
        dataDir: '/tmp/x',
        seeds: [
          penguins,
          {
            ...penguins,
            spec: 'b/ml-system.yaml',
            data: 'b/data.csv',
            entityRef: 'component:default/b',
            pipelineName: 'b-pipeline',
            modelPackageGroupName: 'BModelPackageGroup',
            endpointName: 'b-endpoint',
            releasePipelineName: undefined,
            deploy: undefined,
          },
        ],
        endpoint: { enabled: false },
      },
    });
    expect(s.dataDir).toBe('/tmp/x');
    expect(s.endpoint).toBeUndefined();
    expect(s.allowPreApproval).toBe(true);
    expect(s.seeds).toEqual([
      {
        spec: penguins.spec,
        source: penguins.data,
        deploy: true,
        resources: {
          entityRef: 'component:default/penguin-species-classifier',
          pipelineName: 'penguins-pipeline',
          modelPackageGroupName: 'PenguinsModelPackageGroup',
          endpointName: 'penguins-endpoint',
          releasePipelineName: 'penguins-release',
        },
      },
      {
        spec: 'b/ml-system.yaml',
        source: 'b/data.csv',
        deploy: false,
        resources: {
          entityRef: 'component:default/b',
          pipelineName: 'b-pipeline',
          modelPackageGroupName: 'BModelPackageGroup',
          endpointName: 'b-endpoint',
          releasePipelineName: undefined,
        },
      },
    ]);
  });

  it('refuses a seed missing a field, a bad name, or resources two seeds share, naming the key', () => {
    const { spec, ...noSpec } = penguins;
    expect(() => read({ local: { seeds: [noSpec] } })).toThrow(
      /mlops\.local\.seeds\[0\]\.spec/,
    );
    expect(() =>
      read({ local: { seeds: [{ ...penguins, endpointName: 'a b' }] } }),
    ).toThrow(
      /mlops\.local\.seeds\[0\]\.endpointName must be 1-63 letters, digits or hyphens/,
    );
    expect(() =>
      read({
        local: {
          seeds: [penguins, { ...penguins, pipelineName: 'other-pipeline' }],
        },
      }),
    ).toThrow(
      /mlops\.local\.seeds\[1\]\.modelPackageGroupName must differ from mlops\.local\.seeds\[0\]\.modelPackageGroupName/,
    );
    expect(() =>
      read({ local: { seeds: [{ ...penguins, data: ' ' }] } }),
    ).toThrow(/mlops\.local\.seeds\[0\]\.data must not be empty/);
  });

  it('refuses the old single seed with a message naming its replacement', () => {
    expect(() =>
      read({ local: { seed: { source: '/data/abalone.data' } } }),
    ).toThrow(/mlops\.local\.seed was replaced by mlops\.local\.seeds/);
  });

  it('refuses values it cannot run with, naming the config key', () => {
    expect(() => read({ local: { endpoint: { port: 70000 } } })).toThrow(
      /mlops\.local\.endpoint\.port must be an integer 0-65535, got 70000/,
    );
    expect(() => read({ local: { endpoint: { port: 1.5 } } })).toThrow(
      /mlops\.local\.endpoint\.port/,
    );
    expect(() => read({ local: { dataDir: ' ' } })).toThrow(
      /mlops\.local\.dataDir/,
    );
    // Wrong types: Config's own error names the key.
    expect(() => read({ local: { endpoint: { port: 'high' } } })).toThrow(
      /mlops\.local\.endpoint\.port/,
    );
  });
});
