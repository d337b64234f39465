/* eslint-disable no-console */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { LabeledRecord, parseAbaloneCsv } from '../src';

export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
export const REFERENCE_SCRIPT = join(__dirname, 'xgb_reference.py');
/** The demo's Abalone data, shipped in packages/demo-systems. */
export const ABALONE_PATH = resolve(
  __dirname,
  '../../demo-systems/abalone/abalone.data',
);

/** Real XGBoost comes from Debian's python3-xgboost (the benchmarks and the CI gate need it). */
export function pythonXgboostVersion(): string | undefined {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import xgboost; print(xgboost.__version__)'],
    {
      encoding: 'utf8',
    },
  );
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function runReference(args: string[]): any {
  const r = spawnSync(PYTHON, [REFERENCE_SCRIPT, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`xgb_reference.py failed (${r.status}): ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

export function loadAbalone(path = ABALONE_PATH): LabeledRecord[] {
  if (!existsSync(path)) throw new Error(`Data set not found at ${path}`);
  const parsed = parseAbaloneCsv(readFileSync(path, 'utf8'));
  if (parsed.errors.length) throw new Error(JSON.stringify(parsed.errors[0]));
  return parsed.records;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/**
 * A benchmark that could not run says so in its exit code: 2, or 0 with
 * --allow-skip (for a machine known to lack the reference).
 */
export function skipBenchmark(reason: string): void {
  console.log(JSON.stringify({ skipped: reason }));
  process.exitCode = process.argv.includes('--allow-skip') ? 0 : 2;
}

/** A benchmark that misses a target exits 1 (after printing its numbers). */
export function failUnlessMet(met: boolean, what: string): void {
  if (met) return;
  console.error(`target missed: ${what}`);
  process.exitCode = 1;
}
