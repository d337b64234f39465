// @ts-check

/**
 * The closed loop's state per ML system (entity): when its retraining cron
 * fires next, how many consecutive monitoring windows drifted, and when the
 * last drift-triggered run started (the cooldown). Every change is a
 * compare-and-set on these columns, so backends sharing the database never
 * both start a run for the same reason. Engine-independent, so it has its
 * own bookkeeping table (see service/retraining.ts).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_retraining_state', table => {
    table.string('entity_ref', 255).primary();
    // The cron expression `schedule_next_at` was computed from; a changed
    // expression recomputes it without starting a run.
    table.string('schedule_cron', 120).nullable();
    // Epoch milliseconds (bigint): compared exactly in the compare-and-set.
    table.bigInteger('schedule_next_at').nullable();
    // Index of the last judged drift window (epoch ms / window length).
    table.string('drift_window', 8).nullable();
    table.bigInteger('drift_checked_index').nullable();
    table.integer('drift_streak').notNullable().defaultTo(0);
    table.bigInteger('drift_last_run_at').nullable();
    table.string('updated_at', 32).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_retraining_state');
};
