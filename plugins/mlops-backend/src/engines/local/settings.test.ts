import { ConfigReader } from '@backstage/config';
import path from 'path';
import { readLocalSettings } from './settings';

const read = (mlops: object) => readLocalSettings(new ConfigReader({ mlops }));

describe('readLocalSettings', () => {
  it('fills defaults from an empty config', () => {
    expect(read({})).toEqual({
      dataDir: path.resolve('.mlops-data'),
      mseThreshold: 6,
      seed: undefined,
      endpoint: { host: '127.0.0.1', port: 7070 },
      bucketWatch: { stableMs: 1000 },
    });
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

  it('reads the seed with default resource names and a disabled endpoint', () => {
    const s = read({
      qualityGate: { mseThreshold: 4.5 },
      local: {
        dataDir: '/tmp/x',
        seed: { source: '/data/abalone.data', entityRef: 'component:a' },
        endpoint: { enabled: false },
      },
    });
    expect(s.mseThreshold).toBe(4.5);
    expect(s.dataDir).toBe('/tmp/x');
    expect(s.endpoint).toBeUndefined();
    expect(s.seed).toEqual({
      source: '/data/abalone.data',
      resources: {
        entityRef: 'component:a',
        pipelineName: 'abalone-pipeline',
        modelPackageGroupName: 'AbaloneModelPackageGroup',
        endpointName: 'abalone-endpoint',
        releasePipelineName: undefined,
      },
    });
  });

  it('refuses values it cannot run with, naming the config key', () => {
    expect(() => read({ local: { endpoint: { port: 70000 } } })).toThrow(
      /mlops\.local\.endpoint\.port must be an integer 0-65535, got 70000/,
    );
    expect(() => read({ local: { endpoint: { port: 1.5 } } })).toThrow(
      /mlops\.local\.endpoint\.port/,
    );
    expect(() => read({ qualityGate: { mseThreshold: -1 } })).toThrow(
      /mlops\.qualityGate\.mseThreshold must be a positive number/,
    );
    expect(() => read({ local: { dataDir: ' ' } })).toThrow(
      /mlops\.local\.dataDir/,
    );
    expect(() => read({ local: { seed: { source: '' } } })).toThrow(
      /mlops\.local\.seed\.source/,
    );
    // Wrong types: Config's own error names the key.
    expect(() => read({ local: { endpoint: { port: 'high' } } })).toThrow(
      /mlops\.local\.endpoint\.port/,
    );
  });
});
