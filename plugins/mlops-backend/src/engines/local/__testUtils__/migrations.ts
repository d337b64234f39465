import fs from 'fs';
import type { Knex } from 'knex';
import path from 'path';

/** The local engine's migrations, as its store runs them. */
export const LOCAL_MIGRATIONS = {
  directory: path.resolve(__dirname, '../../../../migrations/local'),
  tableName: 'mlops_local_knex_migrations',
  loadExtensions: ['.js'],
};

const names = () =>
  fs
    .readdirSync(LOCAL_MIGRATIONS.directory)
    .filter(f => f.endsWith('.js'))
    .sort();

/**
 * Applies every local migration up to and including `name`, in order: the
 * database of a release before the migration under test. Later migrations
 * added after the test was written do not change what it starts from.
 */
export async function migrateUpTo(knex: Knex, name: string) {
  const all = names();
  if (!all.includes(name)) throw new Error(`no local migration ${name}`);
  for (const n of all.slice(0, all.indexOf(name) + 1))
    await knex.migrate.up({ ...LOCAL_MIGRATIONS, name: n });
}

/**
 * Undoes the applied migrations newest first, down to and including
 * `name`: rolling back the migration under test without assuming it is
 * the newest one.
 */
export async function migrateDownThrough(knex: Knex, name: string) {
  const all = names();
  if (!all.includes(name)) throw new Error(`no local migration ${name}`);
  for (const n of all.slice(all.indexOf(name)).reverse())
    await knex.migrate.down({ ...LOCAL_MIGRATIONS, name: n });
}
