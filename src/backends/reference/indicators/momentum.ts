/**
 * TA-Lib's RSI, MACD and STOCH on one series (ta_RSI.c, ta_MACD.c, ta_STOCH.c), in its order of
 * operations; each fills its n outputs, NaN over the lookback. native/kernels/indicators/momentum.cpp
 * mirrors it.
 */
import { emaFrom, ma, perToK } from './averages.js';
import { isZero } from './columns.js';

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

/**
 * TA_STOCH with SMAs: fast %K over the last `fastK` bars (TA-Lib's tracking of the lowest low and
 * highest high, ties to the latest bar), slow %K its MA over slowK, %D the MA of slow %K over slowD.
 */
export function stoch(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  fastK: number,
  slowK: number,
  slowD: number,
  outK: Float64Array,
  outD: Float64Array,
): void {
  const n = close.length;
  const lookbackK = fastK - 1;
  const lookback = lookbackK + (slowK - 1) + (slowD - 1);
  if (n <= lookback) {
    outK.fill(NaN);
    outD.fill(NaN);
    return;
  }
  const raw = new Float64Array(n - lookbackK);
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  let diff = 0;
  for (let today = lookbackK, trailing = 0, k = 0; today < n; today++, trailing++) {
    let tmp = low[today];
    if (lowestIdx < trailing) {
      lowestIdx = trailing;
      lowest = low[lowestIdx];
      for (let i = lowestIdx + 1; i <= today; i++) {
        tmp = low[i];
        if (tmp < lowest) {
          lowestIdx = i;
          lowest = tmp;
        }
      }
      diff = (highest - lowest) / 100;
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
      diff = (highest - lowest) / 100;
    }
    tmp = high[today];
    if (highestIdx < trailing) {
      highestIdx = trailing;
      highest = high[highestIdx];
      for (let i = highestIdx + 1; i <= today; i++) {
        tmp = high[i];
        if (tmp > highest) {
          highestIdx = i;
          highest = tmp;
        }
      }
      diff = (highest - lowest) / 100;
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
      diff = (highest - lowest) / 100;
    }
    raw[k++] = diff !== 0 ? (close[today] - lowest) / diff : 0;
  }
  const slowFrom = lookbackK + slowK - 1; // the first slow %K
  ma(raw, slowK, outK.subarray(lookbackK));
  ma(outK.subarray(slowFrom), slowD, outD.subarray(slowFrom));
  outK.fill(NaN, 0, lookback);
  outD.fill(NaN, 0, slowFrom);
}
