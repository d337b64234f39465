import { ConfigReader } from '@backstage/config';
import { seedBindings } from './resourceClaims';

describe('seedBindings', () => {
  it("binds every seed's resource names to its entity (the seeds list and the older single seed)", () => {
    const config = new ConfigReader({
      mlops: {
        local: {
          seeds: [
            {
              entityRef: 'Component:default/penguin-species-classifier',
              pipelineName: 'penguins-pipeline',
              modelPackageGroupName: 'PenguinsModelPackageGroup',
              endpointName: 'penguins-endpoint',
              releasePipelineName: 'penguins-release',
            },
            // No entity: nothing to bind.
            { pipelineName: 'orphan-pipeline' },
          ],
          seed: {
            entityRef: 'component:default/old-seed',
            endpointName: 'old-endpoint',
          },
        },
      },
    });
    const penguins = 'component:default/penguin-species-classifier';
    expect(seedBindings(config)).toEqual([
      { kind: 'pipeline', name: 'penguins-pipeline', entityRef: penguins },
      {
        kind: 'model-package-group',
        name: 'PenguinsModelPackageGroup',
        entityRef: penguins,
      },
      { kind: 'endpoint', name: 'penguins-endpoint', entityRef: penguins },
      {
        kind: 'release-pipeline',
        name: 'penguins-release',
        entityRef: penguins,
      },
      {
        kind: 'endpoint',
        name: 'old-endpoint',
        entityRef: 'component:default/old-seed',
      },
    ]);
    expect(seedBindings(new ConfigReader({}))).toEqual([]);
  });
});
