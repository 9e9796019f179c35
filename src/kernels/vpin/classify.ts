/**
 * Trade classification from quotes (the VPIN family's `classifyTrades`, issue 32): its input, options,
 * their resolution to numbers and the packed parameter table the native kernel reads
 * (native/kernels/vpin/classify.hpp `kClassifyTradesParams`, held equal by test/native/binding.test.ts).
 * The rules and the two peers they follow are documented on `VpinKernels.classifyTrades`.
 */
import { KernelInputError } from '../../errors.js';
import { hasQuotes, requireTrades, type Trades } from '../trades.js';
import { atLeast, checkParam, code, option } from '../param-rules.js';
import { describeValue, requireFloat64Array, requireSameLength } from '../validate.js';

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
  /** Default `'tick'`, as PINstimation's classify_trades (tclf's ClassicalClassifier has none). */
  algorithm?: ClassifyAlgorithm;
  /** Default `'tclf'`. */
  convention?: ClassifyConvention;
  /** Default 0: the quote at each trade as given (or the last quote of the stream at or before it). */
  quoteLagMs?: number;
  /** Default `'quotes'`; no effect at `quoteLagMs: 0` on the trades' own quotes. */
  lagFrom?: 'quotes' | 'trades';
  /** A quote stream, for trades without bid and ask of their own. */
  quotes?: QuoteStream;
}

/** Where a quote lag is counted from, in the order of their codes (the packed `lagFrom` parameter). */
export const LAG_FROM = ['quotes', 'trades'] as const;

/**
 * The packed parameters in the order C++ reads them, each with its rule (param-rules.ts): the resolver
 * below checks the options by them; native/kernels/generated/classify.hpp reads them in C++.
 */
export const CLASSIFY_TRADES_PARAMS = [
  option('algorithm', code(CLASSIFY_ALGORITHMS)),
  option('convention', code(CLASSIFY_CONVENTIONS)),
  option('quoteLagMs', atLeast(0)),
  option('lagFrom', code(LAG_FROM)),
] as const;

/** `classifyTrades()` options resolved to numbers (CLASSIFY_TRADES_PARAMS). */
export type ClassifyTradesParams = Record<(typeof CLASSIFY_TRADES_PARAMS)[number]['key'], number>;

/**
 * Validates `classifyTrades()` options and resolves defaults. `name`: what the errors call the options
 * (`vpin()` passes 'options.classifier', whose algorithm has no default: `defaultAlgorithm` undefined).
 */
export function resolveClassifyTradesOptions(
  options: ClassifyTradesOptions | undefined,
  name = 'options',
  defaultAlgorithm: ClassifyAlgorithm | undefined = 'tick',
): ClassifyTradesParams {
  if (options === undefined && defaultAlgorithm !== undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new KernelInputError(name, defaultAlgorithm ? 'an object' : 'an object with algorithm', describeValue(options));
  }
  const [algorithmParam, conventionParam, quoteLagParam, lagFromParam] = CLASSIFY_TRADES_PARAMS;
  const algorithm = checkParam(algorithmParam, options.algorithm ?? defaultAlgorithm, `${name}.algorithm`);
  const convention = checkParam(conventionParam, options.convention ?? 'tclf', `${name}.convention`);
  const quoteLagMs = checkParam(quoteLagParam, options.quoteLagMs ?? 0, `${name}.quoteLagMs`);
  const lagFrom = checkParam(lagFromParam, options.lagFrom ?? 'quotes', `${name}.lagFrom`);
  if (lagFrom === 1 && options.quotes !== undefined) {
    throw new KernelInputError(
      `${name}.lagFrom`,
      "'quotes' with a quote stream ('trades' is PINstimation's timelag over the trades' own bid and ask)",
      "'trades'",
    );
  }
  return { algorithm, convention, quoteLagMs, lagFrom };
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
