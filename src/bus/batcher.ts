/**
 * The batcher: turns published messages into frames. Trades of a columnar type accumulate per key into
 * float64 columns; other messages become one frame each. Frames go to the sink, in order per key:
 * - at once when a key's columns reach `maxBatch` rows (that frame only);
 * - at once, everything, when a message has priority 'high';
 * - otherwise everything at the end of the event-loop turn in which the first pending message arrived
 *   (`setImmediate`), or `lingerMs` after it when set; but a key that `hold` names (its stream has a
 *   publish in flight) keeps its rows open, and flushHeld() sends them once it is released.
 *   Under load a busy stream so carries fewer, larger frames, built once.
 * With `watermarks` (a publisher that sends each columnar type's trades in time order, the only one on
 * its streams: a tape's replay), each trade frame carries a watermark: the least ts of the rows still
 * pending once it is sent (the other keys' open rows, those closed after it in the same flush, the held
 * ones) and the type's latest ts, below which no later frame on its stream can carry a trade
 * (docs/wire-format.md). Given `streamOf` and `streamMarks` (keys that keep their stream: the bus's
 * static routing), only the pending rows of the frame's own stream count: a frame's watermark is not
 * held back by the rows of this flush that go to other streams, so a consumer merging the streams need
 * not wait for the next flush to hand out a trade of this one.
 *
 * With `idleWatermarkMs` too, a flush also sends a watermark-only frame (no rows, the key of the last
 * frame sent there) on each stream of the type that had no frame for that long while the type's
 * watermark moved on: a consumer merging the streams by time then need not wait for a stream whose
 * symbols are all quiet (`streamOf` names a key's stream; subscribers see such frames only when they
 * ask: SubscribeOptions.watermarks).
 *
 * Why setImmediate rather than queueMicrotask: a microtask runs as soon as the current callback (or the
 * publisher's next `await`) yields, so a producer that awaits each publish would get batches of one.
 * setImmediate runs after the poll phase, so every message published by every I/O callback of the same
 * loop turn shares one flush: batches grow with load, and an idle bus still flushes within the turn
 * (a timer could not: setTimeout(0.5) fires after ~1 ms).
 */
import { encodeMessageWithLabel, encodeTradesWithLabel, frameLabel, type FrameLabel } from './frames.js';
import { nowMs, type Priority } from './messages.js';

/** A frame ready for a transport. */
export interface BatchFrame {
  type: string;
  key: string;
  /** Messages in it (rows of a trade frame, else 1). */
  count: number;
  data: Uint8Array;
  /**
   * Unset (or 0) until the bus first hands the frame to a transport that stores asynchronously; then
   * the bus's number for it (OutgoingEntry.seq), the same on every retry of the very frame. The bus's
   * own frames start with 0 (one object shape from creation on).
   */
  seq?: number;
}

/** Receives frames, in order, synchronously. */
export type FrameSink = (frames: BatchFrame[]) => void;

/** True while the trade rows of (type, key) should stay open rather than flush at the end of the turn. */
export type HoldRule = (type: string, key: string) => boolean;

/** Options of Batcher. */
export interface BatcherOptions {
  /** Rows per trade frame at most; a key's columns flush when full. */
  maxBatch: number;
  /** 0: flush at the end of the turn; > 0: flush this many ms after the first pending message. */
  lingerMs: number;
  /** Stamp trade frames with a watermark (see the module comment): trades are published in time order. */
  watermarks?: boolean;
  /** With watermarks: a stream silent this long (ms) gets a watermark-only frame at a flush; 0 (default): never. */
  idleWatermarkMs?: number;
  /**
   * With watermarks and `streamOf`: each frame's watermark counts only the pending rows of its own
   * stream. Only where a key's stream never changes (static routing): a key moved to another stream
   * would carry rows that stream's earlier watermarks did not count.
   */
  streamMarks?: boolean;
  /**
   * Message bodies may be process-local (frames.ts FLAG_LOCAL): only where every transport the frames
   * can reach keeps its entries in this process (TransportCapabilities.processLocal).
   */
  localBodies?: boolean;
}

/** A key's stream (the bus's router), for the watermark-only frames. */
export type StreamOf = (type: string, key: string) => string;

/** The last frame sent on a stream of a type (with watermarks): its key and label, its watermark, when (performance.now()). */
interface StreamMark {
  key: string;
  label: FrameLabel;
  mark: number;
  at: number;
}

const NO_ROWS = new Float64Array(0);

/** Pending trades of one (type, key). */
class Columns {
  n = 0;
  ts: Float64Array;
  price: Float64Array;
  volume: Float64Array;
  /** bid and ask: allocated once a trade with a quote came; `quoted` while the pending rows have them. */
  bid: Float64Array | undefined;
  ask: Float64Array | undefined;
  quoted = false;
  firstAt = 0;
  high = false;
  /** Kept open by the hold rule at a flush (see flushHeld()). */
  held = false;
  constructor(
    readonly type: string,
    readonly key: string,
    readonly label: FrameLabel,
    capacity: number,
    /** What its rows' watermarks are kept per: the type, or the type and its stream (BatcherOptions.streamMarks). */
    readonly markGroup: string,
  ) {
    this.ts = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.volume = new Float64Array(capacity);
  }

  /** Reallocates the columns to `capacity` (keeping the first n rows). */
  resize(capacity: number): void {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.ts = grow(this.ts);
    this.price = grow(this.price);
    this.volume = grow(this.volume);
    if (this.bid && this.ask) {
      this.bid = grow(this.bid);
      this.ask = grow(this.ask);
    }
  }

  /** Starts the quote columns of the pending rows: NaN (no quote) for the rows already there. */
  quote(): void {
    if (this.quoted) return;
    if (!this.bid || !this.ask || this.bid.length !== this.ts.length) {
      this.bid = new Float64Array(this.ts.length);
      this.ask = new Float64Array(this.ts.length);
    }
    this.bid.fill(NaN, 0, this.n);
    this.ask.fill(NaN, 0, this.n);
    this.quoted = true;
  }
}

const INITIAL_CAPACITY = 64;

/** Up to this many values are copied by a loop (a feed's frames: a few trades of a symbol a flush). */
const SMALL_COPY = 32;

/**
 * dst[at, at + n) = src[from, from + n): a loop for a few values (set() of a subarray costs a view and
 * a call, about 0.1 us, where the loop takes a few ns), set() beyond.
 */
function copyInto(dst: Float64Array, at: number, src: Float64Array, from: number, n: number): void {
  if (n <= SMALL_COPY) for (let i = 0; i < n; i++) dst[at + i] = src[from + i];
  else dst.set(src.subarray(from, from + n), at);
}

/** Accumulates messages into frames; see the module comment for when it flushes. */
export class Batcher {
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private readonly sink: FrameSink;
  /** type -> key -> columns. */
  private readonly columns = new Map<string, Map<string, Columns>>();
  /** The last type looked up and its keys (publishers usually repeat a type). */
  private lastType: string | undefined;
  private lastByKey: Map<string, Columns> | undefined;
  /** Columns holding rows, in the order their first row arrived. */
  private open: Columns[] = [];
  /** Frames closed and not yet handed to the sink. */
  private out: BatchFrame[] = [];
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  /** Messages held (open rows and frames in `out`). */
  pending = 0;
  private readonly watermarks: boolean;
  /** With watermarks: per columnar type, the latest ts added. */
  private readonly latest = new Map<string, number>();
  /** With idle watermarks: per columnar type, per stream, its last frame (see idleMarks()). */
  private readonly sent = new Map<string, Map<string, StreamMark>>();
  private readonly idleMs: number;
  private readonly streamMarks: boolean;
  private readonly localBodies: boolean;

  /**
   * Creates a batcher handing frames to `sink`; `hold` keeps a key's rows open at a timed flush;
   * `streamOf` (needed for idleWatermarkMs) names a key's stream.
   */
  constructor(
    options: BatcherOptions,
    sink: FrameSink,
    private readonly hold: HoldRule = () => false,
    private readonly streamOf?: StreamOf,
  ) {
    this.maxBatch = options.maxBatch;
    this.lingerMs = options.lingerMs;
    this.watermarks = options.watermarks === true;
    this.idleMs = this.watermarks && streamOf ? (options.idleWatermarkMs ?? 0) : 0;
    this.streamMarks = this.watermarks && streamOf !== undefined && options.streamMarks === true;
    this.localBodies = options.localBodies === true;
    this.sink = sink;
  }

  /** With watermarks: `ts` the type's latest. */
  private note(type: string, ts: number): void {
    const last = this.latest.get(type);
    if (last === undefined || ts > last) this.latest.set(type, ts);
  }

  /** The watermark of c's frame (NaN without watermarks): its type's latest ts and the least first ts of the other open rows (of its stream, with streamMarks). */
  private markOf(c: Columns): number {
    if (!this.watermarks) return Number.NaN;
    let w = this.latest.get(c.type) ?? Number.NaN;
    for (const o of this.open) if (o !== c && o.n > 0 && o.markGroup === c.markGroup && o.ts[0] < w) w = o.ts[0];
    return w;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.lingerMs > 0 ? setTimeout(() => this.flush(false), this.lingerMs) : setImmediate(() => this.flush(false));
  }

  private columnsFor(type: string, key: string): Columns {
    let byKey = type === this.lastType ? this.lastByKey : this.columns.get(type);
    if (!byKey) {
      byKey = new Map();
      this.columns.set(type, byKey);
    }
    this.lastType = type;
    this.lastByKey = byKey;
    let c = byKey.get(key);
    if (!c) {
      const group = this.streamMarks ? `${type}\u0000${this.streamOf!(type, key)}` : type;
      c = new Columns(type, key, frameLabel(type, key), Math.min(INITIAL_CAPACITY, this.maxBatch), group);
      byKey.set(key, c);
    }
    return c;
  }

  /**
   * Adds one trade of a columnar type (already validated); `bid` and `ask` (both or neither) make the
   * key's pending rows a 5-column frame, NaN (no quote) in the rows without.
   */
  addTrade(
    type: string,
    key: string,
    ts: number,
    price: number,
    volume: number,
    priority: Priority | undefined,
    bid?: number,
    ask?: number,
  ): void {
    const c = this.columnsFor(type, key);
    if (this.watermarks) this.note(type, ts);
    if (c.n === 0) this.openColumns(c);
    else if (c.n === c.ts.length) c.resize(Math.min(2 * c.n, this.maxBatch));
    if (bid !== undefined) c.quote();
    const i = c.n++;
    c.ts[i] = ts;
    c.price[i] = price;
    c.volume[i] = volume;
    if (c.quoted) {
      c.bid![i] = bid ?? NaN;
      c.ask![i] = ask ?? NaN;
    }
    this.pending++;
    this.afterRows(c, priority);
  }

  /**
   * Adds rows of a columnar type (already validated), splitting them into frames of maxBatch rows;
   * `bid` and `ask` as addTrade's.
   */
  addRows(
    type: string,
    key: string,
    ts: Float64Array,
    price: Float64Array,
    volume: Float64Array,
    priority: Priority | undefined,
    bid?: Float64Array,
    ask?: Float64Array,
  ): void {
    const c = this.columnsFor(type, key);
    if (this.watermarks && ts.length > 0) this.note(type, ts[ts.length - 1]);
    for (let from = 0; from < ts.length; ) {
      if (c.n === 0) this.openColumns(c);
      const take = Math.min(ts.length - from, this.maxBatch - c.n);
      if (c.n + take > c.ts.length) c.resize(Math.min(Math.max(2 * c.ts.length, c.n + take), this.maxBatch));
      if (bid) c.quote();
      copyInto(c.ts, c.n, ts, from, take);
      copyInto(c.price, c.n, price, from, take);
      copyInto(c.volume, c.n, volume, from, take);
      if (c.quoted && bid && ask) {
        copyInto(c.bid!, c.n, bid, from, take);
        copyInto(c.ask!, c.n, ask, from, take);
      } else if (c.quoted) {
        c.bid!.fill(NaN, c.n, c.n + take);
        c.ask!.fill(NaN, c.n, c.n + take);
      }
      c.n += take;
      from += take;
      this.pending += take;
      if (c.n === this.maxBatch) this.afterRows(c, from === ts.length ? priority : undefined);
    }
    if (c.n > 0) this.afterRows(c, priority);
  }

  private openColumns(c: Columns): void {
    c.firstAt = nowMs();
    this.open.push(c);
    this.schedule();
  }

  private afterRows(c: Columns, priority: Priority | undefined): void {
    if (priority === 'high') {
      c.high = true;
      this.flush();
    } else if (c.n === this.maxBatch) {
      this.close(c, this.markOf(c));
      this.open.splice(this.open.indexOf(c), 1);
      this.drainOut();
    }
  }

  /**
   * Encodes a key's rows into a frame in `out` (with `watermark` unless NaN) and empties the columns
   * (shrinking them when mostly unused).
   */
  private close(c: Columns, watermark: number): void {
    const priority = c.high ? 'high' : 'normal';
    this.out.push({
      type: c.type,
      key: c.key,
      count: c.n,
      seq: 0,
      data: c.quoted
        ? encodeTradesWithLabel(c.label, priority, c.firstAt, c.ts, c.price, c.volume, c.n, c.bid, c.ask, watermark)
        : encodeTradesWithLabel(c.label, priority, c.firstAt, c.ts, c.price, c.volume, c.n, undefined, undefined, watermark),
    });
    if (this.idleMs > 0) this.noteSent(c.type, c.key, c.label, watermark);
    if (c.ts.length > INITIAL_CAPACITY && 4 * c.n <= c.ts.length) {
      c.n = 0;
      c.resize(c.ts.length / 2);
    }
    c.n = 0;
    c.high = false;
    c.held = false;
    c.quoted = false;
  }

  /**
   * Adds an encoded frame (a message, or a frame published as bytes). For a columnar key, its open
   * rows are closed first so the frame stays behind them.
   */
  addFrame(frame: BatchFrame, priority: Priority | undefined): void {
    const c = this.columns.get(frame.type)?.get(frame.key);
    if (c && c.n > 0) {
      this.close(c, this.markOf(c));
      this.open.splice(this.open.indexOf(c), 1);
    }
    this.out.push(frame);
    this.pending += frame.count;
    if (priority === 'high') this.flush();
    else if (this.out.length >= this.maxBatch) this.drainOut();
    else this.schedule();
  }

  /** Encodes a message and adds its frame. */
  addMessage(type: string, key: string, ts: number, payload: unknown, priority: Priority | undefined): void {
    const data = encodeMessageWithLabel(frameLabel(type, key), type, priority, nowMs(), ts, payload, this.localBodies);
    this.addFrame({ type, key, count: 1, data, seq: 0 }, priority);
  }

  private drainOut(): void {
    if (this.out.length === 0) return;
    const frames = this.out;
    this.out = [];
    for (const f of frames) this.pending -= f.count;
    this.sink(frames);
  }

  /**
   * Hands every pending message to the sink now, in order; with `all` false, the rows of keys that
   * `hold` names (and that are not 'high') stay open for a later flush.
   */
  flush(all = true): void {
    if (this.timer !== undefined) {
      if (this.lingerMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
      else clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    const held = this.closeOpen(this.open.map((c) => !(all || c.high || !this.hold(c.type, c.key))));
    for (const c of held) c.held = true;
    if (this.idleMs > 0) this.idleMarks(held);
    this.drainOut();
  }

  /**
   * Closes the open columns that `keep` does not keep, in order, each frame with its watermark (one
   * pass: flushMarks()); the kept ones stay open, and are returned.
   */
  private closeOpen(keep: readonly boolean[]): Columns[] {
    const open = this.open;
    const marks = this.watermarks ? flushMarks(open, keep, this.latest) : undefined;
    const kept: Columns[] = [];
    for (let i = 0; i < open.length; i++) {
      if (keep[i]) kept.push(open[i]);
      else this.close(open[i], marks ? marks[i] : Number.NaN);
    }
    this.open = kept;
    return kept;
  }

  /** Records a frame of (type, key) with watermark `mark` sent on its stream now. */
  private noteSent(type: string, key: string, label: FrameLabel, mark: number): void {
    let byStream = this.sent.get(type);
    if (!byStream) this.sent.set(type, (byStream = new Map()));
    const stream = this.streamOf!(type, key);
    const last = byStream.get(stream);
    if (last) {
      last.key = key;
      last.label = label;
      last.mark = mark;
      last.at = performance.now();
    } else byStream.set(stream, { key, label, mark, at: performance.now() });
  }

  /**
   * At a flush (its frames in `out`, `kept` the rows it held back): a watermark-only frame on each
   * stream of a type whose last frame is idleMs old, holds no rows back and is below the type's
   * watermark now (its latest ts and the kept rows' least: no later trade is older).
   */
  private idleMarks(kept: readonly Columns[]): void {
    const now = performance.now();
    for (const [type, byStream] of this.sent) {
      let mark = this.latest.get(type) ?? Number.NaN;
      const busy = new Set<string>();
      for (const c of kept) {
        if (c.type !== type) continue;
        if (c.ts[0] < mark) mark = c.ts[0];
        busy.add(this.streamOf!(type, c.key));
      }
      for (const [stream, last] of byStream) {
        if (!(mark > last.mark) || now - last.at < this.idleMs || busy.has(stream)) continue;
        const data = encodeTradesWithLabel(last.label, 'normal', nowMs(), NO_ROWS, NO_ROWS, NO_ROWS, 0, undefined, undefined, mark);
        this.out.push({ type, key: last.key, count: 0, seq: 0, data });
        last.mark = mark;
        last.at = now;
      }
    }
  }

  /**
   * Hands the rows that a flush held back and that `hold` no longer names to the sink now, in order
   * (called when a publish ends); rows opened since wait for their own flush.
   */
  flushHeld(): void {
    this.closeOpen(this.open.map((c) => !c.held || this.hold(c.type, c.key)));
    this.drainOut();
  }
}

/**
 * The watermark of each column a flush closes (`keep[i]` false), in the order it closes them: the type's
 * latest ts and the least first ts of the rows pending once its frame is sent (the kept columns, and
 * those closed after it) of its mark group (the type, or the type and stream), one pass from the end.
 */
function flushMarks(open: readonly Columns[], keep: readonly boolean[], latest: ReadonlyMap<string, number>): number[] {
  const marks = new Array<number>(open.length).fill(Number.NaN);
  const low = new Map<string, number>();
  const lower = (c: Columns) => {
    const w = low.get(c.markGroup);
    if (w === undefined || c.ts[0] < w) low.set(c.markGroup, c.ts[0]);
  };
  for (let i = 0; i < open.length; i++) if (keep[i]) lower(open[i]);
  for (let i = open.length - 1; i >= 0; i--) {
    if (keep[i]) continue;
    const c = open[i];
    marks[i] = Math.min(latest.get(c.type) ?? Number.NaN, low.get(c.markGroup) ?? Number.POSITIVE_INFINITY);
    lower(c);
  }
  return marks;
}
