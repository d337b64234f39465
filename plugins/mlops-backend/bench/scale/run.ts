/**
 * Scale benchmark (prints numbers; not a unit test): one data set of N× the
 * Abalone rows through the product over HTTP, as a person would use it:
 * POST /datasets (streamed) → Validate → Preprocess → Train → Evaluate →
 * CheckMSE → Register → approve (deploys) → predict. The mlops plugin runs in
 * a Backstage test backend on the real local engine (SQLite file).
 *
 *   npm run bench:scale -- [--scale 100] [--runs 1]
 *
 * Prints each stage's time, `/api/mlops/health` latency while the upload is
 * sent and validated (one probe every 20 ms), and the peak RSS of the backend
 * process and of its step workers. Rows are jittered copies of
 * packages/demo-systems/abalone/abalone.data (±1 % on the measurements, seeded, as ml-core's
 * speed benchmark makes them), written to a temp file and streamed from it.
 * Targets (issue #19): 1,000× ≤ 25 s end to end, peak RSS ≤ 1 GiB per
 * process, health p99 ≤ 50 ms during the upload. The load average is printed
 * before and after: on a shared machine the times move with it. Exits 1 when
 * a target is missed.
 */
import { mulberry32, parseAbaloneCsv } from '@mlops-portal/ml-core';
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../../src/__testUtils__/demoSystems';
import fs from 'fs';
import knexFactory from 'knex';
import os from 'os';
import path from 'path';
import { Readable } from 'stream';
import { ABALONE_DATA as DATA, numberArg as arg } from '../benchEngine';
import { startBenchBackend } from '../benchBackend';

const SCALE = arg('scale', 100);
const RUNS = arg('runs', 1);
const GiB = 1024 ** 3;
/** End-to-end targets per scale (seconds); other scales have none. */
const END_TO_END_TARGET_S: Record<number, number> = { 100: 15, 1000: 25 };
/** Each missed target, said again at the end; any makes the exit code 1. */
const missed: string[] = [];

/** Writes the scaled data set (the file a user would upload); its row count. */
function writeScaledCsv(file: string): number {
  const { records } = parseAbaloneCsv(fs.readFileSync(DATA, 'utf8'));
  const rng = mulberry32(42);
  // Copy c of each row: measurements × (1 ± 1 %), sex and rings kept.
  const jitter = (v: number) =>
    Number((v * (1 + (rng() - 0.5) * 0.02)).toFixed(4));
  const fd = fs.openSync(file, 'w');
  for (let c = 0; c < SCALE; c++) {
    const lines = records.map(r => {
      const measurements = [
        r.length,
        r.diameter,
        r.height,
        r.wholeWeight,
        r.shuckedWeight,
        r.visceraWeight,
        r.shellWeight,
      ].map(jitter);
      return [r.sex, ...measurements, r.rings].join(',');
    });
    fs.writeSync(fd, `${lines.join('\n')}\n`);
  }
  fs.closeSync(fd);
  return records.length * SCALE;
}

/** Peak resident memory of the step workers (children of this process), sampled. */
function watchChildRss() {
  let peak = 0;
  const childPids = () => {
    try {
      return fs
        .readFileSync(
          `/proc/${process.pid}/task/${process.pid}/children`,
          'utf8',
        )
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    } catch {
      return [];
    }
  };
  const timer = setInterval(() => {
    for (const pid of childPids()) {
      try {
        const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        // VmHWM: the child's own peak since it started.
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        peak = Math.max(peak, kb * 1024);
      } catch {
        // the child exited between listing and reading
      }
    }
  }, 50);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/** Probes the health route back to back (20 ms apart) until stopped. */
function probeHealth(url: string) {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      await new Promise(r => setTimeout(r, 20));
    }
  })();
  return async () => {
    running = false;
    await done;
    const sorted = latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
  };
}

const ms = (a?: string, b?: string) =>
  a && b ? Date.parse(b) - Date.parse(a) : NaN;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-scale-'));
  const csvFile = path.join(dir, `abalone-${SCALE}x.csv`);
  const rows = writeScaledCsv(csvFile);
  const bytes = fs.statSync(csvFile).size;
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'db.sqlite') },
    useNullAsDefault: true,
  });
  const backend = await startBenchBackend({
    knex,
    mlops: {
      engine: 'local',
      qualityGate: { mseThreshold: 6 },
      datasets: { maxUploadBytes: 2 * GiB },
      local: {
        dataDir: path.join(dir, 'data'),
        endpoint: { host: '127.0.0.1', port: 0 },
        bucketWatch: { enabled: false },
      },
    },
  });
  const { base, headers } = backend;
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok)
      throw new Error(
        `${method} ${route}: ${res.status} ${json.error?.message}`,
      );
    return json;
  };
  console.log(
    `scale ${SCALE}×: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB; node ${
      process.version
    }, cpus ${os.cpus().length}, load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  const children = watchChildRss();
  for (let i = 1; i <= RUNS; i++) {
    const t0 = performance.now();
    const stopProbe = probeHealth(backend.health);
    const res = await fetch(
      `${base}/datasets?fileName=abalone-${SCALE}x-${i}.csv`,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'text/csv' },
        body: Readable.toWeb(fs.createReadStream(csvFile)) as any,
        duplex: 'half',
      } as RequestInit,
    );
    const uploaded = await res.json();
    const tUploaded = performance.now();
    const health = await stopProbe();
    if (res.status !== 201)
      throw new Error(`upload: ${res.status} ${uploaded.error?.message}`);
    const executionId = uploaded.execution.executionId;
    // Poll as the UI does, until the run has registered its version.
    let exec: any;
    for (;;) {
      exec = await api('GET', `/runs/${executionId}`);
      if (exec.status === 'Failed' || exec.status === 'Stopped')
        throw new Error(`run ${exec.status}: ${exec.failureReason}`);
      if (exec.modelVersion !== undefined) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const tRegistered = performance.now();
    await api('POST', `/model-versions/${exec.modelVersion}/approval`, {
      status: 'Approved',
      comment: 'benchmark auto-approval',
    });
    const tApproved = performance.now();
    const prediction = await api('POST', '/predict', {
      instances: [EXAMPLE_ABALONE],
    });
    const t1 = performance.now();
    if (prediction.modelVersion !== exec.modelVersion)
      throw new Error('prediction not from the new version');
    const validate = exec.release?.find((s: any) => s.name === 'Validate');
    const stages: Array<readonly [string, number]> = [
      ['upload (stream + parse + store)', tUploaded - t0],
      ['Validate', ms(validate?.startTime, validate?.endTime)],
      ...exec.steps.map(
        (s: any) => [s.name, ms(s.startTime, s.endTime)] as const,
      ),
      ['approve + deploy', tApproved - tRegistered],
      ['predict', t1 - tApproved],
    ];
    console.log(`\nrun ${i}: ${((t1 - t0) / 1000).toFixed(2)} s end to end`);
    const targetS = END_TO_END_TARGET_S[SCALE];
    if (targetS !== undefined && (t1 - t0) / 1000 > targetS)
      missed.push(`run ${i}: end to end > ${targetS} s`);
    for (const [name, t] of stages)
      console.log(`  ${name.padEnd(34)} ${(t / 1000).toFixed(2)} s`);
    console.log(
      `  test MSE ${exec.metrics?.mse.toFixed(
        3,
      )}, R² ${exec.metrics?.r2.toFixed(3)}, version ${exec.modelVersion}`,
    );
    console.log(
      `  /api/mlops/health during the upload: ${
        health.n
      } probes, p50 ${health.p50.toFixed(1)} ms, p99 ${health.p99.toFixed(
        1,
      )} ms, max ${health.max.toFixed(1)} ms (target p99 ≤ 50 ms: ${
        health.p99 <= 50 ? 'yes' : 'NO'
      })`,
    );
    if (health.p99 > 50) missed.push(`run ${i}: health p99 > 50 ms`);
  }
  children.stop();
  const backendPeak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `\npeak RSS: backend ${(backendPeak / 2 ** 20).toFixed(0)} MiB, worker ${(
      children.peak() /
      2 ** 20
    ).toFixed(0)} MiB (target ≤ 1 GiB each: ${
      backendPeak <= GiB && children.peak() <= GiB ? 'yes' : 'NO'
    }); load average now ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  if (backendPeak > GiB || children.peak() > GiB)
    missed.push('peak RSS > 1 GiB');
  await backend.stop();
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  if (missed.length) console.error(`targets missed: ${missed.join('; ')}`);
  // The numbers are printed; do not wait for idle handles (spare worker, timers).
  process.exit(missed.length ? 1 : 0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
