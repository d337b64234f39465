/**
 * API benchmark: list routes with 10,000 runs and 10,000 model versions
 * (prints numbers; not a unit test). Target: p95 ≤ 50 ms per route.
 *
 *   npm run bench:api -- [--rows 10000] [--requests 300] [--concurrency 1,4] [--db sqlite|postgres]
 *
 * The mlops plugin runs in a Backstage test backend (real express stack,
 * router, catalog lookup, permission and audit services; mock auth tokens so no
 * auth backend is needed) over the REAL local engine, whose tables are seeded
 * through the engine's own store. Requests are real HTTP over 127.0.0.1 with
 * Node's fetch; each latency is measured around one request. "cpu ms/req" is
 * this process's CPU time (server + client) per request: on a busy shared
 * machine wall-clock percentiles mostly measure the wait for a core, while the
 * CPU time is what a request costs, and bounds its latency on an idle core. For scale, the
 * same engine calls are also timed in-process (no HTTP, router or auth).
 * `--db postgres` uses BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * (start one with `bash scripts/start-test-postgres.sh`) and a fresh database.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { createLocalEngine } from '../../src/engines/local';
import {
  LocalStore,
  type ExecutionRecord,
  type VersionRecord,
} from '../../src/engines/local/store';
import { ConfigReader } from '@backstage/config';
import { startBenchBackend } from '../benchBackend';
import { GUEST } from '../../src/__testUtils__/fixtures';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const REQUESTS = Number(arg('requests', '300'));
const CONCURRENCY = arg('concurrency', '1,4').split(',').map(Number);
const DB = arg('db', 'sqlite');
const ROWS = Number(arg('rows', '10000'));
const TARGET_P95_MS = 50;

const RESOURCES = {
  entityRef: 'component:default/abalone-age-predictor',
  pipelineName: 'abalone-pipeline',
  modelPackageGroupName: 'AbaloneModelPackageGroup',
  endpointName: 'abalone-endpoint',
  releasePipelineName: 'abalone-release',
};

async function openDatabase(): Promise<{
  knex: Knex;
  drop: () => Promise<void>;
}> {
  if (DB === 'postgres') {
    const url =
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
    if (!url)
      throw new Error(
        'set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (bash scripts/start-test-postgres.sh)',
      );
    const name = `mlops_bench_${Date.now()}`;
    const admin = knexFactory({ client: 'pg', connection: url });
    await admin.raw(`CREATE DATABASE ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const knex = knexFactory({
      client: 'pg',
      connection: u.toString(),
      pool: { min: 0, max: 10 },
    });
    return {
      knex,
      drop: async () => {
        await knex.destroy();
        await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
        await admin.destroy();
      },
    };
  }
  // The app's default: better-sqlite3 in memory.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  return { knex, drop: () => knex.destroy() };
}

const STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;

/** ROWS finished runs and ROWS versions shaped like the engine writes them, bulk-inserted. */
async function seed(knex: Knex) {
  const store = await LocalStore.create(knex);
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const iso = (i: number, s = 0) =>
    new Date(t0 + i * 3_600_000 + s * 1000).toISOString();
  const manifest = (i: number) => ({
    manifestId: `manifest-${i}`,
    uri: `/data/.mlops-data/manifests/manifest-${i}.json`,
    files: [
      {
        key: `abalone-${i}.csv`,
        size: 191_873,
        sha256: 'a'.repeat(64),
        rowCount: 4177,
      },
    ],
    rowCount: 4177,
    createdAt: iso(i),
    createdBy: GUEST,
  });
  const metrics = (i: number) => ({
    mse: 4.5 + (i % 10) / 10,
    rmse: 2.2,
    mae: 1.6,
    r2: 0.55,
    residualStd: 2.1,
  });
  const stepNames = ['Preprocess', 'Train', 'Evaluate', 'CheckMSE', 'Register'];
  const executions = Array.from(
    { length: ROWS },
    (_, i): ExecutionRecord => ({
      executionId: `exec-${String(i).padStart(5, '0')}`,
      pipelineName: RESOURCES.pipelineName,
      status: i % 7 === 0 ? 'Failed' : 'Succeeded',
      trigger: i % 3 === 0 ? 'manual' : 'upload',
      triggeredBy: GUEST,
      parameters: {
        MseThreshold: 6,
        MaxDepth: 5,
        Eta: 0.2,
        NumRound: 50,
        Seed: i,
      },
      dataManifest: manifest(i),
      createdAt: iso(i),
      startTime: iso(i, 1),
      endTime: iso(i, 30),
      failureReason:
        i % 7 === 0 ? 'CheckMSE: test MSE above the threshold' : undefined,
      metrics: metrics(i),
      modelVersion: i % 7 === 0 ? undefined : i + 1,
      resources: RESOURCES,
      release: ['Source', 'Validate', 'MLPipeline', 'Approval', 'Deploy'].map(
        name => ({
          name,
          status: 'Succeeded' as const,
          startTime: iso(i, 1),
          endTime: iso(i, 30),
        }),
      ),
      steps: stepNames.map((name, k) => ({
        name,
        type: 'Processing',
        dependsOn: k ? [stepNames[k - 1]] : [],
        status: 'Succeeded' as const,
        startTime: iso(i, k * 5),
        endTime: iso(i, k * 5 + 4),
        logs: Array.from({ length: 20 }, (_unused, n) => ({
          time: iso(i, k * 5),
          level: 'info' as const,
          message: `round ${n} rmse 2.3`,
        })),
      })),
    }),
  );
  const versions = Array.from({ length: ROWS }, (_, k): VersionRecord => {
    const v = k + 1;
    return {
      modelPackageGroupName: RESOURCES.modelPackageGroupName,
      version: v,
      modelPackageArn: `local:model-package/${RESOURCES.modelPackageGroupName}/${v}`,
      approvalStatus: STATUSES[v % 3],
      createdAt: iso(v, 40),
      createdBy: 'pipeline',
      executionId: `exec-v-${v}`,
      metrics: metrics(v),
      hyperparameters: {
        MaxDepth: 5,
        Eta: 0.2,
        Gamma: 4,
        MinChildWeight: 6,
        Subsample: 0.7,
        NumRound: 50,
      },
      dataManifest: manifest(v),
      artifacts: [
        {
          name: 'model.json',
          uri: `/data/.mlops-data/model-packages/${v}/model.json`,
        },
        {
          name: 'preprocessor.json',
          uri: `/data/.mlops-data/model-packages/${v}/preprocessor.json`,
        },
      ],
      approvalHistory: [
        { status: 'PendingManualApproval', by: 'pipeline', at: iso(v, 40) },
        {
          status: 'Approved',
          by: GUEST,
          at: iso(v, 50),
          comment: 'within the gate',
        },
      ],
    };
  });
  await store.importRecords({ executions, versions });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(url: string, requests: number, concurrency: number) {
  const headers = { Authorization: mockCredentials.user.header(GUEST) };
  // Warm-up: JIT, connection pool, SQLite page cache.
  for (let i = 0; i < 20; i++)
    await (await fetch(url, { headers })).arrayBuffer();
  const latencies: number[] = [];
  let bytes = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t = performance.now();
        const res = await fetch(url, { headers });
        const body = await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== 200)
          throw new Error(
            `${url} → ${res.status}: ${Buffer.from(body).toString()}`,
          );
        bytes = body.byteLength;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    // CPU time of this process (server AND client) per request: unlike wall
    // time it does not grow when other processes compete for the cores.
    cpuMs: (cpu.user + cpu.system) / 1000 / latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    rps: latencies.length / seconds,
    bytes,
  };
}

async function main() {
  const { knex, drop } = await openDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-api-'));
  const tSeed = performance.now();
  await seed(knex);
  const seedSeconds = (performance.now() - tSeed) / 1000;
  // Autovacuum analyzes a bulk-loaded table within about a minute; until then
  // the planner guesses 25 rows per pipeline and sorts every run. `--no-analyze`
  // measures that cold state.
  if (DB === 'postgres' && !args.includes('--no-analyze')) {
    await knex.raw('ANALYZE');
  }
  if (DB === 'postgres' && args.includes('--explain')) {
    const plan = await knex.raw(
      `EXPLAIN ANALYZE SELECT seq, steps IS NULL FROM mlops_local_executions WHERE pipeline_name = ? ORDER BY seq DESC LIMIT 51`,
      [RESOURCES.pipelineName],
    );
    console.log(plan.rows.map((r: any) => r['QUERY PLAN']).join('\n'));
  }

  const backend = await startBenchBackend({
    knex,
    mlops: {
      engine: 'local',
      local: { dataDir, endpoint: { host: '127.0.0.1', port: 0 } },
    },
  });
  // A second engine instance on the same database, for the in-process rows.
  const engine = await createLocalEngine({
    config: new ConfigReader({
      mlops: { local: { dataDir, endpoint: { enabled: false } } },
    }),
    database: { getClient: async () => knex },
    logger: {
      info() {},
      warn() {},
      error() {},
      debug() {},
      child() {
        return this;
      },
    } as any,
  });
  const { base } = backend;

  console.log(
    `MLOps API list routes — ${ROWS} runs + ${ROWS} versions seeded (${DB}, ${seedSeconds.toFixed(
      1,
    )} s to seed)`,
  );
  console.log(
    `node ${process.version}, ${
      os.cpus().length
    } cpus, ${REQUESTS} requests per row after 20 warm-up`,
  );
  console.log(
    'route                          conc   p50 ms   p95 ms   p99 ms    req/s   body KB  cpu ms/req  p95≤50ms',
  );
  let failed = false;
  const routes = [
    '/runs',
    '/runs?limit=100',
    // A deep page: keyset tokens keep it as cheap as the first.
    `/runs?nextToken=${Math.floor(ROWS / 2)}`,
    '/model-versions',
    '/model-versions?limit=200',
    `/model-versions?nextToken=${Math.floor(ROWS / 2)}`,
    '/summary',
  ];
  for (const route of routes) {
    for (const c of CONCURRENCY) {
      const r = await measure(`${base}${route}`, REQUESTS, c);
      const ok = r.p95 <= TARGET_P95_MS;
      if (!ok && c === 1) failed = true;
      console.log(
        `${`GET ${route}`.padEnd(30)} ${String(c).padStart(4)} ${r.p50
          .toFixed(1)
          .padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.p99
          .toFixed(1)
          .padStart(8)} ${r.rps.toFixed(0).padStart(8)} ${(r.bytes / 1024)
          .toFixed(0)
          .padStart(9)} ${r.cpuMs.toFixed(1).padStart(11)}  ${
          ok ? 'yes' : 'NO'
        }`,
      );
    }
  }
  console.log('\nin-process engine calls (no HTTP/router), for scale:');
  const direct: Array<[string, () => Promise<unknown>]> = [
    [
      'listExecutions(limit 50)',
      () => engine.listExecutions(RESOURCES, { limit: 50 }),
    ],
    ['listModelVersions(limit 50)', () => engine.listModelVersions(RESOURCES)],
    [
      'listModelVersions(limit 200)',
      () => engine.listModelVersions(RESOURCES, { limit: 200 }),
    ],
  ];
  for (const [name, fn] of direct) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) await fn();
    for (let i = 0; i < Math.min(REQUESTS, 100); i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(30)}  p50 ${percentile(times, 50).toFixed(
        1,
      )} ms  p95 ${percentile(times, 95).toFixed(1)} ms`,
    );
  }
  console.log(
    `load average during the run: ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  await engine.close();
  await backend.stop();
  await drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (failed) process.exitCode = 1;
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
