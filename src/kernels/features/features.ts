/**
 * The features family: what engines compute from the tape before the other families' kernels. Its
 * first kernels are bars from trades, with mlfinlab's conventions (López de Prado, Advances in
 * Financial Machine Learning, ch. 2; github.com/hudson-and-thames/mlfinlab, data_structures, its 2020
 * public code): standard bars (`bars`: tick, volume, dollar) and the information-driven imbalance and
 * run bars. Types, parameters, option defaults and their checks, defined once for every backend.
 */
import { KernelInputError } from '../../errors.js';
import { aboveZero, atLeast, checkParam, code, int, option, param, positive } from '../param-rules.js';
import { optionsObject } from '../validate.js';
import type { DaySemivariances, DayValues, RealizedKernelParams, SessionParams, TwoScaleParams } from './realized.js';

export { requireTrades, type Trades } from '../trades.js';

/**
 * Bars, one element per bar, in mlfinlab's columns (date_time, tick_num, open, high, low, close,
 * volume, cum_buy_volume, cum_ticks, cum_dollar_value) under our names.
 */
export interface Bars {
  /** The time of the bar's last trade (the one that closed it). */
  ts: Float64Array;
  /** The 1-based position of that trade in the input. */
  tickNum: Float64Array;
  /** The bar's first trade price. */
  open: Float64Array;
  /** The highest trade price in the bar (the open included). */
  high: Float64Array;
  /** The lowest trade price in the bar (the open included). */
  low: Float64Array;
  /** The bar's last trade price. */
  close: Float64Array;
  /** The volume traded in the bar. */
  volume: Float64Array;
  /** The volume of the bar's trades the tick rule signs +1. */
  buyVolume: Float64Array;
  /** The number of trades in the bar. */
  ticks: Float64Array;
  /** The sum of price x volume over the bar's trades. */
  dollarValue: Float64Array;
}

/** The columns of `Bars`, in order (what the native entries fill: features_entry.hpp kBarColumns). */
export const BAR_COLUMNS = ['ts', 'tickNum', 'open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue'] as const;

/** What a bar measures: trades, volume or dollar value (price x volume). */
export type BarsBy = 'tick' | 'volume' | 'dollar';
export const BARS_BY = ['tick', 'volume', 'dollar'] as const;

/** How an information-driven bar's expected number of ticks moves: mlfinlab's EMA or Const bars. */
export type InformationBarKind = 'ema' | 'const';

/** Options of `bars()`. */
export interface BarOptions {
  /** What is summed against the threshold, or `'time'`: bars of `threshold` milliseconds. */
  by: BarsBy | 'time';
  /** A bar closes at the trade whose running sum reaches it (`>=`); under `'time'`, the bars' length in ms. */
  threshold: number;
}

/** Options of `imbalanceBars()` and `runBars()` (mlfinlab's get_<kind>_<by>_<imbalance|run>_bars). */
export interface InformationBarOptions {
  /** What each trade's signed imbalance is: the tick sign b, b x volume, or b x volume x price. */
  by: BarsBy;
  /** Default `'ema'`. */
  kind?: InformationBarKind;
  /** Bars in the EWMA of the expected ticks (and, for run bars, of the buy proportion). Default 3. */
  numPrevBars?: number;
  /** Trades in the EWMA of the expected imbalance. Default 10000. */
  expectedImbalanceWindow?: number;
  /** The expected number of ticks until the first bar (always, under `'const'`). Default 20000. */
  expNumTicksInit?: number;
  /** `[min, max]` the EMA's expected ticks are clipped to (`'ema'` only). Default `[0, Infinity]`. */
  expNumTicksConstraints?: readonly [number, number];
}

/** `bars()`' packed parameters, in the order the native kernel reads them. */
export const BARS_PARAMS = [option('by', code([...BARS_BY, 'time'])), option('threshold', positive())] as const;

const MIN_EXP_NUM_TICKS = param('minExpNumTicks', atLeast(0), 'options.expNumTicksConstraints[0]');

/** `imbalanceBars()`' and `runBars()`' packed parameters, in order. */
export const INFORMATION_BAR_PARAMS = [
  option('by', code(BARS_BY)),
  option('kind', code(['ema', 'const'])),
  option('numPrevBars', int(1)),
  option('expectedImbalanceWindow', int(1)),
  option('expNumTicksInit', positive()),
  MIN_EXP_NUM_TICKS,
  param('maxExpNumTicks', aboveZero('Infinity: no upper bound'), 'options.expNumTicksConstraints[1]', MIN_EXP_NUM_TICKS),
] as const;

/** `bars()`' packed values (a code's index for `by`). */
export type BarParams = {
  by: number;
  threshold: number;
};

/** `imbalanceBars()`' and `runBars()`' packed values. */
export type InformationBarParams = {
  by: number;
  kind: number;
  numPrevBars: number;
  expectedImbalanceWindow: number;
  expNumTicksInit: number;
  minExpNumTicks: number;
  maxExpNumTicks: number;
};

/** mlfinlab's defaults (get_ema_*_bars: num_prev_bars 3, expected_imbalance_window 10000, exp_num_ticks_init 20000). */
export const INFORMATION_BAR_DEFAULTS = { kind: 'ema', numPrevBars: 3, expectedImbalanceWindow: 10_000, expNumTicksInit: 20_000 } as const;

/** `bars()`' options checked and packed (KernelInputError naming the option). */
export function resolveBarOptions(options: BarOptions): BarParams {
  const o = optionsObject(options, 'an object { by, threshold }');
  const [by, threshold] = BARS_PARAMS;
  return { by: checkParam(by, o.by), threshold: checkParam(threshold, o.threshold) };
}

/** `imbalanceBars()`' and `runBars()`' options checked, defaulted and packed. */
export function resolveInformationBarOptions(options: InformationBarOptions): InformationBarParams {
  const o = optionsObject(options, 'an object { by, ... }');
  const [by, kind, numPrevBars, window, init, min, max] = INFORMATION_BAR_PARAMS;
  const d = INFORMATION_BAR_DEFAULTS;
  const [lo, hi] = resolveConstraints(o.expNumTicksConstraints);
  return {
    by: checkParam(by, o.by),
    kind: checkParam(kind, o.kind ?? d.kind),
    numPrevBars: checkParam(numPrevBars, o.numPrevBars ?? d.numPrevBars),
    expectedImbalanceWindow: checkParam(window, o.expectedImbalanceWindow ?? d.expectedImbalanceWindow),
    expNumTicksInit: checkParam(init, o.expNumTicksInit ?? d.expNumTicksInit),
    minExpNumTicks: checkParam(min, lo),
    maxExpNumTicks: checkParam(max, hi),
  };
}

/** `[min, max]` (mlfinlab's exp_num_ticks_constraints; none: [0, Infinity]), min <= max. */
function resolveConstraints(c: unknown): [unknown, unknown] {
  if (c === undefined) return [0, Infinity];
  if (!Array.isArray(c) || c.length !== 2) {
    throw new KernelInputError('options.expNumTicksConstraints', 'a pair [min, max]', Array.isArray(c) ? `${c.length} values` : typeof c);
  }
  if (typeof c[0] === 'number' && typeof c[1] === 'number' && c[1] < c[0]) {
    throw new KernelInputError('options.expNumTicksConstraints', 'min <= max', `[${c[0]}, ${c[1]}]`);
  }
  return [c[0], c[1]];
}

/** What a backend implementing the features family provides (arrays, then the packed parameters' values). */
export interface FeaturesFamily {
  bars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: BarParams): Bars;
  imbalanceBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: InformationBarParams): Bars;
  runBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: InformationBarParams): Bars;
  realizedVariance(ts: Float64Array, price: Float64Array, params: SessionParams): DayValues;
  bipowerVariation(ts: Float64Array, price: Float64Array, params: SessionParams): DayValues;
  medRV(ts: Float64Array, price: Float64Array, params: SessionParams): DayValues;
  minRV(ts: Float64Array, price: Float64Array, params: SessionParams): DayValues;
  realizedSemivariance(ts: Float64Array, price: Float64Array, params: SessionParams): DaySemivariances;
  twoScaleRV(ts: Float64Array, price: Float64Array, params: TwoScaleParams): DayValues;
  realizedKernel(ts: Float64Array, price: Float64Array, params: RealizedKernelParams): DayValues;
  /** HAR of rv with the terms [0, lags...]: coefficients (k), fitted (n), forecast (1), in one array. */
  har(rv: Float64Array, terms: Float64Array, out?: Float64Array): Float64Array;
  /** The rolling bar estimators: their columns (rows x cols each), rows, cols, packed parameters; outputs in one array. */
  rollMeasure: EstimatorCall;
  rollImpact: EstimatorCall;
  corwinSchultz: EstimatorCall;
  kyleLambda: EstimatorCall;
  amihudLambda: EstimatorCall;
  hasbrouckLambda: EstimatorCall;
  rangeVolatility: EstimatorCall;
}

/** A rolling bar estimator as a backend implements it (estimators-kernels.ts' signatures). */
export type EstimatorCall = (...args: (Float64Array | number)[]) => Float64Array;
