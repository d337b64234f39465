import { writeCsvNumber } from './csvNumbers';
import { formatCsvNumber } from './preprocess';
import { mulberry32 } from './random';

describe('writeCsvNumber', () => {
  const out = Buffer.alloc(64);
  const text = (v: number) =>
    out.toString('latin1', 0, writeCsvNumber(out, 0, v));

  it('writes exactly the text formatCsvNumber gives, on edge cases', () => {
    const cases = [
      0,
      -0,
      1,
      -1,
      7,
      29,
      0.5,
      0.1,
      0.3,
      1.5,
      2.5,
      12.5,
      100.25,
      1e-6,
      9.999999e-7,
      1e-7,
      5e-324,
      0.000123,
      123456789.5,
      999999999.7,
      999999999.99,
      1e9,
      1e21,
      1e-300,
      -1e-6,
      NaN,
      Infinity,
      -Infinity,
      Math.fround(0.1),
      Math.fround(-2.675),
      Math.fround(1 / 3),
    ];
    for (const v of cases)
      expect([v, text(v)]).toEqual([v, formatCsvNumber(v)]);
  });

  it('writes exactly the text formatCsvNumber gives, on 300,000 random Float32 values', () => {
    const rng = mulberry32(11);
    const f32 = new Float32Array(1);
    const bits = new Uint32Array(f32.buffer);
    const mismatches: Array<[number, string, string]> = [];
    for (let i = 0; i < 100_000; i++) {
      // scaled features, small multiples of 1/8 (ties), any bit pattern
      const values = [
        (rng() - 0.5) * 2 * 10 ** (Math.floor(rng() * 24) - 12),
        (Math.round(rng() * 1000) / 8) * (rng() < 0.5 ? -1 : 1),
      ];
      bits[0] = (rng() * 2 ** 32) >>> 0;
      values.push(f32[0]);
      for (const v of values) {
        f32[0] = v;
        const x = f32[0];
        if (text(x) !== formatCsvNumber(x))
          mismatches.push([x, text(x), formatCsvNumber(x)]);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
