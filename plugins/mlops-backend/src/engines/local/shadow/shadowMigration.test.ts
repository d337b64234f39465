import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LOCAL_MIGRATIONS as migrations,
  migrateUpTo,
} from '../__testUtils__/migrations';
import { LocalStore } from '../store';
import { ShadowStore, ShadowTestRecord } from './shadowStore';
import { emptyStats } from './shadowStats';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const NAME = '20261209000100_shadow_tests.js';

const test = (
  id: string,
  over: Partial<ShadowTestRecord> = {},
): ShadowTestRecord => ({
  shadowTestId: id,
  endpointName: 'ep',
  modelPackageGroupName: 'G',
  servingVersion: 1,
  candidateVersion: 2,
  status: 'Running',
  samplePercent: 25,
  resources: {
    entityRef: 'component:default/x',
    pipelineName: 'p',
    modelPackageGroupName: 'G',
    endpointName: 'ep',
  },
  startedAt: '2026-12-09T10:00:00.000Z',
  startedBy: 'user:default/owner',
  stats: emptyStats(),
  ...over,
});

describe.each(databases.eachSupportedId())(
  'the shadow test table on %p',
  databaseId => {
    it('is added beside existing deployments, allows one running test per endpoint, and rolls back', async () => {
      const knex = await databases.init(databaseId);
      await migrateUpTo(knex, '20261209000000_rollouts.js');
      await knex('mlops_local_deployments').insert({
        deployment_id: 'd1',
        endpoint_name: 'ep',
        group_name: 'G',
        model_version: 1,
        model_package_arn: 'arn:1',
        status: 'InService',
        deployed_at: '2026-12-08T10:00:00.000Z',
        current: true,
      });

      await knex.migrate.up({ ...migrations, name: NAME });
      const deployments = await new LocalStore(knex).listDeployments('ep');
      expect(deployments).toEqual([
        expect.objectContaining({
          deploymentId: 'd1',
          modelVersion: 1,
          current: true,
        }),
      ]);

      const store = new ShadowStore(knex);
      const stats = { ...emptyStats(), requests: 7, rows: 70, agreeRows: 63 };
      await store.insert(test('t1', { stats }));
      await expect(store.insert(test('t2'))).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('already runs on endpoint ep'),
      });
      // Another endpoint runs its own.
      await store.insert(test('t3', { endpointName: 'other' }));
      expect((await store.running()).map(r => r.shadowTestId)).toEqual([
        't1',
        't3',
      ]);
      expect(await store.latest('ep')).toMatchObject({
        shadowTestId: 't1',
        stats,
      });

      const ended = {
        ...(await store.latest('ep'))!,
        status: 'Stopped' as const,
        endedAt: '2026-12-09T11:00:00.000Z',
        reason: 'why',
      };
      await store.end(ended);
      // Ended: a new one may run; the latest is the running one, then the newest.
      await store.insert(test('t4'));
      expect((await store.latest('ep'))?.shadowTestId).toBe('t4');
      await store.end({
        ...(await store.latest('ep'))!,
        status: 'Promoted',
        endedAt: '2026-12-09T12:00:00.000Z',
      });
      expect(await store.latest('ep')).toMatchObject({
        shadowTestId: 't4',
        status: 'Promoted',
      });
      expect((await store.running()).map(r => r.shadowTestId)).toEqual(['t3']);

      // A stats cell that is not JSON reads as zeros rather than breaking the API.
      await knex('mlops_local_shadow_tests')
        .where({ shadow_test_id: 't3' })
        .update({ stats: 'garbage' });
      expect((await store.latest('other'))?.stats.requests).toBe(0);

      await knex.migrate.down({ ...migrations, name: NAME });
      expect(await knex.schema.hasTable('mlops_local_shadow_tests')).toBe(
        false,
      );
      expect(await new LocalStore(knex).listDeployments('ep')).toHaveLength(1);
      await knex.destroy();
    });
  },
);
