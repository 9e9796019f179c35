/**
 * TA-Lib's volume indicators on one series (ta_OBV.c, ta_AD.c, ta_ADOSC.c, ta_MFI.c), in its order of
 * operations; each fills its n outputs, NaN over the lookback. native/kernels/indicators/volume.cpp
 * mirrors it.
 */
import { perToK } from './averages.js';

/** TA_OBV: from volume[0], + volume on a rise of the close, - on a fall; lookback 0. */
export function obv(close: Float64Array, volume: Float64Array, out: Float64Array): void {
  if (close.length === 0) return;
  let total = volume[0];
  let prev = close[0];
  for (let t = 0; t < close.length; t++) {
    const value = close[t];
    if (value > prev) total += volume[t];
    else if (value < prev) total -= volume[t];
    out[t] = total;
    prev = value;
  }
}

/** One bar's Chaikin money flow added to `ad` (TA-Lib: nothing where high - low is not above 0). */
function adStep(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, t: number, ad: number): number {
  const h = high[t];
  const l = low[t];
  const range = h - l;
  const c = close[t];
  return range > 0 ? ad + ((c - l - (h - c)) / range) * volume[t] : ad;
}

/** TA_AD: the running Chaikin accumulation/distribution line; lookback 0. */
export function ad(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, out: Float64Array): void {
  let line = 0;
  for (let t = 0; t < close.length; t++) out[t] = line = adStep(high, low, close, volume, t, line);
}

/**
 * TA_ADOSC: the fast EMA less the slow EMA of the AD line, both seeded by its first value and written
 * k ad + (1 - k) e; lookback the longer period - 1.
 */
export function adosc(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  fastPeriod: number,
  slowPeriod: number,
  out: Float64Array,
): void {
  const n = close.length;
  const lookback = (fastPeriod < slowPeriod ? slowPeriod : fastPeriod) - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  const fastK = perToK(fastPeriod);
  const fastRest = 1.0 - fastK;
  const slowK = perToK(slowPeriod);
  const slowRest = 1.0 - slowK;
  let line = adStep(high, low, close, volume, 0, 0);
  let fast = line;
  let slow = line;
  for (let t = 1; t < n; t++) {
    line = adStep(high, low, close, volume, t, line);
    fast = fastK * line + fastRest * fast;
    slow = slowK * line + slowRest * slow;
    if (t >= lookback) out[t] = fast - slow;
  }
}

/**
 * TA_MFI: 100 positive / (positive + negative) money flow over `period` bars (typical price times
 * volume, by the typical price's move; 0 where the sum is below 1), kept in TA-Lib's circular buffer;
 * lookback period.
 */
export function mfi(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period: number,
  out: Float64Array,
): void {
  const n = close.length;
  if (n <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  const positive = new Float64Array(period);
  const negative = new Float64Array(period);
  let at = 0;
  let pos = 0;
  let neg = 0;
  let prev = (high[0] + low[0] + close[0]) / 3.0;
  const flow = (t: number) => {
    let typical = (high[t] + low[t] + close[t]) / 3.0;
    const move = typical - prev;
    prev = typical;
    typical *= volume[t];
    positive[at] = move > 0 ? typical : 0;
    negative[at] = move < 0 ? typical : 0;
    if (move < 0) neg += typical;
    else if (move > 0) pos += typical;
  };
  const ratio = () => {
    const sum = pos + neg;
    return sum < 1.0 ? 0.0 : 100.0 * (pos / sum);
  };
  for (let t = 1; t <= period; t++) {
    flow(t);
    at = at + 1 > period - 1 ? 0 : at + 1;
  }
  out[period] = ratio();
  for (let t = period + 1; t < n; t++) {
    pos -= positive[at];
    neg -= negative[at];
    flow(t);
    out[t] = ratio();
    at = at + 1 > period - 1 ? 0 : at + 1;
  }
}
