import { mulberry32 } from '../random';
import { buildHistData, codeRows, validationDirections } from './bins';

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

describe('codeRows and validationDirections', () => {
  it('send every value the way `x < condition` does, for every split of every feature', () => {
    const rng = mulberry32(21);
    const rows = 5000;
    const cols = 4;
    const x = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      x[r * cols] = rng() * 10 - 5; // continuous, > max_bin distinct values
      x[r * cols + 1] = Math.floor(rng() * 5); // few distinct values
      x[r * cols + 2] = r % 4 === 0 ? NaN : rng(); // missing values
      x[r * cols + 3] = 3; // constant
    }
    const data = buildHistData(x, rows, cols, 32);
    const { offsets, cuts, minCuts } = data;
    // Values to route: in range, exactly at every cut, between, and far
    // outside the training range, and missing.
    const probes: number[][] = Array.from({ length: cols }, (_, f) => {
      const own = Array.from(
        cuts.subarray(offsets[f], offsets[f + 1]),
        (c: number) => c,
      );
      const around = own.flatMap(c => [
        c,
        Math.fround(c - 1e-3),
        Math.fround(c + 1e-3),
      ]);
      return [
        ...around,
        minCuts[f],
        Math.fround(minCuts[f] - 1),
        Math.fround(minCuts[f] + 1e-6),
        -1e9,
        1e9,
        NaN,
        ...Array.from({ length: 50 }, () => Math.fround(rng() * 20 - 10)),
      ];
    });
    const n = Math.max(...probes.map(p => p.length));
    const xv = new Float32Array(n * cols);
    for (let r = 0; r < n; r++)
      for (let f = 0; f < cols; f++)
        xv[r * cols + f] = probes[f][r % probes[f].length];
    const coded = codeRows(data, xv, n)!;
    const dirs = new Uint8Array(coded.missingCode + 1);
    let checked = 0;
    for (let f = 0; f < cols; f++) {
      // Split bins as findBestSplit makes them: offsets[f]-1 (backward split
      // at the first bin, condition minCuts[f]) up to the last bin.
      for (let bin = offsets[f] - 1; bin < offsets[f + 1]; bin++) {
        const condition = bin >= offsets[f] ? cuts[bin] : minCuts[f];
        for (const defaultLeft of [0, 1]) {
          validationDirections(dirs, coded, data, f, bin, defaultLeft);
          for (let r = 0; r < n; r++) {
            const v = xv[r * cols + f];
            const tree = v < condition ? 1 : 0;
            const left = Number.isNaN(v) ? defaultLeft : tree;
            const code = coded.byColumn[f * n + r];
            if (dirs[code] !== left)
              throw new Error(
                `feature ${f}, bin ${bin}, value ${v}: code ${code} goes ${dirs[code]}, the tree ${left}`,
              );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });
});
