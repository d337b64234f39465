/**
 * Local engine benchmark (prints numbers; not a unit test).
 *
 *   cd plugins/mlops-backend && npx tsx bench/local/run.ts [--uploads 3] [--duration 10] [--connections 50]
 *
 * 1. Upload → first prediction from the new version: upload the Abalone CSV,
 *    wait for the registered version, approve it (as a person would; this
 *    deploys it), predict. Target ≤ 10 s.
 * 2. POST /invocations throughput and p99 latency at 50 connections with
 *    autocannon (run as a separate process so it does not share the server's
 *    event loop), next to a bare express hello-world in the same run.
 */
import { ABALONE_RECORD as EXAMPLE_ABALONE } from '../../src/__testUtils__/demoSystems';
import { execFile } from 'child_process';
import express from 'express';
import fs from 'fs';
import os from 'os';
import {
  ABALONE_DATA as DATA,
  createBenchEngine,
  numberArg as arg,
  resources,
  uploadToPrediction,
} from '../benchEngine';

const UPLOADS = arg('uploads', 3);
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 50);

const csvRow = [
  EXAMPLE_ABALONE.sex,
  EXAMPLE_ABALONE.length,
  EXAMPLE_ABALONE.diameter,
  EXAMPLE_ABALONE.height,
  EXAMPLE_ABALONE.wholeWeight,
  EXAMPLE_ABALONE.shuckedWeight,
  EXAMPLE_ABALONE.visceraWeight,
  EXAMPLE_ABALONE.shellWeight,
].join(',');

interface CannonResult {
  requests: { average: number; total: number };
  latency: { average: number; p50: number; p99: number };
  non2xx: number;
  errors: number;
}

function autocannon(
  url: string,
  headers: Record<string, string>,
  body: string,
) {
  const bin = require.resolve('autocannon/autocannon.js');
  const argv = [
    bin,
    '-c',
    String(CONNECTIONS),
    '-d',
    String(DURATION),
    '-m',
    'POST',
    '-j',
  ];
  for (const [k, v] of Object.entries(headers)) argv.push('-H', `${k}=${v}`);
  argv.push('-b', body, url);
  return new Promise<CannonResult>((resolve, reject) => {
    execFile(
      process.execPath,
      argv,
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

async function main() {
  const { engine, dispose } = await createBenchEngine();
  const content = fs.readFileSync(DATA);
  console.log(
    `cpus: ${os.cpus().length}, load average: ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `\n1) upload → first prediction from the new version (${content.length} bytes, 4177 rows), target ≤ 10 s`,
  );

  const totals: number[] = [];
  for (let i = 1; i <= UPLOADS; i++) {
    const {
      marks,
      version,
      prediction: pred,
      execution: exec,
    } = await uploadToPrediction(engine, {
      fileName: `abalone-${i}.csv`,
      content,
      timeoutMs: 120_000,
    });
    const { t0, uploaded: tUploaded, registered: tRegistered } = marks;
    const t1 = marks.predicted;
    const stepMs = exec.steps
      .filter(s => s.startTime && s.endTime)
      .map(
        s => `${s.name} ${Date.parse(s.endTime!) - Date.parse(s.startTime!)}`,
      )
      .join(', ');
    totals.push(t1 - t0);
    console.log(
      `  #${i}: ${((t1 - t0) / 1000).toFixed(
        2,
      )} s total (upload+validate+manifest ${(tUploaded - t0).toFixed(
        0,
      )} ms, ` +
        `pipeline until registered ${(tRegistered - tUploaded).toFixed(
          0,
        )} ms [steps ms: ${stepMs}], ` +
        `approve+deploy+predict ${(t1 - tRegistered).toFixed(0)} ms); version ${
          version.version
        }, ` +
        `test MSE ${exec.metrics?.mse.toFixed(
          3,
        )}, rings ${Number(pred.predictions[0].value).toFixed(2)}`,
    );
  }
  const sorted = [...totals].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `  median ${(medianMs / 1000).toFixed(2)} s, max ${(
      sorted[sorted.length - 1] / 1000
    ).toFixed(2)} s`,
  );
  if (medianMs > 10_000) {
    // the numbers below still print; the exit code says the target was missed
    console.error('target missed: upload → first prediction median > 10 s');
    process.exitCode = 1;
  }

  // In-process predictor cost (engine.predict path).
  const N = 20000;
  const tp = performance.now();
  for (let i = 0; i < N; i++)
    await engine.predict(resources, [EXAMPLE_ABALONE]);
  console.log(
    `  engine.predict: ${(((performance.now() - tp) * 1000) / N).toFixed(
      1,
    )} µs per single-row call`,
  );

  console.log(
    `\n2) POST /invocations, ${CONNECTIONS} connections, ${DURATION} s each (autocannon)`,
  );
  const hello = express();
  hello.post('/', (_req, res) => {
    res.send('hello world');
  });
  const helloServer = await new Promise<import('http').Server>(r => {
    const s = hello.listen(0, '127.0.0.1', () => r(s));
  });
  const helloUrl = `http://127.0.0.1:${
    (helloServer.address() as import('net').AddressInfo).port
  }/`;
  const runs: Array<
    [string, Promise<CannonResult> | (() => Promise<CannonResult>)]
  > = [
    [
      'express hello-world',
      () => autocannon(helloUrl, { 'content-type': 'text/csv' }, csvRow),
    ],
    [
      '/invocations text/csv (1 row)',
      () =>
        autocannon(
          `${engine.endpointUrl}/invocations`,
          { 'content-type': 'text/csv' },
          csvRow,
        ),
    ],
    [
      '/invocations JSON (1 instance)',
      () =>
        autocannon(
          `${engine.endpointUrl}/invocations`,
          { 'content-type': 'application/json' },
          JSON.stringify({ instances: [EXAMPLE_ABALONE] }),
        ),
    ],
  ];
  for (const [name, run] of runs) {
    const r = await (run as () => Promise<CannonResult>)();
    console.log(
      `  ${name.padEnd(32)} ${r.requests.average
        .toFixed(0)
        .padStart(7)} req/s  p50 ${String(r.latency.p50).padStart(
        4,
      )} ms  p99 ${String(r.latency.p99).padStart(4)} ms  (total ${
        r.requests.total
      }, non-2xx ${r.non2xx}, errors ${r.errors})`,
    );
  }
  helloServer.close();
  await dispose();
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
