// @ts-check

/**
 * Which entity owns each ML resource name (first claim wins): a second entity
 * naming the same pipeline, model package group, endpoint, release pipeline
 * or data bucket is refused. Engine-independent, so it has its own
 * bookkeeping table (see resourceClaims.ts).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_resource_claims', table => {
    table.string('kind', 32).notNullable();
    table.string('name', 512).notNullable();
    table.string('entity_ref', 255).notNullable().index();
    table.string('claimed_at', 32).notNullable();
    table.primary(['kind', 'name']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_resource_claims');
};
