/**
 * TA-Lib's BBANDS, TRANGE, ATR and NATR on one series (ta_BBANDS.c, ta_STDDEV.c, ta_TRANGE.c,
 * ta_ATR.c, ta_NATR.c), in its order of operations; each fills its n outputs, NaN over the lookback.
 * native/kernels/indicators/volatility.cpp mirrors it.
 */
import { sma } from './averages.js';
import { isZero } from './columns.js';

/**
 * TA_BBANDS with its SMA: the middle band the SMA; TA_INT_stddev_using_precalc_ma's deviation from a
 * running sum of squares less the squared SMA (0 below TA_EPSILON); the bands mid +- dev * nbDev.
 */
export function bbands(
  x: Float64Array,
  period: number,
  nbDevUp: number,
  nbDevDn: number,
  upper: Float64Array,
  middle: Float64Array,
  lower: Float64Array,
): void {
  const n = x.length;
  const lookback = period - 1;
  sma(x, period, middle);
  if (n <= lookback) {
    upper.fill(NaN);
    lower.fill(NaN);
    return;
  }
  upper.fill(NaN, 0, lookback);
  lower.fill(NaN, 0, lookback);
  let squares = 0;
  for (let i = 0; i < lookback; i++) squares += x[i] * x[i];
  for (let end = lookback, start = 0; end < n; end++, start++) {
    squares += x[end] * x[end];
    let mean2 = squares / period;
    squares -= x[start] * x[start];
    const mid = middle[end];
    mean2 -= mid * mid;
    const dev = !(mean2 < 1e-14) ? Math.sqrt(mean2) : 0;
    upper[end] = mid + dev * nbDevUp;
    lower[end] = mid - dev * nbDevDn;
  }
}

/** TA-Lib's true range of bar t (t >= 1): max(h - l, |h - previous close|, |l - previous close|). */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array, t: number): number {
  let greatest = high[t] - low[t];
  const up = Math.abs(close[t - 1] - high[t]);
  if (up > greatest) greatest = up;
  const down = Math.abs(close[t - 1] - low[t]);
  if (down > greatest) greatest = down;
  return greatest;
}

/** TA_TRANGE: the true range from the second bar. */
export function trange(high: Float64Array, low: Float64Array, close: Float64Array, out: Float64Array): void {
  out.fill(NaN, 0, 1);
  for (let t = 1; t < close.length; t++) out[t] = trueRange(high, low, close, t);
}

/**
 * Wilder's average of the true range seeded by the mean of bars 1 .. period (TA_ATR, TA_NATR), each
 * bar's value from bar `period` on given to `each(t, average)`.
 */
function wilderRange(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  each: (t: number, average: number) => void,
): void {
  let total = 0;
  for (let t = 1; t <= period; t++) total += trueRange(high, low, close, t);
  let average = total / period;
  each(period, average);
  for (let t = period + 1; t < close.length; t++) {
    average *= period - 1;
    average += trueRange(high, low, close, t);
    average /= period;
    each(t, average);
  }
}

/** TA_ATR: Wilder's average of the true range; lookback period, period 1 TRANGE. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  if (period <= 1) return void trange(high, low, close, out);
  if (close.length <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  wilderRange(high, low, close, period, (t, average) => {
    out[t] = average;
  });
}

/**
 * TA_NATR: the ATR / close * 100, 0 where the close is 0 (TA-Lib's |x| < 1e-14). After the first
 * value TA-Lib writes that 0 to its first output instead, leaving the bar's NaN (python talib's array
 * as it was): kept, to equal it.
 */
export function natr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  if (period <= 1) return void trange(high, low, close, out);
  if (close.length <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  wilderRange(high, low, close, period, (t, average) => {
    if (!isZero(close[t])) out[t] = (average / close[t]) * 100;
    else if (t === period) out[t] = 0;
    else {
      out[t] = NaN;
      out[period] = 0;
    }
  });
}
