import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { main } from './cli';
import { AbaloneRecord, LabeledRecord } from './csv';
import { createPredictor } from './predictor';
import { parseLabeledCsv, preprocess, transform } from './preprocess';
import { mulberry32 } from './random';
import { trainXGBoost } from './xgboost/train';

function synthetic(n: number, seed: number): LabeledRecord[] {
  const rng = mulberry32(seed);
  const sexes = ['M', 'F', 'I'];
  return Array.from({ length: n }, () => {
    const length = 0.2 + rng() * 0.5;
    return {
      sex: sexes[Math.floor(rng() * 3)],
      length,
      diameter: length * 0.8,
      height: length * 0.3,
      wholeWeight: length ** 3 * 4,
      shuckedWeight: length ** 3 * 2,
      visceraWeight: length ** 3,
      shellWeight: length ** 3 * 1.2,
      rings: Math.round(3 + length * 20 + rng() * 2),
    };
  });
}

describe('createPredictor', () => {
  it('scores raw records like transform + booster, with artifacts round-tripped as JSON', () => {
    const out = preprocess(synthetic(500, 1), { seed: 3 });
    const r = trainXGBoost(
      { max_depth: 3, num_round: 20 },
      out.train,
      out.validation,
    );
    const predictor = createPredictor(
      JSON.parse(JSON.stringify(out.preprocessor)),
      JSON.parse(r.booster.toXGBoostJSONString()),
    );
    expect(predictor.featureCount).toBe(10);
    const raw: AbaloneRecord[] = synthetic(50, 2);
    raw.push({ ...raw[0], sex: 'unknown', length: NaN });
    const expected = r.booster.predict(transform(out.preprocessor, raw));
    expect(Array.from(predictor.predict(raw))).toEqual(Array.from(expected));
  });

  it('rejects a model with more features than the preprocessor makes', () => {
    const out = preprocess(synthetic(100, 1), { seed: 0 });
    const wide = {
      ...out.train,
      cols: 11,
      data: new Float32Array(out.train.rows * 11).map((_, i) => i % 7),
    };
    const r = trainXGBoost({ max_depth: 2, num_round: 2 }, wide);
    const json = r.booster.toXGBoostJSON() as any;
    json.learner.learner_model_param.num_feature = '11';
    expect(() => createPredictor(out.preprocessor, json)).toThrow(
      /11 features/,
    );
  });
});

const ABALONE = resolve(__dirname, '../../demo-systems/abalone/abalone.data');
(existsSync(ABALONE) ? describe : describe.skip)('mlops-ml CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ml-core-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('train writes the artifacts and predict scores with them', async () => {
    const logs: string[] = [];
    const spy = jest
      .spyOn(console, 'log')
      .mockImplementation(m => logs.push(String(m)));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(((
      s: string,
    ) => {
      logs.push(s);
      return true;
    }) as any);
    try {
      expect(
        await main([
          'train',
          '--data',
          ABALONE,
          '--out',
          dir,
          '--seed',
          '2',
          '--num-round',
          '20',
        ]),
      ).toBe(0);
      const summary = JSON.parse(logs[0]);
      expect(summary.rows).toEqual({ train: 2923, validation: 627, test: 627 });
      expect(summary.hyperparameters.num_round).toBe(20);
      const evaluation = JSON.parse(
        readFileSync(join(dir, 'evaluation.json'), 'utf8'),
      );
      expect(evaluation.regression_metrics.mse.value).toBeCloseTo(
        summary.metrics.mse,
        10,
      );
      const test = parseLabeledCsv(readFileSync(join(dir, 'test.csv'), 'utf8'));
      expect(test.rows).toBe(627);
      expect(test.cols).toBe(10);

      logs.length = 0;
      expect(await main(['predict', '--model', dir, '--data', ABALONE])).toBe(
        0,
      );
      const lines = logs.join('').trim().split('\n').map(Number);
      expect(lines).toHaveLength(4177);
      expect(lines.every(v => v > 0 && v < 30)).toBe(true);
    } finally {
      spy.mockRestore();
      write.mockRestore();
    }
  });

  it('fails with a message naming the bad row', async () => {
    const bad = join(dir, 'bad.csv');
    require('fs').writeFileSync(
      bad,
      'M,0.4,0.3,0.1,0.5,0.2,0.1,0.1,9\nM,x,0.3,0.1,0.5,0.2,0.1,0.1,9\n',
    );
    await expect(main(['train', '--data', bad, '--out', dir])).rejects.toThrow(
      /row 2, column length: not a number/,
    );
    await expect(main(['train', '--data', bad])).rejects.toThrow(
      /--out is required/,
    );
  });
});
