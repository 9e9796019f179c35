/**
 * TA-Lib's moving averages on one series (ta_SMA.c, ta_EMA.c, ta_MA.c), in its order of operations;
 * each fills its n outputs, NaN over the lookback. native/kernels/indicators/averages.cpp mirrors it.
 */

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

/** TA_MA with its SMA: a period of 1 copies the series, as TA-Lib does. */
export function ma(x: Float64Array, period: number, out: Float64Array): void {
  if (period === 1) out.set(x);
  else sma(x, period, out);
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
