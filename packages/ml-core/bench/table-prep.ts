/* eslint-disable no-console */
/**
 * Cost of the generic Validate + Preprocess work on a large table, next to the
 * Abalone-only preprocess on the same rows: Abalone scaled K× with a 1% jitter
 * on the measurements (so rows stay distinct, as bench:scale's data). Prints
 * wall and CPU seconds per step (CPU is the steadier figure on a shared
 * machine) and the peak RSS.
 * Run: npx tsx bench/table-prep.ts [--scale 1000]
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  type Table,
  ColumnsBuilder,
  buildSignature,
  checkTable,
  writeLabeledCsvFile,
  writeMatrixFile,
  preprocess,
  preprocessTable,
  tableBaselineStatistics,
} from '../src';
import { loadDemo } from '../src/dataset/testing';
import { argValue } from './common';

function scaled(table: Table, times: number, target: string): Table {
  const n = table.rowCount;
  let state = 12345;
  const jitter = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return 1 + (state / 2 ** 32 - 0.5) * 0.01;
  };
  return {
    rowCount: n * times,
    names: table.names,
    columns: table.columns.map((c, j) => {
      if (c.type === 'numeric') {
        const values = new Float64Array(n * times);
        const keep = table.names[j] === target;
        for (let t = 0; t < times; t++)
          for (let i = 0; i < n; i++)
            // 4 decimals, as bench:scale writes its CSV: the table an
            // upload of it parses to.
            values[t * n + i] = keep
              ? c.values[i]
              : Math.round(c.values[i] * jitter() * 1e4) / 1e4;
        return { type: 'numeric', values };
      }
      const codes = new Int32Array(n * times);
      for (let t = 0; t < times; t++) codes.set(c.codes, t * n);
      return { ...c, codes };
    }),
  };
}

function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const cpu = process.cpuUsage(c0);
  return {
    value,
    wall: (performance.now() - t0) / 1e3,
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

async function timedAsync<T>(fn: () => Promise<T>) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(c0);
  return {
    value,
    wall: (performance.now() - t0) / 1e3,
    cpu: (cpu.user + cpu.system) / 1e6,
  };
}

async function main() {
  const times = Number(argValue('scale', '1000'));
  const { spec, schema, table: base } = loadDemo('abalone', 'abalone.data');
  const table = scaled(base, times, schema.target);
  // The same rows as Abalone columns for the Abalone-only preprocess.
  const builder = new ColumnsBuilder(table.rowCount);
  const sex = table.columns[0];
  const levelToSex =
    sex.type === 'numeric' ? [] : sex.levels.map(l => 'MFI'.indexOf(l));
  const values = new Float64Array(7);
  for (let i = 0; i < table.rowCount; i++) {
    for (let c = 0; c < 7; c++) {
      const col = table.columns[c + 1];
      values[c] = col.type === 'numeric' ? col.values[i] : NaN;
    }
    const code = sex.type === 'numeric' ? -1 : sex.codes[i];
    const rings = table.columns[8];
    builder.push(
      code < 0 ? 255 : levelToSex[code],
      values,
      rings.type === 'numeric' ? rings.values[i] : NaN,
    );
  }
  const abalone = builder.build();

  const legacy = timed(() => preprocess(abalone, { seed: 0 }));
  const checks = timed(() => checkTable(table, schema));
  const prep = timed(() => preprocessTable(table, schema, { seed: 0 }));
  const baseline = timed(() =>
    tableBaselineStatistics(table, schema, prep.value.split.train),
  );
  // The rest of the engine worker's Preprocess step: the SageMaker-shaped
  // CSVs, their Float32 twins, the signature.
  const dir = mkdtempSync(join(tmpdir(), 'ml-core-table-prep-'));
  const parts = ['train', 'validation', 'test'] as const;
  const csvs = await timedAsync(async () => {
    for (const p of parts)
      await writeLabeledCsvFile(join(dir, `${p}.csv`), prep.value[p]);
  });
  const matrices = await timedAsync(async () => {
    for (const p of parts)
      await writeMatrixFile(join(dir, `${p}.f32`), prep.value[p]);
  });
  rmSync(dir, { recursive: true, force: true });
  const signature = timed(() =>
    buildSignature(
      table,
      schema,
      prep.value.preprocessor,
      spec,
      prep.value.split.train,
    ),
  );
  const round = (v: number) => Number(v.toFixed(2));
  console.log(
    JSON.stringify(
      {
        rows: table.rowCount,
        features: prep.value.train.cols,
        duplicateRows: checks.value.duplicateRows,
        seconds: {
          abalonePreprocess: {
            wall: round(legacy.wall),
            cpu: round(legacy.cpu),
          },
          genericChecks: { wall: round(checks.wall), cpu: round(checks.cpu) },
          genericPreprocess: { wall: round(prep.wall), cpu: round(prep.cpu) },
          genericBaseline: {
            wall: round(baseline.wall),
            cpu: round(baseline.cpu),
          },
          writeCsvs: { wall: round(csvs.wall), cpu: round(csvs.cpu) },
          writeMatrices: {
            wall: round(matrices.wall),
            cpu: round(matrices.cpu),
          },
          signature: { wall: round(signature.wall), cpu: round(signature.cpu) },
        },
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      null,
      2,
    ),
  );
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
