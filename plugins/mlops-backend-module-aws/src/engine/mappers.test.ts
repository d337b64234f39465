import { parseEvaluationJson, parseInvokeScores, toInvokeCsv } from './mappers';
import {
  BINARY_SIGNATURE,
  PENGUINS_SIGNATURE,
} from './__fixtures__/signatures';

describe('toInvokeCsv', () => {
  const inputs = [
    { name: 'n', type: 'numeric' as const },
    { name: 'c', type: 'categorical' as const },
    { name: 'b', type: 'boolean' as const },
  ];

  it('writes the columns in signature order: numbers as is, missing empty, booleans as words', () => {
    expect(
      toInvokeCsv(inputs, [
        { b: true, c: 'x', n: 1.5 },
        { n: null, c: null },
        { n: '2.25', c: 'y', b: false },
      ]),
    ).toBe('1.5,x,true\n,,\n2.25,y,false');
  });

  it('quotes categories that hold a comma, a quote, a line break or edge spaces', () => {
    expect(
      toInvokeCsv(inputs, [
        { n: 1, c: 'a,b' },
        { n: 1, c: 'say "hi"' },
        { n: 1, c: 'two\nlines' },
        { n: 1, c: ' padded' },
      ]).split('\n'),
    ).toEqual([
      '1,"a,b",',
      '1,"say ""hi""",',
      '1,"two',
      'lines",',
      '1," padded",',
    ]);
  });

  it('refuses what is not a number in a numeric column, and a record that is not one', () => {
    expect(() => toInvokeCsv(inputs, [{ n: 'abc' }])).toThrow(
      "instances[0].n: 'abc' is not a number",
    );
    expect(() => toInvokeCsv(inputs, [{ n: Infinity }])).toThrow(
      'is not a finite number',
    );
    expect(() => toInvokeCsv(inputs, [undefined as any])).toThrow(
      'instances[0] must be a record',
    );
  });
});

describe('parseInvokeScores', () => {
  it('reads one probability row per record for a multiclass signature (CSV or JSON)', () => {
    expect(
      parseInvokeScores(
        '0.7,0.2,0.1\n0.1,0.1,0.8\n',
        PENGUINS_SIGNATURE.outputs,
        2,
      ),
    ).toEqual([
      [0.7, 0.2, 0.1],
      [0.1, 0.1, 0.8],
    ]);
    expect(
      parseInvokeScores(
        '{"predictions":[{"probabilities":[0.7,0.2,0.1]}]}',
        PENGUINS_SIGNATURE.outputs,
        1,
      ),
    ).toEqual([[0.7, 0.2, 0.1]]);
  });

  it('refuses a probability outside 0..1 and a row count that does not match', () => {
    expect(() =>
      parseInvokeScores('1.7\n', BINARY_SIGNATURE.outputs, 1),
    ).toThrow('row 1 is not a probability');
    expect(() =>
      parseInvokeScores('0.3\n', BINARY_SIGNATURE.outputs, 2),
    ).toThrow('1 prediction(s) for 2 row(s)');
  });
});

describe('parseEvaluationJson', () => {
  it('reads each task section into the contract keys and the task', () => {
    expect(
      parseEvaluationJson(
        JSON.stringify({
          regression_metrics: {
            mse: { value: 4.4, standard_deviation: 2.1 },
            r2: { value: 0.55 },
          },
        }),
      ),
    ).toEqual({
      task: 'regression',
      metrics: { mse: 4.4, r2: 0.55, residualStd: 2.1 },
    });
    expect(
      parseEvaluationJson(
        JSON.stringify({
          binary_classification_metrics: {
            auc: { value: 0.99, standard_deviation: 'NaN' },
            f0_5: { value: 0.9 },
          },
        }),
      ),
    ).toEqual({ task: 'binary', metrics: { auc: 0.99 } });
    expect(
      parseEvaluationJson(
        JSON.stringify({
          multiclass_classification_metrics: { macro_f1: { value: 0.9 } },
        }),
      ),
    ).toEqual({ task: 'multiclass', metrics: { macro_f1: 0.9 } });
  });

  it('is undefined for a report of no known task or with none of its metrics', () => {
    expect(parseEvaluationJson('{"other_metrics":{}}')).toBeUndefined();
    expect(
      parseEvaluationJson('{"regression_metrics":{"mse":{"value":"x"}}}'),
    ).toBeUndefined();
    expect(parseEvaluationJson('not json')).toBeUndefined();
  });
});
