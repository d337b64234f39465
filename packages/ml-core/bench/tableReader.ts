/* eslint-disable no-console */
/**
 * CSV table reader throughput (prints numbers; not a unit test):
 *
 *   npm run bench:reader -w @mlops-portal/ml-core -- [--scale 1000] [--csv-parse]
 *
 * Writes N jittered copies of the Abalone rows (as the backend's scale
 * benchmark does: 1,000× = 4.18M rows, 220 MB) to a temp file and reads it
 * from disk with `readTableCsv` (the upload path), printing MB/s and the
 * peak RSS. `--csv-parse` also times the csv-parse based `readAbaloneCsv`
 * for comparison (slow at 1,000×); `--file <csv>` reads that file instead
 * (Abalone columns, one row a line).
 */
import {
  closeSync,
  createReadStream,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'fs';
import { join } from 'path';
import { abaloneDatasetSchema } from '../src/abaloneTable';
import { readAbaloneCsv } from '../src/csvStream';
import { mulberry32 } from '../src/random';
import { readTableCsv } from '../src/table';
import { argValue, loadAbalone, tempDir } from './common';

function writeScaled(file: string, scale: number): number {
  const records = loadAbalone();
  const rng = mulberry32(42);
  const jitter = (v: number) =>
    Number((v * (1 + (rng() - 0.5) * 0.02)).toFixed(4));
  const fd = openSync(file, 'w');
  for (let c = 0; c < scale; c++) {
    const parts: string[] = [];
    for (const r of records) {
      parts.push(
        [
          r.sex,
          ...[
            r.length,
            r.diameter,
            r.height,
            r.wholeWeight,
            r.shuckedWeight,
            r.visceraWeight,
            r.shellWeight,
          ].map(jitter),
          r.rings,
        ].join(','),
      );
    }
    writeSync(fd, `${parts.join('\n')}\n`);
  }
  closeSync(fd);
  return records.length * scale;
}

async function main() {
  const scale = Number(argValue('scale', '1000'));
  // --file: an existing Abalone-shaped CSV (skips writing one)
  const given = argValue('file', '');
  const dir = tempDir('table-reader-bench-');
  const file = given || join(dir, `abalone-${scale}x.csv`);
  try {
    const rows = given
      ? readFileSync(file).reduce((n, b) => (b === 10 ? n + 1 : n), 0)
      : writeScaled(file, scale);
    const bytes = statSync(file).size;
    const mb = bytes / 1e6;
    console.log(
      `${rows} rows, ${mb.toFixed(1)} MB; node ${
        process.version
      }, load average ${require('os')
        .loadavg()
        .map((l: number) => l.toFixed(1))
        .join(' ')}`,
    );
    const schema = abaloneDatasetSchema();
    for (let run = 1; run <= 3; run++) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const out = await readTableCsv(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        schema,
        { expectedBytes: bytes },
      );
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (out.errorCount > 0 || out.table.rowCount !== rows)
        throw new Error(
          `read ${out.table.rowCount} rows, ${out.errorCount} errors`,
        );
      console.log(
        `readTableCsv run ${run}: ${s.toFixed(2)} s wall, ${(mb / s).toFixed(
          0,
        )} MB/s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(
          2,
        )} s), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(
          0,
        )} MiB`,
      );
    }
    if (process.argv.includes('--csv-parse')) {
      const t0 = performance.now();
      const out = await readAbaloneCsv(createReadStream(file));
      const s = (performance.now() - t0) / 1000;
      console.log(
        `readAbaloneCsv (csv-parse): ${s.toFixed(2)} s, ${(mb / s).toFixed(
          0,
        )} MB/s (${out.columns.rows} rows)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
