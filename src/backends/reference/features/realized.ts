/**
 * Realized measures per day (reference): R highfrequency 1.0's formulas (R/realizedMeasures.R,
 * R/internalRealizedMeasures.R, highfrequency/src/realizedMeasures.cpp) on each day's prices, the returns of a day
 * `[0, diff(log p)]` as its makeReturns gives them (N = the day's prices), each log(p_i / p_{i-1}). The days are found first
 * (`days`), then each day's measure, its sums in `daySum`'s order (native/kernels/features/realized.cpp and
 * realized_sums.cpp: the same functions, the same order of floating-point operations).
 */
import type {
  DaySemivariances,
  DayValues,
  RealizedKernelParams,
  SessionParams,
  TwoScaleParams,
} from '../../../kernels/features/realized.js';
import { DAY_MS, REALIZED_CHUNK } from '../../../kernels/features/realized.js';
import { Fault, inputFault } from '../../../kernels/faults.js';

/** The days of a call: trades [start[d], end[d]) make day d, labelled `label[d]`. */
interface Days {
  start: number[];
  end: number[];
  label: number[];
}

/**
 * The days of `ts` under the session: a trade's local time ts + offset gives its date and time of day,
 * kept when open <= time of day <= close; each date with a kept trade is a day (a day with no trade
 * has no value). Faults: ts not finite (or ts + offset), ts decreasing; a kept trade's price not
 * finite and > 0.
 */
function days(ts: Float64Array, price: Float64Array, s: SessionParams): Days {
  const out: Days = { start: [], end: [], label: [] };
  const whole = s.open === 0 && s.close === DAY_MS;
  let last = -Infinity;
  let dayStart = NaN; // the open day's local midnight
  let dayEnd = -Infinity; // the next one
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const local = t + s.offset;
    if (!(t >= last) || !Number.isFinite(local)) throw inputFault(Fault.REALIZED_TS_INVALID, i, t, last);
    last = t;
    if (local >= dayEnd) {
      dayStart = Math.floor(local / DAY_MS) * DAY_MS;
      dayEnd = dayStart + DAY_MS;
    }
    if (!whole) {
      const tod = local - dayStart;
      if (tod < s.open || tod > s.close) continue;
    }
    const p = price[i];
    if (!(p > 0 && p <= Number.MAX_VALUE)) throw inputFault(Fault.REALIZED_PRICE_INVALID, i, p, 0);
    const d = out.label.length - 1;
    if (d >= 0 && out.label[d] === dayStart) out.end[d] = i + 1;
    else {
      out.start.push(i);
      out.end.push(i + 1);
      out.label.push(dayStart);
    }
  }
  return out;
}

/** One day's measure of the prices [start, end). */
type DayMeasure = (price: Float64Array, start: number, end: number) => number;

/** `measure` of each day. */
function perDay(ts: Float64Array, price: Float64Array, s: SessionParams, measure: DayMeasure): DayValues {
  const d = days(ts, price, s);
  const value = new Float64Array(d.label.length);
  for (let k = 0; k < value.length; k++) value[k] = measure(price, d.start[k], d.end[k]);
  return { day: Float64Array.from(d.label), value };
}

/**
 * The return from price i - lag to price i: log(p_i / p_{i-lag}), which is diff(log p) without its
 * cancellation (the same to ~1e-16 of log p, ~1e-12 of a small return). Math.log is fdlibm's log in
 * V8, as native/kernels/features/log_returns.cpp computes it: the backends agree to the bit.
 */
export function logReturn(price: Float64Array, i: number, lag = 1): number {
  return Math.log(price[i] / price[i - lag]);
}

/**
 * The sum of term(j) over the prices j = 0..n-1 of a day, in the order of native's sums
 * (realized_sums.hpp): the day cut into chunks of REALIZED_CHUNK prices from its first, within a chunk
 * the term at j added to lane (j - chunk start) mod 4, a chunk's sum (lane 0 + lane 1) + (lane 2 +
 * lane 3), the day's the chunks' sums added in order to 0. The chunks can run on any threads and the
 * lanes in vectors, the same bits for any thread count and SIMD level.
 */
export function daySum(n: number, term: (j: number) => number): number {
  let sum = 0;
  const lane = new Float64Array(4);
  for (let from = 0; from < n; from += REALIZED_CHUNK) {
    lane.fill(0);
    const to = Math.min(n, from + REALIZED_CHUNK);
    for (let j = from; j < to; j++) lane[(j - from) & 3] += term(j);
    sum += lane[0] + lane[1] + (lane[2] + lane[3]);
  }
  return sum;
}

/**
 * The returns of the day's prices [start, end), two 0s first: r[j + 2] is the return at the day's price
 * j, log(p_j / p_{j-lag}), 0 for j < lag (the day's first returns, [0, diff(log p)]), and r[j], r[j + 1]
 * the two before it (0 before the day).
 */
function dayReturns(price: Float64Array, start: number, end: number, lag = 1): Float64Array {
  const r = new Float64Array(end - start + 2);
  for (let i = start + lag; i < end; i++) r[i - start + 2] = logReturn(price, i, lag);
  return r;
}

const square = (x: number) => x * x;

/** rRVar: the sum of the squared returns (0 for one price). */
export function dayRv(price: Float64Array, start: number, end: number): number {
  const r = dayReturns(price, start, end);
  return daySum(end - start, (j) => square(r[j + 2]));
}

/** RBPVar: pi / 2 x the sum of |r_i| |r_{i-1}| (no N / (N - 1); 0 for fewer than 3 prices: the first return is 0). */
export function dayBpv(price: Float64Array, start: number, end: number): number {
  const r = dayReturns(price, start, end);
  return (Math.PI / 2) * daySum(end - start, (j) => Math.abs(r[j + 1]) * Math.abs(r[j + 2]));
}

/**
 * rMedRVar: pi / (6 - 4 sqrt 3 + pi) x N / (N - 2) x the sum of med(|r_{i-1}|, |r_i|, |r_{i+1}|)^2; NaN under 3 prices.
 * The day's first two terms (windows 0, 0, r_0 and 0, r_0, r_1, r_0 = 0) are 0.
 */
export function dayMedRv(price: Float64Array, start: number, end: number): number {
  const n = end - start;
  if (n < 3) return NaN;
  const r = dayReturns(price, start, end);
  const sum = daySum(n, (j) => {
    const a = Math.abs(r[j]);
    const b = Math.abs(r[j + 1]);
    const c = Math.abs(r[j + 2]);
    return square(Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)));
  });
  return (Math.PI / (6 - 4 * Math.sqrt(3) + Math.PI)) * (n / (n - 2)) * sum;
}

/** rMinRVar: pi / (pi - 2) x N / (N - 1) x the sum of min(|r_i|, |r_{i+1}|)^2; NaN for one price. */
export function dayMinRv(price: Float64Array, start: number, end: number): number {
  const n = end - start;
  if (n < 2) return NaN;
  const r = dayReturns(price, start, end);
  const sum = daySum(n, (j) => square(Math.min(Math.abs(r[j + 1]), Math.abs(r[j + 2]))));
  return (Math.PI / (Math.PI - 2)) * (n / (n - 1)) * sum;
}

/** rSVar: the sums of the squared positive and negative returns, into out[k]. */
function daySemivariance(price: Float64Array, start: number, end: number, out: DaySemivariances, k: number): void {
  const r = dayReturns(price, start, end);
  out.positive[k] = daySum(end - start, (j) => (r[j + 2] > 0 ? square(r[j + 2]) : 0));
  out.negative[k] = daySum(end - start, (j) => (r[j + 2] < 0 ? square(r[j + 2]) : 0));
}

/** The sum of the squared lag-returns log(p_i / p_{i-lag}) over the prices [start, end), i from start + lag. */
function lagSquares(price: Float64Array, start: number, end: number, lag: number): number {
  const r = dayReturns(price, start, end, lag);
  return daySum(end - start, (j) => square(r[j + 2]));
}

/**
 * TSRV (rTSCov on one asset): adj ((1/K) sum_K - (nbarK / nbarJ) (1/J) sum_J), nbarX = (N - X + 1) / X,
 * adj = 1 / (1 - nbarK / nbarJ), sum_X the squared X-lag returns of the log prices; NaN under K prices
 * (highfrequency stops there: seq(k, n, K) with k > n).
 */
export function dayTsrv(price: Float64Array, start: number, end: number, K: number, J: number): number {
  const n = end - start;
  if (n < K) return NaN;
  const nbarK = (n - K + 1) / K;
  const nbarJ = (n - J + 1) / J;
  const adj = 1 / (1 - nbarK / nbarJ);
  const sumK = lagSquares(price, start, end, K);
  const sumJ = lagSquares(price, start, end, J);
  return adj * ((1 / K) * sumK - (nbarK / nbarJ) * (1 / J) * sumJ);
}

/** highfrequency's KK(x, type) (highfrequency/src/realizedMeasures.cpp), its powers written as products. */
export function kernelWeight(x: number, type: number): number {
  const x2 = x * x;
  const x3 = x2 * x;
  switch (type) {
    case 0:
      return 1;
    case 1:
      return 1 - x;
    case 2:
      return 1 - 2 * x3;
    case 3:
      return 1 - x2;
    case 4:
      return 1 - 3 * x2 + 2 * x3;
    case 5:
      return 1 - 10 * x3 + 15 * (x2 * x2) - 6 * (x3 * x2);
    case 6:
      return 1 - 15 * (x2 * x2) + 24 * (x3 * x2) - 10 * (x3 * x3);
    case 7:
      return 1 - 21 * (x3 * x2) + 35 * (x3 * x3) - 15 * (x3 * x3 * x);
    case 8:
      return 1 - 28 * (x3 * x3) + 48 * (x3 * x3 * x) - 21 * (x3 * x3 * x2);
    case 9:
      return x > 0.5 ? 2 * (1 - x) * (1 - x) * (1 - x) : 1 - 6 * x2 + 6 * x3;
    case 10:
      return (1 + Math.sin(Math.PI / 2 - Math.PI * x)) / 2;
    default:
      return (1 - Math.sin(Math.PI / 2 - Math.PI * (1 - x) * (1 - x))) / 2;
  }
}

/**
 * rKernelCov on one asset (kernelEstimator): gamma_0 + sum over h = 1..H of K((h - 1) / H) x 2
 * gamma_h x n / (n - h) (the factor under `adjust`), gamma_h = sum r_i r_{i+h} over the day's n
 * returns [0, diff(log p)]. A lag h >= n has no pair and adds 0 (highfrequency's C code gets NaN at
 * h = n, from 0 x n / 0).
 */
export function dayKernel(price: Float64Array, start: number, end: number, type: number, H: number, adjust: number): number {
  const n = end - start;
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) r[i] = logReturn(price, start + i);
  return kernelOfReturns(r, n, type, H, adjust);
}

/** dayKernel's sum over the returns r[0, n). */
export function kernelOfReturns(r: Float64Array, n: number, type: number, H: number, adjust: number): number {
  let ans = 0;
  for (let i = 0; i < n; i++) ans += r[i] * r[i];
  const lags = Math.min(H, n - 1);
  for (let h = 1; h <= lags; h++) {
    let gamma = 0;
    for (let i = 0; i + h < n; i++) gamma += r[i] * r[i + h];
    const w = kernelWeight((h - 1) / H, type);
    const adj = adjust ? n / (n - h) : 1;
    ans += w * (adj * gamma + adj * gamma);
  }
  return ans;
}

export const referenceRealizedVariance = (ts: Float64Array, price: Float64Array, p: SessionParams) => perDay(ts, price, p, dayRv);
export const referenceBipowerVariation = (ts: Float64Array, price: Float64Array, p: SessionParams) => perDay(ts, price, p, dayBpv);
export const referenceMedRv = (ts: Float64Array, price: Float64Array, p: SessionParams) => perDay(ts, price, p, dayMedRv);
export const referenceMinRv = (ts: Float64Array, price: Float64Array, p: SessionParams) => perDay(ts, price, p, dayMinRv);

export function referenceTwoScaleRv(ts: Float64Array, price: Float64Array, p: TwoScaleParams): DayValues {
  return perDay(ts, price, p, (x, s, e) => dayTsrv(x, s, e, p.k, p.j));
}

export function referenceRealizedKernel(ts: Float64Array, price: Float64Array, p: RealizedKernelParams): DayValues {
  return perDay(ts, price, p, (x, s, e) => dayKernel(x, s, e, p.kernel, p.bandwidth, p.adjust));
}

export function referenceRealizedSemivariance(ts: Float64Array, price: Float64Array, p: SessionParams): DaySemivariances {
  const d = days(ts, price, p);
  const n = d.label.length;
  const out: DaySemivariances = { day: Float64Array.from(d.label), positive: new Float64Array(n), negative: new Float64Array(n) };
  for (let k = 0; k < n; k++) daySemivariance(price, d.start[k], d.end[k], out, k);
  return out;
}
