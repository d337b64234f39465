// @ts-check

/**
 * Who sent a captured prediction: null for signed-in users and services,
 * 'public' for anonymous callers of the public predict route, so monitoring
 * can tell (and drift can leave out) traffic nobody vouches for.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mlops_local_capture_samples', table => {
    table.string('source', 16);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mlops_local_capture_samples', table => {
    table.dropColumn('source');
  });
};
