/**
 * TradeMerge: the live half of the event-order rule. Trades reach an engine as batches of one symbol
 * (each symbol's in order, the symbols' interleaving up to the bus); the merge holds them and hands them
 * out in (ts, symbol, arrival) order, the order the file backtest replays a tape in. A trade is handed
 * out once every symbol that delivered within the last `maxLatenessMs` (wall clock) is past its time:
 * a slower symbol is waited for that long at most, then left behind (a trade of it older than what was
 * handed out then is applied late, and counted so by the runner). `flush()` hands out everything (end of
 * data).
 */

/** Where the merge hands its trades: symbol, time, price, volume, in event order. */
export type MergeSink = (symbol: string, ts: number, price: number, volume: number) => void;

interface SymbolClock {
  /** The last trade time delivered, and when (wall ms) it was. */
  ts: number;
  wall: number;
}

/** The merge of the symbols' trade batches by time (see the module comment). */
export class TradeMerge {
  private symbol: string[] = [];
  private ts: number[] = [];
  private price: number[] = [];
  private volume: number[] = [];
  private readonly clocks = new Map<string, SymbolClock>();

  /**
   * `expected`: symbols waited for from the start (a symbol never seen counts as delivering at the
   * merge's creation); `now`: the wall clock in ms.
   */
  constructor(
    private readonly maxLatenessMs: number,
    expected: readonly string[] = [],
    private readonly now: () => number = () => performance.now(),
  ) {
    const wall = now();
    for (const s of expected) this.clocks.set(s, { ts: Number.NEGATIVE_INFINITY, wall });
  }

  /** Trades held. */
  get held(): number {
    return this.ts.length;
  }

  /** Adds a batch of `symbol`'s trades (in its time order), then hands out what may go. */
  push(symbol: string, ts: ArrayLike<number>, price: ArrayLike<number>, volume: ArrayLike<number>, sink: MergeSink): void {
    for (let i = 0; i < ts.length; i++) {
      this.symbol.push(symbol);
      this.ts.push(ts[i]);
      this.price.push(price[i]);
      this.volume.push(volume[i]);
    }
    const clock = this.clocks.get(symbol);
    const last = ts.length > 0 ? ts[ts.length - 1] : Number.NEGATIVE_INFINITY;
    if (clock) {
      clock.ts = Math.max(clock.ts, last);
      clock.wall = this.now();
    } else this.clocks.set(symbol, { ts: last, wall: this.now() });
    this.release(sink);
  }

  /**
   * Hands out the trades before the watermark: the earliest last time among the symbols that
   * delivered within maxLatenessMs (a trade at that very time waits: that symbol may send more of it).
   */
  release(sink: MergeSink): void {
    const since = this.now() - this.maxLatenessMs;
    let watermark = Number.POSITIVE_INFINITY;
    for (const c of this.clocks.values()) if (c.wall >= since && c.ts < watermark) watermark = c.ts;
    this.handOut(watermark, sink);
  }

  /** Hands out every trade held. */
  flush(sink: MergeSink): void {
    this.handOut(Number.POSITIVE_INFINITY, sink, true);
  }

  private handOut(watermark: number, sink: MergeSink, all = false): void {
    const n = this.ts.length;
    if (n === 0) return;
    const go: number[] = [];
    const keep: number[] = [];
    for (let i = 0; i < n; i++) (all || this.ts[i] < watermark ? go : keep).push(i);
    if (go.length === 0) return;
    const { symbol, ts, price, volume } = this;
    // (ts, symbol, arrival): a stable sort of the arrival order
    go.sort((a, b) => ts[a] - ts[b] || (symbol[a] < symbol[b] ? -1 : symbol[a] > symbol[b] ? 1 : a - b));
    for (const i of go) sink(symbol[i], ts[i], price[i], volume[i]);
    this.symbol = keep.map((i) => symbol[i]);
    this.ts = keep.map((i) => ts[i]);
    this.price = keep.map((i) => price[i]);
    this.volume = keep.map((i) => volume[i]);
  }
}
