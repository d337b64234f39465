import { TestDatabases } from '@backstage/backend-test-utils';
import {
  LOCAL_MIGRATIONS,
  migrateDownThrough,
  migrateUpTo,
} from '../__testUtils__/migrations';
import { MonitoringStore } from './monitoringStore';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const T = 'mlops_local_capture_samples';

/** A capture as the first release stored it: one column per Abalone feature. */
const oldRow = (i: number, overrides: Record<string, unknown> = {}) => ({
  event_id: `e-${i}`,
  endpoint_name: 'abalone-endpoint',
  inference_time: 1_000 + i,
  model_version: 3,
  sex: 'F',
  length: 0.5,
  diameter: 0.4,
  height: 0.1,
  whole_weight: 0.8125,
  shucked_weight: 0.3,
  viscera_weight: 0.2,
  shell_weight: 0.25,
  prediction: 10.5,
  source: null,
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'captures as JSON records (migration 20261208000000) on %p',
  databaseId => {
    it('copies per-feature captures into records, nothing lost; new rows of any system beside them; down restores', async () => {
      const knex = await databases.init(databaseId);
      // The release before: migrations up to the capture source column.
      await migrateUpTo(knex, '20261207000000_capture_source.js');
      await knex(T).insert([
        oldRow(1),
        // Missing cells stay missing; the source tag survives.
        oldRow(2, { sex: null, height: null, source: 'public' }),
        oldRow(3, { prediction: null, model_version: null }),
      ]);

      await knex.migrate.latest(LOCAL_MIGRATIONS);

      const columns = Object.keys(await knex(T).columnInfo());
      for (const gone of ['sex', 'length', 'whole_weight', 'shell_weight'])
        expect(columns).not.toContain(gone);
      expect(columns).toEqual(
        expect.arrayContaining([
          'record_json',
          'predicted_class',
          'probabilities_json',
        ]),
      );

      const store = new MonitoringStore(knex);
      const rows = await store.samplesSince('abalone-endpoint', 0);
      const features = {
        sex: 'F',
        length: 0.5,
        diameter: 0.4,
        height: 0.1,
        wholeWeight: 0.8125,
        shuckedWeight: 0.3,
        visceraWeight: 0.2,
        shellWeight: 0.25,
      };
      expect(rows).toEqual([
        {
          eventId: 'e-1',
          endpointName: 'abalone-endpoint',
          inferenceTime: 1_001,
          modelVersion: 3,
          features,
          prediction: 10.5,
        },
        {
          eventId: 'e-2',
          endpointName: 'abalone-endpoint',
          inferenceTime: 1_002,
          modelVersion: 3,
          features: { ...features, sex: null, height: null },
          prediction: 10.5,
          source: 'public',
        },
        {
          eventId: 'e-3',
          endpointName: 'abalone-endpoint',
          inferenceTime: 1_003,
          modelVersion: undefined,
          features,
        },
      ]);

      // A classifier's capture: its record, class and probabilities.
      const penguin = {
        island: 'Dream',
        bill_length_mm: 49.5,
        sex: null,
      };
      await store.addSamples([
        {
          eventId: 'e-new',
          endpointName: 'penguins-endpoint',
          inferenceTime: 2_000,
          modelVersion: 1,
          features: penguin,
          prediction: 'Chinstrap',
          probabilities: { Adelie: 0.1, Chinstrap: 0.8, Gentoo: 0.1 },
        },
      ]);
      expect(await store.samplesSince('penguins-endpoint', 0)).toEqual([
        {
          eventId: 'e-new',
          endpointName: 'penguins-endpoint',
          inferenceTime: 2_000,
          modelVersion: 1,
          features: penguin,
          prediction: 'Chinstrap',
          probabilities: { Adelie: 0.1, Chinstrap: 0.8, Gentoo: 0.1 },
        },
      ]);

      // Rolling back restores the old columns from the records.
      await migrateDownThrough(knex, '20261208000000_capture_records.js');
      const restored = await knex(T)
        .where('event_id', 'e-2')
        .first('sex', 'length', 'height', 'whole_weight', 'source');
      expect({
        ...restored,
        length: Number(restored.length),
        whole_weight: Number(restored.whole_weight),
      }).toEqual({
        sex: null,
        length: 0.5,
        height: null,
        whole_weight: 0.8125,
        source: 'public',
      });
      await knex.destroy();
    });
  },
);
