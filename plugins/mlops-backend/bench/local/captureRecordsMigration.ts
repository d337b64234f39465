/**
 * Times migration 20261208000000_capture_records (per-feature captures →
 * JSON records) on 100k captured rows, SQLite and PostgreSQL (prints
 * numbers; not a unit test).
 *
 *   cd plugins/mlops-backend && npx tsx bench/local/captureRecordsMigration.ts [--rows 100000]
 *
 * PostgreSQL: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (as the
 * tests; `eval "$(bash ../../scripts/start-test-postgres.sh)"`); a throwaway
 * database is created and dropped. Without it only SQLite runs.
 */
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';

const args = process.argv.slice(2);
const at = args.indexOf('--rows');
const ROWS = at >= 0 ? Number(args[at + 1]) : 100_000;
const T = 'mlops_local_capture_samples';
const migrations = {
  directory: path.resolve(__dirname, '../../migrations/local'),
  tableName: 'mlops_local_knex_migrations',
  loadExtensions: ['.js'],
};
const BEFORE = [
  '20261126000000_init.js',
  '20261201000000_monitoring.js',
  '20261207000000_capture_source.js',
];

async function bench(label: string, knex: Knex) {
  for (const name of BEFORE) await knex.migrate.up({ ...migrations, name });
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    event_id: `e-${i}`,
    endpoint_name: 'abalone-endpoint',
    inference_time: 1_000 + i,
    model_version: 1,
    sex: 'FIM'[i % 3],
    length: 0.3 + (i % 100) / 500,
    diameter: 0.25 + (i % 90) / 500,
    height: 0.1,
    whole_weight: 0.5 + (i % 70) / 100,
    shucked_weight: 0.2,
    viscera_weight: 0.1,
    shell_weight: 0.15,
    prediction: 9 + (i % 7),
  }));
  await knex.batchInsert(T, rows, 500);
  const start = process.hrtime.bigint();
  await knex.migrate.latest(migrations);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const [{ n }] = await knex(T).whereNotNull('record_json').count({ n: '*' });
  if (Number(n) !== ROWS)
    throw new Error(`${label}: ${n} of ${ROWS} rows copied`);
  const sample = await knex(T).orderBy('id').first('record_json');
  console.log(
    `${label}: migrated ${ROWS} captured rows in ${ms.toFixed(0)} ms (${(
      (ms * 1000) /
      ROWS
    ).toFixed(1)} µs/row); first record ${sample.record_json}`,
  );
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-migration-bench-'));
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  try {
    await bench('SQLite (file)', sqlite);
  } finally {
    await sqlite.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const url = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (!url) {
    console.log(
      'PostgreSQL: skipped (no BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING)',
    );
    return;
  }
  const database = `mlops_migration_bench_${process.pid}`;
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw(`CREATE DATABASE ${database}`);
  const pgUrl = new URL(url);
  pgUrl.pathname = `/${database}`;
  const pg = knexFactory({ client: 'pg', connection: pgUrl.toString() });
  try {
    await bench('PostgreSQL', pg);
  } finally {
    await pg.destroy();
    await admin.raw(`DROP DATABASE ${database}`);
    await admin.destroy();
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
