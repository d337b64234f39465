import { mulberry32 } from '../random';
import { buildHistData } from './bins';

/** The definition: the first bin whose cut is above v, capped at the feature's last bin. */
function expectedBin(
  cuts: Float32Array,
  first: number,
  last: number,
  v: number,
): number {
  let b = first;
  while (b < last && cuts[b] <= v) b++;
  return b;
}

describe('buildHistData', () => {
  it('bins every cell by its feature cuts (skewed, tied, negative, missing and constant columns)', () => {
    const rng = mulberry32(7);
    const rows = 20000;
    const cols = 5;
    const x = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const u = rng();
      x[r * cols] = u * u * u * 50 - 3; // skewed: cuts crowd near the minimum
      x[r * cols + 1] = Math.round(u * 20) / 4 - 2; // 21 distinct values, many ties
      x[r * cols + 2] = rng() < 0.1 ? NaN : rng() * 1e-3; // missing values
      x[r * cols + 3] = 1.5; // constant
      x[r * cols + 4] = rng() < 0.5 ? -0 : rng() - 0.5;
    }
    const d = buildHistData(x, rows, cols, 64);
    expect(d.offsets[1] - d.offsets[0]).toBe(64);
    expect(d.offsets[2] - d.offsets[1]).toBe(21);
    expect(d.offsets[4] - d.offsets[3]).toBe(1);
    expect(Array.from(d.hasMissing)).toEqual([0, 0, 1, 0, 0]);
    let mismatches = 0;
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < cols; f++) {
        const v = x[r * cols + f];
        const want = Number.isNaN(v)
          ? d.missingBin
          : expectedBin(d.cuts, d.offsets[f], d.offsets[f + 1] - 1, v);
        if (d.bins[r * cols + f] !== want) mismatches++;
        if (d.binsByColumn[f * rows + r] !== want) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});
