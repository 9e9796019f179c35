/**
 * Trade classification from quotes (the VPIN family's `classifyTrades`, issue 32): its input, options,
 * their resolution to numbers and the packed parameter table the native kernel reads
 * (native/kernels/classify.hpp `kClassifyTradesParams`, held equal by test/native/binding.test.ts).
 * The rules and the two peers they follow are documented on `VpinKernels.classifyTrades`.
 */
import { KernelInputError } from '../errors.js';
import { hasQuotes, requireTrades, type Trades } from './trades.js';
import { describeValue, requireFloat64Array, requireSameLength } from './validate.js';

/** Trades with the quote prevailing at each: `bid[i]`, `ask[i]` (NaN: no quote). */
export interface QuotedTrades extends Trades {
  bid: Float64Array;
  ask: Float64Array;
}

/** A quote stream: the best bid and ask from each time on (`ts` epoch ms, non-decreasing; NaN: no quote). */
export interface QuoteStream {
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
}

/** The algorithms, in the order of their codes (the packed `algorithm` parameter). */
export const CLASSIFY_ALGORITHMS = [
  'tick',
  'reverse-tick',
  'quote',
  'lee-ready',
  'emo',
  'clnv',
  'reverse-lee-ready',
  'reverse-emo',
  'reverse-clnv',
] as const;

export type ClassifyAlgorithm = (typeof CLASSIFY_ALGORITHMS)[number];

/** Which peer's treatment of crossed and locked quotes and of equality (see classifyTrades). */
export const CLASSIFY_CONVENTIONS = ['tclf', 'pinstimation'] as const;
export type ClassifyConvention = (typeof CLASSIFY_CONVENTIONS)[number];

/** Options of `classifyTrades()` (`out`: a caller-owned Int8Array, see OutOption). */
export interface ClassifyTradesOptions {
  out?: Int8Array;
  /** Required. */
  algorithm: ClassifyAlgorithm;
  /** Default `'tclf'`. */
  convention?: ClassifyConvention;
  /** Default 0: the quote at each trade as given (or the last quote of the stream at or before it). */
  quoteLagMs?: number;
  /** Default `'quotes'`; no effect at `quoteLagMs: 0` on the trades' own quotes. */
  lagFrom?: 'quotes' | 'trades';
  /** A quote stream, for trades without bid and ask of their own. */
  quotes?: QuoteStream;
}

/**
 * The packed parameters in the order C++ reads them (`expected`: the message of a ParamInvalid fault
 * raised there; the TS resolver below gives the option-level messages first).
 */
export const CLASSIFY_TRADES_PARAMS = [
  { key: 'algorithm', name: 'options.algorithm', expected: 'an integer code in [0, 8] (CLASSIFY_ALGORITHMS)' },
  { key: 'convention', name: 'options.convention', expected: '0 (tclf) or 1 (pinstimation)' },
  { key: 'quoteLagMs', name: 'options.quoteLagMs', expected: 'a finite number >= 0' },
  { key: 'lagFrom', name: 'options.lagFrom', expected: '0 (quotes) or 1 (trades)' },
] as const;

/** `classifyTrades()` options resolved to numbers (CLASSIFY_TRADES_PARAMS). */
export type ClassifyTradesParams = Record<(typeof CLASSIFY_TRADES_PARAMS)[number]['key'], number>;

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Validates `classifyTrades()` options and resolves defaults. `name`: what the errors call the options
 * (`vpin()` passes 'options.classifier').
 */
export function resolveClassifyTradesOptions(options: ClassifyTradesOptions, name = 'options'): ClassifyTradesParams {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new KernelInputError(name, 'an object with algorithm', describeValue(options));
  }
  const algorithm = CLASSIFY_ALGORITHMS.indexOf(options.algorithm);
  if (algorithm < 0) {
    throw new KernelInputError(`${name}.algorithm`, `one of ${quoted(CLASSIFY_ALGORITHMS)}`, describeValue(options.algorithm));
  }
  const convention = CLASSIFY_CONVENTIONS.indexOf(options.convention ?? 'tclf');
  if (convention < 0) {
    throw new KernelInputError(`${name}.convention`, `one of ${quoted(CLASSIFY_CONVENTIONS)}`, describeValue(options.convention));
  }
  const quoteLagMs = options.quoteLagMs ?? 0;
  if (typeof quoteLagMs !== 'number' || !(quoteLagMs >= 0) || quoteLagMs === Infinity) {
    throw new KernelInputError(`${name}.quoteLagMs`, 'a finite number >= 0', describeValue(quoteLagMs));
  }
  const lagFrom = options.lagFrom ?? 'quotes';
  if (lagFrom !== 'quotes' && lagFrom !== 'trades') {
    throw new KernelInputError(`${name}.lagFrom`, "'quotes' or 'trades'", describeValue(lagFrom));
  }
  if (lagFrom === 'trades' && options.quotes !== undefined) {
    throw new KernelInputError(
      `${name}.lagFrom`,
      "'quotes' with a quote stream ('trades' is PINstimation's timelag over the trades' own bid and ask)",
      "'trades'",
    );
  }
  return { algorithm, convention, quoteLagMs, lagFrom: lagFrom === 'quotes' ? 0 : 1 };
}

/**
 * Checks the columns `classifyTrades()` reads: the trades' and `bid`, `ask`, all of one length; or, with
 * a quote stream (`quotes`), the trades' and the stream's (`ts`, `bid`, `ask` of one length), and no
 * bid or ask on the trades (which quotes would a caller mean?).
 */
export function requireQuotedTrades(trades: QuotedTrades | Trades, quotes?: QuoteStream): void {
  requireTrades(trades);
  if (quotes !== undefined) {
    if (typeof quotes !== 'object' || quotes === null)
      throw new KernelInputError('options.quotes', 'a quote stream { ts, bid, ask }', describeValue(quotes));
    if (hasQuotes(trades)) {
      throw new KernelInputError('options.quotes', 'no quote stream where the trades carry their own bid and ask', 'both');
    }
    requireFloat64Array(quotes.ts, 'quotes.ts');
    requireFloat64Array(quotes.bid, 'quotes.bid');
    requireFloat64Array(quotes.ask, 'quotes.ask');
    requireSameLength(quotes.ts, 'quotes.ts', quotes.bid, 'quotes.bid');
    requireSameLength(quotes.ts, 'quotes.ts', quotes.ask, 'quotes.ask');
    return;
  }
  const { bid, ask } = trades as QuotedTrades;
  requireFloat64Array(bid, 'trades.bid');
  requireFloat64Array(ask, 'trades.ask');
  requireSameLength(trades.ts, 'trades.ts', bid, 'trades.bid');
  requireSameLength(trades.ts, 'trades.ts', ask, 'trades.ask');
}
