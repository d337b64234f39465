/**
 * Scale benchmark (prints numbers; not a unit test): one data set of N× the
 * Abalone rows through the local engine, as a person would use it:
 * upload → Validate → Preprocess → Train → Evaluate → CheckMSE → Register →
 * approve (deploys) → predict. Prints each stage's time and the peak RSS of
 * the backend process and of the step worker processes.
 *
 *   npm run bench:scale -- [--scale 100] [--runs 1]
 *
 * Rows are jittered copies of /work/shared/data/abalone.data (±1 % on the
 * measurements, seeded, as ml-core's speed benchmark makes them). Targets:
 * 100× ≤ 15 s end to end, 1,000× ≤ 120 s, peak RSS ≤ 2 GiB.
 */
import { mulberry32, parseAbaloneCsv } from '@mlops-portal/ml-core';
import fs from 'fs';
import os from 'os';
import {
  ABALONE_DATA as DATA,
  createBenchEngine,
  numberArg as arg,
  uploadToPrediction,
} from '../benchEngine';

const SCALE = arg('scale', 100);
const RUNS = arg('runs', 1);
const GiB = 1024 ** 3;

/** The scaled data set as CSV (the file a user would upload). */
function scaledCsv(): Buffer {
  const { records } = parseAbaloneCsv(fs.readFileSync(DATA, 'utf8'));
  const rng = mulberry32(42);
  // Copy c of each row: measurements × (1 ± 1 %), sex and rings kept.
  const jitter = (v: number) =>
    Number((v * (1 + (rng() - 0.5) * 0.02)).toFixed(4));
  const lines: string[] = [];
  for (let c = 0; c < SCALE; c++) {
    for (const r of records) {
      const measurements = [
        r.length,
        r.diameter,
        r.height,
        r.wholeWeight,
        r.shuckedWeight,
        r.visceraWeight,
        r.shellWeight,
      ].map(jitter);
      lines.push([r.sex, ...measurements, r.rings].join(','));
    }
  }
  return Buffer.from(`${lines.join('\n')}\n`);
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

const ms = (a?: string, b?: string) =>
  a && b ? Date.parse(b) - Date.parse(a) : NaN;

async function main() {
  const { engine, dispose } = await createBenchEngine({
    bucketWatch: { enabled: false },
  });
  const content = scaledCsv();
  const rows = content.toString('latin1').split('\n').length - 1;
  console.log(
    `scale ${SCALE}×: ${rows} rows, ${(content.length / 1e6).toFixed(
      1,
    )} MB; cpus ${os.cpus().length}, load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  const children = watchChildRss();
  for (let i = 1; i <= RUNS; i++) {
    const {
      marks,
      version,
      execution: exec,
    } = await uploadToPrediction(engine, {
      fileName: `abalone-${SCALE}x-${i}.csv`,
      content,
      timeoutMs: 600_000,
    });
    const { t0, uploaded: tUploaded, registered: tRegistered } = marks;
    const { approved: tApproved, predicted: t1 } = marks;
    const validate = exec.release?.find(s => s.name === 'Validate');
    const stages = [
      ['upload (parse + store + manifest)', tUploaded - t0],
      ['Validate', ms(validate?.startTime, validate?.endTime)],
      ...exec.steps.map(s => [s.name, ms(s.startTime, s.endTime)] as const),
      ['approve + deploy', tApproved - tRegistered],
      ['predict', t1 - tApproved],
    ] as const;
    console.log(`\nrun ${i}: ${((t1 - t0) / 1000).toFixed(2)} s end to end`);
    for (const [name, t] of stages)
      console.log(`  ${name.padEnd(34)} ${(t / 1000).toFixed(2)} s`);
    console.log(
      `  test MSE ${exec.metrics?.mse.toFixed(
        3,
      )}, R² ${exec.metrics?.r2.toFixed(3)}, version ${version.version}`,
    );
  }
  children.stop();
  const backendPeak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `\npeak RSS: backend ${(backendPeak / 2 ** 20).toFixed(0)} MiB, worker ${(
      children.peak() /
      2 ** 20
    ).toFixed(0)} MiB (target ≤ 2 GiB each: ${
      backendPeak <= 2 * GiB && children.peak() <= 2 * GiB ? 'yes' : 'NO'
    })`,
  );
  await dispose();
  // The numbers are printed; do not wait for idle handles (spare worker, timers).
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
