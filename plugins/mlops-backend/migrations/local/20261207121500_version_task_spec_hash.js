// @ts-check

/**
 * Any ML system, not one: a version records its task (its signature is an
 * artifact next to model.json), and a run records the hash of the spec it
 * ran by. Versions and runs from before are Abalone regression runs: their
 * task becomes 'regression' and their flat { mse, … } metrics stay as they
 * are; they have no spec hash.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_local_model_versions', table => {
    table.string('task', 16);
  });
  await knex('mlops_local_model_versions')
    .whereNull('task')
    .update({ task: 'regression' });
  await knex.schema.alterTable('mlops_local_executions', table => {
    table.string('spec_hash', 64);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_local_executions', table => {
    table.dropColumn('spec_hash');
  });
  await knex.schema.alterTable('mlops_local_model_versions', table => {
    table.dropColumn('task');
  });
};
