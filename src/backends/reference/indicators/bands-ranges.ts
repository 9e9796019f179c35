/**
 * TA-Lib's BBANDS, TRANGE, ATR and NATR on one series (ta_BBANDS.c, ta_STDDEV.c, ta_TRANGE.c,
 * ta_ATR.c, ta_NATR.c), in its order of operations; each fills its n outputs, NaN over the lookback.
 * native/kernels/indicators/bands_ranges.cpp mirrors it.
 */
import { maLookback, maOf, sma } from './averages.js';
import { isZero } from './columns.js';

/**
 * TA_BBANDS: the middle band the MA of type `maType` (TA_MAType's number), the bands the middle plus
 * and minus nbDev times the population deviation (0 below TA_EPSILON): with the SMA,
 * TA_INT_stddev_using_precalc_ma's (a running sum of squares less the squared SMA), else TA_STDDEV's
 * (TA_INT_VAR's running sums from the MA's first value).
 */
export function bbands(
  x: Float64Array,
  period: number,
  nbDevUp: number,
  nbDevDn: number,
  maType: number,
  upper: Float64Array,
  middle: Float64Array,
  lower: Float64Array,
): void {
  const n = x.length;
  const lookback = maLookback(maType, period);
  if (maType === 0) sma(x, period, middle);
  else maOf(maType, x, period, middle);
  if (n <= lookback) {
    upper.fill(NaN);
    lower.fill(NaN);
    return;
  }
  upper.fill(NaN, 0, lookback);
  lower.fill(NaN, 0, lookback);
  const band = (t: number, dev: number) => {
    const mid = middle[t];
    upper[t] = mid + dev * nbDevUp;
    lower[t] = mid - dev * nbDevDn;
  };
  if (maType === 0) {
    let squares = 0;
    for (let i = 0; i < lookback; i++) squares += x[i] * x[i];
    for (let end = lookback, start = 0; end < n; end++, start++) {
      squares += x[end] * x[end];
      let mean2 = squares / period;
      squares -= x[start] * x[start];
      const mid = middle[end];
      mean2 -= mid * mid;
      band(end, !(mean2 < 1e-14) ? Math.sqrt(mean2) : 0);
    }
    return;
  }
  let total1 = 0;
  let total2 = 0;
  let trailing = lookback - (period - 1);
  for (let i = trailing; i < lookback; i++) {
    total1 += x[i];
    total2 += x[i] * x[i];
  }
  for (let t = lookback; t < n; t++) {
    total1 += x[t];
    total2 += x[t] * x[t];
    const mean1 = total1 / period;
    const mean2 = total2 / period;
    total1 -= x[trailing];
    total2 -= x[trailing] * x[trailing];
    trailing++;
    const variance = mean2 - mean1 * mean1;
    band(t, !(variance < 1e-14) ? Math.sqrt(variance) : 0);
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
