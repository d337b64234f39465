import { describe, expect, it } from 'vitest';
import { ageFromRings, fromScaled, parseDecimal, toScaled } from './units';

describe('toScaled / fromScaled', () => {
  it('divides millimetres and grams by 200, as the data set stores them', () => {
    // The data set's first row: 91 mm → 0.455, 44.9 g → 0.2245.
    expect(toScaled(91)).toBe(0.455);
    expect(toScaled(73)).toBe(0.365);
    expect(toScaled(44.9)).toBe(0.2245);
    expect(toScaled(102.8)).toBe(0.514);
    expect(toScaled(200)).toBe(1);
  });

  it('has no floating-point noise in the payload', () => {
    for (let tenths = 1; tenths <= 4000; tenths++) {
      const real = tenths / 10;
      const scaled = toScaled(real);
      // At most 4 decimals for inputs with one decimal (x.y / 200).
      expect(String(scaled)).toMatch(/^\d+(\.\d{1,4})?$/);
      expect(fromScaled(scaled)).toBe(real);
    }
  });

  it('converts back to real units', () => {
    expect(fromScaled(0.8)).toBe(160);
    expect(fromScaled(1.4)).toBe(280);
    expect(fromScaled(0.95)).toBe(190);
  });
});

describe('ageFromRings', () => {
  it('adds 1.5 years to the ring count', () => {
    expect(ageFromRings(9.8)).toBe(11.3);
    expect(ageFromRings(0)).toBe(1.5);
    expect(ageFromRings(15)).toBe(16.5);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['91', 91],
    ['91.5', 91.5],
    [' 12.25 ', 12.25],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['7.', 7],
    ['44,9', 44.9],
    ['-3', -3],
  ])('reads %j as %d', (text, expected) => {
    expect(parseDecimal(text)).toBe(expected);
  });

  it.each([
    '',
    '  ',
    'abc',
    '12abc',
    '1e3',
    'Infinity',
    'NaN',
    '1.2.3',
    '0x10',
    '1 2',
    '1,2,3',
  ])('refuses %j', text => {
    expect(parseDecimal(text)).toBeUndefined();
  });
});
