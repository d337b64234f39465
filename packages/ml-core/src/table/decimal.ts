/**
 * Decimal numbers read straight from bytes, giving exactly what `Number(text)`
 * gives for the same text (plain decimal notation only: `[+-]digits[.digits][e[+-]digits]`,
 * no hex, no `Infinity`, no `_`). Values of up to 15 significant digits and
 * a power of ten within 1e±22 take Clinger's fast path (both operands exact,
 * one correctly rounded operation); anything else goes through `Number`.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Returns the value, or NaN when the bytes are not a decimal number. */
export function parseDecimal(
  buf: Uint8Array,
  start: number,
  end: number,
): number {
  let p = start;
  let negative = false;
  if (p < end) {
    const c = buf[p];
    if (c === 0x2d) {
      negative = true;
      p++;
    } else if (c === 0x2b) p++;
  }
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let scale = 0;
  while (p < end) {
    const d = buf[p] - 0x30;
    if (d < 0 || d > 9) break;
    if (significant > 0 || d !== 0) {
      if (significant < 16) mantissa = mantissa * 10 + d;
      else scale++;
      significant++;
    }
    digits++;
    p++;
  }
  if (p < end && buf[p] === 0x2e) {
    p++;
    while (p < end) {
      const d = buf[p] - 0x30;
      if (d < 0 || d > 9) break;
      if (significant > 0 || d !== 0) {
        if (significant < 16) {
          mantissa = mantissa * 10 + d;
          scale--;
        }
        significant++;
      } else scale--;
      digits++;
      p++;
    }
  }
  if (digits === 0) return NaN;
  let exponent = 0;
  if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
      expNegative = buf[p] === 0x2d;
      p++;
    }
    const expStart = p;
    while (p < end) {
      const d = buf[p] - 0x30;
      if (d < 0 || d > 9) break;
      if (exponent < 1e8) exponent = exponent * 10 + d;
      p++;
    }
    if (p === expStart) return NaN;
    if (expNegative) exponent = -exponent;
  }
  if (p !== end) return NaN;
  const e10 = scale + exponent;
  if (significant === 0) return negative ? -0 : 0;
  if (significant <= 15) {
    if (e10 >= 0 && e10 <= 22) {
      const v = mantissa * POW10[e10];
      return negative ? -v : v;
    }
    if (e10 < 0 && e10 >= -22) {
      const v = mantissa / POW10[-e10];
      return negative ? -v : v;
    }
  }
  // Long mantissas and far exponents: Number rounds them correctly (the
  // grammar was checked above, so it reads the same number).
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return Number(s);
}
