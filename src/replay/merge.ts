/**
 * The k-way merge of replay(): trade lanes (files or trades in memory, one symbol or many) and message
 * lanes (dated messages), taken in slices in time order. A slice holds every row up to a time bound:
 * within it each symbol's rows go out as one batch in time order (the batcher frames them per symbol,
 * as the live path does), and every row of a slice is at or before every row of the next. Messages go
 * out after the trades before their time and before the trades at or after it.
 */
import { type BadTradesReport, mergeBadTrades } from '../io/trade-screen.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import type { MessageLane, TradeChunk, TradeLane, Lane } from './sources.js';

/** Receives a slice: one symbol's trades (views valid during the call), or one message. */
export interface SliceSink {
  trades(symbol: string, ts: Float64Array, price: Float64Array, volume: Float64Array, bid?: Float64Array, ask?: Float64Array): void;
  message(type: string, key: string, ts: number, payload: unknown): void;
}

/** What the merge keeps: [from, to) and the symbols wanted (undefined: all). */
export interface MergeFilter {
  from: number;
  to: number;
  symbols: ReadonlySet<string> | undefined;
}

/** A trade lane's current chunk and where the merge is in it. */
interface TradeCursor {
  lane: TradeLane;
  chunk: TradeChunk | undefined;
  /** Next row, and the end of the rows within [from, to). */
  at: number;
  end: number;
  /** chunk code -> symbol id (-1: filtered out), for the codes seen so far. */
  ids: Int32Array;
  idsFor: number;
  /** The chunk reaches `to`: the lane ends with it. */
  last: boolean;
  done: boolean;
}

/** A message lane and its next message. */
interface MessageCursor {
  lane: MessageLane;
  at: number;
  end: number;
}

/** First index in [lo, hi) with a[i] >= x (strict false) or a[i] > x (strict true). */
function bound(a: Float64Array, x: number, lo: number, hi: number, after: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after ? a[mid] <= x : a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Growable scratch columns a slice is gathered into. */
class Scratch {
  ts = new Float64Array(0);
  price = new Float64Array(0);
  volume = new Float64Array(0);
  bid = new Float64Array(0);
  ask = new Float64Array(0);
  ensure(n: number): void {
    if (this.ts.length >= n) return;
    const size = Math.max(n, 2 * this.ts.length, 1024);
    this.ts = new Float64Array(size);
    this.price = new Float64Array(size);
    this.volume = new Float64Array(size);
    this.bid = new Float64Array(size);
    this.ask = new Float64Array(size);
  }
}

/** The merge over lanes; see the module comment. */
export class Merge {
  /** Every symbol taken so far, by id. */
  readonly symbols: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly trades: TradeCursor[];
  private readonly messages: MessageCursor[];
  private readonly scratch = new Scratch();
  /** Per symbol id: rows in the slice, then the write position; the lane that gave its rows (-2: several). */
  private counts = new Int32Array(0);
  private from = new Int32Array(0);

  constructor(
    lanes: Lane[],
    private readonly filter: MergeFilter,
    /** Added to every trade's and message's timestamp (a loop's shift). */
    private readonly shift = 0,
  ) {
    this.trades = [];
    this.messages = [];
    for (const lane of lanes) {
      if (lane.kind === 'trades') {
        this.trades.push({ lane, chunk: undefined, at: 0, end: 0, ids: new Int32Array(0), idsFor: 0, last: false, done: false });
      } else {
        const ts = lane.tape.ts;
        const at = bound(ts, filter.from, 0, ts.length, false);
        this.messages.push({ lane, at, end: bound(ts, filter.to, at, ts.length, false) });
      }
    }
  }

  /** Rows skipped as bad by the lanes' readers so far. */
  skipped(): number {
    return this.trades.reduce((n, c) => n + c.lane.skipped(), 0);
  }

  /** What the trade rule found in the lanes so far, as one report. */
  badTrades(policy: BadTradePolicy): BadTradesReport {
    return mergeBadTrades(
      policy,
      this.trades.map((c) => c.lane.badTrades()),
    );
  }

  /** Closes every lane (their files). */
  async close(): Promise<void> {
    await Promise.all(this.trades.map((c) => c.lane.close()));
  }

  /** Reads lanes whose chunk is used up; returns the earliest timestamp left (tape time, unshifted), Infinity when done. */
  async peek(): Promise<number> {
    let next = Number.POSITIVE_INFINITY;
    for (const c of this.trades) {
      while (!c.done && c.at >= c.end) {
        if (c.last) {
          c.done = true;
          await c.lane.close();
        } else await this.load(c);
      }
      if (!c.done) next = Math.min(next, c.chunk!.trades.ts[c.at]);
    }
    for (const m of this.messages) if (m.at < m.end) next = Math.min(next, m.lane.tape.ts[m.at]);
    return next;
  }

  /** The next chunk of a lane, cut to [from, to). */
  private async load(c: TradeCursor): Promise<void> {
    const chunk = await c.lane.next();
    if (chunk === undefined) {
      c.done = true;
      c.chunk = undefined;
      return;
    }
    const ts = chunk.trades.ts;
    const n = ts.length;
    c.chunk = chunk;
    c.at = bound(ts, this.filter.from, 0, n, false);
    c.end = bound(ts, this.filter.to, c.at, n, false);
    // rows past `to`: the lane ends with this chunk (its chunks are in time order)
    c.last = c.end < n;
    if (c.idsFor < chunk.symbols.length) this.mapSymbols(c, chunk.symbols);
  }

  /** Extends a lane's code -> id map to the dictionary's new values. */
  private mapSymbols(c: TradeCursor, symbols: readonly string[]): void {
    if (c.ids.length < symbols.length) {
      const ids = new Int32Array(Math.max(symbols.length, 2 * c.ids.length));
      ids.set(c.ids.subarray(0, c.idsFor));
      c.ids = ids;
    }
    const wanted = this.filter.symbols;
    for (let code = c.idsFor; code < symbols.length; code++) {
      const s = symbols[code];
      let id = this.ids.get(s);
      if (id === undefined && (wanted === undefined || wanted.has(s))) {
        id = this.symbols.length;
        this.ids.set(s, id);
        this.symbols.push(s);
      }
      c.ids[code] = id ?? -1;
    }
    c.idsFor = symbols.length;
    if (this.counts.length < this.symbols.length) {
      this.counts = new Int32Array(Math.max(this.symbols.length, 2 * this.counts.length));
      this.from = new Int32Array(this.counts.length);
    }
  }

  /**
   * Sends to `sink` every row at or before `until` (tape time), at most about `maxRows` per lane (a
   * lane's chunk end bounds it too); peek() must have been called. Returns the last timestamp sent
   * (tape time), trades and messages sent, and whether the slice was cut short of `until` (by maxRows,
   * a chunk's end or a message: rows at or before `until` may remain).
   */
  take(until: number, maxRows: number, sink: SliceSink): { last: number; trades: number; messages: number; cut: boolean } {
    let bound_ = until;
    for (const c of this.trades) {
      if (c.done) continue;
      const ts = c.chunk!.trades.ts;
      bound_ = Math.min(bound_, ts[c.end - 1], ts[Math.min(c.at + maxRows, c.end) - 1]);
    }
    // a message at or before the bound ends the slice: trades before it, then it
    let strict = false;
    for (const m of this.messages) {
      if (m.at < m.end && m.lane.tape.ts[m.at] <= bound_) {
        bound_ = m.lane.tape.ts[m.at];
        strict = true;
      }
    }
    let trades = 0;
    let last = Number.NEGATIVE_INFINITY;
    const ends = this.trades.map((c) => (c.done ? c.at : bound(c.chunk!.trades.ts, bound_, c.at, c.end, !strict)));
    for (let i = 0; i < this.trades.length; i++) {
      const c = this.trades[i];
      if (ends[i] > c.at) last = Math.max(last, c.chunk!.trades.ts[ends[i] - 1]);
    }
    trades = this.sendTrades(ends, sink);
    let messages = 0;
    if (strict) {
      for (const m of this.messages) {
        const ts = m.lane.tape.ts;
        while (m.at < m.end && ts[m.at] <= bound_) {
          sink.message(m.lane.tape.type, m.lane.tape.key, ts[m.at] + this.shift, m.lane.tape.payload(m.at));
          m.at++;
          messages++;
        }
      }
      last = Math.max(last, bound_);
    }
    return { last, trades, messages, cut: strict || bound_ < until };
  }

  /** Sends each lane's rows [at, ends[i]) grouped by symbol; advances the lanes; returns the rows sent. */
  private sendTrades(ends: number[], sink: SliceSink): number {
    const { counts, from } = this;
    const used: number[] = [];
    let lanesWith = 0;
    let only = -1;
    let quoted = false;
    for (let i = 0; i < this.trades.length; i++) {
      const c = this.trades[i];
      if (ends[i] <= c.at) continue;
      lanesWith++;
      only = i;
      if (c.chunk!.trades.bid) quoted = true;
    }
    if (lanesWith === 0) return 0;
    // one lane of one symbol, tape time: its rows go as they are (views of the chunk)
    const single = this.trades[only];
    if (lanesWith === 1 && single.chunk!.codes === undefined && this.shift === 0) {
      const id = single.ids[0];
      const n = ends[only] - single.at;
      if (id >= 0) {
        const t = single.chunk!.trades;
        const at = single.at;
        const end = ends[only];
        sink.trades(
          this.symbols[id],
          t.ts.subarray(at, end),
          t.price.subarray(at, end),
          t.volume.subarray(at, end),
          t.bid?.subarray(at, end),
          t.ask?.subarray(at, end),
        );
      }
      single.at = ends[only];
      return id >= 0 ? n : 0;
    }
    // count rows per symbol; note symbols that several lanes give
    for (let i = 0; i < this.trades.length; i++) {
      const c = this.trades[i];
      const codes = c.chunk?.codes;
      for (let r = c.at; r < ends[i]; r++) {
        const id = c.ids[codes === undefined ? 0 : codes[r]];
        if (id < 0) continue;
        if (counts[id] === 0) {
          used.push(id);
          from[id] = i;
        } else if (from[id] !== i) from[id] = -2;
        counts[id]++;
      }
    }
    let total = 0;
    for (const id of used) {
      const n = counts[id];
      counts[id] = total; // now the write position
      total += n;
    }
    const s = this.scratch;
    s.ensure(total);
    const starts = used.map((id) => counts[id]);
    for (let i = 0; i < this.trades.length; i++) {
      const c = this.trades[i];
      if (ends[i] <= c.at) continue;
      const t = c.chunk!.trades;
      const codes = c.chunk!.codes;
      const hasQuotes = t.bid !== undefined;
      for (let r = c.at; r < ends[i]; r++) {
        const id = c.ids[codes === undefined ? 0 : codes[r]];
        if (id < 0) continue;
        const w = counts[id]++;
        s.ts[w] = t.ts[r] + this.shift;
        s.price[w] = t.price[r];
        s.volume[w] = t.volume[r];
        if (quoted) {
          s.bid[w] = hasQuotes ? t.bid![r] : Number.NaN;
          s.ask[w] = hasQuotes ? t.ask![r] : Number.NaN;
        }
      }
      c.at = ends[i];
    }
    for (let k = 0; k < used.length; k++) {
      const id = used[k];
      const a = starts[k];
      const b = counts[id];
      if (from[id] === -2) sortSegment(s, a, b, quoted);
      sink.trades(
        this.symbols[id],
        s.ts.subarray(a, b),
        s.price.subarray(a, b),
        s.volume.subarray(a, b),
        quoted ? s.bid.subarray(a, b) : undefined,
        quoted ? s.ask.subarray(a, b) : undefined,
      );
      counts[id] = 0;
    }
    return total;
  }
}

/** Sorts rows [a, b) of the scratch by time, stably (a symbol's rows from several lanes). */
function sortSegment(s: Scratch, a: number, b: number, quoted: boolean): void {
  const ts = s.ts;
  const order = Int32Array.from({ length: b - a }, (_, k) => a + k).sort((x, y) => ts[x] - ts[y] || x - y);
  const columns = quoted ? [s.ts, s.price, s.volume, s.bid, s.ask] : [s.ts, s.price, s.volume];
  for (const col of columns) {
    const copy = Float64Array.from(order, (k) => col[k]);
    col.set(copy, a);
  }
}
