import type { DatasetSchema } from '../spec/types';
import { tableFromRecords } from '../dataset/records';
import { loadDemo } from '../dataset/testing';
import { baselineStatistics } from './statistics';
import { tableBaselineStatistics } from './statistics';
import { tableDrift } from './drift';
import { parseAbaloneCsv } from '../csv';

const schema: DatasetSchema = {
  header: true,
  columns: [
    { name: 'x', type: 'numeric' },
    { name: 'color', type: 'categorical' },
    { name: 'member', type: 'boolean' },
    { name: 'y', type: 'numeric' },
  ],
  target: 'y',
  task: 'regression',
  missingValues: [''],
  maxCategories: 50,
};

/** n rows, colours in the given shares, x uniform in [offset, offset + 1). */
function rows(n: number, shares: Record<string, number>, offset = 0) {
  const colors: string[] = [];
  for (const [c, share] of Object.entries(shares))
    for (let i = 0; i < Math.round(n * share); i++) colors.push(c);
  return colors.map((color, i) => ({
    x: offset + ((i * 7919) % n) / n,
    color,
    member: i % 2 === 0,
    y: i,
  }));
}

describe('baseline statistics and drift for any table', () => {
  const base = tableFromRecords(
    schema,
    rows(3000, { red: 0.5, green: 0.3, blue: 0.2 }),
  );
  const baseline = tableBaselineStatistics(base, schema);

  it('categorical and boolean features get Model Monitor string_statistics with category frequencies', () => {
    expect(baseline.dataset.item_count).toBe(3000);
    expect(baseline.features.map(f => [f.name, f.inferred_type])).toEqual([
      ['x', 'Fractional'],
      ['color', 'String'],
      ['member', 'String'],
    ]);
    const color = baseline.features[1];
    expect(color).toEqual({
      name: 'color',
      inferred_type: 'String',
      string_statistics: {
        common: { num_present: 3000, num_missing: 0 },
        distinct_count: 3,
        distribution: {
          categorical: {
            buckets: [
              { value: 'red', count: 1500 },
              { value: 'green', count: 900 },
              { value: 'blue', count: 600 },
            ],
          },
        },
      },
    });
    expect(baseline.features[2]).toMatchObject({
      string_statistics: {
        distribution: {
          categorical: {
            buckets: [
              { value: 'false', count: 1500 },
              { value: 'true', count: 1500 },
            ],
          },
        },
      },
    });
  });

  it('the same mix is ok; a shifted mix drifts on PSI and the L-infinity distance', () => {
    const same = tableDrift(
      baseline,
      tableFromRecords(schema, rows(1000, { red: 0.5, green: 0.3, blue: 0.2 })),
    );
    expect(same.status).toBe('ok');
    const color = same.features.find(f => f.name === 'color')!;
    expect(color).toMatchObject({ kind: 'categorical', ks: null, unseen: [] });
    expect(color.psi!).toBeLessThan(0.001);
    expect(color.linf!).toBeLessThan(0.001);

    const shifted = tableDrift(
      baseline,
      tableFromRecords(schema, rows(1000, { red: 0.2, green: 0.3, blue: 0.5 })),
    );
    const c2 = shifted.features.find(f => f.name === 'color')!;
    expect(c2.linf!).toBeCloseTo(0.3, 6);
    expect(c2.psi!).toBeGreaterThan(0.25);
    expect(c2.status).toBe('drift');
    expect(shifted.features.find(f => f.name === 'x')!.status).toBe('ok');
  });

  it('reports categories the baseline never saw', () => {
    const report = tableDrift(
      baseline,
      tableFromRecords(
        schema,
        rows(1000, { red: 0.45, green: 0.25, blue: 0.2, purple: 0.1 }),
      ),
    );
    const color = report.features.find(f => f.name === 'color')!;
    expect(color.unseen).toEqual(['purple']);
    expect(color.linf!).toBeCloseTo(0.1, 6);
    // A new category at 10% weighs heavily in PSI (its baseline share is ~0).
    expect(color.psi!).toBeGreaterThan(0.25);
    expect(color.status).toBe('drift');
  });

  it('numeric features drift as before; too few rows are insufficient data', () => {
    const report = tableDrift(
      baseline,
      tableFromRecords(
        schema,
        rows(1000, { red: 0.5, green: 0.3, blue: 0.2 }, 2),
      ),
    );
    expect(report.features[0]).toMatchObject({
      name: 'x',
      ks: 1,
      status: 'drift',
    });
    const few = tableDrift(
      baseline,
      tableFromRecords(schema, rows(50, { red: 1 })),
    );
    expect(few.features.map(f => f.status)).toEqual([
      'insufficient_data',
      'insufficient_data',
      'insufficient_data',
    ]);
    expect(() =>
      tableDrift(
        baseline,
        tableFromRecords({ ...schema, columns: schema.columns.slice(1) }, []),
      ),
    ).toThrow("drift: the recent rows have no column 'x'");
  });

  it('on Abalone the table baseline has the same numeric statistics as the Abalone one', () => {
    const {
      schema: abalone,
      table,
      text,
    } = loadDemo('abalone', 'abalone.data');
    const generic = tableBaselineStatistics(table, abalone);
    const legacy = baselineStatistics(parseAbaloneCsv(text).records);
    const numeric = (b: typeof generic) =>
      b.features.filter(f => f.inferred_type === 'Fractional');
    expect(numeric(generic)).toEqual(numeric(legacy));
  });
});
