import { formatCsvNumber as formatCsvNumberImport } from './preprocess';

// A module-local copy: transpilers turn imports into getter calls.
const formatCsvNumber = formatCsvNumberImport;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const NEG_POW10 = Array.from({ length: 8 }, (_, i) => 10 ** -i);

function digitCount(n: number): number {
  let d = 1;
  while (d < 10 && n >= POW10[d]) d++;
  return d;
}

/** "00".."99" as ASCII pairs: two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 0x30 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 0x30 + (i % 10);
}

/**
 * The `count` decimal digits of integer 0 ≤ n < 2^31 (leading zeros up to
 * `count`), most significant first, two at a time in int32 arithmetic.
 */
function writeDigits(
  out: Uint8Array,
  pos: number,
  n: number,
  count: number,
): number {
  let x = n | 0;
  let k = pos + count;
  while (k - pos >= 2) {
    const q = (x / 100) | 0;
    const pair = (x - q * 100) << 1;
    out[--k] = DIGIT_PAIRS[pair + 1];
    out[--k] = DIGIT_PAIRS[pair];
    x = q;
  }
  if (k > pos) out[pos] = 0x30 + x;
  return pos + count;
}

function writeText(out: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[pos + i] = text.charCodeAt(i);
  return pos + text.length;
}

/**
 * The text `formatCsvNumber(v)` gives (`String(Number(v.toPrecision(9)))`,
 * empty for NaN), written as ASCII bytes straight into `out` at `pos`;
 * returns the position after it. Preprocess writes tens of millions of cells
 * at scale, where the string round trip cost more than training; this makes
 * no string for the usual cell.
 *
 * Fast path (1e-6 ≤ |v| < 1e9): scale by an exact power of ten, round to 9
 * significant digits and drop trailing zeros, which is what toPrecision(9)
 * then Number → String produce (a 9-digit decimal is its own shortest
 * round-trip form). The product is within 1.2e-7 of exact, so a value whose
 * fraction lies within 1e-6 of a rounding tie takes the exact path instead,
 * as do other magnitudes (exponent notation). Needs 24 free bytes in `out`.
 */
export function writeCsvNumber(
  out: Uint8Array,
  pos: number,
  v: number,
): number {
  if (Number.isNaN(v)) return pos;
  let p = pos;
  if (Number.isInteger(v) && v < 1e9 && v > -1e9) {
    // -0 prints as 0, like String(-0).
    if (v < 0) out[p++] = 0x2d;
    return writeDigits(out, p, v < 0 ? -v : v, digitCount(v < 0 ? -v : v));
  }
  const a = v < 0 ? -v : v;
  if (!(a >= 1e-6 && a < 1e9)) return writeText(out, pos, formatCsvNumber(v));
  // Decimal exponent by comparison (log10 is slower); corrected below.
  let e = 0;
  if (a >= 1) while (e < 8 && a >= POW10[e + 1]) e++;
  else {
    e = -1;
    while (e > -6 && a < NEG_POW10[-e]) e--;
  }
  let y = a * POW10[8 - e];
  if (y < 1e8) y = a * POW10[8 - --e];
  else if (y >= 1e9) y = a * POW10[8 - ++e];
  const floor = Math.floor(y);
  const frac = y - floor;
  if (frac > 0.5 - 1e-6 && frac < 0.5 + 1e-6)
    return writeText(out, pos, formatCsvNumber(v));
  let n = frac > 0.5 ? floor + 1 : floor;
  if (n >= 1e9) {
    n = 1e8;
    e++;
  }
  if (e > 8 || e < -6 || n < 1e8)
    return writeText(out, pos, formatCsvNumber(v));
  let digits = 9;
  let m = n | 0;
  for (let q = (m / 10) | 0; m === q * 10; q = (m / 10) | 0) {
    m = q;
    digits--;
  }
  if (v < 0) out[p++] = 0x2d;
  if (e >= 0) {
    const intDigits = e + 1;
    if (digits <= intDigits)
      return writeDigits(out, p, m * POW10[intDigits - digits], intDigits);
    // The integer part, the point, then the fraction's digits (with its
    // leading zeros).
    const fractionDigits = digits - intDigits;
    const whole = (m / POW10[fractionDigits]) | 0;
    p = writeDigits(out, p, whole, intDigits);
    out[p++] = 0x2e;
    return writeDigits(
      out,
      p,
      m - whole * POW10[fractionDigits],
      fractionDigits,
    );
  }
  out[p++] = 0x30;
  out[p++] = 0x2e;
  for (let z = -e - 1; z > 0; z--) out[p++] = 0x30;
  return writeDigits(out, p, m, digits);
}
