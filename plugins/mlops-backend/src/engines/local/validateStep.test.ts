import { checkTable, tableFromRecords } from '@mlops-portal/ml-core';
import type { RecordValue } from '@mlops-portal/ml-core';
import { demoSystem } from '../../__testUtils__/demoSystems';
import { signatureFromSpec } from './modelRegistry';

/**
 * The Validate step's data checks (ml-core's checkTable, run by the worker)
 * on the Abalone system's schema, with the assertions the engine's own
 * Abalone-only checks had.
 */
const abalone = demoSystem('abalone');
const schema = {
  header: abalone.spec.spec.dataset.header,
  columns: abalone.spec.spec.dataset.columns!.map(c => ({ ...c, type: c.type! })),
  target: abalone.spec.spec.dataset.target,
  task: abalone.spec.spec.dataset.task,
  missingValues: ['', 'NA', '?'],
  maxCategories: 50,
};

const row = (rings: number, sex = 'M', height: number | null = 0.1) =>
  ({
    sex,
    length: 0.5,
    diameter: 0.4,
    height,
    wholeWeight: 0.6,
    shuckedWeight: 0.3,
    visceraWeight: 0.1,
    shellWeight: 0.2,
    rings,
  } as Record<string, RecordValue>);

describe('the Validate step on a system schema', () => {
  it('passes 250,000 rows without overflowing the stack (issue #14), counting missing cells', () => {
    const records = Array.from({ length: 250_000 }, (_, i) =>
      row(1 + (i % 29), ['M', 'F', 'I'][i % 3], i % 1000 === 0 ? null : 0.1),
    );
    const result = checkTable(tableFromRecords(schema, records), schema, {
      minRows: 30,
    });
    expect(result.rowCount).toBe(250_000);
    expect(result.missingCells).toBe(250);
    expect(result.checks).toEqual(
      expect.arrayContaining([
        'schema: 8 features + rings (regression)',
        'row count 250000 ≥ 30',
        'label (rings) varies: 1 … 29',
      ]),
    );
  });

  it('refuses too few rows and a constant label, naming the check', () => {
    expect(() =>
      checkTable(tableFromRecords(schema, [row(3), row(4)]), schema, {
        minRows: 30,
      }),
    ).toThrow(/2 rows, at least 30 are needed/);
    expect(() =>
      checkTable(
        tableFromRecords(
          schema,
          Array.from({ length: 40 }, () => row(7)),
        ),
        schema,
        { minRows: 30 },
      ),
    ).toThrow(/same rings value/);
  });

  it('the schema used here is the one a version without signature gets its signature from', () => {
    const signature = signatureFromSpec(abalone.spec);
    expect(signature.inputs.map(i => i.name)).toEqual(
      schema.columns.filter(c => c.name !== 'rings').map(c => c.name),
    );
  });
});
