/**
 * TradeMerge: the live half of the event-order rule. Trades reach an engine as batches of one symbol
 * (each symbol's in order, the symbols' interleaving up to the bus); the merge holds them and hands them
 * out in (ts, symbol, arrival) order, the order the file backtest replays a tape in. A trade is handed
 * out once every symbol that delivered within the last `maxLatenessMs` (wall clock) is past its time:
 * a slower symbol is waited for that long at most, then left behind (a trade of it older than what was
 * handed out then is applied late, and counted so by the runner). At 0 none is waited for: each batch
 * goes out as it comes. When the trades start (the first trade, a pause: every symbol silent for longer
 * than maxLatenessMs, a feed stopped and started again, or a restore), the merge does not know which
 * symbols are coming: it hands out nothing for maxLatenessMs, so every symbol that delivers within that
 * time is waited for (a feed's first frames may each hold a symbol's whole tape). Given the universe
 * (`expected`), it holds nothing then: each symbol it knows counts as delivering from that moment, and a
 * trade goes out as soon as all of them are past it (or silent for maxLatenessMs). `flush()` hands out everything (end of data).
 *
 * Where the publisher stamps its frames with watermarks (a bus with `watermarks: true`: `kernelbus feed
 * --file`), a batch comes with its stream and the stream's watermark: no later trade on that stream
 * is older. A symbol then counts as past the greater of its own last time and its stream's watermark,
 * so a quiet symbol holds nothing back once its stream has moved on: the wait is the publisher's
 * batching, not the symbols' next trades. (Watermarks are not checkpointed: after a restore each stream
 * is waited for by its symbols again until its next frame.)
 *
 * Each symbol's trades wait in its own queue (typed arrays, in order); handing out is a k-way merge of
 * the queues' heads by a binary heap of the queues holding trades, kept between pushes: O(log symbols)
 * a trade, nothing allocated per trade, nothing scanned per release but the watermark. The watermark
 * is computed again only when it may have risen: a push of the symbol that held it (or of a new one), a
 * rise of the watermark of the stream that held it, or a symbol's silence passing maxLatenessMs; any
 * other push leaves it where it was, with nothing to hand out (its trades are past it). Computing it
 * takes each stream's bound, the greater of its watermark and its symbols' least last time, kept per
 * stream and computed again (over the stream's symbols) only when that symbol delivers or one comes back
 * from silence: O(streams) a release, and all the symbols only when one may have fallen silent. (With
 * a watermark on every frame, the stream holding the watermark raises it at nearly every frame.)
 */

import { KernelInputError } from '../errors.js';

/** Each symbol's held trades (in order) and the last time it delivered: TradeMerge.state(). */
export type MergeState = { symbol: string; ts: Float64Array; price: Float64Array; volume: Float64Array; last: number }[];

/** state() as columns (TradeMerge.columns()): the symbols, each one's count of held trades and last time, the trades end to end. */
export interface MergeColumns {
  symbols: string[];
  counts: Int32Array;
  last: Float64Array;
  ts: Float64Array;
  price: Float64Array;
  volume: Float64Array;
}

/** TradeMerge.columns() as state()'s rows (undefined, for TradeMerge.restore() to refuse, when the columns do not fit). */
export function mergeRows(c: MergeColumns): MergeState | undefined {
  const ok =
    Array.isArray(c?.symbols) &&
    c.counts instanceof Int32Array &&
    c.last instanceof Float64Array &&
    [c.ts, c.price, c.volume].every((x) => x instanceof Float64Array && x.length === c.ts.length) &&
    c.counts.length === c.symbols.length &&
    c.last.length === c.symbols.length &&
    c.counts.every((k) => k >= 0) &&
    c.counts.reduce((sum, k) => sum + k, 0) === c.ts.length;
  if (!ok) return undefined;
  let at = 0;
  return c.symbols.map((symbol, i) => {
    const end = at + c.counts[i];
    const q = { symbol, ts: c.ts.slice(at, end), price: c.price.slice(at, end), volume: c.volume.slice(at, end), last: c.last[i] };
    at = end;
    return q;
  });
}

/** Where the merge hands its trades: symbol, time, price, volume, in event order. */
export type MergeSink = (symbol: string, ts: number, price: number, volume: number) => void;

/**
 * A stream's symbols and its watermark (the highest its frames gave; -Infinity: none), or the symbols
 * not known to have a stream. Its bound on the merge's watermark is the greater of its watermark and
 * the least last time of its delivering symbols (for each symbol max(last, mark); their least is
 * max(least last, mark)), kept between releases: computed again only when it may have changed.
 */
class StreamGroup {
  mark = Number.NEGATIVE_INFINITY;
  readonly members: SymbolQueue[] = [];
  /** The least last time of the members delivering, and whose it is (undefined: none delivers). */
  least = Number.POSITIVE_INFINITY;
  leastOf: SymbolQueue | undefined;
  /** least may be out of date: a member joined, came back from silence, or leastOf delivered. */
  dirty = true;

  /** Computes least again over the members that delivered at or after `since` (wall ms). */
  update(since: number): void {
    let least = Number.POSITIVE_INFINITY;
    let of: SymbolQueue | undefined;
    for (const q of this.members) {
      if (q.wall < since) continue;
      if (of === undefined || q.last < least) {
        least = q.last;
        of = q;
      }
    }
    this.least = least;
    this.leastOf = of;
    this.dirty = false;
  }
}

/** One symbol's waiting trades [head, tail) and its clock. */
class SymbolQueue {
  ts: Float64Array<ArrayBuffer> = new Float64Array(64);
  price: Float64Array<ArrayBuffer> = new Float64Array(64);
  volume: Float64Array<ArrayBuffer> = new Float64Array(64);
  head = 0;
  tail = 0;
  /** The last trade time delivered (-Infinity: none yet), and when (wall ms) it was. */
  last = Number.NEGATIVE_INFINITY;
  wall: number;
  /** The stream it came on, whose watermark bounds it too (TradeMerge.loose: none known). */
  stream: StreamGroup;
  /** In TradeMerge's heap (it holds trades). */
  queued = false;

  constructor(
    readonly symbol: string,
    wall: number,
    stream: StreamGroup,
  ) {
    this.wall = wall;
    this.stream = stream;
    stream.members.push(this);
    stream.dirty = true;
  }

  push(ts: ArrayLike<number>, price: ArrayLike<number>, volume: ArrayLike<number>): void {
    const n = ts.length;
    if (this.tail + n > this.ts.length) {
      const held = this.tail - this.head;
      const size = Math.max(this.ts.length, 2 * (held + n));
      // the held trades to the front, in place or into larger arrays
      const move = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
        if (size === a.length) return a.copyWithin(0, this.head, this.tail);
        const b = new Float64Array(size);
        b.set(a.subarray(this.head, this.tail));
        return b;
      };
      this.ts = move(this.ts);
      this.price = move(this.price);
      this.volume = move(this.volume);
      this.head = 0;
      this.tail = held;
    }
    for (let i = 0; i < n; i++) {
      this.ts[this.tail] = ts[i];
      this.price[this.tail] = price[i];
      this.volume[this.tail++] = volume[i];
    }
  }
}

/** The merge of the symbols' trade batches by time (see the module comment). */
export class TradeMerge {
  private readonly queues = new Map<string, SymbolQueue>();
  private readonly all: SymbolQueue[] = [];
  /** The queues holding trades, a heap by (head time, symbol). */
  private readonly heap: SymbolQueue[] = [];
  /** Nothing is handed out before this wall time (NaN: none yet): see the module comment. */
  private holdUntil = Number.NaN;
  /** The wall time of the last push (every symbol silent since longer than maxLatenessMs: a pause). */
  private lastPush = Number.NEGATIVE_INFINITY;
  /** The watermark of the last release(), and when the first symbol counted in it falls silent (wall ms). */
  private mark = Number.NEGATIVE_INFINITY;
  private expiry = Number.NEGATIVE_INFINITY;
  /** mark is not the watermark of the queues as they are (a hold, a new queue, a restore): compute it again. */
  private stale = true;
  /** The symbols were given (`expected`): a start waits for the known ones instead of holding everything. */
  private readonly universe: boolean;
  /** Each stream's symbols and watermark, by its name; `loose`, the symbols of no known stream. */
  private readonly streams = new Map<string, StreamGroup>();
  private readonly loose = new StreamGroup();
  /** loose and the streams' groups. */
  private readonly groups: StreamGroup[] = [this.loose];
  /** The queue whose bound gave the last release()'s watermark (undefined: none did). */
  private holder: SymbolQueue | undefined;

  /**
   * `expected`: symbols waited for from the start (a symbol never seen counts as delivering at the
   * merge's creation); `now`: the wall clock in ms.
   */
  constructor(
    private readonly maxLatenessMs: number,
    expected: readonly string[] = [],
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const s of expected) this.queue(s);
    this.universe = expected.length > 0;
  }

  /** A start (see the module comment) at wall time `now`: a hold, or every known symbol waited for from now. */
  private begin(now: number): void {
    this.stale = true;
    if (!this.universe) {
      this.holdUntil = now + this.maxLatenessMs;
      return;
    }
    for (const q of this.all) q.wall = now;
  }

  private queue(symbol: string): SymbolQueue {
    let q = this.queues.get(symbol);
    if (!q) {
      q = new SymbolQueue(symbol, this.now(), this.loose);
      this.queues.set(symbol, q);
      this.all.push(q);
      this.stale = true;
    }
    return q;
  }

  /** Trades held. */
  get held(): number {
    let n = 0;
    for (const q of this.all) n += q.tail - q.head;
    return n;
  }

  /** The symbols with trades held. */
  heldSymbols(): string[] {
    const out: string[] = [];
    for (const q of this.all) if (q.tail > q.head) out.push(q.symbol);
    return out;
  }

  /**
   * Each symbol's held trades and last time delivered, copied (a checkpoint's part: StrategyEngine); of
   * the symbols in `only` when given (an incremental checkpoint's part). columns() as rows.
   */
  state(only?: ReadonlySet<string>): MergeState {
    return mergeRows(this.columns(only))!;
  }

  /** The held trades of state(only) as columns, copied: a few arrays in all rather than three a symbol (a checkpoint taken in parts). */
  columns(only?: ReadonlySet<string>): MergeColumns {
    const queues = only ? this.all.filter((q) => only.has(q.symbol)) : this.all;
    let n = 0;
    for (const q of queues) n += q.tail - q.head;
    const c: MergeColumns = {
      symbols: new Array(queues.length),
      counts: new Int32Array(queues.length),
      last: new Float64Array(queues.length),
      ts: new Float64Array(n),
      price: new Float64Array(n),
      volume: new Float64Array(n),
    };
    let at = 0;
    queues.forEach((q, i) => {
      c.symbols[i] = q.symbol;
      c.counts[i] = q.tail - q.head;
      c.last[i] = q.last;
      c.ts.set(q.ts.subarray(q.head, q.tail), at);
      c.price.set(q.price.subarray(q.head, q.tail), at);
      c.volume.set(q.volume.subarray(q.head, q.tail), at);
      at += q.tail - q.head;
    });
    return c;
  }

  /**
   * Replaces the held trades with state()'s. Every symbol counts as delivering now: after a restart each
   * is waited for up to maxLatenessMs again, as at the start.
   */
  restore(state: MergeState): void {
    const ok =
      Array.isArray(state) &&
      state.every(
        (q) =>
          typeof q?.symbol === 'string' &&
          typeof q.last === 'number' &&
          q.ts instanceof Float64Array &&
          q.price instanceof Float64Array &&
          q.volume instanceof Float64Array &&
          q.price.length === q.ts.length &&
          q.volume.length === q.ts.length,
      );
    if (!ok) throw new KernelInputError('bytes', "a TradeMerge's state", 'other fields');
    this.queues.clear();
    this.all.length = 0;
    this.heap.length = 0;
    this.holder = undefined;
    for (const g of this.groups) g.members.length = 0;
    for (const { symbol, ts, price, volume, last } of state) {
      const q = this.queue(symbol);
      q.push(ts, price, volume);
      q.last = last;
      this.enqueue(q);
    }
    this.lastPush = Number.NEGATIVE_INFINITY;
    this.begin(this.now());
  }

  /**
   * Adds a batch of `symbol`'s trades (in its time order), then hands out what may go; `source` and
   * `watermark`: the stream it came on and the watermark its frame carried (NaN: none).
   */
  push(
    symbol: string,
    ts: ArrayLike<number>,
    price: ArrayLike<number>,
    volume: ArrayLike<number>,
    sink: MergeSink,
    source = '',
    watermark = Number.NaN,
  ): void {
    const now = this.now();
    if (now - this.lastPush > this.maxLatenessMs) this.begin(now);
    this.lastPush = now;
    const q = this.queue(symbol);
    let stream = this.loose;
    if (source !== '') {
      stream = this.streams.get(source) ?? this.group(source);
      if (q.stream !== stream) this.move(q, stream);
    }
    // the watermark can rise only if q held it, a symbol counted in it fell silent (q coming back from
    // silence past the watermark leaves it where it is) or the watermark of the holder's stream rose
    let moves = this.stale || q.last <= this.mark || now >= this.expiry;
    if (source !== '' && watermark > stream.mark) {
      stream.mark = watermark;
      moves ||= this.holder === undefined || this.holder.stream === stream;
    }
    q.push(ts, price, volume);
    this.enqueue(q);
    // its stream's least last time moves if q gave it, or q delivers again after a silence
    if (q === q.stream.leastOf || q.wall < now - this.maxLatenessMs) q.stream.dirty = true;
    if (ts.length > 0) q.last = Math.max(q.last, ts[ts.length - 1]);
    q.wall = now;
    if (moves || this.maxLatenessMs === 0) this.release(sink, now);
  }

  /**
   * Hands out the trades before the watermark: the earliest among the symbols that delivered within
   * maxLatenessMs of their last time or their stream's watermark, whichever is later (a trade at that
   * very time waits: that symbol may send more of it); at maxLatenessMs 0, everything held. `now`: the
   * wall clock in ms (push() passes its own reading).
   */
  release(sink: MergeSink, now = this.now()): void {
    if (this.maxLatenessMs === 0) {
      this.flush(sink);
      return;
    }
    if (now < this.holdUntil) {
      this.stale = true;
      return;
    }
    const since = now - this.maxLatenessMs;
    // After a start, or once a symbol may have fallen silent: every stream's bound again, and when the
    // next symbol falls silent. In between, delivering symbols only deliver again (walls rise), so that
    // time can only come later than the one kept, and only the groups marked dirty need computing.
    if (this.stale || now >= this.expiry) {
      let oldest = Number.POSITIVE_INFINITY;
      for (const q of this.all) if (q.wall >= since && q.wall < oldest) oldest = q.wall;
      this.expiry = oldest + this.maxLatenessMs;
      for (const g of this.groups) g.dirty = true;
    }
    let watermark = Number.POSITIVE_INFINITY;
    let holder: SymbolQueue | undefined;
    for (const g of this.groups) {
      if (g.dirty) g.update(since);
      if (g.leastOf === undefined) continue;
      const past = g.least > g.mark ? g.least : g.mark;
      if (past < watermark) {
        watermark = past;
        holder = g.leastOf;
      }
    }
    this.holder = holder;
    this.mark = watermark;
    this.stale = false;
    this.handOut(watermark, sink);
  }

  /** The group of stream `source`, new. */
  private group(source: string): StreamGroup {
    const g = new StreamGroup();
    this.streams.set(source, g);
    this.groups.push(g);
    return g;
  }

  /** Moves q to the group of its stream (its first frame from a stream, or another stream). */
  private move(q: SymbolQueue, to: StreamGroup): void {
    const from = q.stream.members;
    from.splice(from.indexOf(q), 1);
    q.stream.dirty = true;
    q.stream = to;
    to.members.push(q);
    to.dirty = true;
  }

  /** Hands out every trade held. */
  flush(sink: MergeSink): void {
    this.handOut(Number.POSITIVE_INFINITY, sink, true);
  }

  private handOut(watermark: number, sink: MergeSink, all = false): void {
    const heap = this.heap;
    while (heap.length > 0) {
      const q = heap[0];
      const h = q.head;
      if (!all && !(q.ts[h] < watermark)) return;
      q.head++;
      sink(q.symbol, q.ts[h], q.price[h], q.volume[h]);
      if (q.head === q.tail) {
        q.head = q.tail = 0;
        q.queued = false;
        const last = heap.pop()!;
        if (heap.length === 0) return;
        heap[0] = last;
      }
      this.down(0);
    }
  }

  /** Adds q (now holding trades) to the heap, unless it is there. */
  private enqueue(q: SymbolQueue): void {
    if (q.queued || q.head === q.tail) return;
    q.queued = true;
    const heap = this.heap;
    let i = heap.push(q) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) return;
      heap[i] = heap[parent];
      heap[parent] = q;
      i = parent;
    }
  }

  /** Sifts heap[i] down by (head time, symbol). */
  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[c], heap[i])) return;
      const x = heap[c];
      heap[c] = heap[i];
      heap[i] = x;
      i = c;
    }
  }
}

/** Whether queue a's head comes before b's: by time, then symbol. */
function before(a: SymbolQueue, b: SymbolQueue): boolean {
  const ta = a.ts[a.head];
  const tb = b.ts[b.head];
  return ta < tb || (ta === tb && a.symbol < b.symbol);
}
