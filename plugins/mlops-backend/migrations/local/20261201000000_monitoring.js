// @ts-check

/**
 * Endpoint monitoring (issue #13): per-minute traffic roll-ups and a capped
 * sample of captured inputs. Times are epoch integers so windows are plain
 * range scans on SQLite and PostgreSQL alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_local_traffic_minutes', table => {
    table.string('endpoint_name', 255).notNullable();
    // Minutes since the epoch (UTC).
    table.bigInteger('minute').notNullable();
    table.integer('model_version').notNullable();
    table.integer('invocations').notNullable();
    table.integer('errors4xx').notNullable();
    table.integer('errors5xx').notNullable();
    // JSON array of counts over the fixed log-scale latency buckets, so
    // percentiles can be merged across minutes.
    table.text('latency_histogram').notNullable();
    table.primary(
      ['endpoint_name', 'minute', 'model_version'],
      'mlops_local_traffic_minutes_pk',
    );
  });

  await knex.schema.createTable('mlops_local_capture_samples', table => {
    // Insertion order: the ring buffer keeps the newest rows per endpoint.
    table.increments('id').primary();
    table.string('event_id', 64).notNullable();
    table.string('endpoint_name', 255).notNullable();
    // Epoch milliseconds.
    table.bigInteger('inference_time').notNullable();
    table.integer('model_version');
    table.string('sex', 8);
    table.double('length');
    table.double('diameter');
    table.double('height');
    table.double('whole_weight');
    table.double('shucked_weight');
    table.double('viscera_weight');
    table.double('shell_weight');
    table.double('prediction');
    table.index(
      ['endpoint_name', 'inference_time'],
      'mlops_local_capture_samples_time_idx',
    );
    // The ring buffer trims by insertion order per endpoint.
    table.index(
      ['endpoint_name', 'id'],
      'mlops_local_capture_samples_ring_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_local_capture_samples');
  await knex.schema.dropTable('mlops_local_traffic_minutes');
};
