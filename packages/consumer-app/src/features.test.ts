import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ABALONE_SCALE,
  AGE_OFFSET_YEARS,
  MEASUREMENTS,
  MEASUREMENT_INFO,
} from './features';

// The app keeps its own copy of the ranges (it must not depend on the
// Backstage packages). Read the source of truth as text, without importing
// it, and fail when the copy drifts.
const commonSource = readFileSync(
  fileURLToPath(
    new URL('../../../plugins/mlops-common/src/features.ts', import.meta.url),
  ),
  'utf8',
);

describe('copied feature ranges', () => {
  it.each(MEASUREMENTS)('%s matches mlops-common FEATURE_INFO', key => {
    const match = new RegExp(
      `${key}: \\{[^}]*unit: '(mm|g)'[^}]*min: ([\\d.]+), max: ([\\d.]+)`,
    ).exec(commonSource);
    expect(
      match,
      `${key} not found in mlops-common features.ts`,
    ).not.toBeNull();
    const [, unit, min, max] = match!;
    expect(MEASUREMENT_INFO[key].unit).toBe(unit);
    expect(MEASUREMENT_INFO[key].scaledMin).toBe(Number(min));
    expect(MEASUREMENT_INFO[key].scaledMax).toBe(Number(max));
  });

  it('uses the same scale and age offset', () => {
    expect(commonSource).toContain(`ABALONE_SCALE = ${ABALONE_SCALE};`);
    expect(commonSource).toContain(`AGE_OFFSET_YEARS = ${AGE_OFFSET_YEARS};`);
  });
});
