// @ts-check

/**
 * Canary and linear rollouts (issue 26): one row per rollout with everything
 * a restarted backend needs to resume it or roll it back (strategy, the two
 * versions, the step and when it started, the counters its alarms judge),
 * and on deployment rows the rollout that produced them and, for a rollback,
 * why. Existing deployment rows keep both columns empty.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_local_rollouts', table => {
    table.increments('id').primary();
    table.string('rollout_id', 64).notNullable().unique();
    table.string('endpoint_name', 255).notNullable();
    table.string('group_name', 255).notNullable();
    // The entity's resources as the approval carried them (events after a restart).
    table.text('resources').notNullable();
    table.integer('from_version');
    table.integer('to_version').notNullable();
    table.text('strategy').notNullable();
    table.string('status', 32).notNullable();
    table.integer('step').notNullable();
    // Epoch ms the current step's clock started; paused rollouts keep the
    // elapsed part in paused_elapsed_ms instead (the clock is frozen).
    table.bigInteger('step_started_ms').notNullable();
    table.bigInteger('paused_elapsed_ms');
    table.string('started_at', 32).notNullable();
    table.string('started_by', 255);
    table.string('updated_at', 32).notNullable();
    table.string('ended_at', 32);
    table.text('reason');
    table.text('alarms');
    // Per-step window and whole-rollout variant counters (JSON).
    table.text('counters');
    table.index(['endpoint_name', 'id'], 'mlops_local_rollouts_endpoint_idx');
  });
  await knex.schema.alterTable('mlops_local_deployments', table => {
    table.string('rollout_id', 64);
    table.text('rollback_reason');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_local_deployments', table => {
    table.dropColumn('rollout_id');
    table.dropColumn('rollback_reason');
  });
  await knex.schema.dropTable('mlops_local_rollouts');
};
