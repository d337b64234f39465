import { describe, expect, it } from 'vitest';
import { fieldErrorsFromServerMessage } from './serverFieldErrors';

describe('fieldErrorsFromServerMessage', () => {
  it('maps the fields the portal backend names', () => {
    expect(
      fieldErrorsFromServerMessage(
        'instances.0.length: length must be ≤ 1 (data set units: mm/200); instances.0.sex: sex must be one of M, F, I',
      ),
    ).toEqual({
      length:
        'The prediction service refused this value: length must be ≤ 1 (data set units: mm/200)',
      sex: 'The prediction service refused this value: sex must be one of M, F, I',
    });
  });

  it('ignores messages that name no known field', () => {
    expect(fieldErrorsFromServerMessage('Invalid request body')).toEqual({});
    expect(fieldErrorsFromServerMessage('instances.0.colour: unknown')).toEqual(
      {},
    );
    expect(fieldErrorsFromServerMessage(undefined)).toEqual({});
  });
});
