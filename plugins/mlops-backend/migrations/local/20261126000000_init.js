// @ts-check

/**
 * Local engine state. JSON documents are stored as text so the same schema
 * works on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mlops_local_manifests', table => {
    table.increments('seq').primary();
    table.string('manifest_id', 64).notNullable().unique();
    table.string('pipeline_name', 255).notNullable().index();
    table.text('manifest').notNullable();
    table.string('created_at', 32).notNullable();
  });

  await knex.schema.createTable('mlops_local_executions', table => {
    // Insertion order: newest-first listing and pagination tokens.
    table.increments('seq').primary();
    table.string('execution_id', 64).notNullable().unique();
    table.string('pipeline_name', 255).notNullable();
    table.string('status', 16).notNullable();
    table.string('trigger_kind', 16).notNullable();
    table.string('triggered_by', 255);
    table.string('retry_of', 64);
    table.string('display_name', 255);
    table.string('client_request_token', 128);
    table.text('resources').notNullable();
    table.text('parameters').notNullable();
    table.text('data_manifest');
    table.string('created_at', 32).notNullable();
    table.string('start_time', 32);
    table.string('end_time', 32);
    table.text('failure_reason');
    table.string('current_step', 64);
    table.text('metrics');
    table.integer('model_version');
    table.text('release');
    table.text('steps').notNullable();
    table.index(
      ['pipeline_name', 'seq'],
      'mlops_local_executions_pipeline_idx',
    );
    table.index(['status'], 'mlops_local_executions_status_idx');
    table.unique(['pipeline_name', 'client_request_token'], {
      indexName: 'mlops_local_executions_token_uq',
    });
  });

  await knex.schema.createTable('mlops_local_model_versions', table => {
    table.increments('id').primary();
    table.string('group_name', 255).notNullable();
    table.integer('version').notNullable();
    table.string('model_package_arn', 512).notNullable();
    table.string('approval_status', 32).notNullable();
    table.text('approval_description');
    table.string('created_at', 32).notNullable();
    table.string('created_by', 255);
    // Unique: one execution registers at most one version, even if the
    // Register step is replayed.
    table.string('execution_id', 64).unique();
    table.text('metrics');
    table.text('hyperparameters');
    table.text('data_manifest');
    table.text('artifacts');
    table.text('approval_history').notNullable();
    table.unique(['group_name', 'version'], {
      indexName: 'mlops_local_model_versions_group_version_uq',
    });
  });

  await knex.schema.createTable('mlops_local_deployments', table => {
    table.increments('id').primary();
    table.string('deployment_id', 64).notNullable().unique();
    table.string('endpoint_name', 255).notNullable();
    table.string('group_name', 255).notNullable();
    table.integer('model_version').notNullable();
    table.string('model_package_arn', 512).notNullable();
    table.string('status', 32).notNullable();
    table.string('deployed_at', 32).notNullable();
    table.string('deployed_by', 255);
    table.string('reason', 255);
    table.boolean('current').notNullable().defaultTo(false);
    table.index(
      ['endpoint_name', 'id'],
      'mlops_local_deployments_endpoint_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mlops_local_deployments');
  await knex.schema.dropTable('mlops_local_model_versions');
  await knex.schema.dropTable('mlops_local_executions');
  await knex.schema.dropTable('mlops_local_manifests');
};
