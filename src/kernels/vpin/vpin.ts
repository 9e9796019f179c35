/**
 * The VPIN family: types, option defaults and validation, defined once for every backend.
 *
 * VPIN (Volume-Synchronized Probability of Informed Trading, Easley, Lopez de Prado & O'Hara 2012):
 * trades are aggregated into time bars, each bar's volume is split into buy and sell volume (bulk
 * volume classification or the tick rule), bars fill buckets of equal volume V, and
 * VPIN_k = sum over the last n buckets of |B - S| / (n V).
 */
import type { Dims, Shape } from '../descriptor.js';
import type { PinFamily } from './pin.js';
import { KernelInputError } from '../../errors.js';
import type { ClassifyAlgorithm, ClassifyConvention, ClassifyTradesParams, QuoteStream } from './classify.js';
import type { Trades } from '../trades.js';
import { describeValue, requireFloat64Array, requireSameLength } from '../validate.js';
import { code, finite, halfOpen, int, param, positive, when } from '../param-rules.js';

// Trades and their check live in ../trades.ts, which the bus imports without loading this family.
export { requireTrades, type Trades } from '../trades.js';

/** The non-empty time bars of a trade sequence, one element per bar. */
export interface TimeBars {
  /** Bar start, epoch ms: `floor(ts / barMs) * barMs` of the trade that opened the bar. */
  start: Float64Array;
  /** First trade price in the bar. */
  open: Float64Array;
  /** Last trade price in the bar. */
  close: Float64Array;
  /** Total volume traded in the bar. */
  volume: Float64Array;
  /** Number of trades in the bar. */
  count: Float64Array;
}

/**
 * One row per completed volume bucket. Bucket times are bar-granular (buckets are filled bar by bar):
 * a bucket starts at the first trade of the first bar that pours volume into it and ends at the last
 * trade of the bar that completes it. A bar split between two buckets gives its first trade to the one
 * it opens and its last trade to the one it completes (a bucket wholly inside one bar has that bar's
 * first and last trades). So `startTs <= endTs`, and a bucket's start is at or before the previous
 * bucket's end (they share the split bar).
 */
export interface VpinBuckets {
  /**
   * Timestamp of the first trade of the first bar that poured volume into the bucket (NaN for the
   * bucket that was open when a version-1 snapshot, which did not record it, was restored).
   */
  startTs: Float64Array;
  /** Timestamp of the last trade of the bar that completed the bucket. */
  endTs: Float64Array;
  /** `endTs - startTs`, in milliseconds (PINstimation's bucket `duration`, there in seconds). */
  duration: Float64Array;
  /** Buy volume in the bucket. */
  buyVolume: Float64Array;
  /** Sell volume in the bucket (`bucketVolume - buyVolume`). */
  sellVolume: Float64Array;
  /** VPIN over the last `window` buckets; NaN for the first `window - 1` buckets. */
  vpin: Float64Array;
  /**
   * Fraction of the last `cdfWindow` VPIN values (this one included; all of them so far with
   * `cdfWindow: 'all'`) that are <= this one; NaN where vpin is.
   */
  cdf: Float64Array;
}

/**
 * The bucket columns, in order, each of B rows: B, the buckets a call completes, is data-dependent,
 * counted by a first pass over the trades (the native kernel's prepare, the reference's stream) before
 * the columns are allocated. The one place the layout is written in TS: the descriptors of vpin and
 * vpinStream carry it, the reference and the native backend build their results from it, and the C++
 * (vpin.hpp's kBucketColumnNames) is held to it by test/native/vpin-outputs.test.ts.
 */
export const VPIN_BUCKET_OUTPUTS = {
  startTs: ['B'],
  endTs: ['B'],
  duration: ['B'],
  buyVolume: ['B'],
  sellVolume: ['B'],
  vpin: ['B'],
  cdf: ['B'],
} as const satisfies Record<keyof VpinBuckets, Shape>;

/** The bucket columns' names in order (VPIN_BUCKET_OUTPUTS). */
export const BUCKET_COLUMNS = Object.keys(VPIN_BUCKET_OUTPUTS) as (keyof VpinBuckets)[];

/** The dimension of the bucket columns: the buckets counted by the first pass. */
export const bucketDims = (buckets: number): Dims => ({ B: buckets });

/**
 * Volatility used to standardise price changes in bulk classification:
 * - `'sample'`: standard deviation (ddof 1) of dP over all bars of the input (not causal: `vpin()` only);
 * - a positive number: a fixed sigma;
 * - `{ rolling: k }`: sample standard deviation of the last k bars' dP, the current one included
 *   (fewer at the start; undefined, so a buy fraction of 0.5, until there are 2);
 * - `{ ewma: lambda }`: sqrt(var_t), var_t = lambda var_{t-1} + (1 - lambda) dP_t^2, var_1 = dP_1^2.
 */
export type SigmaOption = 'sample' | number | { rolling: number } | { ewma: number };

/** CDF used by bulk classification: the standard normal, or Student's t with `nu` degrees of freedom. */
export type DistributionOption = 'normal' | { studentT: number };

/** Options of bulk volume classification. */
export interface ClassifyOptions {
  /**
   * `'close'` (default): this bar's close minus the previous bar's close (the first bar: close minus
   * its own open). `'intra'`: last minus first price inside the bar.
   */
  priceChange?: 'close' | 'intra';
  /** Default `'sample'`. */
  sigma?: SigmaOption;
  /** Default `'normal'`. */
  distribution?: DistributionOption;
}

import type { OutOption } from '../validate.js';

export type { OutOption };

/** Options of `bulkClassify()`. */
export interface BulkClassifyOptions extends ClassifyOptions, OutOption<Float64Array> {}

/**
 * A trade-level classifier for `vpin()`/`vpinStream()`: the options of `classifyTrades()` (its rules,
 * peers and conventions are documented there). Each trade is labelled from its price and the quote
 * prevailing at it: the trades' own `bid`/`ask` columns, or `quotes` (a quote stream: `vpin()`'s option,
 * a stream's `update(trades, quotes)` argument).
 */
export interface VpinClassifier {
  /** Any of classifyTrades' algorithms; a stream takes the causal ones (not the `reverse-*` ones). */
  algorithm: ClassifyAlgorithm;
  /** Default 0. */
  quoteLagMs?: number;
  /** Default `'quotes'`. */
  lagFrom?: 'quotes' | 'trades';
  /** Default `'tclf'`. */
  convention?: ClassifyConvention;
}

/** Options of `vpin()` and `vpinStream()`. */
export interface VpinOptions extends ClassifyOptions {
  /** Volume per bucket, V (> 0). Required. */
  bucketVolume: number;
  /** Buckets per VPIN value, n (integer >= 1). Default 50. */
  window?: number;
  /** Bar length in ms (> 0). Default 60000. */
  barMs?: number;
  /**
   * `'bvc'` (default): bulk volume classification, buy volume = volume * F(dP / sigma).
   * `'tick'`: tick rule per trade; buy volume = volume for +1, 0 for -1, half for 0.
   * A VpinClassifier `{ algorithm, quoteLagMs, lagFrom, convention }`: each trade labelled as
   * `classifyTrades()` labels it (the quote rule, Lee-Ready, EMO, CLNV... from the trades' `bid` and
   * `ask`, or from `quotes`); buy volume = volume for +1, 0 for -1, half for 0 (unclassified), as the
   * tick path. Bars, buckets and the pro-rata split of a bar over buckets are the same for every
   * classifier.
   */
  classifier?: 'bvc' | 'tick' | VpinClassifier;
  /** `vpin()` only: a quote stream for trades without their own bid and ask (see classifyTrades). */
  quotes?: QuoteStream;
  /**
   * The history the CDF ranks each VPIN among: the last `cdfWindow` VPIN values (this one included), or
   * `'all'`, every value so far (PINstimation's and flowrisk's CDF over the sample to date; a stream's
   * state then grows by 8 bytes per bucket). Default 50000 (DEFAULT_CDF_WINDOW): equal to `'all'` for
   * the first 50,000 VPIN values, and a stream's state stays bounded (docs/vpin.md).
   */
  cdfWindow?: number | 'all';
}

/** The default `cdfWindow`: the CDF over the last 50,000 VPIN values. */
export const DEFAULT_CDF_WINDOW = 50_000;

/** Options of `timeBars()`. */
export interface TimeBarOptions {
  /** Bar length in ms (> 0). Default 60000. */
  barMs?: number;
}

/** Streaming VPIN: feed trades batch by batch; the output equals `vpin()` over the concatenation. */
export interface VpinStream {
  /**
   * Adds a batch of trades (continuing in time) and returns the buckets it completed. When it completed
   * none, the result may be one shared, frozen object of empty arrays (the native backend's): read it,
   * do not modify it. With a VpinClassifier the trades carry `bid` and `ask`, or `quotes` gives the quote
   * stream's next part (its times continuing the earlier parts'; the quotes at or before a trade's
   * lagged time must have come with or before it, earlier is fine; a batch with no new quotes may leave
   * it out); one kind per stream.
   */
  update(trades: Trades, quotes?: QuoteStream): VpinBuckets;
  /**
   * Closes the open bar (end of data) and returns the buckets it completed. Later trades must fall in
   * a later bar. `update()` batches followed by `flush()` give exactly `vpin()` of all the trades.
   */
  flush(): VpinBuckets;
  /**
   * The whole state as bytes (portable between backends), for `restore()` after a restart. With
   * `{ history: false }`, without the CDF history (the VPIN values the CDF ranks among): the part an
   * incremental checkpoint writes, restored with `restore(bytes, { append })`.
   */
  snapshot(options?: { history?: boolean }): Uint8Array;
  /**
   * Replaces the state with one from `snapshot()` of a stream with the same options. With `append`
   * (the VPIN values completed since the stream's state was last restored or snapshotted, in order),
   * `bytes` is a `{ history: false }` snapshot and the CDF history is the stream's own followed by
   * `append` (its last `cdfWindow` kept): base snapshot + deltas, without storing the history twice.
   */
  restore(bytes: Uint8Array, options?: { append?: Float64Array }): void;
  /** Buckets completed so far. */
  readonly bucketCount: number;
}

export const SIGMA_SAMPLE = 0;
export const SIGMA_FIXED = 1;
export const SIGMA_ROLLING = 2;
export const SIGMA_EWMA = 3;

/**
 * The numeric parameters every backend receives, defined once: names, order (the order of the packed
 * Float64Array the native kernels read, and of the snapshot header) and what the native layer accepts
 * (its fault messages are formatted from `expected`). native/kernels/vpin/vpin.hpp (kParamNames) holds the same
 * table for C++; a test compares the two. The classification parameters are the tail, so
 * `bulkClassify` takes the last CLASSIFY_PARAMS.length of them.
 */
export const CLASSIFY_PARAMS = [
  param('priceChange', code(['close', 'intra'])),
  param('sigmaKind', code(['sample', 'fixed', 'rolling', 'ewma'])),
  param(
    'sigmaParam',
    when(
      'sigmaKind',
      [
        [SIGMA_FIXED, 'fixed', positive()],
        [SIGMA_ROLLING, 'rolling', int(2, 1_000_000)],
        [SIGMA_EWMA, 'ewma', halfOpen(0, 1)],
      ],
      finite(),
    ),
  ),
  param('distribution', code(['normal', 'studentT'])),
  param('nu', when('distribution', [[1, 'Student t', positive()]], finite())),
] as const;

export const VPIN_PARAMS = [
  param('bucketVolume', positive()),
  param('window', int(1, 1_000_000)),
  param('barMs', positive()),
  param('classifier', code(['bvc', 'tick', 'labels'])),
  param('cdfWindow', int(0, 1_000_000_000, '0: every VPIN value so far')),
  ...CLASSIFY_PARAMS,
] as const;

/** Position of the classification parameters inside VPIN_PARAMS. */
export const CLASSIFY_OFFSET = VPIN_PARAMS.length - CLASSIFY_PARAMS.length;

type ParamKey<T extends readonly { key: string }[]> = T[number]['key'];

/** Bulk-classification options resolved to numbers (CLASSIFY_PARAMS). */
export type ClassifyParams = Record<ParamKey<typeof CLASSIFY_PARAMS>, number>;

/**
 * `vpin()`/`vpinStream()` options resolved to numbers (VPIN_PARAMS): classifier 0 bvc / 1 tick / 2 labels,
 * cdfWindow 0 for 'all',
 * priceChange 0 close / 1 intra, sigmaKind SIGMA_*, distribution 0 normal / 1 Student t.
 */
export type VpinParams = Record<ParamKey<typeof VPIN_PARAMS>, number>;

/** The parameters as one Float64Array in table order (what the native kernels read). */
export function packParams<P extends Record<string, number>>(table: readonly { key: string }[], params: P): Float64Array {
  return Float64Array.from(table, ({ key }) => params[key]);
}

export const VPIN_DEFAULTS = {
  window: 50,
  barMs: 60_000,
  classifier: 'bvc',
  cdfWindow: DEFAULT_CDF_WINDOW,
  priceChange: 'close',
  sigma: 'sample',
  distribution: 'normal',
} as const;

/** Most buckets one call may produce (56 bytes each): guards against a tiny bucketVolume. */
export const MAX_BUCKETS_PER_CALL = 10_000_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveFinite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw new KernelInputError(name, 'a finite number > 0', describeValue(value));
  }
  return value;
}

function resolveClassify(options: ClassifyOptions, prefix: string): ClassifyParams {
  const priceChange = options.priceChange ?? VPIN_DEFAULTS.priceChange;
  if (priceChange !== 'close' && priceChange !== 'intra') {
    throw new KernelInputError(`${prefix}.priceChange`, "'close' or 'intra'", describeValue(priceChange));
  }
  const sigma = options.sigma ?? VPIN_DEFAULTS.sigma;
  let sigmaKind: number;
  let sigmaParam = 0;
  if (sigma === 'sample') {
    sigmaKind = SIGMA_SAMPLE;
  } else if (typeof sigma === 'number') {
    sigmaKind = SIGMA_FIXED;
    sigmaParam = positiveFinite(sigma, `${prefix}.sigma`);
  } else if (isRecord(sigma) && 'rolling' in sigma) {
    sigmaKind = SIGMA_ROLLING;
    const k = sigma.rolling;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 2 || k > 1_000_000) {
      throw new KernelInputError(`${prefix}.sigma.rolling`, 'an integer in [2, 1000000]', describeValue(k));
    }
    sigmaParam = k;
  } else if (isRecord(sigma) && 'ewma' in sigma) {
    sigmaKind = SIGMA_EWMA;
    const lambda = sigma.ewma;
    if (typeof lambda !== 'number' || !(lambda >= 0 && lambda < 1)) {
      throw new KernelInputError(`${prefix}.sigma.ewma`, 'a number in [0, 1)', describeValue(lambda));
    }
    sigmaParam = lambda;
  } else {
    throw new KernelInputError(`${prefix}.sigma`, "'sample', a number > 0, { rolling: k } or { ewma: lambda }", describeValue(sigma));
  }
  const distribution = options.distribution ?? VPIN_DEFAULTS.distribution;
  let distributionCode = 0;
  let nu = 0;
  if (distribution === 'normal') {
    distributionCode = 0;
  } else if (isRecord(distribution) && 'studentT' in distribution) {
    distributionCode = 1;
    nu = positiveFinite(distribution.studentT, `${prefix}.distribution.studentT`);
  } else {
    throw new KernelInputError(`${prefix}.distribution`, "'normal' or { studentT: nu }", describeValue(distribution));
  }
  return { priceChange: priceChange === 'close' ? 0 : 1, sigmaKind, sigmaParam, distribution: distributionCode, nu };
}

/** Validates bulk-classification options and resolves defaults. */
export function resolveClassifyOptions(options: ClassifyOptions | undefined): ClassifyParams {
  if (options !== undefined && !isRecord(options)) {
    throw new KernelInputError('options', 'an object', describeValue(options));
  }
  return resolveClassify(options ?? {}, 'options');
}

/** Validates the bar length option. */
export function resolveBarMs(options: TimeBarOptions | undefined): number {
  if (options !== undefined && !isRecord(options)) {
    throw new KernelInputError('options', 'an object', describeValue(options));
  }
  return positiveFinite(options?.barMs ?? VPIN_DEFAULTS.barMs, 'options.barMs');
}

/** Validates `vpin()`/`vpinStream()` options and resolves defaults. `stream` rejects non-causal sigma. */
export function resolveVpinOptions(options: VpinOptions, stream: boolean): VpinParams {
  if (!isRecord(options)) {
    throw new KernelInputError('options', 'an object with bucketVolume', describeValue(options));
  }
  const bucketVolume = positiveFinite(options.bucketVolume, 'options.bucketVolume');
  const window = options.window ?? VPIN_DEFAULTS.window;
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > 1_000_000) {
    throw new KernelInputError('options.window', 'an integer in [1, 1000000]', describeValue(window));
  }
  const barMs = resolveBarMs(options);
  const classifier = options.classifier ?? VPIN_DEFAULTS.classifier;
  if (classifier !== 'bvc' && classifier !== 'tick' && !isRecord(classifier)) {
    throw new KernelInputError(
      'options.classifier',
      "'bvc', 'tick' or { algorithm, quoteLagMs, lagFrom, convention }",
      describeValue(classifier),
    );
  }
  const classify = resolveClassify(options, 'options');
  if (stream && classifier === 'bvc' && classify.sigmaKind === SIGMA_SAMPLE) {
    throw new KernelInputError(
      'options.sigma',
      "a causal sigma for a stream (a number, { rolling: k } or { ewma: lambda }); 'sample' looks at all bars",
      "'sample'",
    );
  }
  const code = classifier === 'bvc' ? 0 : classifier === 'tick' ? 1 : 2;
  const cdfWindow = options.cdfWindow ?? VPIN_DEFAULTS.cdfWindow;
  if (cdfWindow !== 'all' && (typeof cdfWindow !== 'number' || !Number.isInteger(cdfWindow) || cdfWindow < 1 || cdfWindow > 1e9)) {
    throw new KernelInputError('options.cdfWindow', "an integer in [1, 1000000000] or 'all'", describeValue(cdfWindow));
  }
  return {
    bucketVolume,
    window,
    barMs,
    classifier: code,
    cdfWindow: cdfWindow === 'all' ? 0 : cdfWindow,
    ...classify,
  } satisfies VpinParams;
}

/** Checks the bar columns `bulkClassify()` reads. */
export function requireBars(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>): void {
  if (!isRecord(bars)) throw new KernelInputError('bars', 'an object { open, close, volume }', describeValue(bars));
  requireFloat64Array(bars.open, 'bars.open');
  requireFloat64Array(bars.close, 'bars.close');
  requireFloat64Array(bars.volume, 'bars.volume');
  requireSameLength(bars.open, 'bars.open', bars.close, 'bars.close');
  requireSameLength(bars.open, 'bars.open', bars.volume, 'bars.volume');
}

/** A backend's streaming VPIN state machine (the API has validated the options and each batch's shape). */
export interface VpinStreamCore {
  /** `labels`: a label per trade under classifier 2 (labels), else absent. */
  update(ts: Float64Array, price: Float64Array, volume: Float64Array, labels?: Int8Array): VpinBuckets;
  /** update() over a trade frame's columns read in place (see FrameTrades): backends that can. */
  updateBytes?(columns: Uint8Array, rows: number, labels?: Int8Array): VpinBuckets;
  flush(): VpinBuckets;
  /**
   * State vector, identical layout on every backend (see exportVpinState in backends/reference/vpin/vpin.ts);
   * `history` false: without the CDF history (its length 0).
   */
  exportState(history?: boolean): Float64Array;
  importState(state: Float64Array): void;
  readonly bucketCount: number;
}

/**
 * The VPIN family as a backend implements it. The API has checked shapes and resolved options; data
 * faults (NaN prices, unsorted timestamps...) are found inside and thrown as KernelInputError via
 * `inputFault`, so every backend reports them with the same message.
 */
export interface VpinFamily extends PinFamily {
  timeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): TimeBars;
  /**
   * The per-trade and per-bar kernels take an optional `out` (checked by the API: the right type and
   * length, no memory shared with the inputs) and return it filled; a backend that cannot write into
   * it returns a fresh array, which the API copies into `out`.
   */
  tickRule(price: Float64Array, out?: Int8Array): Int8Array;
  /** +1 / -1 / 0 per trade from its price and the quote at it (NaN bid or ask: no quote). */
  classifyTrades(
    ts: Float64Array,
    price: Float64Array,
    bid: Float64Array,
    ask: Float64Array,
    params: ClassifyTradesParams,
    out?: Int8Array,
  ): Int8Array;
  /** classifyTrades() with the quotes from a stream (`quoteTs`, `quoteBid`, `quoteAsk`): reference and native. */
  classifyQuotes?(
    ts: Float64Array,
    price: Float64Array,
    quoteTs: Float64Array,
    quoteBid: Float64Array,
    quoteAsk: Float64Array,
    params: ClassifyTradesParams,
    out?: Int8Array,
  ): Int8Array;
  bulkClassify(open: Float64Array, close: Float64Array, volume: Float64Array, params: ClassifyParams, out?: Float64Array): Float64Array;
  /**
   * `labels` (classifier 2 only, else absent): each trade's label from classifyTrades(), +1 buy, -1 sell,
   * 0 unclassified (half and half); only its sign is read.
   */
  vpin(ts: Float64Array, price: Float64Array, volume: Float64Array, params: VpinParams, labels?: Int8Array): VpinBuckets;
  /** vpin() over a trade frame's columns read in place (see FrameTrades): backends that can. */
  vpinBytes?(columns: Uint8Array, rows: number, params: VpinParams, labels?: Int8Array): VpinBuckets;
  vpinStream(params: VpinParams): VpinStreamCore;
}
