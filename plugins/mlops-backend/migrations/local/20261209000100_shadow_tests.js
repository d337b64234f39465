// @ts-check

/**
 * Shadow tests (issue 26): a candidate version receiving a copy of an
 * endpoint's live requests. One row per test; its comparison aggregates
 * (bounded: counters and fixed latency histograms) are written as JSON
 * periodically and when it ends, so a restart keeps the numbers.
 *
 * `active_endpoint` holds the endpoint name while the test runs and is
 * null after: its unique index allows one running test per endpoint even
 * with several backends on one database (NULLs never collide on SQLite or
 * PostgreSQL).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_local_shadow_tests', table => {
    table.increments('seq');
    table.string('shadow_test_id', 64).notNullable().unique();
    table.string('endpoint_name', 255).notNullable().index();
    table.string('active_endpoint', 255).nullable().unique();
    table.string('group_name', 255).notNullable();
    table.integer('serving_version').notNullable();
    table.integer('candidate_version').notNullable();
    table.string('status', 16).notNullable();
    table.integer('sample_percent').notNullable();
    // The entity's resources as the start call carried them (events after a restart).
    table.text('resources').notNullable();
    table.string('started_at', 32).notNullable();
    table.string('started_by', 255);
    table.string('ended_at', 32);
    table.text('reason');
    table.text('stats');
    table.string('updated_at', 32).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_local_shadow_tests');
};
