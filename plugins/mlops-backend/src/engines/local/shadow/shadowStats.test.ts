import {
  emptyStats,
  readStats,
  recordComparison,
  recordServingError,
  takeSample,
  toComparison,
} from './shadowStats';

describe('shadow test numbers', () => {
  it('samples exactly the share, evenly, for any percent', () => {
    for (const p of [1, 7, 30, 50, 99, 100]) {
      const s = emptyStats();
      const taken: number[] = [];
      for (let i = 0; i < 1000; i++) if (takeSample(s, p)) taken.push(i);
      expect(taken.length).toBe(Math.floor((1000 * p) / 100));
      // Evenly spread: no gap longer than one sampling period.
      for (let k = 1; k < taken.length; k++)
        expect(taken[k] - taken[k - 1]).toBeLessThanOrEqual(Math.ceil(100 / p));
    }
  });

  it('compares classes and values row by row, and counts a failed candidate as an error', () => {
    const s = emptyStats();
    recordComparison(
      s,
      'binary',
      { predictions: [{ value: 'a' }, { value: 'b' }], latencyMs: 2 },
      { predictions: [{ value: 'a' }, { value: 'a' }], latencyMs: 3 },
    );
    recordComparison(
      s,
      'binary',
      { predictions: [{ value: 'a' }], latencyMs: 2 },
      { latencyMs: 1 },
    );
    recordServingError(s, 5);
    const c = toComparison(s, 'binary', 4, 5);
    expect(c.requests).toBe(2);
    expect(c.agreement).toBe(0.5);
    expect(c.variants).toEqual([
      expect.objectContaining({
        modelVersion: 4,
        role: 'current',
        weight: 100,
        invocations: 3,
        errors: 1,
      }),
      expect.objectContaining({
        modelVersion: 5,
        role: 'candidate',
        weight: 0,
        invocations: 2,
        errors: 1,
      }),
    ]);

    const r = emptyStats();
    recordComparison(
      r,
      'regression',
      { predictions: [{ value: 10 }, { value: 4 }], latencyMs: 1 },
      { predictions: [{ value: 11.5 }, { value: 3.5 }], latencyMs: 1 },
    );
    expect(toComparison(r, 'regression', 1, 2)).toMatchObject({
      meanAbsDifference: 1,
      maxAbsDifference: 1.5,
    });
    expect(toComparison(r, 'regression', 1, 2).agreement).toBeUndefined();
  });

  it('stays the same size however much traffic it sees, and reads back what it wrote', () => {
    const s = emptyStats();
    const size0 = JSON.stringify(s).length;
    for (let i = 0; i < 20_000; i++)
      recordComparison(
        s,
        'regression',
        { predictions: [{ value: 1 }], latencyMs: i % 97 },
        { predictions: [{ value: 2 }], latencyMs: i % 13 },
      );
    expect(JSON.stringify(s).length).toBeLessThan(size0 + 400);
    expect(readStats(JSON.stringify(s))).toEqual(s);
    expect(readStats('not json')).toEqual(emptyStats());
    expect(
      readStats(
        JSON.stringify({ requests: 'x', serving: { latency: [1, 'y'] } }),
      ).requests,
    ).toBe(0);
  });
});
