import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LOCAL_MIGRATIONS as migrations,
  migrateUpTo,
} from './__testUtils__/migrations';
import { LocalStore } from './store';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const BEFORE = '20261207000000_capture_source.js';

describe.each(databases.eachSupportedId())(
  'upgrading versions and runs to tasks and spec hashes on %p',
  databaseId => {
    it('keeps versions and runs of the current release readable: task regression, flat metrics, no spec hash', async () => {
      const knex = await databases.init(databaseId);
      // The current release: every migration up to the capture source.
      await migrateUpTo(knex, BEFORE);
      const metrics = {
        mse: 4.2,
        rmse: 2.05,
        mae: 1.5,
        r2: 0.55,
        residualStd: 2,
      };
      await knex('mlops_local_model_versions').insert({
        group_name: 'AbaloneModelPackageGroup',
        version: 1,
        model_package_arn: 'arn:old/1',
        approval_status: 'Approved',
        created_at: '2026-12-01T10:00:00.000Z',
        execution_id: 'old-exec',
        metrics: JSON.stringify(metrics),
        hyperparameters: JSON.stringify({ MaxDepth: 5, MseThreshold: 6 }),
        artifacts: JSON.stringify([
          { name: 'model.json', uri: '/x/model.json' },
        ]),
        approval_history: JSON.stringify([]),
      });
      await knex('mlops_local_executions').insert({
        execution_id: 'old-exec',
        pipeline_name: 'abalone-pipeline',
        status: 'Succeeded',
        trigger_kind: 'upload',
        resources: JSON.stringify({
          entityRef: 'component:default/abalone-age-predictor',
          pipelineName: 'abalone-pipeline',
          modelPackageGroupName: 'AbaloneModelPackageGroup',
          endpointName: 'abalone-endpoint',
        }),
        parameters: JSON.stringify({ MaxDepth: 5, MseThreshold: 6 }),
        created_at: '2026-12-01T09:00:00.000Z',
        metrics: JSON.stringify(metrics),
        model_version: 1,
        steps: JSON.stringify([]),
      });

      await knex.migrate.latest(migrations);

      const store = new LocalStore(knex);
      const v = await store.getVersion('AbaloneModelPackageGroup', 1);
      expect(v).toMatchObject({
        version: 1,
        task: 'regression',
        metrics,
        approvalStatus: 'Approved',
      });
      const run = await store.getExecution('old-exec');
      expect(run).toMatchObject({
        status: 'Succeeded',
        metrics,
        modelVersion: 1,
      });
      expect(run!.specHash).toBeUndefined();

      // New rows carry their task and spec hash beside the old ones.
      await knex.transaction(trx =>
        store.insertVersion(
          {
            ...v!,
            version: 2,
            modelPackageArn: 'arn:new/2',
            executionId: 'new-exec',
            task: 'multiclass',
            metrics: { accuracy: 0.97, logloss: 0.1 },
          },
          trx,
        ),
      );
      await store.insertExecution({
        ...run!,
        seq: undefined,
        executionId: 'new-exec',
        specHash: 'a'.repeat(64),
      });
      expect(
        (await store.getVersion('AbaloneModelPackageGroup', 2))?.task,
      ).toBe('multiclass');
      expect((await store.getExecution('new-exec'))?.specHash).toBe(
        'a'.repeat(64),
      );
      expect(
        (await store.listExecutions('abalone-pipeline', 10)).map(e => [
          e.executionId,
          e.specHash,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['old-exec', undefined],
          ['new-exec', 'a'.repeat(64)],
        ]),
      );
      await knex.destroy();
    });
  },
);
