import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { AbaloneRecord, parseAbaloneCsv } from '../csv';
import { splitDataset } from '../preprocess';
import { mulberry32 } from '../random';
import { drift } from './drift';
import { baselineStatistics } from './statistics';

const row = (sex: string, v: number): AbaloneRecord => ({
  sex,
  length: v,
  diameter: v * 0.8,
  height: v * 0.3,
  wholeWeight: v * 2,
  shuckedWeight: v,
  visceraWeight: v * 0.5,
  shellWeight: v * 0.6,
});
const uniform = (n: number, offset = 0, sex = (i: number) => 'MFI'[i % 3]) =>
  Array.from({ length: n }, (_, i) => row(sex(i), offset + (i + 0.5) / n));

describe('drift (synthetic)', () => {
  const baseline = baselineStatistics(uniform(3000));

  it('the same distribution is ok with zero PSI and a tiny KS distance', () => {
    const report = drift(baseline, uniform(1000));
    expect(report.status).toBe('ok');
    expect(report.itemCount).toBe(1000);
    expect(report.features.every(f => f.status === 'ok')).toBe(true);
    expect(Math.max(...report.features.map(f => f.psi!))).toBeLessThan(0.01);
    const ks = report.features.filter(f => f.kind === 'numerical');
    expect(Math.max(...ks.map(f => f.ks!))).toBeLessThan(0.01);
  });

  it('values entirely above the baseline give KS distance 1 and drift', () => {
    const report = drift(baseline, uniform(1000, 2));
    const length = report.features.find(f => f.name === 'length')!;
    expect(length.ks).toBe(1);
    expect(length.psi!).toBeGreaterThan(0.25);
    expect(length.status).toBe('drift');
    expect(report.status).toBe('drift');
  });

  it('a shift of the Sex mix is caught by PSI on its categories', () => {
    const report = drift(
      baseline,
      uniform(1000, 0, () => 'I'),
    );
    const sex = report.features.find(f => f.name === 'sex')!;
    expect(sex).toMatchObject({ kind: 'categorical', ks: null });
    expect(sex.status).toBe('drift');
    const others = report.features.filter(f => f.name !== 'sex');
    expect(others.every(f => f.status === 'ok')).toBe(true);
  });

  it('too few samples → insufficient_data, never an alarm', () => {
    const shifted = uniform(99, 2);
    const report = drift(baseline, shifted);
    expect(report.status).toBe('insufficient_data');
    for (const f of report.features) {
      expect(f).toMatchObject({ samples: 99, psi: null, ks: null });
      expect(f.status).toBe('insufficient_data');
    }
    expect(drift(baseline, shifted, { minSamples: 50 }).status).toBe('drift');
  });

  it('missing values are counted and left out of the statistics', () => {
    const rows = uniform(300).map((r, i) =>
      i < 250 ? { ...r, height: NaN } : r,
    );
    const report = drift(baseline, rows);
    const height = report.features.find(f => f.name === 'height')!;
    expect(height).toMatchObject({ samples: 50, missing: 250 });
    expect(height.status).toBe('insufficient_data');
    expect(report.status).toBe('insufficient_data');
  });

  it('thresholds are configurable and checked', () => {
    // KS 0.05 is beyond noise at 20,000 rows but below the default warn level.
    const slightly = uniform(20000, 0.05);
    expect(drift(baseline, slightly).status).toBe('ok');
    const strict = drift(baseline, slightly, { ksWarn: 0.03, ksDrift: 0.5 });
    expect(strict.features.find(f => f.name === 'length')!.status).toBe('warn');
    expect(strict.status).toBe('warn');
    expect(() =>
      drift(baseline, slightly, { psiWarn: 0.5, psiDrift: 0.2 }),
    ).toThrow(/psiWarn must be ≤ psiDrift/);
    expect(() => drift(baseline, slightly, { minSamples: -1 })).toThrow(
      /threshold minSamples/,
    );
  });

  it('a baseline that is not statistics.json is refused with the feature named', () => {
    expect(() => drift({} as any, [])).toThrow(/not a statistics.json/);
    const broken = JSON.parse(JSON.stringify(baseline));
    broken.features[1].numerical_statistics.distribution.kll.sketch.data = [];
    expect(() => drift(broken, uniform(200))).toThrow(
      /baseline feature 'length' has no sketch data/,
    );
  });
});

const ABALONE = resolve(
  __dirname,
  '../../../demo-systems/abalone/abalone.data',
);
(existsSync(ABALONE) ? describe : describe.skip)('drift on Abalone', () => {
  const { records } = parseAbaloneCsv(readFileSync(ABALONE, 'utf8'));
  const { train, test } = splitDataset(records, 0);
  const baseline = baselineStatistics(train);
  // A captured stream: 2,000 requests drawn (with replacement) from the test split.
  const rng = mulberry32(42);
  const stream = Array.from(
    { length: 2000 },
    () => test[Math.floor(rng() * test.length)],
  );

  it('a stream from the test split flags no feature', () => {
    const report = drift(baseline, stream);
    expect(report.features.map(f => [f.name, f.status])).toEqual(
      baseline.features.map(f => [f.name, 'ok']),
    );
    expect(report.status).toBe('ok');
  });

  it('Length and Diameter × 1.3 flag exactly those two', () => {
    const scaled = stream.map(r => ({
      ...r,
      length: r.length * 1.3,
      diameter: r.diameter * 1.3,
    }));
    const report = drift(baseline, scaled);
    const flagged = report.features
      .filter(f => f.status === 'warn' || f.status === 'drift')
      .map(f => f.name);
    expect(flagged).toEqual(['length', 'diameter']);
    const others = report.features.filter(f => !flagged.includes(f.name));
    expect(others.every(f => f.status === 'ok')).toBe(true);
    expect(report.status).toBe('drift');
  });

  it('a small window above the PSI warn level by chance alone stays ok', () => {
    const split2 = splitDataset(records, 2);
    const report = drift(
      baselineStatistics(split2.train),
      split2.test.slice(0, 150),
    );
    const shell = report.features.find(f => f.name === 'shellWeight')!;
    // PSI over 0.1 here is sampling noise (≈ 0.15 at 150 rows, α = 0.01).
    expect(shell.psi!).toBeGreaterThan(0.1);
    expect(shell.status).toBe('ok');
    expect(report.status).toBe('ok');
  });
});
