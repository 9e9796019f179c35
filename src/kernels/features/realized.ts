/**
 * Realized measures per day (R highfrequency 1.0's rRVar, rBPCov, rMedRVar, rMinRVar, rSVar, rTSCov and
 * rKernelCov on one asset, the day loop of their data.table branch) and the HAR model of a series of
 * them (HARmodel, type 'HAR'): options, packed parameters and their checks, defined once for every
 * backend. The arithmetic is in src/backends/reference/features/realized.ts.
 */
import { KernelInputError } from '../../errors.js';
import { checkParam, closed, code, finite, flag, int, option, param, positive } from '../param-rules.js';
import { describeValue, optionsObject, requireFloat64Array, requireSameLength } from '../validate.js';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Prices a chunk of a realized measure's sums over a day (the reference's daySum; native/kernels/features/realized_sums.hpp's kChunk). */
export const REALIZED_CHUNK = 65_536;

/**
 * Which trades make a day: their time of day, shifted by `offset` ms (a time zone: -5 h for New York
 * winter time), between `open` and `close` ms after that local midnight (both included).
 */
export interface Session {
  /** Added to each ts before its date and time of day are taken. Default 0 (UTC). */
  offset?: number;
  /** The first time of day kept, ms after local midnight, in [0, 86400000]. Default 0. */
  open?: number;
  /** The last time of day kept, in [open, 86400000]. Default 86400000 (the whole day). */
  close?: number;
}

/** Options every realized measure takes. */
export interface RealizedOptions {
  /** Each price's time, epoch ms, non-decreasing, as long as the prices. */
  ts: Float64Array;
  /** The period a value covers: `'day'` (the only one). */
  period?: 'day';
  /** The trading session (default: the whole UTC day). */
  session?: Session;
  /**
   * Days a year (252 for trading days): each day's value times it, an annual variance. Default 1:
   * per day, as highfrequency gives them. Nothing is demeaned (a realized measure sums raw returns).
   */
  annualize?: number;
}

/** `twoScaleRV`'s options: highfrequency's rTSCov K (default 300) and J (default 1), J < K. */
export interface TwoScaleOptions extends RealizedOptions {
  k?: number;
  j?: number;
}

/** highfrequency's kernels (kernelCharToInt, KK in highfrequency/src/realizedMeasures.cpp), in its order. */
export const REALIZED_KERNELS = [
  'rectangular',
  'bartlett',
  'second',
  'epanechnikov',
  'cubic',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'parzen',
  'tukeyHanning',
  'modifiedTukeyHanning',
] as const;
export type RealizedKernelType = (typeof REALIZED_KERNELS)[number];

/** `realizedKernel`'s options: highfrequency's kernelType, kernelParam and kernelDOFadj. */
export interface RealizedKernelOptions extends RealizedOptions {
  /** Default `'rectangular'`. */
  kernel?: RealizedKernelType;
  /** H, the number of autocovariance lags, an integer >= 0. Default 1. */
  bandwidth?: number;
  /** The n / (n - h) factor on lag h. Default true. */
  adjust?: boolean;
}

const OFFSET = param('offset', finite(), 'options.session.offset');
const OPEN = param('open', closed(0, DAY_MS), 'options.session.open');
const CLOSE = param('close', closed(0, DAY_MS), 'options.session.close', OPEN);

const ANNUALIZE = option('annualize', positive());

/** `options.annualize` checked (a number > 0; default 1): what the API multiplies each day's values by. */
export function annualizeOf(options: RealizedOptions): number {
  return checkParam(ANNUALIZE, options.annualize ?? 1);
}

/** The session's packed parameters: every realized measure's first three. */
export const SESSION_PARAMS = [OFFSET, OPEN, CLOSE] as const;
export const TWO_SCALE_PARAMS = [...SESSION_PARAMS, param('k', int(2), 'options.k'), param('j', int(1), 'options.j')] as const;
export const REALIZED_KERNEL_PARAMS = [
  ...SESSION_PARAMS,
  param('kernel', code(REALIZED_KERNELS), 'options.kernel'),
  param('bandwidth', int(0), 'options.bandwidth'),
  param('adjust', flag(), 'options.adjust'),
] as const;

/** The session's packed values. */
export type SessionParams = { offset: number; open: number; close: number };
export type TwoScaleParams = SessionParams & { k: number; j: number };
export type RealizedKernelParams = SessionParams & { kernel: number; bandwidth: number; adjust: number };

/** A measure per day: `day` each day's local midnight (epoch ms, the date in UTC), `value` its measure. */
export interface DayValues {
  day: Float64Array;
  value: Float64Array;
}

/** Realized semivariances per day. */
export interface DaySemivariances {
  day: Float64Array;
  positive: Float64Array;
  negative: Float64Array;
}

/** The prices and `options.ts` checked (Float64Arrays of one length; their values are the kernel's to check), the session packed. */
export function resolveRealized(prices: unknown, options: RealizedOptions): SessionParams {
  requireFloat64Array(prices, 'prices');
  const o = optionsObject(options, 'an object { ts, period, session, annualize }');
  requireFloat64Array(o.ts, 'options.ts');
  requireSameLength(prices, 'prices', o.ts, 'options.ts');
  if (o.period !== undefined && o.period !== 'day') throw new KernelInputError('options.period', "'day'", describeValue(o.period));
  const s = optionsObject(o.session, 'an object { offset, open, close }') as Session;
  if (o.session !== undefined) {
    for (const key of Object.keys(s)) {
      if (key !== 'offset' && key !== 'open' && key !== 'close') {
        throw new KernelInputError('options.session', 'only the keys offset, open, close', `unknown key ${describeValue(key)}`);
      }
    }
  }
  const offset = checkParam(OFFSET, s.offset ?? 0);
  const open = checkParam(OPEN, s.open ?? 0);
  const close = checkParam(CLOSE, s.close ?? DAY_MS);
  if (close < open) throw new KernelInputError('options.session.close', `>= options.session.open (${open})`, String(close));
  return { offset, open, close };
}

/** twoScaleRV's options checked: k and j integers, 1 <= j < k. */
export function resolveTwoScale(prices: unknown, options: TwoScaleOptions): TwoScaleParams {
  const session = resolveRealized(prices, options);
  const [, , , K, J] = TWO_SCALE_PARAMS;
  const k = checkParam(K, options.k ?? 300);
  const j = checkParam(J, options.j ?? 1);
  if (j >= k) throw new KernelInputError('options.j', `an integer < options.k (${k})`, String(j));
  return { ...session, k, j };
}

/** realizedKernel's options checked and packed. */
export function resolveRealizedKernel(prices: unknown, options: RealizedKernelOptions): RealizedKernelParams {
  const session = resolveRealized(prices, options);
  const [, , , kernel, bandwidth, adjust] = REALIZED_KERNEL_PARAMS;
  return {
    ...session,
    kernel: checkParam(kernel, options.kernel ?? 'rectangular'),
    bandwidth: checkParam(bandwidth, options.bandwidth ?? 1),
    adjust: checkParam(adjust, options.adjust ?? true),
  };
}

/** `har()`'s options. */
export interface HarOptions {
  /** The averaging windows in days (highfrequency's periods), increasing integers >= 1. Default [1, 5, 22]. */
  lags?: readonly number[];
}

/**
 * The HAR regression's terms: 0 (the intercept), then the lags (each an integer >= 1, increasing), as
 * the backend takes them. KernelInputError naming `options.lags` or `rv` (finite, and enough days:
 * at least max lag + the number of coefficients).
 */
export function resolveHar(rv: unknown, options: HarOptions | undefined): Float64Array {
  requireFloat64Array(rv, 'rv');
  const o = optionsObject(options, 'an object { lags }');
  const lags = o.lags ?? [1, 5, 22];
  if (!Array.isArray(lags) || lags.length === 0)
    throw new KernelInputError('options.lags', 'a non-empty array of integers', describeValue(lags));
  const terms = new Float64Array(lags.length + 1);
  for (let i = 0; i < lags.length; i++) {
    const h = lags[i];
    if (!Number.isInteger(h) || h < 1 || (i > 0 && h <= lags[i - 1])) {
      throw new KernelInputError('options.lags', 'increasing integers >= 1', `lags[${i}] = ${describeValue(h)}`);
    }
    terms[i + 1] = h;
  }
  const need = lags[lags.length - 1] + terms.length;
  if (rv.length < need)
    throw new KernelInputError('rv', `at least ${need} days (the longest lag + ${terms.length} coefficients)`, `${rv.length}`);
  for (let i = 0; i < rv.length; i++) {
    if (!Number.isFinite(rv[i])) throw new KernelInputError('rv', 'finite values', `rv[${i}] = ${rv[i]}`);
  }
  return terms;
}
