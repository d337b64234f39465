import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LOCAL_MIGRATIONS as migrations,
  migrateDownThrough,
  migrateUpTo,
} from '../__testUtils__/migrations';
import { LocalStore } from '../store';
import { RolloutStore } from './rolloutStore';
import { emptyCounters } from './rolloutAlarms';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'the rollouts migration on %p',
  databaseId => {
    it('keeps deployments written before it readable and stores rollouts', async () => {
      const knex = await databases.init(databaseId);
      // The release before: every migration up to the capture records.
      await migrateUpTo(knex, '20261208000000_capture_records.js');
      await knex('mlops_local_deployments').insert({
        deployment_id: 'd-old',
        endpoint_name: 'ep',
        group_name: 'G',
        model_version: 3,
        model_package_arn: 'arn:g/3',
        status: 'InService',
        deployed_at: '2026-12-01T00:00:00.000Z',
        deployed_by: 'user:default/a',
        reason: 'approval',
        current: true,
      });

      await knex.migrate.latest(migrations);

      const store = new LocalStore(knex);
      expect(await store.listDeployments('ep')).toEqual([
        {
          deploymentId: 'd-old',
          endpointName: 'ep',
          modelPackageGroupName: 'G',
          modelVersion: 3,
          modelPackageArn: 'arn:g/3',
          status: 'InService',
          deployedAt: '2026-12-01T00:00:00.000Z',
          deployedBy: 'user:default/a',
          reason: 'approval',
          current: true,
          rolloutId: undefined,
          rollbackReason: undefined,
        },
      ]);

      const rollouts = new RolloutStore(knex);
      const counters = emptyCounters();
      counters.step.invocations = 7;
      counters.step.predictions = [1, 6];
      const rec = {
        rolloutId: 'r1',
        endpointName: 'ep',
        groupName: 'G',
        resources: {
          entityRef: 'component:default/x',
          pipelineName: 'p',
          modelPackageGroupName: 'G',
          endpointName: 'ep',
        },
        fromVersion: 3,
        toVersion: 4,
        strategy: {
          trafficRouting: {
            type: 'CANARY' as const,
            waitIntervalInSeconds: 60,
            canarySize: { type: 'CAPACITY_PERCENT' as const, value: 10 },
          },
        },
        status: 'Paused' as const,
        step: 1,
        // Epoch ms beyond 32 bits: the column must hold it.
        stepStartedMs: 1_800_000_000_000,
        pausedElapsedMs: 12_345,
        startedAt: '2026-12-09T00:00:00.000Z',
        startedBy: 'user:default/a',
        updatedAt: '2026-12-09T00:00:01.000Z',
        alarms: [
          {
            name: 'errorRate' as const,
            threshold: 0.05,
            state: 'INSUFFICIENT_DATA' as const,
          },
        ],
        counters,
      };
      await rollouts.insert(rec);
      expect(await rollouts.allActive()).toEqual([
        { ...rec, endedAt: undefined, reason: undefined },
      ]);
      await rollouts.save({
        ...rec,
        status: 'RolledBack',
        reason: 'why',
        endedAt: 'x',
        pausedElapsedMs: undefined,
      });
      expect(await rollouts.allActive()).toEqual([]);
      expect(await rollouts.latest('ep')).toMatchObject({
        status: 'RolledBack',
        reason: 'why',
      });

      await migrateDownThrough(knex, '20261209000000_rollouts.js');
      expect(await knex.schema.hasTable('mlops_local_rollouts')).toBe(false);
      expect(
        await knex.schema.hasColumn('mlops_local_deployments', 'rollout_id'),
      ).toBe(false);
      await knex.destroy();
    });
  },
);
