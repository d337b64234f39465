// @ts-check

/**
 * Captures for any ML system (issue 21): a captured request row is stored as
 * its record (JSON keyed by the signature's input names) instead of one
 * column per feature of the first data set, and a classifier's answer as its
 * class and per-class probabilities.
 *
 * Rows captured before this migration hold the first release's per-feature
 * columns; they are copied into the JSON form, keyed by the names those
 * records had in the API (so the same system's drift keeps reading them),
 * in one UPDATE per database, then the old columns are dropped. `down`
 * restores the columns from the JSON.
 */

const TABLE = 'mlops_local_capture_samples';

/** Old column → the record key it held (the first API's field names). */
const OLD_COLUMNS = [
  ['sex', 'sex'],
  ['length', 'length'],
  ['diameter', 'diameter'],
  ['height', 'height'],
  ['whole_weight', 'wholeWeight'],
  ['shucked_weight', 'shuckedWeight'],
  ['viscera_weight', 'visceraWeight'],
  ['shell_weight', 'shellWeight'],
];

/** @param {import('knex').Knex} knex */
const isPostgres = knex => knex.client.dialect === 'postgresql';

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable(TABLE, table => {
    // The request row as JSON (bounded by the capture code: 16 KiB).
    table.text('record_json');
    // Classifiers: the predicted class label (regressions use `prediction`).
    table.text('predicted_class');
    // Classifiers: {label: probability} as JSON.
    table.text('probabilities_json');
  });
  const pairs = OLD_COLUMNS.map(([column, key]) => `'${key}', ${column}`).join(
    ', ',
  );
  const build = isPostgres(knex)
    ? `json_build_object(${pairs})::text`
    : `json_object(${pairs})`;
  await knex.raw(
    `UPDATE ${TABLE} SET record_json = ${build} WHERE record_json IS NULL`,
  );
  await knex.schema.alterTable(TABLE, table => {
    for (const [column] of OLD_COLUMNS) table.dropColumn(column);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable(TABLE, table => {
    table.string('sex', 8);
    for (const [column] of OLD_COLUMNS.slice(1)) table.double(column);
  });
  const sets = OLD_COLUMNS.map(([column, key]) => {
    if (isPostgres(knex)) {
      const text = `(record_json::json ->> '${key}')`;
      return column === 'sex'
        ? `${column} = left(${text}, 8)`
        : `${column} = ${text}::double precision`;
    }
    return `${column} = json_extract(record_json, '$.${key}')`;
  }).join(', ');
  // Rows of other systems have none of these keys: they come back empty.
  await knex.raw(`UPDATE ${TABLE} SET ${sets} WHERE record_json IS NOT NULL`);
  await knex.schema.alterTable(TABLE, table => {
    table.dropColumn('record_json');
    table.dropColumn('predicted_class');
    table.dropColumn('probabilities_json');
  });
};
