/**
 * The labeling family's labels as the API offers them (LabelingKernels) and one descriptor per kernel
 * (LABELING_KERNELS, see descriptor.ts): events (CUSUM filter, daily volatility, vertical barriers),
 * labels (triple barrier and meta-labels, trend scanning, fixed horizon); the sample weights, fractional
 * differences and folds are weights-kernels.ts and folds-kernels.ts, joined here. Every call is data (a
 * generated entry); where mlfinlab drops rows (CUSUM's bars without an event, triple-barrier events
 * never closed) the kernels write every row and the API keeps those mlfinlab keeps.
 */
import { requireKnownOptions, type Outputs } from '../descriptor.js';
import { checkParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { optionsObject, requireFloat64Array, requireSameLength } from '../validate.js';
import { KernelInputError } from '../../errors.js';
import { FOLDS_KERNELS, type FoldsKernels } from './folds-kernels.js';
import {
  BARRIER_MS,
  type CloseSeries,
  LOOK_FORWARD,
  LOOKBACK,
  MIN_RETURN,
  MIN_SAMPLE_LENGTH,
  PROFIT_TAKING,
  requireBarTimes,
  requireCloseSeries,
  STEP,
  STOP_LOSS,
  valuesOrSeries,
  type BarTimes,
  LAG,
  STANDARDIZED,
  WINDOW,
  ROLLING_WINDOW,
} from './labeling.js';
import { sampleSeries, sampleSpans, sampleStarts } from './labeling-sample.js';
import { WEIGHTS_KERNELS, type WeightsKernels } from './weights-kernels.js';

/** `cusumFilter()`'s options. */
export interface CusumOptions {
  /** The filter's threshold on the running sums of log returns: a number > 0, or a series aligned with ts (NaN: no event there). */
  threshold: number | Float64Array;
}

/** `tripleBarrier()`'s options. */
export interface TripleBarrierOptions {
  /** The events' times (values of ts, strictly increasing). */
  t0: Float64Array;
  /** The barriers' width per bar (aligned with ts; a number for every bar): daily volatility, most often. */
  target: number | Float64Array;
  /** [pt, sl]: the profit-taking and stop-loss multiples of target, each >= 0 (0: that barrier is off). */
  ptSl: readonly [number, number];
  /** Events whose target is not above it are dropped. Default 0. */
  minReturn?: number;
  /** Vertical barriers, one per event (verticalBarriers()), NaN for none. Default none. */
  t1?: Float64Array;
  /** The primary model's side per event (+1 long, -1 short): meta-labels. */
  side?: Float64Array;
}

/** Triple-barrier events, the columns of mlfinlab's get_events then get_bins, one row per event kept. */
export interface TripleBarrierEvents {
  /** The event's start. */
  t0: Float64Array;
  /** When the first barrier was touched (the vertical barrier included). */
  t1: Float64Array;
  /** The event's target. */
  target: Float64Array;
  /** The side given (meta-labeling only). */
  side?: Float64Array;
  /** close(t1) / close(t0) - 1, side-adjusted: exp(side ln(close(t1) / close(t0))) - 1. */
  ret: Float64Array;
  /** -1, 0 or 1; with `side`, the meta-label: 1 where the side made money at a horizontal barrier, else 0. */
  label: Float64Array;
  /** mlfinlab's barrier_touched: the log return at t1 against the barrier levels (1, -1 or 0); see the docs. */
  barrier: Float64Array;
}

/** `trendScanningLabels()`'s options. */
export interface TrendScanningOptions {
  /** The events' times (values of ts, increasing); default every bar. */
  t0?: Float64Array;
  /** The longest window looked at is lookForward - 1 bars. Default 20. */
  lookForward?: number;
  /** The shortest window. Default 5. */
  minSampleLength?: number;
  /** Window lengths minSampleLength, + step, ... Default 1. */
  step?: number;
}

/** Trend-scanning labels, one row per event. */
export interface TrendLabels {
  t0: Float64Array;
  /** The end of the window of the largest |t| (NaN where fewer than lookForward bars remain). */
  t1: Float64Array;
  /** The slope's t-value over that window. */
  tValue: Float64Array;
  /** close(t1) / close(t0) - 1. */
  ret: Float64Array;
  /** sign(tValue). */
  label: Float64Array;
}

/** `fixedHorizonLabels()`'s options. */
export interface FixedHorizonOptions {
  /** A number, or a series aligned with close. Default 0. */
  threshold?: number | Float64Array;
  /** The return forward (close[t + 1] / close[t] - 1) when true, backward when false. Default true. */
  lag?: boolean;
  /** Returns less their rolling mean, over their rolling standard deviation. Default false. */
  standardized?: boolean;
  /** The rolling window (required with standardized). */
  window?: number;
}

/** `verticalBarriers()`' options. */
export interface VerticalBarrierOptions {
  /** The holding period in milliseconds (mlfinlab's num_days, num_hours, ... as one span). */
  ms: number;
}

/** The labeling family's kernels (each also exists as `<name>Async`). */
export interface LabelingKernels extends WeightsKernels, FoldsKernels {
  /**
   * The symmetric CUSUM filter (AFML snippet 2.4) = mlfinlab's `filters.cusum_filter(close, threshold,
   * time_stamps=True)`: on r_t = ln(close_t) - ln(close_{t-1}) from the second bar, S+ = max(0, S+ + r),
   * S- = min(0, S- + r); an event at t when S- < -h (S- reset to 0), else when S+ > h (S+ reset): strict,
   * so a sum equal to h does not fire. Python's max and min: a NaN return (a missing close, and the
   * bar after it) resets both sums to 0. Returns the events' times.
   */
  cusumFilter(series: CloseSeries, options: CusumOptions): Float64Array;
  /**
   * Daily volatility at each bar (AFML snippet 3.1) = mlfinlab's `util.volatility.get_daily_vol(close,
   * lookback)`: the return against the close of the last bar before ts - 1 day (calendar, 86,400,000 ms:
   * the bar before the first at or after it), then pandas' `ewm(span=lookback).std()` of those returns.
   * Aligned with ts: NaN where no bar lies a day back, and at the first return.
   */
  dailyVolatility(series: CloseSeries, options?: { lookback?: number }): Float64Array;
  /**
   * Vertical barriers (AFML snippet 3.4) = mlfinlab's `add_vertical_barrier`: per event, the first bar
   * at or after t0 + ms; NaN past the last bar.
   */
  verticalBarriers(series: BarTimes, t0: Float64Array, options: VerticalBarrierOptions): Float64Array;
  /**
   * The triple-barrier method (AFML snippets 3.2-3.7) = mlfinlab's `get_events(...)` then `get_bins(...)`.
   * Per event: target its bar's; dropped when not above minReturn (or NaN). The path from t0 to its
   * vertical barrier (or the last bar) has returns (close / close(t0) - 1) x side; the upper barrier is
   * touched at the first return > pt x target, the lower at the first < -sl x target; without `side`
   * both sit at pt (sl is then read only by `barrier`). t1 is the earliest of the touches and the vertical
   * barrier; an event with none is dropped. ret = close(t1) / close(t0) - 1 side-adjusted; `barrier`
   * 1 where the log return at t1 > ln(1 + target) pt and > 0, -1 where < -ln(1 + target) sl and < 0,
   * else 0 (mlfinlab's barrier_touched: not always the barrier touched first); label = barrier, or with
   * `side` the meta-label (0 where ret <= 0). A NaN close on a path touches nothing.
   */
  tripleBarrier(series: CloseSeries, options: TripleBarrierOptions): TripleBarrierEvents;
  /**
   * Trend-scanning labels (López de Prado, "Advances in Financial Machine Learning: Lecture 3/10") =
   * mlfinlab's `trend_scanning_labels`: per event, the OLS slope of close on 0..k-1 over the windows
   * of k = minSampleLength, + step, ... < lookForward bars from t0; the window of the largest |t| (the
   * first on ties) gives t1, tValue, ret and label = sign(tValue). Fewer than lookForward bars left: NaN.
   * A window of zero residuals gives t = 0 for a zero slope and +-Infinity by its sign (mlfinlab:
   * rounding noise); a NaN close makes its windows' t NaN (never chosen).
   */
  trendScanningLabels(series: CloseSeries, options?: TrendScanningOptions): TrendLabels;
  /**
   * Fixed-horizon labels (AFML 3.2) = mlfinlab's `fixed_time_horizon(close, threshold, lag=lag,
   * standardized=standardized, window=window)`: the return (pandas' pct_change, which pads a NaN close
   * with the last before it) -> 1 above threshold, -1 below -threshold, 0 between; NaN where the return is.
   */
  fixedHorizonLabels(close: Float64Array, options?: FixedHorizonOptions): Float64Array;
}

/** The rows of `out` whose t1 is a number, as columns of `names`, and t0. */
function keptRows(t0: Float64Array, o: Outputs, names: readonly string[]): Record<string, Float64Array> {
  const t1 = o.t1 as Float64Array;
  let kept = 0;
  for (let i = 0; i < t1.length; i++) if (t1[i] === t1[i]) kept++;
  const columns: Record<string, Float64Array> = { t0: new Float64Array(kept) };
  for (const name of names) columns[name] = new Float64Array(kept);
  let r = 0;
  for (let i = 0; i < t1.length; i++) {
    if (t1[i] !== t1[i]) continue;
    columns.t0[r] = t0[i];
    for (const name of names) columns[name][r] = (o[name] as Float64Array)[i];
    r++;
  }
  return columns;
}

const TRIPLE_COLUMNS = ['t1', 'target', 'ret', 'label', 'barrier'] as const;
const EMPTY = new Float64Array(0);

/** An optional per-event array (`t1`, `side`): EMPTY when absent, else of t0's length. */
function perEvent(value: unknown, t0: Float64Array, name: string): Float64Array {
  if (value === undefined) return EMPTY;
  requireFloat64Array(value, name);
  requireSameLength(t0, 'options.t0', value, name);
  return value;
}

/** The labeling family's label kernels' descriptors, with the weights' and folds' joined. */
export const LABELING_KERNELS = {
  cusumFilter: {
    params: [],
    signature: 'series.ts[n], series.close[n], options.threshold[k]',
    outputs: { events: ['N'] },
    dims: { N: 'n' },
    options: ['threshold'],
    sample: (s: Sampler) => {
      const series = sampleSeries(s);
      const n = series.ts.length;
      const threshold = s.random() < 0.7 ? s.uniform(0.001, 0.01) : s.fill(n, () => (s.random() < 0.05 ? NaN : s.uniform(0.001, 0.01)));
      return [series, { threshold }];
    },
    api(series: CloseSeries, options: CusumOptions) {
      requireCloseSeries(series);
      requireKnownOptions(LABELING_KERNELS.cusumFilter, options);
      const o = optionsObject(options, 'an object { threshold }');
      const threshold = valuesOrSeries(o.threshold, series.ts.length, 'options.threshold');
      const { ts } = series;
      return {
        size: ts.length,
        args: [ts, series.close, threshold],
        shape: (out: Outputs) => {
          const events = out.events as Float64Array;
          const t0: number[] = [];
          for (let i = 0; i < events.length; i++) if (events[i] !== 0) t0.push(ts[i]);
          return Float64Array.from(t0);
        },
      };
    },
  },
  dailyVolatility: {
    params: [LOOKBACK],
    signature: 'series.ts[n], series.close[n]',
    outputs: { values: ['N'] },
    dims: { N: 'n' },
    options: ['lookback'],
    sample: (s: Sampler) => [sampleSeries(s, s.int(0, 400)), { lookback: s.pick(2, 10, 100) }],
    api(series: CloseSeries, options?: { lookback?: number }) {
      requireCloseSeries(series);
      requireKnownOptions(LABELING_KERNELS.dailyVolatility, options);
      const lookback = checkParam(LOOKBACK, optionsObject(options).lookback ?? 100);
      return { size: series.ts.length, args: [series.ts, series.close, lookback], shape: (o: Outputs) => o.values };
    },
  },
  verticalBarriers: {
    params: [BARRIER_MS],
    signature: 'series.ts[n], t0[m]',
    outputs: { t1: ['M'] },
    dims: { M: 'm' },
    options: ['ms'],
    sample: (s: Sampler) => {
      const { ts } = sampleSeries(s);
      const t0 = sampleStarts(s, ts.length).map((i) => ts[i] + s.pick(0, 0, 1, -1));
      return [{ ts }, s.view(t0), { ms: s.pick(0, 60_000, 3_600_000, 86_400_000) }];
    },
    api(series: BarTimes, t0: Float64Array, options: VerticalBarrierOptions) {
      requireBarTimes(series);
      requireFloat64Array(t0, 't0');
      requireKnownOptions(LABELING_KERNELS.verticalBarriers, options);
      const ms = checkParam(BARRIER_MS, optionsObject(options, 'an object { ms }').ms);
      return { size: t0.length, args: [series.ts, t0, ms], shape: (o: Outputs) => o.t1 };
    },
  },
  tripleBarrier: {
    params: [PROFIT_TAKING, STOP_LOSS, MIN_RETURN],
    signature: 'series.ts[n], series.close[n], options.t0[m], options.target[k], options.t1[v], options.side[w]',
    outputs: { t1: ['M'], target: ['M'], ret: ['M'], label: ['M'], barrier: ['M'] },
    dims: { M: 'm' },
    options: ['t0', 'target', 'ptSl', 'minReturn', 't1', 'side'],
    sample: (s: Sampler) => {
      const series = sampleSeries(s);
      const { t0, t1 } = sampleSpans(s, series.ts, true, 30);
      const n = series.ts.length;
      const side = s.random() < 0.4 ? s.fill(t0.length, () => s.pick(1, -1, 1, 0.5)) : undefined;
      const vertical = s.random() < 0.7 ? t1 : undefined;
      const pt = s.pick(0, 1, 2);
      const ptSl = [vertical === undefined && pt === 0 ? 1 : pt, s.pick(0, 1, 1.5)];
      const target = s.random() < 0.5 ? s.uniform(0.001, 0.01) : s.fill(n, () => (s.random() < 0.05 ? NaN : s.uniform(0.001, 0.01)));
      return [series, { t0, target, ptSl, minReturn: s.pick(0, 0, 0.003), t1: vertical, side }];
    },
    api(series: CloseSeries, options: TripleBarrierOptions) {
      requireCloseSeries(series);
      requireKnownOptions(LABELING_KERNELS.tripleBarrier, options);
      const o = optionsObject(options, 'an object { t0, target, ptSl, ... }');
      requireFloat64Array(o.t0, 'options.t0');
      const { t0 } = o;
      const target = valuesOrSeries(o.target, series.ts.length, 'options.target');
      const ptSl = o.ptSl as unknown;
      if (!Array.isArray(ptSl) || ptSl.length !== 2) {
        throw new KernelInputError('options.ptSl', 'a pair [pt, sl]', Array.isArray(ptSl) ? `${ptSl.length} values` : typeof ptSl);
      }
      const pt = checkParam(PROFIT_TAKING, ptSl[0]);
      const sl = checkParam(STOP_LOSS, ptSl[1]);
      const minReturn = checkParam(MIN_RETURN, o.minReturn ?? 0);
      const t1 = perEvent(o.t1, t0, 'options.t1');
      const side = perEvent(o.side, t0, 'options.side');
      if (t1 === EMPTY && pt === 0 && (side === EMPTY || sl === 0)) {
        throw new KernelInputError(
          'options.ptSl',
          'a barrier: pt > 0, or with side sl > 0, or vertical barriers (options.t1)',
          `[${pt}, ${sl}]${side === EMPTY ? ' without side' : ''} and no t1`,
        );
      }
      const names = side === EMPTY ? TRIPLE_COLUMNS : (['t1', 'target', 'side', 'ret', 'label', 'barrier'] as const);
      return {
        size: series.ts.length,
        args: [series.ts, series.close, t0, target, t1, side, pt, sl, minReturn],
        shape: (out: Outputs) => keptRows(t0, side === EMPTY ? out : { ...out, side }, names) as unknown as TripleBarrierEvents,
      };
    },
  },
  trendScanningLabels: {
    params: [LOOK_FORWARD, MIN_SAMPLE_LENGTH, STEP],
    signature: 'series.ts[n], series.close[n], options.t0[m]',
    outputs: { t1: ['M'], tValue: ['M'], ret: ['M'], label: ['M'] },
    dims: { M: 'm' },
    options: ['t0', 'lookForward', 'minSampleLength', 'step'],
    sample: (s: Sampler) => {
      const series = sampleSeries(s, s.int(0, 120), 0.01);
      const every = s.random() < 0.3;
      const t0 = every ? undefined : s.view(sampleStarts(s, series.ts.length).map((i) => series.ts[i]));
      const minSampleLength = s.int(3, 8);
      return [series, { t0, minSampleLength, lookForward: minSampleLength + s.int(1, 20), step: s.int(1, 3) }];
    },
    api(series: CloseSeries, options?: TrendScanningOptions) {
      requireCloseSeries(series);
      requireKnownOptions(LABELING_KERNELS.trendScanningLabels, options);
      const o = optionsObject(options);
      const t0 = o.t0 ?? series.ts;
      if (o.t0 !== undefined) requireFloat64Array(o.t0, 'options.t0');
      const lookForward = checkParam(LOOK_FORWARD, o.lookForward ?? 20);
      const minSampleLength = checkParam(MIN_SAMPLE_LENGTH, o.minSampleLength ?? 5);
      if (minSampleLength >= lookForward) {
        throw new KernelInputError('options.minSampleLength', `an integer below lookForward (${lookForward})`, String(minSampleLength));
      }
      const step = checkParam(STEP, o.step ?? 1);
      return {
        size: t0.length,
        args: [series.ts, series.close, t0, lookForward, minSampleLength, step],
        shape: (out: Outputs) => ({ t0, ...out }) as unknown as TrendLabels,
      };
    },
  },
  fixedHorizonLabels: {
    params: [LAG, STANDARDIZED, WINDOW],
    signature: 'close[n], options.threshold[k]',
    outputs: { values: ['N'] },
    dims: { N: 'n' },
    options: ['threshold', 'lag', 'standardized', 'window'],
    sample: (s: Sampler) => {
      const { close } = sampleSeries(s);
      const standardized = s.random() < 0.4;
      const threshold = s.random() < 0.7 ? s.pick(0, 0.001, -0.001) : s.fill(close.length, () => s.uniform(0, 0.004));
      return [close, { threshold, lag: s.random() < 0.7, standardized, window: standardized ? s.int(2, 30) : undefined }];
    },
    api(close: Float64Array, options?: FixedHorizonOptions) {
      requireFloat64Array(close, 'close');
      requireKnownOptions(LABELING_KERNELS.fixedHorizonLabels, options);
      const o = optionsObject(options);
      const threshold = valuesOrSeries(o.threshold ?? 0, close.length, 'options.threshold');
      const lag = checkParam(LAG, o.lag ?? true);
      const standardized = checkParam(STANDARDIZED, o.standardized ?? false);
      const window = standardized === 1 ? checkParam(ROLLING_WINDOW, o.window) : 0;
      return { size: close.length, args: [close, threshold, lag, standardized, window], shape: (out: Outputs) => out.values };
    },
  },
  ...WEIGHTS_KERNELS,
  ...FOLDS_KERNELS,
} as const;
