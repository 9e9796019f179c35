/**
 * PIN's kernels in the VPIN family (issue 32): the API's interface (PinKernels, part of VpinKernels)
 * and their descriptors (PIN_KERNELS, spread into VPIN_KERNELS). The reference implements the three,
 * the native backend pinLikelihood and pin (aggregateTrades, one pass of counting with a time zone
 * through Intl, stays the reference's: a backend whose VPIN family lacks a kernel throws
 * BackendUnavailableError for it, and 'auto' runs it on the reference). pinLikelihood's and pin's
 * outputs are their descriptors' (the numbers the native kernels write, in order); aggregateTrades'
 * three columns are as long as the periods found, which only the counting pass knows.
 */
import { BackendUnavailableError } from '../../errors.js';
import type { Call, KernelSpec } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import {
  PIN_PARAMS,
  requireBuysSells,
  requireLabelledTrades,
  requirePinParams,
  resolveAggregateTradesOptions,
  resolveFactorization,
  resolvePinOptions,
  type AggregatedTrades,
  type AggregateTradesOptions,
  type PinEstimate,
  type PinFactorization,
  type PinFamily,
  type PinOptions,
  type PinParams,
} from './pin.js';
import type { VpinFamily } from './vpin.js';

/** PIN estimation as PINstimation does it (github.com/monty-se/PINstimation). */
export interface PinKernels {
  /**
   * Buys and sells per period from trade labels (+1 buy, -1 sell, 0 unclassified, as classifyTrades
   * gives them): PINstimation's `aggregate_trades`, which counts trades (not volume) per period and
   * leaves unclassified trades out. A period is `floor((ts + offset) / periodMs)` with `offset` the
   * UTC offset of `tz` at the trade (default 'UTC', one day periods); `periodStart` is its start in
   * epoch ms. Only periods holding a trade are listed (0 and 0 where all its trades are unclassified).
   * `trades.ts` finite and non-decreasing.
   */
  aggregateTrades(labels: Int8Array, trades: { ts: Float64Array }, options?: AggregateTradesOptions): AggregatedTrades;
  /**
   * PIN's log-likelihood at `params` over daily buys and sells (integers >= 0), log B! and log S!
   * subtracted: PINstimation's `fact_pin_e` (`'e'`, Ersan 2016, the default), `fact_pin_lk` (`'lk'`,
   * Lin and Ke 2011) and `fact_pin_eho` (`'eho'`, Easley, Hvidkjaer and O'Hara 2010). The three are
   * one function written three ways; each is computed here with the log of each mixture weight inside
   * a log-sum-exp, so they agree to rounding everywhere. PINstimation's EHO raises xb = eb / (mu + eb)
   * to powers of the counts: for counts of thousands the powers underflow to 0 and it drops the
   * mixture term (its `is.nan(p2)` branch) or returns -Inf; here it stays finite and equal to E and
   * LK. Where eb or es is 0 (the factorizations divide by them) the direct Poisson mixture is used.
   */
  pinLikelihood(params: PinParams, buys: Float64Array, sells: Float64Array, factorization?: PinFactorization): number;
  /**
   * Maximum-likelihood PIN (Easley, Kiefer, O'Hara, Paperman 1996) from daily buys and sells, as
   * PINstimation's `pin_ea` (`initials: 'ea'`, default), `pin_gwj` (`'gwj'`) and `pin_yz` (`'yz'`):
   * the likelihood maximized from each of the initial sets of `initials_pin_ea`, `initials_pin_gwj`,
   * `initials_pin_yz` (their default arguments), the best kept (ties broken by the parameters, so
   * the order of the sets does not matter). Optimizer: Nelder-Mead within the bounds [0, 1]^2 x
   * [0, inf)^3 (PINstimation's `.estimate_pin`: nloptr's `neldermead` in the same box), restarted
   * until it stops improving. With `'yz'`, `pin_yz`'s `ea_correction` (`eaCorrection`, default
   * false: estimates with alpha exactly 0 or 1 left out, all fields NaN when every set ends there;
   * true: the grid without sets of mu > max(B, S), boundaries kept). The native backend optimizes
   * the sets in parallel and returns the reference's estimate bit for bit.
   * `pin = alpha mu / (alpha mu + eps.b + eps.s)`. All counts 0: alpha = delta = mu = eps = 0, pin 0,
   * log-likelihood 0 (its supremum; PINstimation has no answer there).
   */
  pin(buys: Float64Array, sells: Float64Array, options?: PinOptions): PinEstimate;
}

/** A PIN kernel's call: the backend's family must have it (the native one has no aggregateTrades). */
function pinCall<T>(size: number, kernel: 'aggregateTrades' | 'pinLikelihood' | 'pin', run: (f: Required<PinFamily>) => T): Call<T> {
  return {
    size,
    call: (family: VpinFamily) => {
      if (typeof family[kernel] !== 'function') throw new BackendUnavailableError('this backend', `it has no ${kernel}`, kernel);
      return run(family as Required<PinFamily>);
    },
    shape: (out: T) => out,
  };
}

/** The PIN kernels. */
export const PIN_KERNEL_NAMES = ['aggregateTrades', 'pinLikelihood', 'pin'] as const;

/** One descriptor per PIN kernel (spread into VPIN_KERNELS). */
export const PIN_KERNELS = {
  aggregateTrades: {
    params: [],
    options: ['periodMs', 'tz'],
    api(labels: Int8Array, trades: { ts: Float64Array }, opts?: AggregateTradesOptions) {
      requireKnownOptions(PIN_KERNELS.aggregateTrades, opts);
      const { periodMs, tz } = resolveAggregateTradesOptions(opts);
      requireLabelledTrades(labels, trades);
      return pinCall(labels.length, 'aggregateTrades', (f) => f.aggregateTrades(labels, trades.ts, periodMs, tz));
    },
  },
  pinLikelihood: {
    // packed for the native kernel (the order native/kernels/generated/pin.hpp reads them)
    params: PIN_PARAMS.likelihood,
    outputs: { logLikelihood: [] },
    dims: () => ({}),
    options: [],
    api(params: PinParams, buys: Float64Array, sells: Float64Array, factorization?: PinFactorization) {
      const p = requirePinParams(params);
      requireBuysSells(buys, sells);
      const fact = resolveFactorization(factorization, 'factorization');
      return pinCall(buys.length, 'pinLikelihood', (f) => f.pinLikelihood(p, buys, sells, fact));
    },
  },
  pin: {
    params: PIN_PARAMS.estimate,
    // the estimate the native kernel writes (pin.hpp's kEstimateLength values); initialSets is added in TS
    outputs: { alpha: [], delta: [], mu: [], epsilonBuy: [], epsilonSell: [], pin: [], logLikelihood: [] },
    dims: () => ({}),
    options: ['initials', 'factorization', 'eaCorrection'],
    api(buys: Float64Array, sells: Float64Array, opts?: PinOptions) {
      requireKnownOptions(PIN_KERNELS.pin, opts);
      const { initials, factorization, eaCorrection } = resolvePinOptions(opts);
      requireBuysSells(buys, sells);
      return pinCall(buys.length, 'pin', (f) => f.pin(buys, sells, initials, factorization, eaCorrection));
    },
  },
} as const satisfies Record<(typeof PIN_KERNEL_NAMES)[number], KernelSpec>;
