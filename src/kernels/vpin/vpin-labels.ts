/**
 * VPIN on trade-level labels (issue 32): a VpinClassifier `{ algorithm, quoteLagMs, lagFrom,
 * convention }` resolved to classifyTrades' parameters, and the labels of a whole tape for `vpin()`
 * (one classifyTrades call on the backend). A stream's side is src/kernels/vpin/label-stream.ts.
 */
import { KernelInputError } from '../../errors.js';
import {
  CLASSIFY_ALGORITHMS,
  requireQuotedTrades,
  resolveClassifyTradesOptions,
  type ClassifyTradesParams,
  type QuoteStream,
} from './classify.js';
import { requireKnownOptions } from '../descriptor.js';
import { hasQuotes, type Trades } from '../trades.js';
import type { VpinFamily, VpinOptions, VpinParams } from './vpin.js';

const CLASSIFIER_OPTIONS = ['algorithm', 'quoteLagMs', 'lagFrom', 'convention'];
const TICK = CLASSIFY_ALGORITHMS.indexOf('tick');
const REVERSE_TICK = CLASSIFY_ALGORITHMS.indexOf('reverse-tick');
const EMPTY = new Float64Array(0);

/** An empty quote stream (what the tick rules get: they read no quote). */
export const NO_QUOTES: QuoteStream = { ts: EMPTY, bid: EMPTY, ask: EMPTY };

/** True for the algorithms that read no quote (the tick rules). */
export function tickOnly(params: ClassifyTradesParams): boolean {
  return params.algorithm === TICK || params.algorithm === REVERSE_TICK;
}

/**
 * `vpin()`/`vpinStream()`'s parameters (`params`, resolveVpinOptions') and the classifyTrades
 * parameters of its VpinClassifier (`options.classifier` an object), else none. `{ algorithm: 'tick' }`
 * without a quote stream is the 'tick' classifier (the tick rule reads no quote: the same labels), run
 * as classifier 1, without labels. A stream (`stream`) takes the causal algorithms only.
 */
export function resolveVpinLabels(
  options: VpinOptions,
  params: VpinParams,
  stream: boolean,
): { params: VpinParams; classifier?: ClassifyTradesParams } {
  const classifier = resolveVpinClassifier(options, stream);
  if (classifier?.algorithm === TICK && options.quotes === undefined) return { params: { ...params, classifier: 1 } };
  return { params, classifier };
}

/**
 * The classifyTrades parameters of a VpinClassifier (`options.classifier` an object), else undefined.
 * A stream (`stream`) takes the causal algorithms only: the reverse ones read later trades.
 */
function resolveVpinClassifier(options: VpinOptions, stream: boolean): ClassifyTradesParams | undefined {
  const classifier = options.classifier;
  if (typeof classifier !== 'object' || classifier === null) {
    if (options.quotes !== undefined) {
      throw new KernelInputError('options.quotes', 'no quote stream unless classifier is { algorithm, ... }', 'a quote stream');
    }
    return undefined;
  }
  requireKnownOptions({ params: [], options: CLASSIFIER_OPTIONS }, classifier, 'options.classifier');
  const params = resolveClassifyTradesOptions({ ...classifier, quotes: options.quotes }, 'options.classifier', undefined);
  const name = CLASSIFY_ALGORITHMS[params.algorithm];
  if (stream && name.startsWith('reverse')) {
    throw new KernelInputError(
      'options.classifier.algorithm',
      'a causal algorithm for a stream (the reverse ones read later trades: vpin() only)',
      `'${name}'`,
    );
  }
  return params;
}

/** The error for trades a quote-based algorithm cannot classify: no bid and ask, no quote stream. */
export function noQuotes(params: ClassifyTradesParams, quotesName: string): KernelInputError {
  return new KernelInputError(
    'trades.bid',
    `bid and ask columns (or ${quotesName}) for the '${CLASSIFY_ALGORITHMS[params.algorithm]}' classifier`,
    'trades without bid and ask',
  );
}

/** `vpin()`'s labels: classifyTrades over the whole tape, from its bid and ask, or from `quotes`. */
export function vpinLabels(family: VpinFamily, trades: Trades, quotes: QuoteStream | undefined, params: ClassifyTradesParams): Int8Array {
  const { ts, price } = trades;
  if (quotes !== undefined || !hasQuotes(trades)) {
    if (quotes === undefined && !tickOnly(params)) throw noQuotes(params, 'options.quotes');
    const q = quotes ?? NO_QUOTES;
    requireQuotedTrades(trades, q);
    // without quotes (the tick rules, which read none): an empty stream, the lag moot
    return classifyQuotes(family, ts, price, q, quotes === undefined ? { ...params, quoteLagMs: 0, lagFrom: 0 } : params);
  }
  requireQuotedTrades(trades);
  return family.classifyTrades(ts, price, trades.bid, trades.ask, params);
}

/** The backend's quote-stream classifyTrades (KernelInputError where it has none). */
export function classifyQuotes(
  family: VpinFamily,
  ts: Float64Array,
  price: Float64Array,
  q: QuoteStream,
  params: ClassifyTradesParams,
): Int8Array {
  if (!family.classifyQuotes) throw new KernelInputError('options.quotes', 'a backend with a quote-stream classifyTrades', 'none');
  return family.classifyQuotes(ts, price, q.ts, q.bid, q.ask, params);
}
