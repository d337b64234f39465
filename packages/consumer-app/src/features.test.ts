import { describe, expect, it } from 'vitest';
import { NUMERIC_FEATURE_SPECS } from '@mlops-portal/abalone-schema';
import { MEASUREMENTS, MEASUREMENT_INFO, SEX_OPTIONS } from './features';

// The app used to keep its own copy of the ranges; it now derives them from
// the shared schema, which is what the portal's API validates with.
describe('feature ranges from the shared schema', () => {
  it.each(MEASUREMENTS)('%s has the API accepted range and unit', key => {
    const spec = NUMERIC_FEATURE_SPECS[key];
    expect(MEASUREMENT_INFO[key]).toEqual({
      key,
      label: spec.label,
      unit: spec.unit,
      description: spec.description,
      scaledMin: spec.min,
      scaledMax: spec.max,
    });
  });

  it('offers the three sexes in the data set order', () => {
    expect(SEX_OPTIONS).toEqual([
      { value: 'M', label: 'Male' },
      { value: 'F', label: 'Female' },
      { value: 'I', label: 'Infant' },
    ]);
  });
});
