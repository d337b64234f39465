import { columnsFromRecords } from '@mlops-portal/ml-core';
import type { LabeledRecord } from '@mlops-portal/ml-core';
import { checkTrainingData as checkColumns } from './dataChecks';

const checkTrainingData = (records: LabeledRecord[], minRows: number) =>
  checkColumns(columnsFromRecords(records), minRows);

const row = (rings: number, sex = 'M', height = 0.1): LabeledRecord => ({
  sex,
  length: 0.5,
  diameter: 0.4,
  height,
  wholeWeight: 0.6,
  shuckedWeight: 0.3,
  visceraWeight: 0.1,
  shellWeight: 0.2,
  rings,
});

describe('checkTrainingData', () => {
  it('passes 250,000 rows without overflowing the stack (issue #14)', () => {
    const records = Array.from({ length: 250_000 }, (_, i) =>
      row(1 + (i % 29), ['M', 'F', 'I'][i % 3], i % 1000 === 0 ? NaN : 0.1),
    );
    const result = checkTrainingData(records, 30);
    expect(result.rowCount).toBe(250_000);
    expect(result.missingCells).toBe(250);
    expect(result.checks).toEqual([
      'schema: 8 features + rings, types and values',
      'row count 250000 ≥ 30',
      'label (rings) varies',
      'sex values: F, I, M',
      'missing numeric cells (to be imputed): 250',
    ]);
  });

  it('refuses too few rows and a constant label, naming the check', () => {
    expect(() => checkTrainingData([row(3), row(4)], 30)).toThrow(
      /2 rows, at least 30 are needed/,
    );
    expect(() =>
      checkTrainingData(
        Array.from({ length: 40 }, () => row(7)),
        30,
      ),
    ).toThrow(/same rings value/);
  });
});
