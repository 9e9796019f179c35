/**
 * The labeling family: what turns a tape's features into a training set (López de Prado, Advances in
 * Financial Machine Learning, ch. 2-7), with mlfinlab's conventions (github.com/hudson-and-thames/mlfinlab
 * at fb8e1504, June 2020: its labeling, filters, sampling, sample_weights, fracdiff and
 * cross_validation modules). Types, packed parameters, option defaults and their checks, defined once
 * for every backend; the kernels as the API offers them are labeling-kernels.ts.
 *
 * A close series is `{ ts, close }`: ts epoch milliseconds, strictly increasing; events are given by
 * their times t0 (values of ts, strictly increasing) and, for the weights and folds, their ends t1.
 */
import { KernelInputError } from '../../errors.js';
import { above, atLeast, code, finite, flag, halfOpen, int, option, positive } from '../param-rules.js';
import { describeValue, requireFloat64Array, requireSameLength } from '../validate.js';

/** A close series: bar times (epoch ms, strictly increasing) and closes (NaN for a missing one). */
export interface CloseSeries {
  ts: Float64Array;
  close: Float64Array;
}

/** Bar times only (the kernels that read no price). */
export interface BarTimes {
  ts: Float64Array;
}

/** Events by their start t0 and end t1 (values of ts; a NaN t1 is open to the last bar where said). */
export interface EventSpans {
  t0: Float64Array;
  t1: Float64Array;
}

/** Checks `{ ts }` (a Float64Array); the values are the kernels' to check. */
export function requireBarTimes(series: BarTimes, name = 'series'): void {
  if (typeof series !== 'object' || series === null || Array.isArray(series)) {
    throw new KernelInputError(name, 'an object { ts, ... }', describeValue(series));
  }
  requireFloat64Array(series.ts, `${name}.ts`);
}

/** Checks `{ ts, close }`: Float64Arrays of one length. */
export function requireCloseSeries(series: CloseSeries, name = 'series'): void {
  requireBarTimes(series, name);
  requireFloat64Array(series.close, `${name}.close`);
  requireSameLength(series.ts, `${name}.ts`, series.close, `${name}.close`);
}

/** Checks events `{ t0, t1 }` given in `options`: Float64Arrays of one length. */
export function requireSpans(o: Partial<EventSpans>, name = 'options'): asserts o is EventSpans {
  requireFloat64Array(o.t0, `${name}.t0`);
  requireFloat64Array(o.t1, `${name}.t1`);
  requireSameLength(o.t0, `${name}.t0`, o.t1, `${name}.t1`);
}

/** A number or a series aligned with ts, as the Float64Array the kernels read (length 1 or n). */
export function valuesOrSeries(value: unknown, n: number, name: string): Float64Array {
  if (typeof value === 'number') return Float64Array.of(value);
  if (value instanceof Float64Array) {
    requireFloat64Array(value, name);
    if (value.length !== n) throw new KernelInputError(name, `a number or a Float64Array of length ${n} (as ts)`, `length ${value.length}`);
    return value;
  }
  throw new KernelInputError(name, 'a number or a Float64Array aligned with ts', describeValue(value));
}

// ---- the packed parameters, each with its rule (param-rules.ts) ----

export const LOOKBACK = option('lookback', int(1));
export const BARRIER_MS = option('ms', atLeast(0));
export const PROFIT_TAKING = { ...option('pt', atLeast(0)), name: 'options.ptSl[0]' } as const;
export const STOP_LOSS = { ...option('sl', atLeast(0)), name: 'options.ptSl[1]' } as const;
export const MIN_RETURN = option('minReturn', finite());
export const LOOK_FORWARD = option('lookForward', int(4));
export const MIN_SAMPLE_LENGTH = option('minSampleLength', int(3));
export const STEP = option('step', int(1));
export const LAG = option('lag', flag());
export const STANDARDIZED = option('standardized', flag());
export const WINDOW = option('window', int(0, undefined, '0: not standardized'));
/** The rolling window as the caller gives it with standardized: an integer >= 1. */
export const ROLLING_WINDOW = option('window', int(1));
/** Time decay's oldest weight: (-1, 1] (the API checks the upper end: the rule has no half-open form). */
export const DECAY = option('decay', above(-1));
export const D = option('d', atLeast(0));
export const FRAC_THRESHOLD = option('threshold', positive());
export const LIMIT = option('limit', int(1));
export const SPLITS = option('splits', int(2));
export const TEST_SPLITS = option('testSplits', int(1));
export const EMBARGO = option('embargo', halfOpen(0, 1));
export const CONVENTIONS = ['afml', 'mlfinlab'] as const;
export const CONVENTION = option('convention', code(CONVENTIONS));
export const SAMPLES = option('samples', int(0));
export const SEED = option('seed', int(0));

/** `tripleBarrier()`'s packed values. */
export interface TripleBarrierParams {
  pt: number;
  sl: number;
  minReturn: number;
}

/** `trendScanningLabels()`'s packed values. */
export interface TrendScanningParams {
  lookForward: number;
  minSampleLength: number;
  step: number;
}

/** `fixedHorizonLabels()`'s packed values (flags as 0 or 1; window 0 when not standardized). */
export interface FixedHorizonParams {
  lag: number;
  standardized: number;
  window: number;
}

/** The folds' packed values (testSplits 1 for purgedKFold; convention an index of CONVENTIONS). */
export interface FoldParams {
  splits: number;
  testSplits: number;
  embargo: number;
  convention: number;
}

/** What a fold matrix's cell holds: a sample in the fold's train set (1), its test set (2), or both (3). */
export const FOLD_TRAIN = 1;
export const FOLD_TEST = 2;

/**
 * The first position at or after `from` of the sorted ts whose time is >= t (ts.length when none, and
 * for NaN): a galloping search from `from` (positions from, from + 1, from + 3, ... then halving), so
 * that increasing times each found from the last cost the log of their gap, in memory near it.
 */
export function firstAtOrAfter(ts: Float64Array, t: number, from = 0): number {
  if (t !== t) return ts.length;
  const n = ts.length;
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < n && ts[hi] < t) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The position of time t in the sorted ts at or after `from`, or -1 when it is not a bar time. */
export function barAt(ts: Float64Array, t: number, from = 0): number {
  const j = firstAtOrAfter(ts, t, from);
  return j < ts.length && ts[j] === t ? j : -1;
}

/** C(n, k), exact for the small counts of folds. */
export function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/**
 * get_weights_ffd's weights (AFML snippet 5.3): w_0 = 1, w_k = -w_{k-1} (d - k + 1) / k while |w_k| >=
 * threshold and at most `limit` weights; returned oldest lag first (ending with w_0 = 1). The one
 * definition: the kernels' C++ twin is native/kernels/labeling/frac_diff.cpp's fracDiffWeights.
 */
export function fracDiffWeights(d: number, threshold: number, limit: number): Float64Array {
  const w = [1];
  for (let k = 1; w.length < limit; k++) {
    const next = (-w[w.length - 1] * (d - k + 1)) / k;
    if (Math.abs(next) < threshold) break;
    w.push(next);
  }
  return Float64Array.from(w.reverse());
}

/** The folds' backend call: the events, the folds' count C(splits, testSplits), then the packed values. */
export type FoldsCall = (
  t0: Float64Array,
  t1: Float64Array,
  folds: number,
  splits: number,
  testSplits: number,
  embargo: number,
  convention: number,
  out?: Float64Array,
) => Float64Array;

/** What a backend implementing the labeling family provides (arrays, then the packed parameters' values). */
export interface LabelingFamily {
  /** 1 at the bars where the CUSUM filter fires, else 0 (n). */
  cusumFilter(ts: Float64Array, close: Float64Array, threshold: Float64Array, out?: Float64Array): Float64Array;
  dailyVolatility(ts: Float64Array, close: Float64Array, lookback: number, out?: Float64Array): Float64Array;
  verticalBarriers(ts: Float64Array, t0: Float64Array, ms: number, out?: Float64Array): Float64Array;
  /** Per event (m each): t1, target, ret, label, barrier; t1 NaN where the event is dropped. */
  tripleBarrier(
    ts: Float64Array,
    close: Float64Array,
    t0: Float64Array,
    target: Float64Array,
    t1: Float64Array,
    side: Float64Array,
    pt: number,
    sl: number,
    minReturn: number,
    out?: Float64Array,
  ): Float64Array;
  /** Per event (m each): t1, tValue, ret, label. */
  trendScanningLabels(
    ts: Float64Array,
    close: Float64Array,
    t0: Float64Array,
    lookForward: number,
    minSampleLength: number,
    step: number,
    out?: Float64Array,
  ): Float64Array;
  fixedHorizonLabels(
    close: Float64Array,
    threshold: Float64Array,
    lag: number,
    standardized: number,
    window: number,
    out?: Float64Array,
  ): Float64Array;
  concurrentEvents(ts: Float64Array, t0: Float64Array, t1: Float64Array, out?: Float64Array): Float64Array;
  averageUniqueness(ts: Float64Array, t0: Float64Array, t1: Float64Array, out?: Float64Array): Float64Array;
  returnWeights(ts: Float64Array, close: Float64Array, t0: Float64Array, t1: Float64Array, out?: Float64Array): Float64Array;
  timeDecayWeights(ts: Float64Array, t0: Float64Array, t1: Float64Array, decay: number, out?: Float64Array): Float64Array;
  /** get_weights_ffd's weights: every backend returns fracDiffWeights' (a short scalar recurrence). */
  fracDiffWeights(d: number, threshold: number, limit: number): Float64Array;
  fracDiff(x: Float64Array, rows: number, cols: number, d: number, threshold: number, out?: Float64Array): Float64Array;
  /** folds x m cells: FOLD_TRAIN | FOLD_TEST (one implementation serves both: testSplits 1, or more). */
  purgedKFold: FoldsCall;
  combinatorialPurgedKFold: FoldsCall;
  /** rows' times (rows), then the rows x m indicator. */
  indicatorMatrix(ts: Float64Array, t0: Float64Array, t1: Float64Array, first: number, rows: number, out?: Float64Array): Float64Array;
  sequentialBootstrap(indicator: Float64Array, rows: number, cols: number, samples: number, seed: number, out?: Float64Array): Float64Array;
}
