import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { MlopsResources } from '@mlops-portal/plugin-mlops-common';
import { ResourceClaims, readConfiguredBindings } from './resourceClaims';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const owners: MlopsResources = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  dataBucketUri: 's3://data/abalone',
};
const twin: MlopsResources = { ...owners, entityRef: 'component:default/twin' };

describe.each(databases.eachSupportedId())('ResourceClaims on %p', id => {
  it('first claim wins, survives a restart, and a racing twin loses', async () => {
    const knex = await databases.init(id);
    const refused: string[] = [];
    const claims = await ResourceClaims.create({
      database: knex,
      onRefused: r => refused.push(`${r.kind}:${r.holder}`),
    });
    // Both at once: exactly one wins every name.
    const results = await Promise.allSettled([
      claims.bind(owners),
      claims.bind(twin),
    ]);
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    const winner =
      results[0].status === 'fulfilled' ? owners.entityRef : twin.entityRef;
    // A fresh instance (another replica, a restart) reads the same holder.
    const again = await ResourceClaims.create({ database: knex });
    expect(await again.holderOf('pipeline', 'abalone-pipeline')).toBe(winner);
    expect(await again.holderOf('data-bucket', 's3://data/abalone/')).toBe(
      winner,
    );
    const loser = winner === owners.entityRef ? twin : owners;
    await expect(again.bind(loser)).rejects.toThrow(/another catalog entity/);
    await expect(
      again.bind({ ...loser, pipelineName: 'other', endpointName: 'other' }),
    ).rejects.toThrow(/model-package-group AbaloneModelPackageGroup/);
    expect(refused.length).toBeGreaterThan(0);
    // An entity with names of its own is fine.
    await expect(
      again.bind({
        entityRef: 'component:default/penguins',
        pipelineName: 'penguins-pipeline',
        modelPackageGroupName: 'Penguins',
        endpointName: 'penguins-endpoint',
      }),
    ).resolves.toBeUndefined();
  });

  it('names bound in config belong to their entity even if a twin comes first', async () => {
    const knex = await databases.init(id);
    const bindings = readConfiguredBindings(
      new ConfigReader({
        mlops: {
          resourceBindings: [
            {
              entityRef: 'Component:default/abalone-age-predictor',
              pipeline: 'abalone-pipeline',
              modelPackageGroup: 'AbaloneModelPackageGroup',
              endpoint: 'abalone-endpoint',
              dataBucket: 's3://data/abalone/',
            },
          ],
        },
      }),
    );
    const claims = await ResourceClaims.create({ database: knex, bindings });
    await expect(claims.bind(twin)).rejects.toThrow(
      /pipeline abalone-pipeline, model-package-group AbaloneModelPackageGroup, endpoint abalone-endpoint, data-bucket s3:\/\/data\/abalone\//,
    );
    await expect(claims.bind(owners)).resolves.toBeUndefined();
  });

  it('all or nothing: a twin refused one name keeps none of the others', async () => {
    const knex = await databases.init(id);
    const claims = await ResourceClaims.create({ database: knex });
    await claims.bind({
      entityRef: 'component:default/abalone-age-predictor',
      pipelineName: 'p',
      modelPackageGroupName: 'g',
      endpointName: 'e',
    });
    // The twin names the owners' endpoint and a new release pipeline.
    await expect(
      claims.bind({
        ...twin,
        pipelineName: 'p2',
        modelPackageGroupName: 'g2',
        endpointName: 'e',
        releasePipelineName: 'r2',
      }),
    ).rejects.toThrow(/endpoint e/);
    const fresh = await ResourceClaims.create({ database: knex });
    expect(await fresh.holderOf('pipeline', 'p2')).toBeUndefined();
    expect(await fresh.holderOf('release-pipeline', 'r2')).toBeUndefined();
  });
});
