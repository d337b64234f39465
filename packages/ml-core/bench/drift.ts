/* eslint-disable no-console */
/**
 * Time of drift() over captured rows against the Abalone training baseline
 * (target: ≤ 200 ms for 100k rows; exit 1 when missed). No Python needed.
 * Run: npx tsx bench/drift.ts [--rows 100000] [--repeat 10]
 */
import {
  AbaloneRecord,
  baselineStatistics,
  drift,
  mulberry32,
  splitDataset,
} from '../src';
import { argValue, failUnlessMet, loadAbalone, median } from './common';

/** Distinct row objects drawn from the test split, like parsed capture records. */
function capturedRows(test: AbaloneRecord[], n: number): AbaloneRecord[] {
  const rng = mulberry32(1);
  return Array.from({ length: n }, () => ({
    ...test[Math.floor(rng() * test.length)],
  }));
}

function timeOnce<T>(run: () => T) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = run();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { result, wallMs, cpuMs: (cpu.user + cpu.system) / 1e3 };
}

function main() {
  const rows = Number(argValue('rows', '100000'));
  const repeat = Number(argValue('repeat', '10'));
  const { train, test } = splitDataset(loadAbalone(), 0);
  const baseline = baselineStatistics(train);
  const recent = capturedRows(test, rows);
  // The first call includes V8 compiling the loops; the rest are warm.
  const cold = timeOnce(() => drift(baseline, recent));
  const runs = Array.from({ length: repeat }, () =>
    timeOnce(() => drift(baseline, recent)),
  );
  const report = runs[runs.length - 1]?.result ?? cold.result;
  const wall = median(runs.map(r => r.wallMs));
  console.log(
    JSON.stringify(
      {
        baselineRows: train.length,
        capturedRows: rows,
        features: report.features.length,
        status: report.status,
        coldFirstRunMs: cold.wallMs,
        medianWallMs: wall,
        medianCpuMs: median(runs.map(r => r.cpuMs)),
        maxWallMs: Math.max(...runs.map(r => r.wallMs)),
        targetMs: 200,
        withinTarget: wall <= 200,
      },
      null,
      2,
    ),
  );
  failUnlessMet(
    wall <= 200,
    `median ${wall.toFixed(0)} ms for ${rows} rows > 200 ms`,
  );
}

main();
