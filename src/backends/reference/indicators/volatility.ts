/**
 * TA-Lib's BBANDS, TRANGE, ATR and ADX on one series (ta_BBANDS.c, ta_STDDEV.c, ta_TRANGE.c,
 * ta_ATR.c, ta_ADX.c), in its order of operations; each fills its n outputs, NaN over the lookback.
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

/** TA_ATR: Wilder's average of the true range seeded by the mean of bars 1 .. period; period 1 is TRANGE. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  const n = close.length;
  if (period <= 1) return void trange(high, low, close, out);
  if (n <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  let total = 0;
  for (let t = 1; t <= period; t++) total += trueRange(high, low, close, t);
  let average = total / period;
  out[period] = average;
  for (let t = period + 1; t < n; t++) {
    average *= period - 1;
    average += trueRange(high, low, close, t);
    average /= period;
    out[t] = average;
  }
}

/** TA_ADX's running Wilder sums of +DM, -DM and the true range, bar by bar. */
class Directional {
  plusDm = 0;
  minusDm = 0;
  range = 0;
  private prevHigh: number;
  private prevLow: number;
  private prevClose: number;

  constructor(
    private readonly high: Float64Array,
    private readonly low: Float64Array,
    private readonly close: Float64Array,
  ) {
    this.prevHigh = high[0];
    this.prevLow = low[0];
    this.prevClose = close[0];
  }

  /** Bar t's moves, added to the sums (`decay`: Wilder's s -= s / period first, once the sums are full). */
  step(t: number, period: number, decay: boolean): void {
    const h = this.high[t];
    const diffP = h - this.prevHigh;
    this.prevHigh = h;
    const l = this.low[t];
    const diffM = this.prevLow - l;
    this.prevLow = l;
    if (decay) {
      this.minusDm -= this.minusDm / period;
      this.plusDm -= this.plusDm / period;
    }
    if (diffM > 0 && diffP < diffM) this.minusDm += diffM;
    else if (diffP > 0 && diffP > diffM) this.plusDm += diffP;
    let tr = h - l;
    const up = Math.abs(h - this.prevClose);
    if (up > tr) tr = up;
    const down = Math.abs(l - this.prevClose);
    if (down > tr) tr = down;
    this.range = decay ? this.range - this.range / period + tr : this.range + tr;
    this.prevClose = this.close[t];
  }

  /** DX of the sums, or undefined where TA-Lib forms none (a zero range or a zero DI sum). */
  dx(): number | undefined {
    if (isZero(this.range)) return undefined;
    const minusDi = 100 * (this.minusDm / this.range);
    const plusDi = 100 * (this.plusDm / this.range);
    const sum = minusDi + plusDi;
    return isZero(sum) ? undefined : 100 * (Math.abs(minusDi - plusDi) / sum);
  }
}

/** TA_ADX: the mean DX over the first `period` full sums, then Wilder's average of DX; lookback 2 period - 1. */
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  const n = close.length;
  const lookback = 2 * period - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  const d = new Directional(high, low, close);
  let today = 0;
  for (let i = period - 1; i-- > 0; ) d.step(++today, period, false);
  let sumDx = 0;
  for (let i = period; i-- > 0; ) {
    d.step(++today, period, true);
    const dx = d.dx();
    if (dx !== undefined) sumDx += dx;
  }
  let average = sumDx / period;
  out[today] = average;
  while (today < n - 1) {
    d.step(++today, period, true);
    const dx = d.dx();
    if (dx !== undefined) average = (average * (period - 1) + dx) / period;
    out[today] = average;
  }
}
