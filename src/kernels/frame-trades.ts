/**
 * Trade columns read in place from received bytes. A trade frame read from a socket (Redis) holds its
 * columns, ts | price | volume as little-endian float64, at whatever byte offset the reply parser
 * handed out: usually not a multiple of 8, where no Float64Array can view them. `FrameTrades` keeps
 * the bytes as they came: the native VPIN kernels (`vpin()`, a stream's `update()`) read them in place
 * (unaligned loads, no copy); anything else that reads `ts`, `price` or `volume` (the reference
 * backend, a subscriber's own code) gets an aligned copy, made once on first access and reported
 * through `onCopy` (the bus counts it in its `copies` metric). Little-endian hosts only: a big-endian
 * host decodes frames into aligned copies up front. A 5-column frame's `bid` and `ask` (`quoteBytes`)
 * are read the same way, copied with the other columns on first access.
 */
import type { Trades } from './trades.js';

export class FrameTrades implements Trades {
  private copy: Trades | undefined;

  /**
   * @param bytes the columns: 24 * rows bytes, ts then price then volume (little-endian float64), any
   *   byte offset; read, never written, and expected not to change while this object is in use.
   * @param rows trades in the batch.
   * @param onCopy called once if the columns are ever copied into aligned Float64Arrays.
   * @param quoteBytes a 5-column frame's bid then ask columns: 16 * rows bytes, any byte offset.
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly rows: number,
    private readonly onCopy?: () => void,
    readonly quoteBytes?: Uint8Array,
  ) {
    if (bytes.length !== 24 * rows) throw new RangeError(`FrameTrades: ${bytes.length} bytes for ${rows} rows (expected ${24 * rows})`);
    if (quoteBytes && quoteBytes.length !== 16 * rows) {
      throw new RangeError(`FrameTrades: ${quoteBytes.length} quote bytes for ${rows} rows (expected ${16 * rows})`);
    }
  }

  get ts(): Float64Array {
    return this.aligned().ts;
  }

  get price(): Float64Array {
    return this.aligned().price;
  }

  get volume(): Float64Array {
    return this.aligned().volume;
  }

  /** The bid column of a 5-column frame, else undefined. */
  get bid(): Float64Array | undefined {
    return this.quoteBytes && this.aligned().bid;
  }

  /** The ask column of a 5-column frame, else undefined. */
  get ask(): Float64Array | undefined {
    return this.quoteBytes && this.aligned().ask;
  }

  /** True once the columns were copied (an aligned view was asked for). */
  get copied(): boolean {
    return this.copy !== undefined;
  }

  /** The columns as aligned Float64Arrays: one copy, made on the first call. */
  aligned(): Trades {
    if (!this.copy) {
      const n = this.rows;
      const q = this.quoteBytes;
      const all = new Float64Array((q ? 5 : 3) * n);
      new Uint8Array(all.buffer).set(this.bytes);
      this.copy = columnsIn(all, n);
      if (q) {
        new Uint8Array(all.buffer, 24 * n).set(q);
        this.copy.bid = all.subarray(3 * n, 4 * n);
        this.copy.ask = all.subarray(4 * n);
      }
      this.onCopy?.();
    }
    return this.copy;
  }
}

/** ts, price and volume of `n` rows laid out column after column at the start of `all`, as views. */
function columnsIn(all: Float64Array, n: number): Trades {
  return { ts: all.subarray(0, n), price: all.subarray(n, 2 * n), volume: all.subarray(2 * n, 3 * n) };
}

/**
 * Trades' ts, price and volume as aligned Float64Arrays without a copy of their own: a FrameTrades not
 * yet copied is read into one buffer kept between calls, viewed by arrays kept per row count (where
 * aligned() makes five objects for a delivery of a few trades); other trades are returned as they are.
 * The views hold the last call's rows only: for a reader that is done with them before the next call
 * (the StrategyEngine's merge copies what it holds).
 */
export class ColumnScratch {
  private f64 = new Float64Array(0);
  private bytes = new Uint8Array(0);
  private readonly views = new Map<number, Trades>();

  of(trades: Trades): Trades {
    if (!(trades instanceof FrameTrades) || trades.copied) return trades;
    const n = trades.rows;
    if (this.f64.length < 3 * n) {
      this.f64 = new Float64Array(Math.max(3 * n, 2 * this.f64.length, 192));
      this.bytes = new Uint8Array(this.f64.buffer);
      this.views.clear();
    }
    this.bytes.set(trades.bytes);
    let v = this.views.get(n);
    if (!v) this.views.set(n, (v = columnsIn(this.f64, n)));
    return v;
  }
}

/** The number of trades in `trades` (FrameTrades without touching its columns). */
export function tradeRows(trades: Trades): number {
  return trades instanceof FrameTrades ? trades.rows : trades.ts.length;
}
