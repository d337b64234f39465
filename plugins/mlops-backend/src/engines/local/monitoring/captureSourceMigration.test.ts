import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LOCAL_MIGRATIONS as migrations,
  migrateUpTo,
} from '../__testUtils__/migrations';
import { MonitoringStore } from './monitoringStore';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'upgrading captures to the source column on %p',
  databaseId => {
    it('keeps the captures written before it readable, with no source', async () => {
      const knex = await databases.init(databaseId);
      // The release before: migrations up to the monitoring tables only.
      await migrateUpTo(knex, '20261201000000_monitoring.js');
      await knex('mlops_local_capture_samples').insert({
        event_id: 'e-old',
        endpoint_name: 'ep',
        inference_time: 1_000,
        model_version: 3,
        sex: 'F',
        length: 0.5,
        diameter: 0.4,
        height: 0.1,
        whole_weight: 0.8,
        shucked_weight: 0.3,
        viscera_weight: 0.2,
        shell_weight: 0.25,
        prediction: 10.5,
      });

      await knex.migrate.latest(migrations);

      const store = new MonitoringStore(knex);
      const [old] = await store.samplesSince('ep', 0);
      expect(old).toEqual({
        eventId: 'e-old',
        endpointName: 'ep',
        inferenceTime: 1_000,
        modelVersion: 3,
        features: {
          sex: 'F',
          length: 0.5,
          diameter: 0.4,
          height: 0.1,
          wholeWeight: 0.8,
          shuckedWeight: 0.3,
          visceraWeight: 0.2,
          shellWeight: 0.25,
        },
        prediction: 10.5,
      });
      // New rows carry their source beside the old one.
      await store.addSamples([
        { ...old, eventId: 'e-new', inferenceTime: 2_000, source: 'public' },
      ]);
      const rows = await store.samplesSince('ep', 0);
      expect(rows.map(r => [r.eventId, r.source])).toEqual([
        ['e-old', undefined],
        ['e-new', 'public'],
      ]);
      await knex.destroy();
    });
  },
);
