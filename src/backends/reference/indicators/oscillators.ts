/**
 * TA-Lib's oscillators over the range of the last bars (ta_STOCH.c, ta_STOCHF.c, ta_STOCHRSI.c,
 * ta_WILLR.c) on one series, in its order of operations; each fills its n outputs, NaN over the
 * lookback. native/kernels/indicators/oscillators.cpp mirrors it.
 */
import { maLookback, maOf } from './averages.js';
import { rsi } from './momentum.js';

/**
 * TA-Lib's tracking of the lowest low and the highest high of the last `period` bars (STOCH, STOCHF,
 * WILLR): from bar period - 1 on, `each(today, lowest, highest, diff)`, diff = (highest - lowest) /
 * divisor as TA-Lib last computed it (when either extreme moved; ties move to the latest bar).
 */
function extremes(
  high: Float64Array,
  low: Float64Array,
  period: number,
  divisor: number,
  each: (today: number, lowest: number, highest: number, diff: number) => void,
): void {
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  let diff = 0;
  for (let today = period - 1, trailing = 0; today < low.length; today++, trailing++) {
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
      diff = (highest - lowest) / divisor;
    } else if (tmp <= lowest) {
      lowestIdx = today;
      lowest = tmp;
      diff = (highest - lowest) / divisor;
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
      diff = (highest - lowest) / divisor;
    } else if (tmp >= highest) {
      highestIdx = today;
      highest = tmp;
      diff = (highest - lowest) / divisor;
    }
    each(today, lowest, highest, diff);
  }
}

/** Fast %K from bar fastK - 1 on into out (TA-Lib: 0 where the range is 0). */
function fastKInto(high: Float64Array, low: Float64Array, close: Float64Array, fastK: number, out: Float64Array): void {
  extremes(high, low, fastK, 100, (today, lowest, _highest, diff) => {
    out[today] = diff !== 0 ? (close[today] - lowest) / diff : 0;
  });
}

/** TA_STOCH: slow %K the MA (type slowKType, TA_MAType's number) of fast %K over slowK, %D the MA of slow %K over slowD. */
export function stoch(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  fastK: number,
  slowK: number,
  slowKType: number,
  slowD: number,
  slowDType: number,
  outK: Float64Array,
  outD: Float64Array,
): void {
  const n = close.length;
  const lookbackK = fastK - 1;
  const slowFrom = lookbackK + maLookback(slowKType, slowK); // the first slow %K
  const lookback = slowFrom + maLookback(slowDType, slowD);
  if (n <= lookback) {
    outK.fill(NaN);
    outD.fill(NaN);
    return;
  }
  const raw = new Float64Array(n);
  fastKInto(high, low, close, fastK, raw);
  maOf(slowKType, raw.subarray(lookbackK), slowK, outK.subarray(lookbackK));
  maOf(slowDType, outK.subarray(slowFrom), slowD, outD.subarray(slowFrom));
  outK.fill(NaN, 0, lookback);
  outD.fill(NaN, 0, slowFrom);
}

/** TA_STOCHF: fast %K, %D its MA (type fastDType) over fastD; both from fastK - 1 + the MA's lookback. */
export function stochf(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  fastK: number,
  fastD: number,
  fastDType: number,
  outK: Float64Array,
  outD: Float64Array,
): void {
  const n = close.length;
  const lookbackK = fastK - 1;
  const lookback = lookbackK + maLookback(fastDType, fastD);
  if (n <= lookback) {
    outK.fill(NaN);
    outD.fill(NaN);
    return;
  }
  fastKInto(high, low, close, fastK, outK);
  maOf(fastDType, outK.subarray(lookbackK), fastD, outD.subarray(lookbackK));
  outK.fill(NaN, 0, lookback);
  outD.fill(NaN, 0, lookbackK);
}

/** TA_STOCHRSI: STOCHF of the RSI (its high, low and close), from the RSI's first value. */
export function stochRsi(
  x: Float64Array,
  period: number,
  fastK: number,
  fastD: number,
  fastDType: number,
  outK: Float64Array,
  outD: Float64Array,
): void {
  const n = x.length;
  if (n <= period) {
    outK.fill(NaN);
    outD.fill(NaN);
    return;
  }
  const r = new Float64Array(n);
  rsi(x, period, r);
  const from = r.subarray(period);
  stochf(from, from, from, fastK, fastD, fastDType, outK.subarray(period), outD.subarray(period));
  outK.fill(NaN, 0, period);
  outD.fill(NaN, 0, period);
}

/** TA_WILLR: (highest - close) / ((highest - lowest) / -100), 0 where the range is 0; lookback period - 1. */
export function willr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array): void {
  const n = close.length;
  if (n <= period - 1) return void out.fill(NaN);
  out.fill(NaN, 0, period - 1);
  extremes(high, low, period, -100, (today, _lowest, highest, diff) => {
    out[today] = diff !== 0 ? (highest - close[today]) / diff : 0;
  });
}
