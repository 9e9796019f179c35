/**
 * TA-Lib's moving averages on one series (ta_SMA.c, ta_EMA.c, ta_MA.c, ta_WMA.c, ta_DEMA.c, ta_TEMA.c,
 * ta_TRIMA.c, ta_KAMA.c), in its order of operations;
 * each fills its n outputs, NaN over the lookback. native/kernels/indicators/averages.cpp mirrors it.
 */
import { isZero } from './columns.js';

/** TA_SMA: a running sum of `period` values, the first period - 1 summed first; lookback period - 1. */
export function sma(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  const lookback = period - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  let total = 0;
  let i = 0;
  while (i < lookback) total += x[i++];
  let trailing = 0;
  do {
    total += x[i++];
    const value = total;
    total -= x[trailing++];
    out[i - 1] = value / period;
  } while (i < n);
}

/** TA-Lib's PER_TO_K: the EMA's weight 2 / (period + 1). */
export const perToK = (period: number): number => 2 / (period + 1);

/**
 * TA_INT_EMA from `first` (>= period - 1) on: seeded at `first` by the SMA of the `period` values
 * ending there, then e = (x - e) * k + e. Writes out[first .. n) only.
 */
export function emaFrom(x: Float64Array, period: number, k: number, first: number, out: Float64Array): void {
  const n = x.length;
  let today = first - (period - 1);
  let sum = 0;
  for (let i = period; i-- > 0; ) sum += x[today++];
  let e = sum / period;
  out[first] = e;
  while (today < n) {
    e = (x[today] - e) * k + e;
    out[today++] = e;
  }
}

/** TA_EMA: emaFrom the lookback (period - 1) on. */
export function ema(x: Float64Array, period: number, out: Float64Array): void {
  const lookback = period - 1;
  if (x.length <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  emaFrom(x, period, perToK(period), lookback, out);
}

/** TA_WMA: weights 1 .. period, a running weighted sum and plain sum; lookback period - 1. */
export function wma(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  const lookback = period - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  const divider = (period * (period + 1)) >> 1;
  let sum = 0;
  let sub = 0;
  let i = 0;
  for (let w = 1; i < lookback; w++) {
    const value = x[i++];
    sub += value;
    sum += value * w;
  }
  let trailingValue = 0;
  let trailing = 0;
  while (i < n) {
    const value = x[i++];
    sub += value;
    sub -= trailingValue;
    sum += value * period;
    trailingValue = x[trailing++];
    out[i - 1] = sum / divider;
    sum -= sub;
  }
}

/** TA_DEMA: 2 e1 - e2, e2 the EMA of e1 (each seeded by an SMA); lookback 2 (period - 1). */
export function dema(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  const lookback = 2 * (period - 1);
  if (n <= lookback) return void out.fill(NaN);
  const k = perToK(period);
  const e1 = new Float64Array(n);
  emaFrom(x, period, k, period - 1, e1);
  emaFrom(e1, period, k, lookback, out);
  for (let t = lookback; t < n; t++) out[t] = 2 * e1[t] - out[t];
  out.fill(NaN, 0, lookback);
}

/** TA_TEMA: e3 + (3 e1 - 3 e2), each EMA of the one before; lookback 3 (period - 1). */
export function tema(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  const lookback = 3 * (period - 1);
  if (n <= lookback) return void out.fill(NaN);
  const k = perToK(period);
  const e1 = new Float64Array(n);
  const e2 = new Float64Array(n);
  emaFrom(x, period, k, period - 1, e1);
  emaFrom(e1, period, k, 2 * (period - 1), e2);
  emaFrom(e2, period, k, lookback, out);
  for (let t = lookback; t < n; t++) out[t] += 3 * e1[t] - 3 * e2[t];
  out.fill(NaN, 0, lookback);
}

/**
 * TA_TRIMA: the triangular average as TA-Lib keeps it, a numerator of two running halves; an odd
 * and an even period update them in different orders. Lookback period - 1.
 */
export function trima(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  const lookback = period - 1;
  if (n <= lookback) return void out.fill(NaN);
  out.fill(NaN, 0, lookback);
  const odd = period % 2 === 1;
  const half = period >> 1;
  const factor = 1 / (odd ? (half + 1) * (half + 1) : half * (half + 1));
  let trailing = 0;
  let middle = odd ? half : half - 1;
  let today = middle + half;
  let numerator = 0;
  let numeratorSub = 0;
  for (let i = middle; i >= trailing; i--) {
    numeratorSub += x[i];
    numerator += numeratorSub;
  }
  let numeratorAdd = 0;
  middle++;
  for (let i = middle; i <= today; i++) {
    numeratorAdd += x[i];
    numerator += numeratorAdd;
  }
  let value = x[trailing++];
  out[lookback] = numerator * factor;
  today++;
  while (today < n) {
    numerator -= numeratorSub;
    numeratorSub -= value;
    value = x[middle++];
    numeratorSub += value;
    if (odd) {
      numerator += numeratorAdd;
      numeratorAdd -= value;
    } else {
      numeratorAdd -= value;
      numerator += numeratorAdd;
    }
    value = x[today++];
    numeratorAdd += value;
    numerator += value;
    value = x[trailing++];
    out[today - 1] = numerator * factor;
  }
}

/** TA_KAMA: Kaufman's adaptive average, its efficiency ratio over `period` moves; lookback period. */
export function kama(x: Float64Array, period: number, out: Float64Array): void {
  const n = x.length;
  if (n <= period) return void out.fill(NaN);
  out.fill(NaN, 0, period);
  const constMax = 2.0 / (30.0 + 1.0);
  const constDiff = 2.0 / (2.0 + 1.0) - constMax;
  const smoothing = (sum: number, roc: number) => {
    const ratio = sum <= roc || isZero(sum) ? 1.0 : Math.abs(roc / sum);
    const s = ratio * constDiff + constMax;
    return s * s;
  };
  let sum = 0;
  let today = 0;
  let trailing = 0;
  for (let i = period; i-- > 0; ) {
    let move = x[today++];
    move -= x[today];
    sum += Math.abs(move);
  }
  let average = x[today - 1];
  let trailingValue = x[trailing++];
  let s = smoothing(sum, x[today] - trailingValue);
  average = (x[today++] - average) * s + average;
  out[period] = average;
  while (today < n) {
    const value = x[today];
    const old = x[trailing++];
    const roc = value - old;
    sum -= Math.abs(trailingValue - old);
    sum += Math.abs(value - x[today - 1]);
    trailingValue = old;
    s = smoothing(sum, roc);
    average = (x[today++] - average) * s + average;
    out[today - 1] = average;
  }
}

/** TA-Lib's MA types this family computes, by TA-Lib's number (TA_MAType: 0 SMA .. 6 KAMA). */
export const MA_KINDS = [sma, ema, wma, dema, tema, trima, kama] as const;

/** TA_MA_Lookback: the lookback of MA type `type` (its TA_MAType number) over `period`; 0 for a period of 1. */
export function maLookback(type: number, period: number): number {
  if (period <= 1) return 0;
  if (type === 3) return 2 * (period - 1); // DEMA
  if (type === 4) return 3 * (period - 1); // TEMA
  if (type === 6) return period; // KAMA
  return period - 1;
}

/** TA_MA: the MA of type `type` (its TA_MAType number); a period of 1 copies the series, as TA-Lib does. */
export function maOf(type: number, x: Float64Array, period: number, out: Float64Array): void {
  if (period === 1) out.set(x);
  else MA_KINDS[type](x, period, out);
}
