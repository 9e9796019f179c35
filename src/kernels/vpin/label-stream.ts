/**
 * The classification side of a `vpinStream()` with a VpinClassifier (issue 32): what the stream
 * carries from batch to batch so that its labels are those of the whole tape for any split of the
 * batches. The rules are classifyTrades' own (run on the stream's backend); this module only hands
 * each batch the context the rules read from earlier trades and quotes.
 */
import { KernelInputError } from '../../errors.js';
import { requireQuotedTrades, type ClassifyTradesParams, type QuoteStream } from './classify.js';
import { Fault, inputFault } from '../faults.js';
import { hasQuotes, type Trades } from '../trades.js';
import type { VpinFamily } from './vpin.js';
import { classifyQuotes, NO_QUOTES, noQuotes, tickOnly } from './vpin-labels.js';

const EMPTY = new Float64Array(0);

/** Quote rows: times (`key`, non-decreasing) and the bid and ask from each. */
interface QuoteRows {
  key: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
}

/**
 * Each trade's quote from `rows` at its lagged time t - lag (classifyTrades' rule, over rows that may
 * start with rows carried from earlier batches): the last row with key <= t - lag (`firstAfter` false),
 * or the first row with key > t - lag and none where t - lag < `firstKey`, the tape's first trade time
 * (`firstAfter` true: PINstimation's timelag). A merge, as the kernels do.
 */
function alignQuotes(
  ts: Float64Array,
  rows: QuoteRows,
  lag: number,
  firstAfter: boolean,
  firstKey: number,
): { bid: Float64Array; ask: Float64Array } {
  const n = ts.length;
  const m = rows.key.length;
  const bid = new Float64Array(n);
  const ask = new Float64Array(n);
  let count = 0; // rows with key <= the lagged time
  for (let i = 0; i < n; i++) {
    const threshold = ts[i] - lag;
    while (count < m && rows.key[count] <= threshold) count++;
    const none = firstAfter ? count >= m || !(threshold >= firstKey) : count === 0;
    const at = firstAfter ? count : count - 1;
    bid[i] = none ? NaN : rows.bid[at];
    ask[i] = none ? NaN : rows.ask[at];
  }
  return { bid, ask };
}

/** Concatenated columns (`a` then `b`). */
function join(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Rows `from` on. */
function rowsFrom(rows: QuoteRows, from: number): QuoteRows {
  return { key: rows.key.slice(from), bid: rows.bid.slice(from), ask: rows.ask.slice(from) };
}

/** What a stream's classification carries (the state vector: LabelStream.exportState). */
interface LabelState {
  /** A trade was seen. */
  started: boolean;
  /** The last trade's time and price; the tape's first trade time (lagFrom 'trades'). */
  lastTs: number;
  lastPrice: number;
  firstTs: number;
  /** The tick rule's context: the last price different from lastPrice and the sign against it (0: none). */
  prevDiff: number;
  lastSign: number;
  /** The quotes the stream takes: 0 not yet known, 1 the trades' bid and ask, 2 a quote stream. */
  mode: number;
  /** The last quote time of a quote stream (-Infinity before one). */
  lastQuoteTs: number;
  /** Quote rows later trades may still read (see LabelStream.next). */
  rows: QuoteRows;
}

/** Leading scalars of the state vector, before the rows. */
const LABEL_STATE_HEADER = 9;

/**
 * The classification side of a `vpinStream()` with a VpinClassifier: labels each batch on the backend
 * (classifyTrades) with the context earlier batches leave, so that the labels equal those of the whole
 * tape: the tick rule's last price change (the batch's first run of one price labelled again behind one
 * or two context trades that reproduce it), and the quotes a lag reaches back to (the rows after the
 * last lagged time, plus the one prevailing then, aligned here by a merge; before the first trade, every
 * quote of a stream is kept). `labels()` computes without changing anything; `commit()` then moves to
 * the state it reached, once the buckets are poured (a fault leaves the stream as it was).
 */
export class LabelStream {
  private state: LabelState = {
    started: false,
    lastTs: -Infinity,
    lastPrice: NaN,
    firstTs: NaN,
    prevDiff: NaN,
    lastSign: 0,
    mode: 0,
    lastQuoteTs: -Infinity,
    rows: { key: EMPTY, bid: EMPTY, ask: EMPTY },
  };
  private pending: LabelState | undefined;

  constructor(readonly params: ClassifyTradesParams) {}

  /** The labels of a batch (the trades checked by requireTrades; `quotes` not yet checked). */
  labels(family: VpinFamily, trades: Trades, quotes: QuoteStream | undefined): Int8Array {
    const { params } = this;
    const s = this.state;
    const { ts, price } = trades;
    const n = ts.length;
    const own = hasQuotes(trades);
    if (own && quotes !== undefined) {
      throw new KernelInputError('quotes', 'no quote stream where the trades carry their own bid and ask', 'both');
    }
    // a stream that began with a quote stream may get batches without new quotes
    const streamed = quotes !== undefined || (!own && s.mode === 2);
    const mode = tickOnly(params) ? 0 : own ? 1 : streamed ? 2 : 0;
    if (!tickOnly(params)) {
      if (mode === 0 && n > 0) throw noQuotes(params, 'a quote stream: update(trades, quotes)');
      if (s.mode !== 0 && mode !== 0 && mode !== s.mode) {
        throw new KernelInputError(
          own ? 'trades.bid' : 'quotes',
          `the kind of quotes the stream began with (${s.mode === 1 ? "the trades' bid and ask" : 'a quote stream'})`,
          own ? "the trades' bid and ask" : 'a quote stream',
        );
      }
      if (mode === 2 && params.lagFrom === 1) {
        throw new KernelInputError('quotes', "no quote stream under lagFrom 'trades' (the trades' own bid and ask)", 'a quote stream');
      }
    }
    // Checks the batch alone, so that a fault names the row of this batch; the labels are the batch's
    // own where nothing earlier counts.
    const lag0 = { ...params, quoteLagMs: 0, lagFrom: 0 };
    const q = quotes ?? NO_QUOTES;
    requireQuotedTrades(trades, own ? undefined : q);
    const alone = own ? family.classifyTrades(ts, price, trades.bid, trades.ask, lag0) : classifyQuotes(family, ts, price, q, lag0);
    if (n > 0 && ts[0] < s.lastTs) throw inputFault(Fault.TS_DECREASING, 0, ts[0], s.lastTs);
    if (quotes !== undefined && q.ts.length > 0 && q.ts[0] < s.lastQuoteTs) {
      throw inputFault(Fault.QUOTE_TS_INVALID, 0, q.ts[0], s.lastQuoteTs);
    }
    // each trade's quote: its own row at lag 0, else a merge over the carried and the new rows
    let bid: Float64Array | undefined;
    let ask: Float64Array | undefined;
    let rows = s.rows;
    if (mode !== 0) {
      const fresh = mode === 1 ? { key: ts, bid: trades.bid!, ask: trades.ask! } : { key: q.ts, bid: q.bid, ask: q.ask };
      rows = { key: join(s.rows.key, fresh.key), bid: join(s.rows.bid, fresh.bid), ask: join(s.rows.ask, fresh.ask) };
      if (mode === 1 && params.quoteLagMs === 0) {
        bid = trades.bid;
        ask = trades.ask;
      } else {
        const firstKey = s.started ? s.firstTs : ts[0];
        ({ bid, ask } = alignQuotes(ts, rows, params.quoteLagMs, params.lagFrom === 1, firstKey));
      }
    }
    this.pending = this.next(trades, quotes, mode, rows);
    // the labels from each trade's quote (the batch's own at lag 0: those already computed)
    const atOwnRow = mode === 0 || (mode === 1 && params.quoteLagMs === 0);
    const labels = atOwnRow ? alone : family.classifyTrades(ts, price, bid!, ask!, lag0);
    if (!s.started || n === 0) return labels;
    // The tick rule gives the batch's first run of one price the sign of its first trade against the
    // earlier trades, where the batch alone gave 0; from the first change on the two agree. That run
    // labelled again after one or two context trades (the last two different prices, or the last price
    // before any change) that reproduce the earlier sign.
    let run = 1;
    while (run < n && price[run] === price[0]) run++;
    const context = s.lastSign !== 0 ? [s.prevDiff, s.lastPrice] : [s.lastPrice];
    const k = context.length;
    const cts = new Float64Array(k + run).fill(s.lastTs, 0, k);
    cts.set(ts.subarray(0, run), k);
    const cprice = new Float64Array(k + run);
    cprice.set(context);
    cprice.set(price.subarray(0, run), k);
    let fixed: Int8Array;
    if (bid === undefined || ask === undefined) {
      fixed = classifyQuotes(family, cts, cprice, NO_QUOTES, lag0);
    } else {
      const cbid = new Float64Array(k + run).fill(NaN, 0, k);
      cbid.set(bid.subarray(0, run), k);
      const cask = new Float64Array(k + run).fill(NaN, 0, k);
      cask.set(ask.subarray(0, run), k);
      fixed = family.classifyTrades(cts, cprice, cbid, cask, lag0);
    }
    labels.set(fixed.subarray(k)); // the backend's fresh array: ours to write
    return labels;
  }

  /** The state after a batch: the tick context, and the quote rows later trades may still read. */
  private next(trades: Trades, quotes: QuoteStream | undefined, mode: number, rows: QuoteRows): LabelState {
    const s = this.state;
    const { ts, price } = trades;
    const n = ts.length;
    const out: LabelState = { ...s, mode: mode !== 0 ? mode : s.mode, rows };
    if (quotes !== undefined && quotes.ts.length > 0) out.lastQuoteTs = quotes.ts[quotes.ts.length - 1];
    if (n > 0) {
      const last = price[n - 1];
      let j = n - 2;
      while (j >= 0 && price[j] === last) j--;
      if (j >= 0) {
        out.prevDiff = price[j];
        out.lastSign = last > price[j] ? 1 : -1;
      } else if (s.started && s.lastPrice !== last) {
        out.prevDiff = s.lastPrice;
        out.lastSign = last > s.lastPrice ? 1 : -1;
      }
      out.lastPrice = last;
      out.lastTs = ts[n - 1];
      if (!s.started) out.firstTs = ts[0];
      out.started = true;
    }
    if (mode === 0 || !out.started || (mode === 1 && this.params.quoteLagMs === 0)) {
      // no lag over the trades' own rows: nothing to carry; before the first trade: every quote
      if (mode === 1) out.rows = { key: EMPTY, bid: EMPTY, ask: EMPTY };
      return out;
    }
    // later trades' lagged times are >= this one: rows at or before it are read no more, but for the
    // last of them (the quote prevailing then: lagFrom 'quotes')
    const threshold = out.lastTs - this.params.quoteLagMs;
    let count = 0;
    while (count < rows.key.length && rows.key[count] <= threshold) count++;
    out.rows = rowsFrom(rows, this.params.lagFrom === 1 ? count : Math.max(0, count - 1));
    return out;
  }

  /** Moves to the state the last labels() reached. */
  commit(): void {
    if (this.pending) this.state = this.pending;
    this.pending = undefined;
  }

  /**
   * The state as numbers: started, lastTs, lastPrice, firstTs, prevDiff, lastSign, mode, lastQuoteTs,
   * R (rows), then the R row times, R bids, R asks.
   */
  exportState(): Float64Array {
    const s = this.state;
    const r = s.rows.key.length;
    const out = new Float64Array(LABEL_STATE_HEADER + 3 * r);
    out.set([s.started ? 1 : 0, s.lastTs, s.lastPrice, s.firstTs, s.prevDiff, s.lastSign, s.mode, s.lastQuoteTs, r]);
    out.set(s.rows.key, LABEL_STATE_HEADER);
    out.set(s.rows.bid, LABEL_STATE_HEADER + r);
    out.set(s.rows.ask, LABEL_STATE_HEADER + 2 * r);
    return out;
  }

  /** Reads exportState()'s vector (STATE_INVALID at the first inconsistent value). */
  importState(v: Float64Array): void {
    const bad = (index: number): never => {
      throw inputFault(Fault.STATE_INVALID, index, v[index], 0);
    };
    if (v.length < LABEL_STATE_HEADER) throw inputFault(Fault.STATE_INVALID, v.length, NaN, 0);
    const r = v[8];
    if (!(v[0] === 0 || v[0] === 1)) bad(0);
    if (!(v[5] === -1 || v[5] === 0 || v[5] === 1)) bad(5);
    if (!(v[6] === 0 || v[6] === 1 || v[6] === 2)) bad(6);
    if (!(Number.isInteger(r) && r >= 0 && v.length === LABEL_STATE_HEADER + 3 * r)) bad(8);
    const key = v.slice(LABEL_STATE_HEADER, LABEL_STATE_HEADER + r);
    for (let i = 1; i < r; i++) if (!(key[i - 1] <= key[i])) bad(LABEL_STATE_HEADER + i);
    this.state = {
      started: v[0] === 1,
      lastTs: v[1],
      lastPrice: v[2],
      firstTs: v[3],
      prevDiff: v[4],
      lastSign: v[5],
      mode: v[6],
      lastQuoteTs: v[7],
      rows: { key, bid: v.slice(LABEL_STATE_HEADER + r, LABEL_STATE_HEADER + 2 * r), ask: v.slice(LABEL_STATE_HEADER + 2 * r) },
    };
    this.pending = undefined;
  }
}
