import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { main } from './cli';
import { AbaloneRecord, LabeledRecord } from './csv';
import { createModelScorer, createPredictor } from './predictor';
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

describe('createModelScorer', () => {
  const rng = mulberry32(5);
  const rows = 400;
  const data = new Float32Array(rows * 2).map(() => rng() * 2 - 1);
  const m = (labels: (r: number) => number) => ({
    rows,
    cols: 2,
    data,
    labels: Float32Array.from({ length: rows }, (_, r) => labels(r)),
  });

  it('binary: P(class 1), labels at 0.5 and both probabilities', () => {
    const train = m(r => (data[2 * r] > 0 ? 1 : 0));
    const r = trainXGBoost(
      { objective: 'binary:logistic', num_round: 10, max_depth: 2 },
      train,
    );
    const scorer = createModelScorer(
      JSON.parse(r.booster.toXGBoostJSONString()),
      ['no', 'yes'],
    );
    expect(scorer.task).toBe('binary');
    const p = scorer.predict(train);
    expect(Array.from(p)).toEqual(Array.from(r.booster.predict(train)));
    const classes = scorer.predictClasses(train);
    classes.forEach((c, i) => {
      expect(c.probabilities.yes).toBeCloseTo(p[i], 12);
      expect(c.probabilities.no + c.probabilities.yes).toBeCloseTo(1, 12);
      expect(c.label).toBe(p[i] >= 0.5 ? 'yes' : 'no');
    });
    const correct = classes.filter(
      (c, i) => (c.label === 'yes') === (train.labels[i] === 1),
    ).length;
    expect(correct / rows).toBeGreaterThan(0.95);
  });

  it('multiclass: every class probability, the most probable label', () => {
    // Class 0, 1, 2 by the first feature's third.
    const train = m(r => Math.min(2, Math.floor((data[2 * r] + 1) * 1.5)));
    const r = trainXGBoost(
      {
        objective: 'multi:softprob',
        num_class: 3,
        num_round: 10,
        max_depth: 2,
      },
      train,
    );
    const scorer = createModelScorer(
      JSON.parse(r.booster.toXGBoostJSONString()),
      ['a', 'b', 'c'],
    );
    expect(scorer.task).toBe('multiclass');
    const out = scorer.predictClasses(train);
    expect(Object.keys(out[0].probabilities)).toEqual(['a', 'b', 'c']);
    out.forEach(o => {
      const ps = Object.values(o.probabilities);
      expect(ps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(o.probabilities[o.label]).toBe(Math.max(...ps));
    });
    const correct = out.filter(
      (o, i) => o.label === ['a', 'b', 'c'][train.labels[i]],
    ).length;
    expect(correct / rows).toBeGreaterThan(0.9);
  });

  it('refuses classifiers without the right class labels, and predictClasses on regression', () => {
    const r = trainXGBoost(
      { objective: 'multi:softprob', num_class: 3, num_round: 1 },
      m(i => i % 3),
    );
    const json = JSON.parse(r.booster.toXGBoostJSONString());
    expect(() => createModelScorer(json, ['a', 'b'])).toThrow(
      /needs 3 class labels, got 2/,
    );
    expect(() => createModelScorer(json)).toThrow(/got none/);
    const reg = trainXGBoost(
      { num_round: 1 },
      m(i => i),
    );
    const scorer = createModelScorer(
      JSON.parse(reg.booster.toXGBoostJSONString()),
    );
    expect(scorer.task).toBe('regression');
    expect(() => scorer.predictClasses(m(i => i))).toThrow(/regression/);
  });
});
