/**
 * The realized measures and HAR as the API offers them (RealizedKernels) and their descriptors
 * (REALIZED_KERNELS, joined to FEATURES_KERNELS). A measure gives one value per day, as many as the
 * data has: the native entries count the days in a first pass (counted entries,
 * native/kernels/features/realized_entry.hpp); har has a fixed layout (a generated entry).
 */
import type { Call, Outputs } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import { indexOf, labelVector, type Vector } from '../labels.js';
import type { Sampler } from '../sample.js';
import type { FeaturesFamily } from './features.js';
import {
  DAY_MS,
  annualizeOf,
  REALIZED_KERNEL_PARAMS,
  REALIZED_KERNELS as KERNEL_TYPES,
  SESSION_PARAMS,
  TWO_SCALE_PARAMS,
  resolveHar,
  resolveRealized,
  resolveRealizedKernel,
  resolveTwoScale,
  type DaySemivariances,
  type DayValues,
  type HarOptions,
  type RealizedKernelOptions,
  type RealizedOptions,
  type TwoScaleOptions,
} from './realized.js';

/** A HAR model's fit (highfrequency's HARmodel, type 'HAR'). */
export interface HarResult {
  /** [const, then one per lag], labelled `['const', 'RV1', 'RV5', 'RV22']` for the default lags. */
  coefficients: Vector;
  /** One per day of rv (its index): NaN for the first max-lag days, then the fitted values. */
  fitted: Vector;
  /** The model's value for the day after the last of rv. */
  forecast: number;
}

/** Realized semivariances, each a Vector of days labelled by date. */
export interface RealizedSemivariance {
  positive: Vector;
  negative: Vector;
}

/**
 * Realized measures of one asset's intraday prices per day, with R highfrequency 1.0's definitions and
 * scalings (its rRVar, rBPCov, rMedRVar, rMinRVar, rSVar, rTSCov, rKernelCov with makeReturns on raw
 * trade prices, one value per day as its data.table branch loops). Each returns a Vector of days: its
 * values per day with `index` the days' dates (epoch ms of each day's midnight, UTC, or local under
 * `session.offset`). A day is a date with at least one trade in the session: a day with no trade has
 * no value (no row), a gap of days is no return (each day's returns start afresh). Within a day, the
 * N prices give the returns r = [0, diff(log p)] (N values, the first 0, highfrequency's
 * makeReturns), and N is the N of the scalings below. Nothing is demeaned; `annualize` (days a year,
 * default 1) multiplies each day's value (an annual variance), as highfrequency does not.
 * Faults (KernelInputError): `options.ts` not a Float64Array of the prices' length, not finite or
 * decreasing; a price in the session not finite and > 0 (`prices`); an option out of range.
 */
export interface RealizedKernels {
  /** rRVar: sum r_i^2 (one price: 0). */
  realizedVariance(prices: Float64Array, options: RealizedOptions): Vector;
  /** rBPCov on one asset (RBPVar): pi/2 sum |r_i| |r_{i-1}|, without N/(N-1) (fewer than 3 prices: 0; highfrequency: NA for one). */
  bipowerVariation(prices: Float64Array, options: RealizedOptions): Vector;
  /**
   * rMedRVar: pi / (6 - 4 sqrt(3) + pi) x N/(N-2) x sum med(|r_{i-1}|, |r_i|, |r_{i+1}|)^2 (fewer
   * than 3 prices: NaN, as highfrequency).
   */
  medRV(prices: Float64Array, options: RealizedOptions): Vector;
  /** rMinRVar: pi / (pi - 2) x N/(N-1) x sum min(|r_i|, |r_{i+1}|)^2 (one price: NaN, as highfrequency). */
  minRV(prices: Float64Array, options: RealizedOptions): Vector;
  /** rSVar: `positive` sum r_i^2 over r_i > 0 (its rSVarupside), `negative` over r_i < 0 (rSVardownside). */
  realizedSemivariance(prices: Float64Array, options: RealizedOptions): RealizedSemivariance;
  /**
   * rTSCov on one asset (TSRV), the two-scale estimator on the log prices of the day:
   * adj ((1/K) sum_K - (nbarK/nbarJ) (1/J) sum_J), sum_X the sum of squared X-lag differences,
   * nbarX = (N - X + 1)/X, adj = 1/(1 - nbarK/nbarJ). `k` default 300, `j` default 1, 1 <= j < k.
   * A day of fewer than k prices: NaN (highfrequency stops with an error there).
   */
  twoScaleRV(prices: Float64Array, options: TwoScaleOptions): Vector;
  /**
   * rKernelCov on one asset (kernelEstimator): gamma_0 + sum_{h=1..H} K((h-1)/H) 2 gamma_h n/(n-h),
   * gamma_h = sum r_i r_{i+h} over the day's n = N returns; `kernel` highfrequency's kernelType
   * (default 'rectangular'; 'bartlett', 'parzen', ... as KK), `bandwidth` H (its kernelParam, default
   * 1), `adjust` the n/(n-h) factor (kernelDOFadj, default true). A lag h >= N adds 0
   * (highfrequency gets NaN at h = N: 0 x n/0).
   */
  realizedKernel(prices: Float64Array, options: RealizedKernelOptions): Vector;
  /**
   * highfrequency's HARmodel (type 'HAR', h = 1) of a daily series `rv` (a Vector: its index labels
   * `fitted`): rv[t+1] = b0 + sum over the lags l of b_l mean(rv[t-l+1..t]), OLS with an intercept on
   * the days maxLag+1..n. `coefficients` [const, one per lag]; `fitted` highfrequency's fitted values
   * (after its harInsanityFilter: one below min(y, 0) or above max(y) is mean(y)), NaN over the
   * first maxLag days; `forecast` the model at the last day's averages: the day AFTER the last input
   * (highfrequency's predict(model) returns the last fitted value instead, the model at day n - 1's).
   * A collinear design (a constant rv) gives NaN. `lags` default [1, 5, 22], increasing integers >= 1;
   * rv needs at least max lag + lags + 1 finite values (KernelInputError naming `rv` or `options.lags`).
   */
  har(rv: Float64Array, options?: HarOptions): HarResult;
}

/** Each value times `annualize` (in place: the backend's fresh output), labelled by the days. */
function annualized(values: Float64Array, day: Float64Array, annualize: number): Vector {
  for (let i = 0; i < values.length; i++) values[i] *= annualize;
  return labelVector(values, day);
}

/** A measure's call: the family's method, its days turned into a Vector labelled by date, annualized. */
function perDay(size: number, options: RealizedOptions, run: (f: FeaturesFamily) => DayValues): Call<Vector> {
  const annualize = annualizeOf(options);
  return { size, call: run, shape: (d: DayValues) => annualized(d.value, d.day, annualize) };
}

/** Multi-day trades: minutes apart, now and then a gap of days, prices > 0. */
function sampleDays(s: Sampler): [Float64Array, RealizedOptions] {
  const n = s.int(0, 500);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  let t = 1.7e12 + s.int(0, DAY_MS);
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += s.random() < 0.01 ? s.int(1, 3) * DAY_MS : s.random() < 0.3 ? 0 : s.int(1, 1_200_000);
    p *= 1 + 0.002 * s.normal();
    ts[i] = t;
    price[i] = s.random() < 0.4 && i > 0 ? price[i - 1] : Math.round(p * 100) / 100;
  }
  const session = s.random() < 0.3 ? { offset: -5 * 3_600_000, open: 34_200_000, close: 57_600_000 } : undefined;
  const annualize = s.random() < 0.2 ? 252 : undefined;
  return [s.view(price), { ts: s.view(ts), period: 'day', session, annualize }];
}

const REALIZED_OPTIONS = ['ts', 'period', 'session', 'annualize'] as const;
const measure = (name: 'realizedVariance' | 'bipowerVariation' | 'medRV' | 'minRV') =>
  ({
    params: SESSION_PARAMS,
    options: REALIZED_OPTIONS,
    sample: sampleDays,
    api(prices: Float64Array, options: RealizedOptions) {
      requireKnownOptions(REALIZED_KERNELS[name], options);
      const p = resolveRealized(prices, options);
      return perDay(prices.length, options, (f) => f[name](options.ts, prices, p));
    },
  }) as const;

/** The realized measures' and har's descriptors (joined to FEATURES_KERNELS). */
export const REALIZED_KERNELS = {
  realizedVariance: measure('realizedVariance'),
  bipowerVariation: measure('bipowerVariation'),
  medRV: measure('medRV'),
  minRV: measure('minRV'),
  realizedSemivariance: {
    params: SESSION_PARAMS,
    options: REALIZED_OPTIONS,
    sample: sampleDays,
    api(prices: Float64Array, options: RealizedOptions): Call<RealizedSemivariance> {
      requireKnownOptions(REALIZED_KERNELS.realizedSemivariance, options);
      const p = resolveRealized(prices, options);
      const annualize = annualizeOf(options);
      return {
        size: prices.length,
        call: (f: FeaturesFamily) => f.realizedSemivariance(options.ts, prices, p),
        shape: (d: DaySemivariances) => ({
          positive: annualized(d.positive, d.day, annualize),
          negative: annualized(d.negative, d.day, annualize),
        }),
      };
    },
  },
  twoScaleRV: {
    params: TWO_SCALE_PARAMS,
    options: [...REALIZED_OPTIONS, 'k', 'j'],
    sample: (s: Sampler) => {
      const [prices, options] = sampleDays(s);
      const k = s.int(2, 12);
      return [prices, { ...options, k, j: s.int(1, k - 1) }];
    },
    api(prices: Float64Array, options: TwoScaleOptions) {
      requireKnownOptions(REALIZED_KERNELS.twoScaleRV, options);
      const p = resolveTwoScale(prices, options);
      return perDay(prices.length, options, (f) => f.twoScaleRV(options.ts, prices, p));
    },
  },
  realizedKernel: {
    params: REALIZED_KERNEL_PARAMS,
    options: [...REALIZED_OPTIONS, 'kernel', 'bandwidth', 'adjust'],
    sample: (s: Sampler) => {
      const [prices, options] = sampleDays(s);
      return [prices, { ...options, kernel: s.pick(...KERNEL_TYPES), bandwidth: s.int(0, 8), adjust: s.random() < 0.8 }];
    },
    api(prices: Float64Array, options: RealizedKernelOptions) {
      requireKnownOptions(REALIZED_KERNELS.realizedKernel, options);
      const p = resolveRealizedKernel(prices, options);
      return perDay(prices.length, options, (f) => f.realizedKernel(options.ts, prices, p));
    },
  },
  har: {
    params: [],
    signature: 'rv[n], terms[k]',
    outputs: { coefficients: ['K'], fitted: ['T'], forecast: [] },
    dims: { K: 'k', T: 'n' },
    options: ['lags'],
    sample: (s: Sampler) => {
      const n = s.int(30, 120);
      let x = 1e-4;
      const rv = s.fill(n, () => (x = Math.abs(0.5e-4 + 0.5 * x + 0.3e-4 * s.normal())));
      return [rv, s.random() < 0.5 ? undefined : { lags: s.pick([1, 5, 22], [1, 3], [2, 4, 8]) }];
    },
    api(rv: Float64Array, options?: HarOptions) {
      requireKnownOptions(REALIZED_KERNELS.har, options);
      const terms = resolveHar(rv, options);
      const names = ['const', ...Array.from(terms.subarray(1), (h) => `RV${h}`)];
      return {
        size: rv.length,
        args: [rv, terms],
        split: { labels: { K: names, T: indexOf(rv) } },
        shape: (o: Outputs) => o as unknown as HarResult,
      };
    },
  },
} as const;
