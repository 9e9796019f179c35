/**
 * The reference `classifyTrades` (the VPIN family; the rules and the peers they follow are documented
 * on `VpinKernels.classifyTrades`). native/kernels/vpin/classify.cpp reads the same, function for function.
 */
import type { ClassifyTradesParams } from '../../../kernels/vpin/classify.js';
import { Fault, inputFault } from '../../../kernels/faults.js';

// Algorithm codes (CLASSIFY_ALGORITHMS order).
const TICK = 0;
const REVERSE_TICK = 1;
const QUOTE = 2;
const LEE_READY = 3;
const EMO = 4;
const CLNV = 5;
const REVERSE_LEE_READY = 6;
const REVERSE_EMO = 7;
const REVERSE_CLNV = 8;
/** Convention codes (CLASSIFY_CONVENTIONS order). */
const TCLF = 0;

/** tclf's `np.isclose(p, q, atol=1e-4)` (numpy's default rtol 1e-5 applies too). */
const CLOSE_ATOL = 1e-4;
const CLOSE_RTOL = 1e-5;
/** tclf's CLNV band: 30% of the spread from either quote. */
const BAND = 0.3;

/** Finite non-decreasing timestamps, finite prices, quotes NaN or finite >= 0: the first fault, else none. */
function checkQuotedTrades(ts: Float64Array, price: Float64Array, bid: Float64Array, ask: Float64Array): void {
  let last = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (!Number.isFinite(t)) throw inputFault(Fault.TS_NOT_FINITE, i, t, last);
    if (t < last) throw inputFault(Fault.TS_DECREASING, i, t, last);
    last = t;
    if (!Number.isFinite(price[i])) throw inputFault(Fault.PRICE_NOT_FINITE, i, price[i], 0);
    const b = bid[i];
    if (!(Number.isNaN(b) || (b >= 0 && b <= Number.MAX_VALUE))) throw inputFault(Fault.QUOTE_INVALID, i, b, 0);
    const a = ask[i];
    if (!(Number.isNaN(a) || (a >= 0 && a <= Number.MAX_VALUE))) throw inputFault(Fault.QUOTE_INVALID, i, a, 1);
  }
}

/** Tick rule: the sign against the closest different previous price, 0 before the first change. */
function tickSigns(price: Float64Array, out: Int8Array): void {
  let last = NaN;
  let sign = 0;
  for (let i = 0; i < price.length; i++) {
    const p = price[i];
    sign = p > last ? 1 : p < last ? -1 : sign;
    out[i] = sign;
    last = p;
  }
}

/** Reverse tick rule: the sign against the closest different subsequent price, 0 after the last change. */
function reverseTickSigns(price: Float64Array, out: Int8Array): void {
  let next = NaN;
  let sign = 0;
  for (let i = price.length - 1; i >= 0; i--) {
    const p = price[i];
    sign = p > next ? 1 : p < next ? -1 : sign;
    out[i] = sign;
    next = p;
  }
}

/** The midpoint in doubles; tclf has none for a crossed quote (NaN), PINstimation computes it anyway. */
function midpoint(bid: number, ask: number, convention: number): number {
  if (convention === TCLF && !(ask >= bid)) return NaN;
  return (bid + ask) / 2;
}

/** Quote rule: sign(p - m), 0 at m or without a midpoint. */
function quoteSign(p: number, m: number): number {
  return p > m ? 1 : p < m ? -1 : 0;
}

/** numpy's isclose(p, q): |p - q| <= atol + rtol |q| (false when q is NaN). */
function isClose(p: number, q: number): boolean {
  return Math.abs(p - q) <= CLOSE_ATOL + CLOSE_RTOL * Math.abs(q);
}

/** One trade's label under a quote-based algorithm (`base`: QUOTE, LEE_READY, EMO or CLNV). */
function quoteLabel(base: number, convention: number, p: number, bid: number, ask: number, fallback: number): number {
  const m = midpoint(bid, ask, convention);
  switch (base) {
    case QUOTE:
      return quoteSign(p, m);
    case LEE_READY: {
      // PINstimation keeps NA without a midpoint; tclf falls to the tick rule there too
      if (convention !== TCLF && Number.isNaN(m)) return 0;
      const q = quoteSign(p, m);
      return q !== 0 ? q : fallback;
    }
    case EMO:
      if (convention === TCLF) return isClose(p, ask) !== isClose(p, bid) ? quoteSign(p, m) : fallback;
      return p === ask ? 1 : p === bid ? -1 : fallback;
    default: {
      const upper = (1 - BAND) * ask + BAND * bid <= p && p <= ask;
      const lower = bid <= p && p <= BAND * ask + (1 - BAND) * bid;
      return upper !== lower ? quoteSign(p, m) : fallback;
    }
  }
}

/** The trades' times and prices (checkTrades() in C++: the quotes come from a stream). */
function checkTrades(ts: Float64Array, price: Float64Array): void {
  let last = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (!Number.isFinite(t)) throw inputFault(Fault.TS_NOT_FINITE, i, t, last);
    if (t < last) throw inputFault(Fault.TS_DECREASING, i, t, last);
    last = t;
    if (!Number.isFinite(price[i])) throw inputFault(Fault.PRICE_NOT_FINITE, i, price[i], 0);
  }
}

/** A quote stream: finite non-decreasing times, quotes NaN or finite >= 0 (faults naming quotes.*). */
function checkQuoteStream(ts: Float64Array, bid: Float64Array, ask: Float64Array): void {
  let last = -Infinity;
  for (let j = 0; j < ts.length; j++) {
    if (!(Number.isFinite(ts[j]) && ts[j] >= last)) throw inputFault(Fault.QUOTE_TS_INVALID, j, ts[j], last);
    last = ts[j];
    if (!(Number.isNaN(bid[j]) || (bid[j] >= 0 && bid[j] <= Number.MAX_VALUE))) throw inputFault(Fault.QUOTE_INVALID, j, bid[j], 2);
    if (!(Number.isNaN(ask[j]) || (ask[j] >= 0 && ask[j] <= Number.MAX_VALUE))) throw inputFault(Fault.QUOTE_INVALID, j, ask[j], 3);
  }
}

/**
 * Each trade's quote under a lag, from the rows (keys, bid, ask) sorted by their times `keys` (a quote
 * stream's, or the trades' own): with t - lag the trade's lagged time, the last row with key <= t - lag
 * (`firstAfter` false: the quote prevailing then), or the first row with key > t - lag and none where
 * t - lag < keys[0] (`firstAfter` true: PINstimation's timelag, as its code computes it). A merge: one
 * pointer over the rows as the lagged times increase.
 */
function lagQuotes(ts: Float64Array, keys: Float64Array, bid: Float64Array, ask: Float64Array, lag: number, firstAfter: boolean) {
  const n = ts.length;
  const m = keys.length;
  const lagged = { bid: new Float64Array(n), ask: new Float64Array(n) };
  let count = 0; // rows with key <= the lagged time
  for (let i = 0; i < n; i++) {
    const threshold = ts[i] - lag;
    while (count < m && keys[count] <= threshold) count++;
    const none = firstAfter ? count >= m || !(threshold >= keys[0]) : count === 0;
    const at = firstAfter ? count : count - 1;
    lagged.bid[i] = none ? NaN : bid[at];
    lagged.ask[i] = none ? NaN : ask[at];
  }
  return lagged;
}

/** The labels from each trade's quote (already checked) into out. */
function labelTrades(price: Float64Array, bid: Float64Array, ask: Float64Array, params: ClassifyTradesParams, out: Int8Array): Int8Array {
  const { algorithm, convention } = params;
  const reverse = algorithm === REVERSE_TICK || algorithm >= REVERSE_LEE_READY;
  // the fallback signs first, then each trade's label over its own
  if (reverse) reverseTickSigns(price, out);
  else tickSigns(price, out);
  if (algorithm === TICK || algorithm === REVERSE_TICK) return out;
  const base =
    algorithm === REVERSE_LEE_READY ? LEE_READY : algorithm === REVERSE_EMO ? EMO : algorithm === REVERSE_CLNV ? CLNV : algorithm;
  for (let i = 0; i < out.length; i++) out[i] = quoteLabel(base, convention, price[i], bid[i], ask[i], out[i]);
  return out;
}

/**
 * classifyTrades(): +1 buy, -1 sell, 0 unclassified per trade, each from the trades' own bid/ask: at
 * its row (quoteLagMs 0), else through lagQuotes() over the trade rows (lagFrom 1: PINstimation's
 * first row after t - lag).
 */
export function referenceClassifyTrades(
  ts: Float64Array,
  price: Float64Array,
  bid: Float64Array,
  ask: Float64Array,
  params: ClassifyTradesParams,
  out = new Int8Array(ts.length),
): Int8Array {
  checkQuotedTrades(ts, price, bid, ask);
  if (params.quoteLagMs === 0) return labelTrades(price, bid, ask, params, out);
  const lagged = lagQuotes(ts, ts, bid, ask, params.quoteLagMs, params.lagFrom === 1);
  return labelTrades(price, lagged.bid, lagged.ask, params, out);
}

/** classifyTrades() with the quotes from a stream: the last quote at or before t - quoteLagMs. */
export function referenceClassifyQuotes(
  ts: Float64Array,
  price: Float64Array,
  quoteTs: Float64Array,
  quoteBid: Float64Array,
  quoteAsk: Float64Array,
  params: ClassifyTradesParams,
  out = new Int8Array(ts.length),
): Int8Array {
  checkQuoteStream(quoteTs, quoteBid, quoteAsk);
  checkTrades(ts, price);
  const lagged = lagQuotes(ts, quoteTs, quoteBid, quoteAsk, params.quoteLagMs, false);
  return labelTrades(price, lagged.bid, lagged.ask, params, out);
}
