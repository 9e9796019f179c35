/**
 * log, log1p and exp from IEEE operations only (fdlibm's log, Cody-Waite exp), the same bits in TS
 * and C++ (native/kernels/elementary.hpp): kernels whose result depends on the path of an iteration
 * (PIN's Nelder-Mead: a last-bit difference in a likelihood turns a comparison, and the optimum found
 * then differs at its tolerance, ~1e-7) compute through these so that every backend takes the same path.
 * V8's Math.log/exp/log1p and the C library's differ in the last bit for some arguments.
 */
import { logOf } from './random.js';

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer); // little-endian: [low word, high word]

/** ln x for x >= 0: -Infinity at 0, Infinity at Infinity, NaN below 0 (fdlibm's log: within 1 ulp). */
export function logNonNegative(x: number): number {
  return x === 0 ? -Infinity : logOf(x);
}

/**
 * ln(1 + u) for u >= 0: u where 1 + u rounds to 1, else log(w) u / (w - 1) with w = 1 + u (Goldberg's
 * correction of the rounding of 1 + u: within a few ulps).
 */
export function log1pNonNegative(u: number): number {
  const w = 1 + u;
  if (w === 1) return u;
  if (w === Infinity) return u;
  return logOf(w) * (u / (w - 1));
}

const LOG2E = 1.4426950408889634074;
const LN2_HI = 6.9314718036912381649e-1; // fdlibm's ln2_hi (32 bits: k * LN2_HI is exact)
const LN2_LO = 1.9082149292705877e-10; // ln 2 - LN2_HI
const SHIFTER = 6755399441055744; // 1.5 * 2^52
const TWO_M64 = 2 ** -64;

/**
 * e^x for x <= 0 (NaN stays NaN): Cody-Waite reduction x = k ln 2 + r, |r| <= ln 2 / 2, k rounded by
 * the 1.5 * 2^52 shifter; e^r by its Taylor series to degree 13; 2^k applied as 2^(k + 64) 2^-64 so
 * that a subnormal result rounds once. Within 1 ulp (the C++ normalCdfMany's exp, special.cpp).
 */
export function expNonPositive(x: number): number {
  const y = x < -746 ? -746 : x; // e^-746 rounds to 0 like anything below it
  const kd = y * LOG2E + SHIFTER;
  const k = kd - SHIFTER;
  const r = y - k * LN2_HI - k * LN2_LO;
  // Taylor to degree 13, Horner from 1/13! (the C++'s kExpTaylor, unrolled)
  let p = 1 / 6227020800;
  p = p * r + 1 / 479001600;
  p = p * r + 1 / 39916800;
  p = p * r + 1 / 3628800;
  p = p * r + 1 / 362880;
  p = p * r + 1 / 40320;
  p = p * r + 1 / 5040;
  p = p * r + 1 / 720;
  p = p * r + 1 / 120;
  p = p * r + 1 / 24;
  p = p * r + 1 / 6;
  p = p * r + 0.5;
  p = p * r + 1;
  p = p * r + 1;
  words[0] = 0;
  words[1] = (k + 1087) * 1048576; // 2^(k + 64): k in [-1077, 0]
  return p * bits[0] * TWO_M64;
}

/** e^x for any x: Cody-Waite's exp of -|x|, inverted for x > 0 (within 2 ulps; the volatility family's exp). */
export function expOf(x: number): number {
  return x <= 0 ? expNonPositive(x) : 1 / expNonPositive(-x);
}

/**
 * x^y for x >= 0 as e^(y ln x) of expOf and logOf (the same bits in C++: native/kernels/elementary.hpp
 * powerOf), 0^y 0 for y > 0 and 1 for y = 0; NaN for x < 0. Within a few ulps of Math.pow where y ln x
 * is small (the volatility family's APARCH powers).
 */
export function powerOf(x: number, y: number): number {
  if (x === 0) return y > 0 ? 0 : y === 0 ? 1 : Infinity;
  return expOf(y * logOf(x));
}
