import { describe, expect, it } from 'vitest';
import { EXAMPLE_INPUT, MEASUREMENTS } from './features';
import {
  EMPTY_FORM,
  FormValues,
  realMax,
  validateField,
  validateForm,
  validateWhileTyping,
} from './validation';

const valid: FormValues = { ...EXAMPLE_INPUT };

describe('validateField', () => {
  it('accepts plausible measurements', () => {
    for (const key of MEASUREMENTS) {
      expect(validateField(key, valid[key])).toBeUndefined();
    }
    expect(validateField('sex', 'F')).toBeUndefined();
    expect(validateField('sex', 'I')).toBeUndefined();
  });

  it('requires every field, naming it and its unit', () => {
    expect(validateField('sex', '')).toBe('Choose male, female or infant.');
    expect(validateField('length', '')).toBe(
      'Enter the length in millimetres.',
    );
    expect(validateField('shellWeight', '   ')).toBe(
      'Enter the shell weight in grams.',
    );
  });

  it('refuses an unknown sex code', () => {
    expect(validateField('sex', 'X')).toBe('Choose male, female or infant.');
  });

  it('accepts numbers only', () => {
    expect(validateField('diameter', '7cm')).toBe(
      'Diameter must be a number in millimetres, for example 91 or 91.5.',
    );
    expect(validateField('wholeWeight', 'heavy')).toMatch(
      /^Whole weight must be a number in grams/,
    );
  });

  it('refuses zero and negative values', () => {
    expect(validateField('height', '0')).toBe('Height must be more than 0 mm.');
    expect(validateField('visceraWeight', '-2')).toBe(
      'Viscera weight must be more than 0 g.',
    );
  });

  it('uses the data set ranges converted to mm and g (inclusive maximum)', () => {
    expect(realMax('length')).toBe(200);
    expect(realMax('diameter')).toBe(160);
    expect(realMax('height')).toBe(280);
    expect(realMax('wholeWeight')).toBe(700);
    expect(realMax('shuckedWeight')).toBe(380);
    expect(realMax('visceraWeight')).toBe(190);
    expect(realMax('shellWeight')).toBe(260);

    expect(validateField('length', '200')).toBeUndefined();
    expect(validateField('length', '200.1')).toBe(
      'Length can be at most 200 mm, larger than any abalone in the data set. Check the value and that it is in millimetres.',
    );
    expect(validateField('shellWeight', '261')).toMatch(
      /^Shell weight can be at most 260 g.*in grams\.$/,
    );
  });
});

describe('validateForm', () => {
  it('converts a valid form to the API instance in scaled units', () => {
    const result = validateForm(valid);
    expect(result).toEqual({
      ok: true,
      instance: {
        sex: 'M',
        length: 0.455,
        diameter: 0.365,
        height: 0.095,
        wholeWeight: 0.514,
        shuckedWeight: 0.2245,
        visceraWeight: 0.101,
        shellWeight: 0.15,
      },
    });
  });

  it('accepts a decimal comma', () => {
    const result = validateForm({ ...valid, wholeWeight: '102,8' });
    expect(result.ok && result.instance.wholeWeight).toBe(0.514);
  });

  it('reports every bad field at once', () => {
    const result = validateForm({
      ...valid,
      sex: '',
      length: 'abc',
      height: '999',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors).sort()).toEqual(
        ['height', 'length', 'sex'].sort(),
      );
    }
  });

  it('flags all eight fields of an empty form', () => {
    const result = validateForm(EMPTY_FORM);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(Object.keys(result.errors)).toHaveLength(8);
    }
  });
});

describe('validateWhileTyping', () => {
  it('leaves empty and half-typed numbers alone', () => {
    for (const text of [
      '',
      ' ',
      '0',
      '0.',
      '.',
      ',',
      '-',
      '+',
      '.5',
      '12,',
      '91',
    ]) {
      expect(validateWhileTyping('length', text)).toBeUndefined();
    }
    expect(validateWhileTyping('sex', '')).toBeUndefined();
  });

  it('flags text that can no longer become a number', () => {
    expect(validateWhileTyping('length', '9a')).toBe(
      'Length must be a number in millimetres, for example 91 or 91.5.',
    );
    expect(validateWhileTyping('shellWeight', '1.2.')).toMatch(
      /^Shell weight must be a number in grams/,
    );
  });

  it('flags a value already above the maximum', () => {
    expect(validateWhileTyping('diameter', '161')).toMatch(
      /^Diameter can be at most 160 mm/,
    );
    expect(validateWhileTyping('diameter', '160')).toBeUndefined();
  });
});
