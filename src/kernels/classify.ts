/**
 * Trade classification from quotes (the VPIN family's `classifyTrades`, issue 32): its input, options,
 * their resolution to numbers and the packed parameter table the native kernel reads
 * (native/kernels/classify.hpp `kClassifyTradesParams`, held equal by test/native/binding.test.ts).
 * The rules and the two peers they follow are documented on `VpinKernels.classifyTrades`.
 */
import { KernelInputError } from '../errors.js';
import { requireTrades, type Trades } from './trades.js';
import { describeValue, requireFloat64Array, requireSameLength } from './validate.js';

/** Trades with the quote prevailing at each: `bid[i]`, `ask[i]` (NaN: no quote). */
export interface QuotedTrades extends Trades {
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
  /** Default 0, the only value implemented so far (the quote at each trade as given). */
  quoteLagMs?: number;
  /** Default `'quotes'`; no effect at `quoteLagMs: 0`. */
  lagFrom?: 'quotes' | 'trades';
}

/**
 * The packed parameters in the order C++ reads them (`expected`: the message of a ParamInvalid fault
 * raised there; the TS resolver below gives the option-level messages first).
 */
export const CLASSIFY_TRADES_PARAMS = [
  { key: 'algorithm', name: 'options.algorithm', expected: 'an integer code in [0, 8] (CLASSIFY_ALGORITHMS)' },
  { key: 'convention', name: 'options.convention', expected: '0 (tclf) or 1 (pinstimation)' },
  { key: 'quoteLagMs', name: 'options.quoteLagMs', expected: '0 (quote lags are not implemented yet)' },
  { key: 'lagFrom', name: 'options.lagFrom', expected: '0 (quotes) or 1 (trades)' },
] as const;

/** `classifyTrades()` options resolved to numbers (CLASSIFY_TRADES_PARAMS). */
export type ClassifyTradesParams = Record<(typeof CLASSIFY_TRADES_PARAMS)[number]['key'], number>;

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Validates `classifyTrades()` options and resolves defaults. */
export function resolveClassifyTradesOptions(options: ClassifyTradesOptions): ClassifyTradesParams {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new KernelInputError('options', 'an object with algorithm', describeValue(options));
  }
  const algorithm = CLASSIFY_ALGORITHMS.indexOf(options.algorithm);
  if (algorithm < 0) {
    throw new KernelInputError('options.algorithm', `one of ${quoted(CLASSIFY_ALGORITHMS)}`, describeValue(options.algorithm));
  }
  const convention = CLASSIFY_CONVENTIONS.indexOf(options.convention ?? 'tclf');
  if (convention < 0) {
    throw new KernelInputError('options.convention', `one of ${quoted(CLASSIFY_CONVENTIONS)}`, describeValue(options.convention));
  }
  const quoteLagMs = options.quoteLagMs ?? 0;
  if (typeof quoteLagMs !== 'number' || !(quoteLagMs >= 0) || quoteLagMs === Infinity) {
    throw new KernelInputError('options.quoteLagMs', 'a finite number >= 0', describeValue(quoteLagMs));
  }
  if (quoteLagMs !== 0) {
    throw new KernelInputError('options.quoteLagMs', '0: quote lags are not implemented yet (issue 32)', describeValue(quoteLagMs));
  }
  const lagFrom = options.lagFrom ?? 'quotes';
  if (lagFrom !== 'quotes' && lagFrom !== 'trades') {
    throw new KernelInputError('options.lagFrom', "'quotes' or 'trades'", describeValue(lagFrom));
  }
  return { algorithm, convention, quoteLagMs, lagFrom: lagFrom === 'quotes' ? 0 : 1 };
}

/** Checks the columns `classifyTrades()` reads: the trades' and `bid`, `ask`, all of one length. */
export function requireQuotedTrades(trades: QuotedTrades): void {
  requireTrades(trades);
  requireFloat64Array(trades.bid, 'trades.bid');
  requireFloat64Array(trades.ask, 'trades.ask');
  requireSameLength(trades.ts, 'trades.ts', trades.bid, 'trades.bid');
  requireSameLength(trades.ts, 'trades.ts', trades.ask, 'trades.ask');
}
