import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { main } from '../cli';
import { parseLabeledCsv } from '../preprocess';
import { Booster } from '../xgboost/booster';
import {
  EVALUATION_PLOTS_FILE,
  STATISTICS_FILE,
  writeBaselineStatistics,
} from './artifacts';
import { drift } from './drift';

describe('monitoring artifacts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-core-monitoring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('statistics.json read back from disk works as a drift baseline', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      sex: 'MFI'[i % 3],
      length: i / 200,
      diameter: 0.3,
      height: 0.1,
      wholeWeight: 0.5,
      shuckedWeight: 0.2,
      visceraWeight: 0.1,
      shellWeight: 0.15,
    }));
    const path = await writeBaselineStatistics(join(dir, 'run'), rows);
    expect(path).toBe(join(dir, 'run', STATISTICS_FILE));
    const baseline = JSON.parse(readFileSync(path, 'utf8'));
    expect(drift(baseline, rows).status).toBe('ok');
  });
});

const ABALONE = resolve(
  __dirname,
  '../../../demo-systems/abalone/abalone.data',
);
(existsSync(ABALONE) ? describe : describe.skip)('mlops-ml train', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-core-monitoring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes statistics.json and evaluation-plots.json', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const args = ['train', '--data', ABALONE, '--out', dir, '--seed', '1'];
      expect(await main(args)).toBe(0);
    } finally {
      log.mockRestore();
    }
    const stats = JSON.parse(readFileSync(join(dir, STATISTICS_FILE), 'utf8'));
    expect(stats.dataset.item_count).toBe(2923);
    const plots = JSON.parse(
      readFileSync(join(dir, EVALUATION_PLOTS_FILE), 'utf8'),
    );
    expect(plots.predictedVsActual.total).toBe(627);
    const test = parseLabeledCsv(readFileSync(join(dir, 'test.csv'), 'utf8'));
    expect(plots.predictedVsActual.points[0].actual).toBe(test.labels[0]);
    const model = Booster.fromXGBoostJSON(
      JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')),
    );
    expect(plots.predictedVsActual.points[0].predicted).toBeCloseTo(
      model.predict(test)[0],
      5,
    );
    const names = plots.featureImportance.features.map(
      (f: { feature: string }) => f.feature,
    );
    // Named after preprocessor.json's featureNames (e.g. shellWeight, sex_I), not f0…
    expect(names.length).toBeGreaterThan(3);
    expect(names.every((n: string) => /^[a-zA-Z]+(_[FIM])?$/.test(n))).toBe(
      true,
    );
  });
});
