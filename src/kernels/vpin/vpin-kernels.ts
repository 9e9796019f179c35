/**
 * The VPIN family's kernels as the API offers them (VpinKernels) and one descriptor per kernel
 * (VPIN_KERNELS, see descriptor.ts): the packed parameters (a params object packed in table order
 * for the native kernels, which unpack and check them), the options accepted, and `api`: the caller's
 * arguments checked, the options resolved, the backend call. Their outputs are variable in length
 * (bars, buckets): each backend allocates them. `vpinStream` holds state across calls: src/api builds
 * it from its options.
 */
import {
  CLASSIFY_TRADES_PARAMS,
  requireQuotedTrades,
  resolveClassifyTradesOptions,
  type ClassifyTradesOptions,
  type QuotedTrades,
} from './classify.js';
import { BackendUnavailableError } from '../../errors.js';
import type { Call, KernelSpec } from '../descriptor.js';
import { requireKnownOptions } from '../descriptor.js';
import { FrameTrades, tradeRows } from '../frame-trades.js';
import { PIN_KERNELS, type PinKernels } from './pin-kernels.js';
import { param, positive } from '../param-rules.js';
import { requireFloat64Array, requireOut } from '../validate.js';
import { resolveVpinLabels, vpinLabels } from './vpin-labels.js';
import {
  bucketDims,
  CLASSIFY_PARAMS,
  requireBars,
  requireTrades,
  resolveBarMs,
  resolveClassifyOptions,
  resolveVpinOptions,
  VPIN_BUCKET_OUTPUTS,
  VPIN_PARAMS,
  type BulkClassifyOptions,
  type OutOption,
  type TimeBarOptions,
  type TimeBars,
  type Trades,
  type VpinBuckets,
  type VpinFamily,
  type VpinOptions,
} from './vpin.js';

/** The VPIN family's one-shot kernels (each also exists as `<name>Async`). */
export interface VpinKernels extends PinKernels {
  /** Non-empty time bars of trades, aligned to multiples of `barMs` since the epoch. */
  timeBars(trades: Trades, options?: TimeBarOptions): TimeBars;
  /**
   * Tick rule: +1 up-tick, -1 down-tick, unchanged price keeps the last sign, 0 before the first change.
   * `options.out`: a caller-owned Int8Array of `price.length` to fill and return (OutOption).
   */
  tickRule(price: Float64Array, options?: OutOption<Int8Array>): Int8Array;
  /**
   * Classifies each trade as a buy (+1), a sell (-1) or unclassified (0) from its price and the quote
   * prevailing at it (`bid[i]`, `ask[i]`; NaN in either: no quote), as the two public libraries do:
   * tclf's `ClassicalClassifier` (github.com/KarelZe/tclf, `classical_classifier.py`) and PINstimation's
   * `classify_trades` (github.com/monty-se/PINstimation, `R/data_aggregation.R`). `ts` is checked
   * (finite, non-decreasing) and `volume` is not read.
   *
   * - `'tick'`: the sign of the price against the closest different previous price, over the whole
   *   tape (no reset at day boundaries, as both peers), 0 before the first change. `'reverse-tick'`
   *   (tclf): the sign of the price against the closest different subsequent price, 0 after the last
   *   change.
   * - `'quote'`: sign(p - m), 0 at m, with the midpoint m = (bid + ask) / 2 computed in doubles (tclf
   *   writes 0.5 (ask + bid), the same double): a trade at the decimal midpoint whose double m differs
   *   is not "at the midpoint" in either peer, nor here.
   * - `'lee-ready'`: the quote rule, and the tick rule where it gives 0.
   * - `'emo'` (Ellis, Michaely, O'Hara): at the ask a buy, at the bid a sell, otherwise the tick rule.
   * - `'clnv'` (Chakrabarty, Li, Nguyen, Van Ness; tclf only): in the closed band
   *   [0.7 ask + 0.3 bid, ask] or [bid, 0.3 ask + 0.7 bid] (exactly one of them) the quote rule,
   *   otherwise the tick rule. The bands are tclf's arithmetic: (1 - 0.3) ask + 0.3 bid <= p <= ask,
   *   bid <= p <= 0.3 ask + (1 - 0.3) bid.
   * - `'reverse-lee-ready'`, `'reverse-emo'`, `'reverse-clnv'` (tclf): the same with the reverse tick
   *   rule as the fallback.
   *
   * `convention` picks the peer where they differ (default `'tclf'`):
   * - `'tclf'`: no midpoint when ask < bid (crossed) or a quote is missing, so the quote rule gives 0 and
   *   Lee-Ready falls to the tick rule there (also with no quote at all). EMO: "at" is numpy's
   *   `isclose(p, q, rtol=1e-5, atol=1e-4)`, |p - q| <= 1e-4 + 1e-5 |q|; a trade at exactly one of bid
   *   and ask takes the quote rule's label (so 0 where there is no midpoint: a crossed quote, or only
   *   one side quoted), a trade at both (a locked quote, or a spread under the tolerance) or at neither
   *   the tick rule. CLNV takes the quote rule inside a band (the bands are empty for a crossed quote,
   *   and a locked quote is in both: the tick rule).
   * - `'pinstimation'`: the midpoint is computed for any quote, crossed ones included; no quote gives
   *   0 under the quote rule and under Lee-Ready too (its `ifelse(p - m == 0, tick, quote)` keeps NA).
   *   EMO tests exact equality: p == bid -> sell, then p == ask -> buy, so at a locked quote the ask
   *   wins (a buy); anything else, no quote included, the tick rule. PINstimation has no CLNV or
   *   reverse variants: under this convention they use its midpoint and tclf's bands, which give the
   *   same labels as under `'tclf'` (the bands exclude crossed quotes), and the reverse variants the
   *   reverse tick rule in place of the tick rule.
   *
   * Quotes and lags. The trades carry their own `bid` and `ask` (the quote prevailing at each), or come
   * without and `options.quotes` is a quote stream `{ ts, bid, ask }` (times non-decreasing). Each
   * trade's quote, with t its time and `quoteLagMs` (default 0) the lag:
   * - `lagFrom: 'quotes'` (default): the quote prevailing at t - lag, the last quote with time <= t - lag
   *   (a quote stamped in the trade's millisecond precedes it); from a stream, or from the trades' own
   *   rows (at lag 0 each trade's own row); none before the first quote. A merge over the quotes, not a
   *   search per trade.
   * - `lagFrom: 'trades'`: PINstimation's `timelag` as its code computes it: the bid and ask of the
   *   first trade row with time strictly after t - lag (one row later than its help text's "last trade
   *   at or before"), none where t - lag is before the tape's first trade; at lag 0 the trade's own
   *   row. PINstimation's argument is in microseconds: `timelag = 1000 * quoteLagMs`.
   * Faults: a non-finite price or timestamp, decreasing timestamps, or a bid or ask that is infinite or
   * < 0 (NaN is "no quote"); a stream's quote times not finite or decreasing, then its quotes, are
   * checked first (naming `quotes.ts`, `quotes.bid`, `quotes.ask`).
   * `out`: a caller-owned Int8Array of the trades' length to fill and return (OutOption).
   */
  classifyTrades(trades: QuotedTrades | Trades, options?: ClassifyTradesOptions): Int8Array;
  /**
   * Bulk volume classification: buy volume per bar, volume * F(dP / sigma). `options.out`: a
   * caller-owned Float64Array of the bars' length to fill and return (OutOption).
   */
  bulkClassify(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, options?: BulkClassifyOptions): Float64Array;
  /**
   * VPIN per completed volume bucket. A trade frame's columns (FrameTrades) are read where they lie
   * by the backends that can (vpinBytes); `vpinAsync` runs the pass over the trades on the native
   * addon's thread pool. With a VpinClassifier (`options.classifier` an object) the trades are first
   * labelled by classifyTrades (from their `bid` and `ask`, or `options.quotes`), on the same backend.
   */
  vpin(trades: Trades, options: VpinOptions): VpinBuckets;
}

/** A VPIN kernel's call: `run` gets the backend's family and returns the result as it is. */
function call<T>(size: number, run: (family: VpinFamily) => T): Call<T> {
  return { size, call: run, shape: (out: T) => out };
}

/** A call writing into the caller's `out` when given (a backend's fresh result is copied into it). */
function callInto<T extends Int8Array | Float64Array>(size: number, out: T | undefined, run: (family: VpinFamily) => T): Call<T> {
  return { size, call: run, shape: (result: T) => (out === undefined || result === out ? result : (out.set(result), out)) };
}

const CLASSIFY_TRADES_OPTIONS = ['algorithm', 'convention', 'quoteLagMs', 'lagFrom', 'quotes', 'out'] as const;
const CLASSIFY_OPTIONS = ['priceChange', 'sigma', 'distribution'] as const;
const VPIN_STREAM_OPTIONS = ['bucketVolume', 'window', 'barMs', 'classifier', 'cdfWindow', ...CLASSIFY_OPTIONS] as const;
const VPIN_OPTIONS = [...VPIN_STREAM_OPTIONS, 'quotes'] as const;

/** One descriptor per kernel of the VPIN family (see the module's comment). */
export const VPIN_KERNELS = {
  timeBars: {
    params: [param('barMs', positive())],
    options: ['barMs'],
    api(trades: Trades, opts?: TimeBarOptions) {
      requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.timeBars, opts);
      const barMs = resolveBarMs(opts);
      return call(trades.ts.length, (f) => f.timeBars(trades.ts, trades.price, trades.volume, barMs));
    },
  },
  tickRule: {
    params: [],
    options: ['out'],
    api(price: Float64Array, opts?: OutOption<Int8Array>) {
      requireFloat64Array(price, 'price');
      requireKnownOptions(VPIN_KERNELS.tickRule, opts);
      const out = requireOut(opts?.out, Int8Array, price.length, [price]);
      return callInto(price.length, out, (f) => f.tickRule(price, out));
    },
  },
  classifyTrades: {
    params: CLASSIFY_TRADES_PARAMS,
    options: CLASSIFY_TRADES_OPTIONS,
    api(trades: QuotedTrades | Trades, options?: ClassifyTradesOptions) {
      requireKnownOptions(VPIN_KERNELS.classifyTrades, options);
      const params = resolveClassifyTradesOptions(options);
      const opts = options ?? {};
      const quotes = opts.quotes;
      requireQuotedTrades(trades, quotes);
      const { ts, price } = trades;
      if (quotes !== undefined) {
        const out = requireOut(opts.out, Int8Array, ts.length, [ts, price, quotes.ts, quotes.bid, quotes.ask]);
        return callInto(ts.length, out, (f) => {
          if (!f.classifyQuotes)
            throw new BackendUnavailableError('this backend', 'it has no quote-stream classifyTrades', 'classifyTrades');
          return f.classifyQuotes(ts, price, quotes.ts, quotes.bid, quotes.ask, params, out);
        });
      }
      const { bid, ask } = trades as QuotedTrades;
      const out = requireOut(opts.out, Int8Array, ts.length, [ts, price, bid, ask]);
      return callInto(ts.length, out, (f) => f.classifyTrades(ts, price, bid, ask, params, out));
    },
  },
  bulkClassify: {
    params: CLASSIFY_PARAMS,
    options: [...CLASSIFY_OPTIONS, 'out'],
    api(bars: Pick<TimeBars, 'open' | 'close' | 'volume'>, opts?: BulkClassifyOptions) {
      requireBars(bars);
      requireKnownOptions(VPIN_KERNELS.bulkClassify, opts);
      const params = resolveClassifyOptions(opts);
      const { open, close, volume } = bars;
      const out = requireOut(opts?.out, Float64Array, open.length, [open, close, volume]);
      return callInto(open.length, out, (f) => f.bulkClassify(open, close, volume, params, out));
    },
  },
  vpin: {
    // vpin's, vpinBytes' and the stream's parameter faults index VPIN_PARAMS and name this descriptor
    // (bulkClassify's and timeBars' name their own)
    params: VPIN_PARAMS,
    // the bucket columns, B rows each (B counted by the kernel's first pass)
    outputs: VPIN_BUCKET_OUTPUTS,
    dims: bucketDims,
    options: VPIN_OPTIONS,
    api(trades: Trades, opts: VpinOptions) {
      if (!(trades instanceof FrameTrades)) requireTrades(trades);
      requireKnownOptions(VPIN_KERNELS.vpin, opts);
      const { params, classifier } = resolveVpinLabels(opts, resolveVpinOptions(opts, false), false);
      return call(tradeRows(trades), (f) => {
        // labels from the trades' quotes (read aligned: a frame's columns are copied once)
        if (classifier) {
          const labels = vpinLabels(f, trades, opts.quotes, classifier);
          return f.vpin(trades.ts, trades.price, trades.volume, params, labels);
        }
        // a frame's columns where they lie when the backend reads them in place, else aligned (a copy)
        return trades instanceof FrameTrades && f.vpinBytes
          ? f.vpinBytes(trades.bytes, trades.rows, params)
          : f.vpin(trades.ts, trades.price, trades.volume, params);
      });
    },
  },
  vpinStream: { params: VPIN_PARAMS, outputs: VPIN_BUCKET_OUTPUTS, dims: bucketDims, options: VPIN_STREAM_OPTIONS },
  ...PIN_KERNELS,
} as const satisfies { [K in Exclude<keyof VpinFamily, 'vpinBytes' | 'classifyQuotes'>]: KernelSpec };
