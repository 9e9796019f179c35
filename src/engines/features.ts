/**
 * FeaturesEngine: TRADE_EXECUTION batches -> per symbol, bars (barStream: time, tick, volume, dollar,
 * imbalance or run bars) -> a BAR message per bar closed, and a FEATURES_UPDATE with what the bar adds:
 * the day's realized variance so far, the rolling microstructure and range-volatility estimators over
 * the last `window` bars, and the indicators asked for. Each figure equals its batch kernel on the
 * symbol's history (bars(), realizedVariance(), rollMeasure(), rsi(), ...) bit for bit, with bounded
 * state: the bar maker's, the last window + 2 bars, the day's sums and the indicators' streams.
 */
import type { Bus } from '../bus/bus.js';
import { barStream, type BarStream, type BarStreamKind } from '../api/bar-stream.js';
import { indicatorStream, type IndicatorStream } from '../api/indicator-stream.js';
import { parseIndicators, type IndicatorRequest, type IndicatorSpec, type IndicatorSpecName } from '../api/indicator-spec.js';
import { KernelInputError, describeValue } from '../errors.js';
import type { BarOptions, Bars, InformationBarOptions, Trades } from '../kernels/features/features.js';
import { resolveRealized, type Session, type SessionParams } from '../kernels/features/realized.js';
import type { StateConfig } from './checkpoint-config.js';
import type { EngineOptions } from './engine.js';
import { TradeKeyedEngine } from './trade-keyed.js';
import { BarWindow, FEATURE_ESTIMATORS, type FeatureEstimator } from '../api/bar-window.js';
import { DayRealized } from './features-state.js';
import { RecentFrames } from './recent-frames.js';
import { decodeState, encodeState } from './state-codec.js';

/**
 * The bars a symbol's trades make: barStream's kind as `type` (default 'bars'; `kind` is the
 * information bars' own 'ema' | 'const') and its options.
 */
export type FeatureBars = ({ type?: 'bars' } & BarOptions) | ({ type: 'imbalanceBars' | 'runBars' } & InformationBarOptions);

/** FeaturesEngine's defaults. */
export const FEATURES_ENGINE_DEFAULTS = {
  /** One-minute time bars. */
  bars: { type: 'bars', by: 'time', threshold: 60_000 } as FeatureBars,
  /** Bars in each rolling estimate (mlfinlab's window). */
  window: 20,
} as const;

/** Options of FeaturesEngine. */
export interface FeaturesEngineOptions extends Partial<EngineOptions> {
  /**
   * The bars: `{ by: 'time' | 'tick' | 'volume' | 'dollar', threshold }` (bars()), or `{ type:
   * 'imbalanceBars' | 'runBars', by, ... }` (their options), for every symbol or a function giving them per symbol (a
   * dollar threshold scaled to the symbol's turnover). Default one-minute time bars.
   */
  bars?: FeatureBars | ((key: string) => FeatureBars);
  /** Bars in the rolling estimators' window (an integer >= 2). Default 20. */
  window?: number;
  /** The estimators published (FEATURE_ESTIMATORS' names). Default all of them. */
  estimators?: readonly FeatureEstimator[];
  /**
   * Indicators of the bars, published under their output names (`rsi`, `macd_signal`, `rsi_21`):
   * `'rsi,macd(fastPeriod=8)'` or `[{ name: 'macd', options: { fastPeriod: 8 } }]`. Default none.
   */
  indicators?: string | readonly (IndicatorSpecName | IndicatorRequest)[];
  /** The day of the realized variance: realizedVariance()'s session. Default the UTC day. */
  session?: Session;
  /** Input type. Default 'TRADE_EXECUTION'. */
  input?: string;
  /** As VpinEngineOptions.maxFutureMs: a frame stamped further ahead of the clock is refused. Default 5000. */
  maxFutureMs?: number;
}

/** Payload of BAR (key: the symbol; ts: the bar's): one bar, bars()' columns as numbers. */
export interface FeatureBar {
  /** 0-based bar number of the symbol. */
  bar: number;
  ts: number;
  /**
   * 1-based position among the symbol's trades the engine read of the trade that closed the bar: its
   * last one, or for time bars the next bar's first (mlfinlab's TimeBars, as `bars()` gives it).
   */
  tickNum: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  buyVolume: number;
  ticks: number;
  dollarValue: number;
}

/** Payload of FEATURES_UPDATE (key: the symbol; ts: the bar's): what the bar adds. */
export interface FeaturesUpdate {
  source: 'features';
  engine: string;
  /** The bar (BAR's `bar`) and its time. */
  bar: number;
  ts: number;
  /** The session's day of the last trade kept, `YYYY-MM-DD` ('' before any). */
  day: string;
  /** Its trades kept so far, and over them: realizedVariance(), sqrt of it, bipowerVariation(). */
  dayTrades: number;
  realizedVariance: number;
  realizedVolatility: number;
  bipowerVariation: number;
  /** Each estimator's value at this bar (NaN before its first valid bar); Corwin-Schultz as corwinSchultzSpread and corwinSchultzSigma. */
  estimators: Record<string, number>;
  /** Each indicator output's value at this bar. */
  indicators: Record<string, number>;
}

/** A symbol's state. */
export interface FeaturesSymbolState {
  bars: BarStream;
  /** Time bars (each closed by the next bar's first trade). */
  timeBars: boolean;
  window: BarWindow;
  day: DayRealized;
  indicators: IndicatorStream<unknown, number>[];
  /** The last bar and FEATURES_UPDATE published (undefined before the first). */
  lastBar: FeatureBar | undefined;
  lastUpdate: FeaturesUpdate | undefined;
  lastTs: number;
  lastSentAt: number;
  recent: RecentFrames;
}

const MAGIC = 0x4546424b; // 'KBFE' read as little-endian u32
const VERSION = 2;
const HEADS = 3;
const DAY_VALUES = DayRealized.VALUES;

/**
 * Features per symbol from the trade stream (see the file's header). Over Redis its state is
 * checkpointed like the VPIN engine's (record 'KBFE' version 2; the configuration stored with it): a
 * BAR and its FEATURES_UPDATE are identified by (key, bar), and one may be published again after a
 * takeover, always with the same values. The bar still open at the end of data is not published, as
 * bars() drops it.
 */
export class FeaturesEngine extends TradeKeyedEngine<FeaturesSymbolState> {
  protected readonly inputs: readonly string[];
  private readonly barsFor: (key: string) => FeatureBars;
  private readonly perSymbol: boolean;
  private readonly window: number;
  private readonly estimators: readonly FeatureEstimator[];
  private readonly indicators: IndicatorSpec[];
  private readonly session: SessionParams;
  private totals = { bars: 0, trades: 0 };

  /** Checks the options (a fixed `bars` option by making a stream; a per-symbol one on first use). */
  constructor(bus: Bus, options: FeaturesEngineOptions = {}) {
    super(bus, { ...options, name: options?.name ?? 'features' });
    const bars = options.bars ?? FEATURES_ENGINE_DEFAULTS.bars;
    if (typeof bars !== 'function' && (typeof bars !== 'object' || bars === null)) {
      throw new KernelInputError(
        'options.bars',
        'bar options { by, threshold } or a function of the key returning them',
        describeValue(bars),
      );
    }
    this.perSymbol = typeof bars === 'function';
    this.barsFor = typeof bars === 'function' ? bars : () => bars;
    this.window = options.window ?? FEATURES_ENGINE_DEFAULTS.window;
    if (!Number.isInteger(this.window) || this.window < 2 || this.window > 100_000) {
      throw new KernelInputError('options.window', 'an integer in [2, 100000]', describeValue(options.window));
    }
    const estimators = options.estimators ?? FEATURE_ESTIMATORS;
    if (!Array.isArray(estimators) || estimators.some((e) => !FEATURE_ESTIMATORS.includes(e))) {
      throw new KernelInputError('options.estimators', `a list of ${FEATURE_ESTIMATORS.join(', ')}`, describeValue(estimators));
    }
    this.estimators = [...new Set(estimators)];
    this.indicators = parseIndicators(options.indicators ?? [], 'options.indicators');
    this.session = resolveRealized(new Float64Array(0), { ts: new Float64Array(0), session: options.session });
    this.inputs = [options.input ?? 'TRADE_EXECUTION'];
    // bad bar or indicator options fail here, not at the first trade
    if (!this.perSymbol) this.makeBars('');
    for (const spec of this.indicators) indicatorStream(spec.name, spec.options);
  }

  private makeBars(key: string): BarStream {
    const { type = 'bars', ...rest } = this.barsFor(key) as FeatureBars & { type?: BarStreamKind };
    if (type === 'bars') return barStream('bars', rest as BarOptions);
    return barStream(type, rest as InformationBarOptions);
  }

  protected newState(key: string): FeaturesSymbolState {
    const spec = this.barsFor(key) as FeatureBars & { type?: BarStreamKind };
    return {
      bars: this.makeBars(key),
      timeBars: (spec.type ?? 'bars') === 'bars' && spec.by === 'time',
      window: new BarWindow(this.window),
      day: new DayRealized(this.session),
      indicators: this.indicators.map((spec) => indicatorStream(spec.name, spec.options) as IndicatorStream<unknown, number>),
      lastBar: undefined,
      lastUpdate: undefined,
      lastTs: -Infinity,
      lastSentAt: -Infinity,
      recent: new RecentFrames(),
    };
  }

  /**
   * A frame's good trades to its symbol's bars, day and estimators (TradeKeyedEngine.process: frames
   * stamped in the future refused, frames applied before skipped as `republished`, a trade that breaks
   * the trade rule, such as a price not > 0 that a log return cannot take, left out and counted).
   */
  protected applyTrades(key: string, s: FeaturesSymbolState, trades: Trades): void {
    const { ts, price } = trades;
    const before = s.bars.tradeCount + (s.timeBars ? 1 : 0);
    const bars = s.bars.update(trades);
    // the day's sums reach each bar's last trade before the bar is published (a time bar's tickNum is
    // the trade that closed it, the next bar's first: mlfinlab's TimeBars)
    let next = 0;
    for (let j = 0; j < bars.ts.length; j++) {
      const end = bars.tickNum[j] - before;
      for (; next < end; next++) s.day.add(ts[next], price[next]);
      this.publishBar(key, s, bars, j);
    }
    for (; next < ts.length; next++) s.day.add(ts[next], price[next]);
    this.totals.trades += ts.length;
  }

  private publishBar(key: string, s: FeaturesSymbolState, b: Bars, j: number): void {
    const bar: FeatureBar = {
      bar: s.window.count,
      ts: b.ts[j],
      tickNum: b.tickNum[j],
      open: b.open[j],
      high: b.high[j],
      low: b.low[j],
      close: b.close[j],
      volume: b.volume[j],
      buyVolume: b.buyVolume[j],
      ticks: b.ticks[j],
      dollarValue: b.dollarValue[j],
    };
    s.window.push(bar);
    const indicators: Record<string, number> = {};
    this.indicators.forEach((spec, i) => {
      const v = s.indicators[i].update(bar) as number | Record<string, number>;
      for (const [output, column] of spec.columns) indicators[column] = typeof v === 'number' ? v : v[output];
    });
    const day = s.day;
    const update: FeaturesUpdate = {
      source: 'features',
      engine: this.name,
      bar: bar.bar,
      ts: bar.ts,
      day: Number.isNaN(day.day) ? '' : new Date(day.day).toISOString().slice(0, 10),
      dayTrades: day.trades,
      realizedVariance: day.rv,
      realizedVolatility: Math.sqrt(day.rv),
      bipowerVariation: day.bipowerVariation,
      estimators: s.window.estimate(this.estimators),
      indicators,
    };
    s.lastBar = bar;
    s.lastUpdate = update;
    this.totals.bars++;
    this.emit('BAR', { key, ts: bar.ts, payload: bar });
    this.emit('FEATURES_UPDATE', { key, ts: bar.ts, payload: update });
  }

  /**
   * A symbol's state as bytes ('KBFE' version 2, state-codec's layout): lastTs, lastSentAt and the
   * bars published in the head; the bar stream's and the indicator streams' snapshots (base64) in the
   * JSON; the day's sums and the window's bars as values.
   */
  protected override snapshotKey(key: string): Uint8Array {
    const s = this.state(key);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return encodeState(
      MAGIC,
      VERSION,
      [s.lastTs, s.lastSentAt, s.window.count],
      { bars: b64(s.bars.snapshot()), indicators: s.indicators.map((x) => b64(x.snapshot())) },
      [...s.day.state(), ...s.window.state()],
    );
  }

  /** Replaces a symbol's state with bytes from snapshotKey() (KernelInputError naming `bytes` when they are not). */
  protected override restoreKey(key: string, bytes: Uint8Array): void {
    const { head, json, values } = decodeState(bytes, MAGIC, VERSION, HEADS, 'FeaturesEngine');
    const parts = json as { bars?: unknown; indicators?: unknown };
    const blobs = Array.isArray(parts?.indicators) ? parts.indicators : [];
    if (typeof parts?.bars !== 'string' || blobs.length !== this.indicators.length || !blobs.every((x) => typeof x === 'string')) {
      throw new KernelInputError('bytes', `a FeaturesEngine state (version ${VERSION}) of this configuration`, 'other parts');
    }
    const fresh = this.state(key);
    const window = new BarWindow(this.window);
    if (values.length < DAY_VALUES || !window.restore(values.subarray(DAY_VALUES)) || window.count !== head[2]) {
      throw new KernelInputError('bytes', `a FeaturesEngine state (version ${VERSION}) with a window of ${this.window}`, 'another window');
    }
    const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
    // each part restored into a new stream first: a bad one leaves the symbol as it was
    const bars = this.makeBars(key);
    bars.restore(bytesOf(parts.bars));
    const indicators = this.indicators.map((spec, i) => {
      const x = indicatorStream(spec.name, spec.options) as IndicatorStream<unknown, number>;
      x.restore(bytesOf(blobs[i] as string));
      return x;
    });
    const day = new DayRealized(this.session);
    day.restore(values.subarray(0, DAY_VALUES));
    Object.assign(fresh, { bars, window, day, indicators, lastTs: head[0], lastSentAt: head[1] });
    fresh.recent.clear();
  }

  /** The settings that shape every symbol's state; none when the bars vary by symbol. */
  protected override stateConfig(): StateConfig | undefined {
    if (this.perSymbol) return undefined;
    return {
      bars: JSON.stringify(this.barsFor('')),
      window: this.window,
      estimators: this.estimators.join(','),
      indicators: JSON.stringify(this.indicators.map(({ name, options }) => ({ name, options }))),
      session: JSON.stringify(this.session),
    };
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals, ...super.extraMetrics() };
  }

  /** Each symbol's state (read-only use: the last bar and FEATURES_UPDATE, the day's sums). */
  symbols(): ReadonlyMap<string, Readonly<FeaturesSymbolState>> {
    return this.states;
  }
}
