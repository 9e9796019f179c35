/**
 * The labeling family's sample weights (AFML ch. 4: concurrency, uniqueness, return attribution, time
 * decay, the indicator matrix and the sequential bootstrap) and fractional differences (ch. 5), as the
 * API offers them and their descriptors (joined to LABELING_KERNELS).
 */
import { KernelInputError } from '../../errors.js';
import { requireKnownOptions, type Outputs } from '../descriptor.js';
import type { ColumnsOf } from '../labels.js';
import { columnSplit } from '../labels.js';
import { asColumns, type Matrix, requireMatrix, type Series } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { optionsObject } from '../validate.js';
import {
  type BarTimes,
  type CloseSeries,
  D,
  DECAY,
  firstAtOrAfter,
  type EventSpans,
  FRAC_THRESHOLD,
  type LabelingFamily,
  LIMIT,
  requireBarTimes,
  requireCloseSeries,
  requireSpans,
  SAMPLES,
  SEED,
} from './labeling.js';
import { sampleSeries, sampleSpans } from './labeling-sample.js';

/** `timeDecayWeights()`' options. */
export interface TimeDecayOptions extends EventSpans {
  /** The oldest event's weight relative to the newest (1: no decay; < 0: the oldest part gets 0), in (-1, 1]. Default 1. */
  decay?: number;
}

/** `fracDiff()`'s options. */
export interface FracDiffOptions {
  /** The order of differencing, >= 0. */
  d: number;
  /** Weights below it in magnitude are cut (the window's width). Default 1e-5. */
  threshold?: number;
}

/** `sequentialBootstrap()`'s options. */
export interface BootstrapOptions {
  /** Draws. Default the indicator's columns. */
  samples?: number;
  /** The generator's seed (an integer >= 0). Default 0. */
  seed?: number;
}

/** The largest number of weights fracDiffWeights returns by default. */
export const FRAC_WEIGHTS_LIMIT = 1_000_000;

/** The labeling family's weight kernels. */
export interface WeightsKernels {
  /**
   * Concurrent events per bar (AFML snippet 4.1) = mlfinlab's `num_concurrent_events` as its
   * orchestrators use it (reindexed to the bars, 0 where none): the events whose [t0, t1] holds the bar;
   * a NaN t1 is open to the last bar. Aligned with ts.
   */
  concurrentEvents(series: BarTimes, events: EventSpans): Float64Array;
  /**
   * Average uniqueness per event (AFML snippet 4.2) = mlfinlab's `get_av_uniqueness_from_triple_barrier`:
   * the mean over the event's bars of 1 / concurrentEvents; a NaN t1 is open to the last bar.
   */
  averageUniqueness(series: BarTimes, events: EventSpans): Float64Array;
  /**
   * Sample weights by return attribution (AFML snippet 4.10) = mlfinlab's `get_weights_by_return`:
   * |sum over the event's bars of r_t / c_t|, r_t = ln(close_t / close_{t-1}) (the return into the
   * bar, so the event's first bar carries the return before it, as mlfinlab's slice does; NaN returns
   * skipped), c_t the concurrent events; scaled to sum to the number of events. A NaN t1 is open to the
   * last bar (mlfinlab refuses it).
   */
  returnWeights(series: CloseSeries, events: EventSpans): Float64Array;
  /**
   * Time-decay weights (AFML snippet 4.11) = mlfinlab's `get_weights_by_time_decay`: piecewise linear in
   * the cumulative average uniqueness, the newest event 1, the oldest `decay` (decay < 0: the oldest
   * part 0), floored at 0.
   */
  timeDecayWeights(series: BarTimes, options: TimeDecayOptions): Float64Array;
  /**
   * The fixed-width fractional-difference weights (AFML snippet 5.3) = mlfinlab's `get_weights_ffd(d,
   * threshold, limit)`: w_0 = 1, w_k = -w_{k-1} (d - k + 1) / k while |w_k| >= threshold (default 1e-5),
   * at most `limit` (default 1,000,000), oldest lag first (ending with 1).
   */
  fracDiffWeights(d: number, options?: { threshold?: number; limit?: number }): Float64Array;
  /**
   * Fixed-width fractional differences (AFML snippet 5.3) = mlfinlab's `frac_diff_ffd(x, d, threshold)`,
   * per column: the weights (at most x's rows) applied to the last `width` + 1 values; NaN for the first
   * `width` rows. An interior NaN is carried forward from the value before it (pandas' ffill), as
   * mlfinlab does; a leading NaN (mlfinlab misaligns the column) and an infinity are KernelInputErrors.
   */
  fracDiff<R extends Series>(x: R, options: FracDiffOptions): ColumnsOf<R>;
  /**
   * The indicator matrix (AFML snippet 4.3) = mlfinlab's `get_ind_matrix`: a row per bar from the
   * earliest t0 to the latest t1 (its `index` the bars' times), a column per event, 1 where the bar
   * lies in the event's [t0, t1]. A NaN t1 is a KernelInputError, as in mlfinlab.
   */
  indicatorMatrix(series: BarTimes, events: EventSpans): Matrix;
  /**
   * The sequential bootstrap (AFML snippets 4.5, 4.6): mlfinlab's `seq_bootstrap` algorithm (each draw
   * picks an event with probability proportional to its average uniqueness given the draws so far),
   * drawn by this package's Philox generator from `seed`: the same draws on every backend, not numpy's.
   */
  sequentialBootstrap(indicator: Matrix, options?: BootstrapOptions): Int32Array;
}

/** Events' spans of `options`, checked. */
function spansOf(options: unknown): EventSpans {
  const o = optionsObject(options as Partial<EventSpans>, 'an object { t0, t1 }');
  requireSpans(o);
  return o;
}

/** Sampled bars and events on them (t1 NaN now and then when `open`). */
function sampleEvents(s: Sampler, open: boolean) {
  const series = sampleSeries(s);
  return { series, spans: sampleSpans(s, series.ts, open) };
}

const valuesOf = (o: Outputs) => o.values;

/**
 * The descriptor of a kernel of bars (with their closes when `closes`) and events' spans, one value
 * per bar (`'N'`) or per event (`'M'`): concurrentEvents, averageUniqueness, returnWeights.
 */
function spansKernel(per: 'N' | 'M', closes: boolean) {
  const spec = {
    params: [],
    signature: `series.ts[n], ${closes ? 'series.close[n], ' : ''}options.t0[m], options.t1[m]`,
    outputs: { values: [per] as const },
    dims: (per === 'N' ? { N: 'n' } : { M: 'm' }) as Readonly<Record<string, string>>,
    options: ['t0', 't1'],
    sample: (s: Sampler) => {
      const { series, spans } = sampleEvents(s, true);
      return [closes ? series : { ts: series.ts }, spans];
    },
    api(series: CloseSeries | BarTimes, events: EventSpans) {
      if (closes) requireCloseSeries(series as CloseSeries);
      else requireBarTimes(series);
      requireKnownOptions(spec, events);
      const { t0, t1 } = spansOf(events);
      const bars = closes ? [series.ts, (series as CloseSeries).close] : [series.ts];
      return { size: series.ts.length, args: [...bars, t0, t1], shape: valuesOf };
    },
  };
  return spec;
}

/** The labeling family's weight kernels' descriptors. */
export const WEIGHTS_KERNELS = {
  concurrentEvents: spansKernel('N', false),
  averageUniqueness: spansKernel('M', false),
  returnWeights: spansKernel('M', true),
  timeDecayWeights: {
    params: [DECAY],
    signature: 'series.ts[n], options.t0[m], options.t1[m]',
    outputs: { values: ['M'] },
    dims: { M: 'm' },
    options: ['t0', 't1', 'decay'],
    sample: (s: Sampler) => {
      const { series, spans } = sampleEvents(s, true);
      return [{ ts: series.ts }, { ...spans, decay: s.pick(1, 0.5, 0, -0.5) }];
    },
    api(series: BarTimes, options: TimeDecayOptions) {
      requireBarTimes(series);
      requireKnownOptions(WEIGHTS_KERNELS.timeDecayWeights, options);
      const { t0, t1 } = spansOf(options);
      const decay = checkParam(DECAY, options.decay ?? 1);
      if (decay > 1) throw new KernelInputError('options.decay', 'a number in (-1, 1]', String(decay));
      return { size: series.ts.length, args: [series.ts, t0, t1, decay], shape: (o: Outputs) => o.values };
    },
  },
  fracDiffWeights: {
    params: [],
    options: ['threshold', 'limit'],
    sample: (s: Sampler) => [s.pick(0, 0.1, 0.4, 1, 1.5, 2.5), { threshold: s.pick(1e-5, 1e-3, 1e-2), limit: s.int(1, 5000) }],
    api(d: number, options?: { threshold?: number; limit?: number }) {
      requireKnownOptions(WEIGHTS_KERNELS.fracDiffWeights, options);
      const o = optionsObject(options);
      const order = checkParam(D, d, 'd');
      const threshold = checkParam(FRAC_THRESHOLD, o.threshold ?? 1e-5);
      const limit = checkParam(LIMIT, o.limit ?? FRAC_WEIGHTS_LIMIT);
      return { size: 1, call: (f: LabelingFamily) => f.fracDiffWeights(order, threshold, limit), shape: (w: Float64Array) => w };
    },
  },
  fracDiff: {
    params: [D, FRAC_THRESHOLD],
    signature: 'x[rows x cols], rows, cols',
    outputs: { values: ['T', 'N'] },
    dims: { T: 'rows', N: 'cols' },
    options: ['d', 'threshold'],
    sample: (s: Sampler) => {
      const rows = s.int(0, 150);
      const cols = s.random() < 0.5 ? 0 : s.int(1, 3);
      const x = s.fill(rows * Math.max(cols, 1), () => (s.random() < 0.03 ? NaN : 4.6 + 0.1 * s.normal()));
      if (rows > 0) for (let c = 0; c < Math.max(cols, 1); c++) x[c] = 4.6;
      const d = s.pick(0, 0.1, 0.4, 0.5, 1, 1.5);
      return [cols === 0 ? x : { data: x, rows, cols }, { d, threshold: s.pick(1e-5, 1e-3, 1e-2) }];
    },
    api(x: Series, options: FracDiffOptions) {
      requireKnownOptions(WEIGHTS_KERNELS.fracDiff, options);
      const o = optionsObject(options, 'an object { d, threshold }');
      const m = asColumns(x, 'x');
      const d = checkParam(D, o.d);
      const threshold = checkParam(FRAC_THRESHOLD, o.threshold ?? 1e-5);
      return {
        size: m.rows * m.cols,
        args: [m.data, m.rows, m.cols, d, threshold],
        split: columnSplit(x, m),
        shape: (out: Outputs) => out.values,
      };
    },
  },
  indicatorMatrix: {
    params: [],
    signature: 'series.ts[n], options.t0[m], options.t1[m], first, rows',
    outputs: { times: ['R'], values: ['R', 'M'] },
    dims: { R: 'rows', M: 'm' },
    options: ['t0', 't1'],
    sample: (s: Sampler) => {
      const { series, spans } = sampleEvents(s, false);
      return [{ ts: series.ts }, spans];
    },
    api(series: BarTimes, events: EventSpans) {
      requireBarTimes(series);
      requireKnownOptions(WEIGHTS_KERNELS.indicatorMatrix, events);
      const { t0, t1 } = spansOf(events);
      const { ts } = series;
      // the rows' range, bars from the earliest t0 to the latest t1 (the kernel checks the times are bars)
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < t0.length; i++) {
        if (t0[i] < lo) lo = t0[i];
        if (t1[i] > hi) hi = t1[i];
      }
      const first = firstAtOrAfter(ts, lo);
      const rows = t0.length === 0 ? 0 : Math.max(0, Math.min(ts.length, firstAtOrAfter(ts, hi) + 1) - first);
      return {
        size: ts.length,
        args: [ts, t0, t1, Math.min(first, ts.length), rows],
        shape: (out: Outputs) => {
          const values = out.values as Matrix;
          return { data: values.data, rows: values.rows, cols: values.cols, index: out.times as Float64Array } satisfies Matrix;
        },
      };
    },
  },
  sequentialBootstrap: {
    params: [SAMPLES, SEED],
    signature: 'indicator.data[rows x cols], rows, cols',
    outputs: { draws: ['S'] },
    dims: { S: 'samples' },
    options: ['samples', 'seed'],
    sample: (s: Sampler) => {
      const rows = s.int(0, 40);
      const cols = s.int(1, 12);
      const data = new Float64Array(rows * cols);
      for (let c = 0; c < cols; c++) {
        const a = s.int(0, Math.max(0, rows - 1));
        const b = Math.min(rows, a + s.int(1, 8));
        for (let r = a; r < b; r++) data[r * cols + c] = 1;
      }
      return [
        { data: s.view(data), rows, cols },
        { samples: s.int(0, 20), seed: s.int(0, 1000) },
      ];
    },
    api(indicator: Matrix, options?: BootstrapOptions) {
      requireMatrix(indicator, 'indicator');
      requireKnownOptions(WEIGHTS_KERNELS.sequentialBootstrap, options);
      const o = optionsObject(options);
      const samples = checkParam(SAMPLES, o.samples ?? indicator.cols);
      const seed = checkParam(SEED, o.seed ?? 0);
      if (samples > 0 && indicator.cols === 0) throw new KernelInputError('indicator', 'at least one column (event) to draw', '0 columns');
      return {
        size: indicator.rows * indicator.cols,
        args: [indicator.data, indicator.rows, indicator.cols, samples, seed],
        shape: (out: Outputs) => Int32Array.from(out.draws as Float64Array),
      };
    },
  },
} as const;
