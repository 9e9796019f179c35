/**
 * VpinEngine: TRADE_EXECUTION batches -> one streaming VPIN per symbol -> a VPIN_CALCULATION message per
 * completed bucket, and a RISK_ALERT when a symbol's VPIN CDF crosses the threshold after warm-up.
 * The trade columns of each delivery (views of the received frame) go to the kernel as they are.
 */
import type { Bus } from '../bus/bus.js';
import type { BackendChoice } from '../api/kernels.js';
import { KernelInputError, describeValue } from '../errors.js';
import { installEveryBackend } from '../api/every-backend.js';
import { kernels } from '../api/kernels.js';
import { RecentFrames } from './recent-frames.js';
import { resolveVpinOptions, type Trades, type VpinBuckets, type VpinOptions, type VpinStream } from '../kernels/vpin/vpin.js';
import type { StateConfig } from './checkpoint-config.js';
import type { EngineOptions } from './engine.js';
import { TradeKeyedEngine } from './trade-keyed.js';
import type { FeatureBar } from './features.js';

installEveryBackend(); // its kernels run synchronously from the first message

/** Options of VpinEngine. */
export interface VpinEngineOptions extends Partial<EngineOptions> {
  /**
   * VPIN options for every symbol, or a function giving them per symbol (e.g. a bucket volume scaled to
   * its average daily volume). A stream needs a causal sigma: when `sigma` is not given (and the
   * classifier is 'bvc'), the engine uses `{ ewma: 0.94 }`. A quote classifier (`classifier: {
   * algorithm: 'lee-ready', ... }`) reads each trade's bid and ask: publish trades with `bid` and `ask`
   * (5-column trade frames). `cdfWindow` bounds each symbol's state (default 50000 VPIN values; `'all'`
   * grows it by 8 bytes per bucket, in memory and in every whole checkpoint record).
   */
  vpin: VpinOptions | ((key: string) => VpinOptions);
  /** Alert when the CDF of VPIN reaches this. Default 0.99. */
  threshold?: number;
  /** Buckets a symbol needs before it can alert (the CDF needs history). Default 2 * window. */
  warmup?: number;
  /** Kernel backend. Default 'auto'. */
  backend?: BackendChoice;
  /**
   * Input type. Default 'TRADE_EXECUTION'. A FeaturesEngine's 'BAR' works too: each bar is one trade at
   * its close, of its volume, at its time (the buckets fill from the bars, which the VPIN bars of
   * `barMs` then group as they group trades).
   */
  input?: string;
  /**
   * A frame whose last trade is stamped more than this many ms after the engine's clock is refused
   * (KernelInputError: over a transport, dead-lettered with the reason) instead of applied: one
   * producer with a clock ahead would otherwise make every later trade of the symbol go back in time.
   * Default 5000; Infinity turns the guard off.
   */
  maxFutureMs?: number;
}

export { DEFAULT_MAX_FUTURE_MS } from './future-guard.js';

const STATE_MAGIC = 0x4556424b; // 'KBVE' read as little-endian u32
const STATE_VERSION = 1;
const STATE_HEADER = 64;
const DELTA_MAGIC = 0x4456424b; // 'KBVD'
/** A delta: the header's 8 bytes and 7 f64 fields, f64 m, m VPIN values, then a `{ history: false }` stream snapshot. */
const DELTA_HEAD = 72;

/** Payload of VPIN_CALCULATION: one completed volume bucket of one symbol. */
export interface VpinCalculation {
  /** 0-based bucket number of the symbol. */
  bucket: number;
  /** First trade of the first bar in the bucket (VpinBuckets.startTs; NaN: unknown, see there). */
  startTs: number;
  /** Last trade of the bar that completed the bucket. */
  endTs: number;
  /** endTs - startTs, ms. */
  duration: number;
  buyVolume: number;
  sellVolume: number;
  /** NaN for the first window - 1 buckets. */
  vpin: number;
  cdf: number;
}

/** Payload of the RISK_ALERT the engine raises. */
export interface VpinAlert {
  source: 'vpin';
  engine: string;
  bucket: number;
  vpin: number;
  cdf: number;
  threshold: number;
}

/** Per-symbol state and its latest figures. */
export interface VpinSymbolState {
  stream: VpinStream;
  buckets: number;
  alerts: number;
  /** The last VPIN and CDF (NaN before the first). */
  vpin: number;
  cdf: number;
  /** Above the threshold at the last bucket (no new alert until it falls below). */
  alerting: boolean;
  warmup: number;
  /** Timestamp of the last trade applied (-Infinity before the first). */
  lastTs: number;
  /** Publish time (sentAt) of the last frame applied (-Infinity before the first). */
  lastSentAt: number;
  /** While checkpoints are on: the VPIN values completed since the last checkpoint record (a delta's). */
  fresh: number[];
  /** (sentAt, last ts) of the last frames applied, not checkpointed: how one stored twice is told apart. */
  recent: RecentFrames;
}

/**
 * Streaming VPIN per symbol. Alerts are edge-triggered: a symbol alerts when its CDF reaches the
 * threshold (after `warmup` buckets) and again only after it has fallen below. Over Redis its state is
 * checkpointed (see EngineOptions.checkpointMs): a VPIN_CALCULATION is identified by (key, bucket), and
 * one may be published again after a takeover, always with the same values.
 */
export class VpinEngine extends TradeKeyedEngine<VpinSymbolState> {
  protected readonly inputs: readonly string[];
  private readonly optionsFor: (key: string) => VpinOptions;
  /** Whether the VPIN options are a function of the symbol. */
  private readonly perSymbol: boolean;
  private readonly kernels: ReturnType<typeof kernels>;
  private readonly threshold: number;
  private readonly warmup: number | undefined;
  private totals = { buckets: 0, alerts: 0 };

  /** Checks the options (a fixed `vpin` option set is validated here, a per-symbol one on first use). */
  constructor(bus: Bus, options: VpinEngineOptions) {
    super(bus, { ...options, name: options?.name ?? 'vpin' });
    const vpin = options.vpin;
    if (typeof vpin !== 'function' && (typeof vpin !== 'object' || vpin === null)) {
      throw new KernelInputError('options.vpin', 'VpinOptions or a function of the key returning them', describeValue(vpin));
    }
    const withSigma = (o: VpinOptions): VpinOptions =>
      o.sigma === undefined && (o.classifier ?? 'bvc') === 'bvc' ? { ...o, sigma: { ewma: 0.94 } } : o;
    this.perSymbol = typeof vpin === 'function';
    this.optionsFor = typeof vpin === 'function' ? (key) => withSigma(vpin(key)) : () => withSigma(vpin);
    this.kernels = kernels({ backend: options.backend ?? 'auto' });
    if (typeof vpin !== 'function') this.kernels.vpinStream(this.optionsFor(''));
    this.threshold = options.threshold ?? 0.99;
    if (typeof this.threshold !== 'number' || !(this.threshold >= 0 && this.threshold <= 1)) {
      throw new KernelInputError('options.threshold', 'a number in [0, 1]', describeValue(this.threshold));
    }
    if (options.warmup !== undefined && (!Number.isInteger(options.warmup) || options.warmup < 0)) {
      throw new KernelInputError('options.warmup', 'an integer >= 0', describeValue(options.warmup));
    }
    this.warmup = options.warmup;
    this.inputs = [options.input ?? 'TRADE_EXECUTION'];
  }

  protected newState(key: string): VpinSymbolState {
    const opts = this.optionsFor(key);
    return {
      stream: this.kernels.vpinStream(opts),
      buckets: 0,
      alerts: 0,
      vpin: NaN,
      cdf: NaN,
      alerting: false,
      warmup: this.warmup ?? 2 * (opts.window ?? 50),
      lastTs: -Infinity,
      lastSentAt: -Infinity,
      fresh: [],
      recent: new RecentFrames(),
    };
  }

  /**
   * A frame's good trades to its symbol's stream (TradeKeyedEngine.process: frames stamped in the future
   * refused, frames applied before skipped as `republished`, bad trades left out and counted), and the
   * buckets they complete published.
   */
  protected applyTrades(key: string, s: VpinSymbolState, trades: Trades): void {
    this.publishBuckets(key, s, s.stream.update(trades));
  }

  /** A delivery's trades: its columns, or a FeaturesEngine BAR as one trade (close, volume, ts). */
  protected override tradesOf(payload: unknown): Trades {
    const bar = payload as Partial<FeatureBar>;
    if (typeof bar?.close !== 'number' || ArrayBuffer.isView((payload as Trades).price)) return payload as Trades;
    const one = (x: unknown) => Float64Array.of(typeof x === 'number' ? x : Number.NaN);
    return { ts: one(bar.ts), price: one(bar.close), volume: one(bar.volume) };
  }

  /** Closes every symbol's open bar (end of data) and publishes the buckets that completes. */
  protected override flushState(): void {
    for (const [key, s] of this.states) this.publishBuckets(key, s, s.stream.flush());
  }

  private publishBuckets(key: string, s: VpinSymbolState, b: VpinBuckets): void {
    for (let i = 0; i < b.vpin.length; i++) {
      const bucket = s.buckets++;
      const payload: VpinCalculation = {
        bucket,
        startTs: b.startTs[i],
        endTs: b.endTs[i],
        duration: b.duration[i],
        buyVolume: b.buyVolume[i],
        sellVolume: b.sellVolume[i],
        vpin: b.vpin[i],
        cdf: b.cdf[i],
      };
      this.emit('VPIN_CALCULATION', { key, ts: payload.endTs, payload });
      if (this.checkpoints && !Number.isNaN(payload.vpin)) s.fresh.push(payload.vpin);
      s.vpin = payload.vpin;
      s.cdf = payload.cdf;
      const above = bucket + 1 >= s.warmup && payload.cdf >= this.threshold;
      if (above && !s.alerting) {
        s.alerts++;
        this.totals.alerts++;
        const alert: VpinAlert = {
          source: 'vpin',
          engine: this.name,
          bucket,
          vpin: payload.vpin,
          cdf: payload.cdf,
          threshold: this.threshold,
        };
        this.emit('RISK_ALERT', { key, ts: payload.endTs, payload: alert, priority: 'high' });
      }
      s.alerting = above;
    }
    this.totals.buckets += b.vpin.length;
  }

  /**
   * A symbol's state as bytes (little-endian): 'KBVE', u32 version 1, then f64 buckets, alerts, vpin,
   * cdf, alerting (0/1), lastTs, lastSentAt, then the vpinStream snapshot (portable between backends).
   */
  protected override snapshotKey(key: string): Uint8Array {
    const s = this.state(key);
    const stream = s.stream.snapshot();
    const out = new Uint8Array(STATE_HEADER + stream.byteLength);
    writeHead(new DataView(out.buffer), STATE_MAGIC, s);
    out.set(stream, STATE_HEADER);
    s.fresh.length = 0;
    return out;
  }

  /**
   * What changed in a symbol's state since its last record (little-endian): 'KBVD', u32 version 1, the
   * seven f64 fields of snapshotKey(), f64 m, the m VPIN values completed since (oldest first), then the
   * vpinStream snapshot without its CDF history: a few hundred bytes, whatever the history's length.
   */
  protected override deltaKey(key: string): Uint8Array {
    const s = this.state(key);
    const stream = s.stream.snapshot({ history: false });
    const m = s.fresh.length;
    const out = new Uint8Array(DELTA_HEAD + 8 * m + stream.byteLength);
    const view = new DataView(out.buffer);
    writeHead(view, DELTA_MAGIC, s);
    view.setFloat64(64, m, true);
    for (let i = 0; i < m; i++) view.setFloat64(DELTA_HEAD + 8 * i, s.fresh[i], true);
    out.set(stream, DELTA_HEAD + 8 * m);
    s.fresh.length = 0;
    return out;
  }

  /**
   * The settings that shape every symbol's state, stored with the checkpoints (EngineOptions.resetCheckpoints):
   * the resolved VPIN options, its classifier's options and the warm-up. None when the options vary by symbol.
   */
  protected override stateConfig(): StateConfig | undefined {
    if (this.perSymbol) return undefined;
    const options = this.optionsFor('');
    const params = resolveVpinOptions(options, true);
    const classifier = options.classifier;
    return {
      ...params,
      classifier: typeof classifier === 'object' ? JSON.stringify(classifier) : (classifier ?? 'bvc'),
      cdfWindow: params.cdfWindow === 0 ? 'all' : params.cdfWindow,
      warmup: this.warmup ?? -1,
    };
  }

  /**
   * Replaces a symbol's state with bytes from snapshotKey() and the deltaKey() bytes written after them
   * (KernelInputError when they are not).
   */
  protected override restoreKey(key: string, bytes: Uint8Array, _type?: string, deltas: readonly Uint8Array[] = []): void {
    this.restoreWhole(key, bytes);
    if (deltas.length === 0) return;
    const parts = deltas.map((d) => {
      if (!(d instanceof Uint8Array) || d.byteLength < DELTA_HEAD)
        throw new KernelInputError('bytes', 'a VpinEngine delta', describeValue(d));
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const m = view.getFloat64(64, true);
      if (view.getUint32(0, true) !== DELTA_MAGIC || view.getUint32(4, true) !== STATE_VERSION || !Number.isInteger(m) || m < 0) {
        throw new KernelInputError('bytes', 'a VpinEngine delta (version 1)', 'other bytes');
      }
      if (d.byteLength < DELTA_HEAD + 8 * m) throw new KernelInputError('bytes', 'a VpinEngine delta (version 1)', `${d.byteLength} bytes`);
      return { view, m, d };
    });
    const append = new Float64Array(parts.reduce((n, p) => n + p.m, 0));
    let at = 0;
    for (const { view, m } of parts) for (let i = 0; i < m; i++) append[at++] = view.getFloat64(DELTA_HEAD + 8 * i, true);
    const last = parts[parts.length - 1];
    const s = this.state(key);
    s.stream.restore(last.d.subarray(DELTA_HEAD + 8 * last.m), { append });
    readHead(last.view, s);
  }

  /** Replaces a symbol's state with bytes from snapshotKey() (KernelInputError when they are not). */
  private restoreWhole(key: string, bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength < STATE_HEADER) {
      throw new KernelInputError(
        'bytes',
        'a VpinEngine state',
        bytes instanceof Uint8Array ? `${bytes.byteLength} bytes` : describeValue(bytes),
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== STATE_MAGIC || view.getUint32(4, true) !== STATE_VERSION) {
      throw new KernelInputError('bytes', 'a VpinEngine state (version 1)', 'other bytes');
    }
    const s = this.state(key);
    s.stream.restore(bytes.subarray(STATE_HEADER));
    readHead(view, s);
    s.recent.clear();
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals, ...super.extraMetrics() };
  }

  /** Each symbol's latest state (read-only use: buckets, alerts, last vpin and cdf). */
  symbols(): ReadonlyMap<string, Readonly<VpinSymbolState>> {
    return this.states;
  }
}

/** The magic, the version and a symbol's seven f64 fields: a record's first 64 bytes. */
function writeHead(view: DataView, magic: number, s: VpinSymbolState): void {
  view.setUint32(0, magic, true);
  view.setUint32(4, STATE_VERSION, true);
  [s.buckets, s.alerts, s.vpin, s.cdf, s.alerting ? 1 : 0, s.lastTs, s.lastSentAt].forEach((x, i) => view.setFloat64(8 + 8 * i, x, true));
}

/** A symbol's seven fields from a record's first 64 bytes; its fresh values are in the record. */
function readHead(view: DataView, s: VpinSymbolState): void {
  const f = (i: number) => view.getFloat64(8 + 8 * i, true);
  s.buckets = f(0);
  s.alerts = f(1);
  s.vpin = f(2);
  s.cdf = f(3);
  s.alerting = f(4) === 1;
  s.lastTs = f(5);
  s.lastSentAt = f(6);
  s.fresh.length = 0;
}
