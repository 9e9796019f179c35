/**
 * TA-Lib's directional movement on one series (ta_ADX.c, ta_ADXR.c, ta_PLUS_DI.c, ta_MINUS_DI.c) and
 * its parabolic SAR (ta_SAR.c), in its order of operations; each fills its n outputs, NaN over the
 * lookback. native/kernels/indicators/directional.cpp mirrors it.
 */
import { isZero } from './columns.js';
import { trueRange } from './bands-ranges.js';

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

/**
 * TA_PLUS_DI (plus) or TA_MINUS_DI: 100 DM / TR of Wilder's sums (0 where TR is 0), lookback
 * period; a period of 1 is TA-Lib's DM / TR of the bar (not scaled by 100), lookback 1.
 */
function di(high: Float64Array, low: Float64Array, close: Float64Array, period: number, plus: boolean, out: Float64Array): void {
  const n = close.length;
  if (period <= 1) {
    out.fill(NaN, 0, Math.min(1, n));
    for (let t = 1; t < n; t++) {
      const diffP = high[t] - high[t - 1];
      const diffM = low[t - 1] - low[t];
      const move = plus ? diffP : diffM;
      if (move > 0 && move > (plus ? diffM : diffP)) {
        const tr = trueRange(high, low, close, t);
        out[t] = isZero(tr) ? 0 : move / tr;
      } else out[t] = 0;
    }
    return;
  }
  if (n <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  const d = new Directional(high, low, close);
  let today = 0;
  for (let i = period - 1; i-- > 0; ) d.step(++today, period, false);
  while (today < n - 1) {
    d.step(++today, period, true);
    out[today] = !isZero(d.range) ? 100 * ((plus ? d.plusDm : d.minusDm) / d.range) : 0;
  }
}

/** TA_PLUS_DI. */
export function plusDi(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  di(high, low, close, period, true, out);
}

/** TA_MINUS_DI. */
export function minusDi(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  di(high, low, close, period, false, out);
}

/** TA_ADXR: (ADX + the ADX period - 1 bars before) / 2; lookback 3 period - 2. */
export function adxr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  const n = close.length;
  const lookback = 3 * period - 2;
  if (n <= lookback) return void out.fill(NaN);
  adx(high, low, close, period, out);
  for (let t = n - 1; t >= lookback; t--) out[t] = (out[t] + out[t - (period - 1)]) / 2;
  out.fill(NaN, 0, lookback);
}

/**
 * TA_SAR: Wilder's parabolic SAR, TA-Lib's start (long unless bar 1's -DM is positive, the SAR
 * starting at bar 0's low, resp. high) and its acceleration capped at `maximum`; lookback 1.
 */
export function sar(high: Float64Array, low: Float64Array, acceleration: number, maximum: number, out: Float64Array): void {
  const n = high.length;
  if (n <= 1) return void out.fill(NaN);
  out[0] = NaN;
  let step = acceleration;
  let af = step;
  if (af > maximum) af = step = maximum;
  const diffP = high[1] - high[0];
  const diffM = low[0] - low[1];
  let isLong = !(diffM > 0 && diffP < diffM);
  let ep = isLong ? high[1] : low[1];
  let value = isLong ? low[0] : high[0];
  let newLow = low[1];
  let newHigh = high[1];
  for (let today = 1; today < n; today++) {
    const prevLow = newLow;
    const prevHigh = newHigh;
    newLow = low[today];
    newHigh = high[today];
    if (isLong) {
      if (newLow <= value) {
        isLong = false;
        value = ep;
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
        out[today] = value;
        af = step;
        ep = newLow;
        value = value + af * (ep - value);
        if (value < prevHigh) value = prevHigh;
        if (value < newHigh) value = newHigh;
      } else {
        out[today] = value;
        if (newHigh > ep) {
          ep = newHigh;
          af += step;
          if (af > maximum) af = maximum;
        }
        value = value + af * (ep - value);
        if (value > prevLow) value = prevLow;
        if (value > newLow) value = newLow;
      }
    } else if (newHigh >= value) {
      isLong = true;
      value = ep;
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
      out[today] = value;
      af = step;
      ep = newHigh;
      value = value + af * (ep - value);
      if (value > prevLow) value = prevLow;
      if (value > newLow) value = newLow;
    } else {
      out[today] = value;
      if (newLow < ep) {
        ep = newLow;
        af += step;
        if (af > maximum) af = maximum;
      }
      value = value + af * (ep - value);
      if (value < prevHigh) value = prevHigh;
      if (value < newHigh) value = newHigh;
    }
  }
}
