/**
 * TA-Lib's RSI, MACD, MOM, ROC, CCI, AROON, AROONOSC and ULTOSC on one series (their ta_*.c), in
 * its order of operations; each fills its n outputs, NaN over the lookback.
 * native/kernels/indicators/momentum.cpp mirrors it.
 */
import { emaFrom, perToK } from './averages.js';
import { isZero } from './columns.js';
import { trueRange } from './bands-ranges.js';

/** TA_RSI: Wilder's averages of gains and losses seeded by their means over the first `period` moves. */
export function rsi(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  if (n <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  let today = 0;
  let prev = x[today++];
  let gain = 0;
  let loss = 0;
  for (let i = period; i > 0; i--) {
    const value = x[today++];
    const move = value - prev;
    prev = value;
    if (move < 0) loss -= move;
    else gain += move;
  }
  loss /= period;
  gain /= period;
  let sum = gain + loss;
  out[period] = !isZero(sum) ? 100 * (gain / sum) : 0;
  while (today < n) {
    const value = x[today];
    const move = value - prev;
    prev = value;
    loss *= period - 1;
    gain *= period - 1;
    if (move < 0) loss -= move;
    else gain += move;
    loss /= period;
    gain /= period;
    sum = gain + loss;
    out[today++] = !isZero(sum) ? 100 * (gain / sum) : 0;
  }
}

/**
 * TA_MACD: both EMAs from slowPeriod - 1 on (the fast one seeded there), their difference, its EMA
 * the signal; all three from slowPeriod + signalPeriod - 2. A slow period below the fast is swapped.
 */
export function macd(
  x: Float64Array,
  fastPeriod: number,
  slowPeriod: number,
  signalPeriod: number,
  line: Float64Array,
  signal: Float64Array,
  hist: Float64Array,
): void {
  const [fast, slow] = slowPeriod < fastPeriod ? [slowPeriod, fastPeriod] : [fastPeriod, slowPeriod];
  const n = x.length;
  const start = slow - 1;
  const lookback = start + signalPeriod - 1;
  if (n <= lookback) {
    for (const o of [line, signal, hist]) o.fill(NaN);
    return;
  }
  emaFrom(x, slow, perToK(slow), start, hist); // the slow EMA, in hist for now
  emaFrom(x, fast, perToK(fast), start, line);
  for (let t = start; t < n; t++) line[t] = line[t] - hist[t];
  emaFrom(line, signalPeriod, perToK(signalPeriod), lookback, signal);
  for (let t = lookback; t < n; t++) hist[t] = line[t] - signal[t];
  for (const o of [line, signal, hist]) o.fill(NaN, 0, lookback);
}

/** TA_MOM: x - x[period bars before]; lookback period. */
export function mom(x: Float64Array, period: number, out: Float64Array): void {
  out.fill(NaN, 0, Math.min(period, x.length));
  for (let t = period; t < x.length; t++) out[t] = x[t] - x[t - period];
}

/** TA_ROC: (x / x[period bars before] - 1) 100, 0 where that is 0; lookback period. */
export function roc(x: Float64Array, period: number, out: Float64Array): void {
  out.fill(NaN, 0, Math.min(period, x.length));
  for (let t = period; t < x.length; t++) {
    const before = x[t - period];
    out[t] = before !== 0 ? (x[t] / before - 1) * 100 : 0;
  }
}

/**
 * TA_CCI: (tp - mean) / (0.015 mean |tp - mean|) of the typical price (h + l + c) / 3 over `period`
 * bars, summed in the order of TA-Lib's circular buffer; 0 where either is 0. Lookback period - 1.
 */
export function cci(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  const n = close.length;
  const lookback = period - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  const ring = new Float64Array(period);
  let at = 0;
  const next = () => (at = at + 1 > period - 1 ? 0 : at + 1);
  let i = 0;
  for (; i < lookback; i++, next()) ring[at] = (high[i] + low[i] + close[i]) / 3;
  for (; i < n; i++, next()) {
    const last = (high[i] + low[i] + close[i]) / 3;
    ring[at] = last;
    let average = 0;
    for (let j = 0; j < period; j++) average += ring[j];
    average /= period;
    let deviation = 0;
    for (let j = 0; j < period; j++) deviation += Math.abs(ring[j] - average);
    const distance = last - average;
    out[i] = distance !== 0 && deviation !== 0 ? distance / (0.015 * (deviation / period)) : 0;
  }
}

/**
 * TA-Lib's AROON tracking of the latest lowest low and highest high over the last period + 1 bars
 * (ties to the latest bar): from bar `period` on, `each(today, lowestIdx, highestIdx)`.
 */
function aroonExtremes(
  high: Float64Array,
  low: Float64Array,
  period: number,
  each: (today: number, lowestIdx: number, highestIdx: number) => void,
): void {
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  for (let today = period, trailing = 0; today < low.length; today++, trailing++) {
    let tmp = low[today];
    if (lowestIdx < trailing) {
      lowestIdx = trailing;
      lowest = low[lowestIdx];
      for (let i = lowestIdx + 1; i <= today; i++) {
        tmp = low[i];
        if (tmp <= lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
    }
    tmp = high[today];
    if (highestIdx < trailing) {
      highestIdx = trailing;
      highest = high[highestIdx];
      for (let i = highestIdx + 1; i <= today; i++) {
        tmp = high[i];
        if (tmp >= highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
    }
    each(today, lowestIdx, highestIdx);
  }
}

/** TA_AROON: 100 / period (period - bars since the lowest low, resp. highest high); lookback period. */
export function aroon(high: Float64Array, low: Float64Array, period: number, down: Float64Array, up: Float64Array): void {
  const lookback = Math.min(period, low.length);
  down.fill(NaN, 0, lookback);
  up.fill(NaN, 0, lookback);
  const factor = 100 / period;
  aroonExtremes(high, low, period, (today, lowestIdx, highestIdx) => {
    up[today] = factor * (period - (today - highestIdx));
    down[today] = factor * (period - (today - lowestIdx));
  });
}

/** TA_AROONOSC: 100 / period (highestIdx - lowestIdx), aroon up less down; lookback period. */
export function aroonOsc(high: Float64Array, low: Float64Array, period: number, out: Float64Array): void {
  out.fill(NaN, 0, Math.min(period, low.length));
  const factor = 100 / period;
  aroonExtremes(high, low, period, (today, lowestIdx, highestIdx) => {
    out[today] = factor * (highestIdx - lowestIdx);
  });
}

/**
 * TA_ULTOSC: 100 (4 a1/b1 + 2 a2/b2 + a3/b3) / 7 over the shortest, middle and longest periods (TA-Lib
 * sorts them), a the running sums of close - true low, b of the true range (a term 0 where its b is);
 * lookback the longest period.
 */
export function ultosc(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period1: number,
  period2: number,
  period3: number,
  out: Float64Array,
): void {
  const n = close.length;
  const [p1, p2, p3] = [period1, period2, period3].sort((a, b) => a - b);
  const start = p3;
  if (n <= start) return void out.fill(NaN);
  out.fill(NaN, 0, start);
  const buying = (t: number) => {
    const trueLow = low[t] < close[t - 1] ? low[t] : close[t - 1];
    return close[t] - trueLow;
  };
  const a = [0, 0, 0];
  const b = [0, 0, 0];
  [p1, p2, p3].forEach((p, k) => {
    for (let i = start - p + 1; i < start; i++) {
      a[k] += buying(i);
      b[k] += trueRange(high, low, close, i);
    }
  });
  for (let today = start; today < n; today++) {
    const bp = buying(today);
    const tr = trueRange(high, low, close, today);
    for (let k = 0; k < 3; k++) a[k] += bp;
    for (let k = 0; k < 3; k++) b[k] += tr;
    let output = 0;
    if (!isZero(b[0])) output += 4 * (a[0] / b[0]);
    if (!isZero(b[1])) output += 2 * (a[1] / b[1]);
    if (!isZero(b[2])) output += a[2] / b[2];
    [p1, p2, p3].forEach((p, k) => {
      a[k] -= buying(today - p + 1);
      b[k] -= trueRange(high, low, close, today - p + 1);
    });
    out[today] = 100 * (output / 7);
  }
}
