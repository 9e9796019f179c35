/**
 * A symbol's bars and indicators for a strategy, trade by trade: the features family's bar makers
 * (the state machines barStream() and FeaturesEngine run, mlfinlab's bars bit for bit) and the
 * indicators family's streams (TA-Lib's values bit for bit), with the last `history` bars of each
 * value kept in a ring for ctx.value(), the strategy's models run on each closed bar's values (./models.ts). A trade costs the maker's step and one comparison; nothing is
 * allocated until a bar closes.
 */
import { indicatorStream, type IndicatorStream } from '../api/indicator-stream.js';
import type { BarMaker } from '../simulation/bar-builder.js';
import { ImbalanceBarMaker, RunBarMaker } from '../simulation/information-bars.js';
import { barMaker } from '../simulation/standard-bars.js';
import { KernelInputError } from '../errors.js';
import {
  type BarOptions,
  type InformationBarOptions,
  resolveBarOptions,
  resolveInformationBarOptions,
} from '../kernels/features/features.js';
import { INFORMATION_BAR_OPTIONS } from '../kernels/features/features-kernels.js';
import { describeValue } from '../kernels/validate.js';
import { SessionClock } from '../replay/session.js';
import type { LoadedStrategyModel } from './models.js';
import type { Strategy, StrategyBar, StrategyBars } from './types.js';

const BAR_KEYS = ['type', 'by', 'threshold', 'session'];
const INFORMATION_KEYS = ['type', ...INFORMATION_BAR_OPTIONS, 'session'];

/** A bar maker for `spec` (as barStream() makes one); KernelInputError naming `argument` for a bad or unknown option. */
export function makeBarMaker(spec: StrategyBars, argument: string): BarMaker {
  if (typeof spec !== 'object' || spec === null) {
    throw new KernelInputError(
      argument,
      "bar options { by: 'time', threshold: 60000 } (or tick, volume, dollar bars)",
      describeValue(spec),
    );
  }
  const { type = 'bars', session: _, ...rest } = spec as StrategyBars & { type?: string };
  if (type !== 'bars' && type !== 'imbalanceBars' && type !== 'runBars') {
    throw new KernelInputError(`${argument}.type`, 'bars, imbalanceBars or runBars', describeValue(type));
  }
  const allowed = type === 'bars' ? BAR_KEYS : INFORMATION_KEYS;
  const unknown = Object.keys(spec).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new KernelInputError(`${argument}.${unknown}`, `one of ${allowed.join(', ')}`, 'an unknown bar option');
  try {
    if (type === 'bars') return barMaker(resolveBarOptions(rest as BarOptions));
    const params = resolveInformationBarOptions(rest as InformationBarOptions);
    return type === 'imbalanceBars' ? new ImbalanceBarMaker(params) : new RunBarMaker(params);
  } catch (error) {
    if (!(error instanceof KernelInputError)) throw error;
    throw new KernelInputError(`${argument}.${error.argument.replace(/^options\./, '')}`, error.expected, error.actual);
  }
}

/** The clock of `spec.session` (undefined without one); KernelInputError naming `argument`.session. */
export function barSession(spec: StrategyBars, argument: string): SessionClock | undefined {
  const session = (spec as { session?: unknown } | null)?.session;
  return session === undefined ? undefined : new SessionClock(session as string, `${argument}.session`);
}

/** SymbolBars' state (see state()). */
export interface SymbolBarsState {
  maker: Float64Array;
  indicators: Uint8Array[];
  ring: Float64Array;
  newest: number;
  trades: number;
  bars: number;
  /** The last trade's time, in the session or not (-Infinity: none; absent in states before sessions). */
  lastTs?: number;
}

/**
 * What changed in a symbol's bars since it had `since` bars (SymbolBars.change()): its state but the
 * history ring, of which only the `slots` entries written since (the newest last; at most the ring's
 * length), value by value: `rows[v * slots + j]`.
 */
export interface SymbolBarsChange extends Omit<SymbolBarsState, 'ring'> {
  slots: number;
  rows: Float64Array;
}

/**
 * `state` (a SymbolBars.state()) brought forward by `change` (a later SymbolBars.change() of the same
 * symbol), in place; KernelInputError naming `bytes` when the change does not fit the state's ring.
 */
export function applyBarsChange(state: SymbolBarsState, change: SymbolBarsChange): void {
  const c = (change ?? {}) as Partial<SymbolBarsChange>;
  const rows = c.rows instanceof Float64Array ? c.rows : undefined;
  const ring = state?.ring instanceof Float64Array ? state.ring : undefined;
  const slots = Number.isInteger(c.slots) && (c.slots as number) >= 0 ? (c.slots as number) : -1;
  const newest = typeof c.newest === 'number' ? c.newest : -1;
  const values = rows && slots > 0 ? rows.length / slots : 0;
  const h = ring && values > 0 ? ring.length / values : 0;
  const ok =
    rows !== undefined &&
    ring !== undefined &&
    slots >= 0 &&
    (slots === 0 ||
      (Number.isInteger(values) && Number.isInteger(h) && slots <= h && Number.isInteger(newest) && newest >= 0 && newest < h));
  if (!ok) throw new KernelInputError('bytes', "a change of a symbol's bars under this strategy's history", 'another one');
  for (let j = 0; j < slots; j++) {
    const at = (((newest - (slots - 1) + j) % h) + h) % h;
    for (let v = 0; v < values; v++) ring[v * h + at] = rows[v * slots + j];
  }
  state.maker = change.maker;
  state.indicators = change.indicators;
  state.newest = newest;
  state.trades = change.trades;
  state.bars = change.bars;
  state.lastTs = change.lastTs;
}

/**
 * Closed bars a symbol's bar maker keeps before closeBar() empties its rows: within the store V8 gives
 * an array at its first push (16 values), so a symbol holds no more than one bar's rows did.
 */
const ROWS_KEPT = 16;

/** One symbol's bars, indicators and their history. */
export class SymbolBars {
  readonly maker: BarMaker;
  private readonly indicators: IndicatorStream<unknown, number>[];
  /** Per indicator, its output keys (several) or undefined (one). */
  private readonly outputs: (string[] | undefined)[];
  /** values x history ring: value v's entry `back` bars ago at ring[v * history + (newest - back) mod history]. */
  private readonly ring: Float64Array;
  private readonly history: number;
  private newest = -1;
  /** Trades added (the makers' trade index). */
  trades = 0;
  /** Bars closed. */
  bars = 0;
  /** The last trade's time (in the session or not): the order every trade is checked against. */
  lastTs = Number.NEGATIVE_INFINITY;
  /** The bars' market hours (undefined: every trade). */
  private readonly session: SessionClock | undefined;
  /** The strategy's models, and a row of each (scratch). */
  private readonly models: readonly LoadedStrategyModel[];
  private readonly modelRows: Float64Array[];

  constructor(
    readonly symbol: string,
    strategy: Strategy<object>,
  ) {
    this.maker = makeBarMaker(strategy.bars, 'strategy.bars');
    this.session = barSession(strategy.bars, 'strategy.bars');
    const specs = Object.values(strategy.indicators ?? {});
    this.indicators = specs.map(
      ({ name, ...options }) => indicatorStream(name, options as never) as unknown as IndicatorStream<unknown, number>,
    );
    this.outputs = this.indicators.map((_, i) => {
      const names = strategy.valueNames.filter((n) => n.startsWith(`${Object.keys(strategy.indicators!)[i]}.`));
      return names.length > 0 ? names.map((n) => n.slice(n.indexOf('.') + 1)) : undefined;
    });
    this.history = strategy.history ?? 256;
    this.ring = new Float64Array(strategy.valueNames.length * this.history).fill(Number.NaN);
    this.models = strategy.loadedModels ?? [];
    this.modelRows = this.models.map((m) => new Float64Array(m.inputs.length));
  }

  /**
   * Adds one trade (its checks are the maker's: time not going back, finite price, volume >= 0) and
   * returns whether it closed a bar (then `lastBar()` reads it). Outside the session: none of them.
   */
  add(ts: number, price: number, volume: number): boolean {
    this.lastTs = ts;
    if (this.session !== undefined && this.session.at(ts) === undefined) return false;
    const before = this.maker.builder.count;
    this.maker.add(this.trades, ts, price, volume);
    this.trades++;
    return this.maker.builder.count !== before;
  }

  /** The bar the last add() closed, its indicators stepped and its values pushed into the history. */
  closeBar(): StrategyBar {
    const rows = this.maker.builder.rows;
    const last = rows[0].length - 1;
    // BAR_COLUMNS: ts, tickNum, open, high, low, close, volume, buyVolume, ticks, dollarValue
    const bar: StrategyBar = {
      symbol: this.symbol,
      ts: rows[0][last],
      open: rows[2][last],
      high: rows[3][last],
      low: rows[4][last],
      close: rows[5][last],
      volume: rows[6][last],
      index: this.bars++,
    };
    const buyVolume = rows[7][last];
    const ticks = rows[8][last];
    const dollarValue = rows[9][last];
    // the maker's closed rows are read here only (the last one): emptied every ROWS_KEPT bars, not at
    // each (an emptied array gives its memory back, and the next bar's ten pushes allocate it again)
    if (last + 1 >= ROWS_KEPT) for (const column of rows) column.length = 0;
    const h = this.history;
    const at = (this.newest = (this.newest + 1) % h);
    const ring = this.ring;
    ring[at] = bar.open;
    ring[h + at] = bar.high;
    ring[2 * h + at] = bar.low;
    ring[3 * h + at] = bar.close;
    ring[4 * h + at] = bar.volume;
    ring[5 * h + at] = buyVolume;
    ring[6 * h + at] = ticks;
    ring[7 * h + at] = dollarValue;
    let v = 8;
    for (let i = 0; i < this.indicators.length; i++) {
      const value = this.indicators[i].update(bar);
      const keys = this.outputs[i];
      if (keys === undefined) ring[v++ * h + at] = value as number;
      else for (const key of keys) ring[v++ * h + at] = (value as Record<string, number>)[key];
    }
    // each model on this bar's values (those before it), its outputs the next values
    for (let m = 0; m < this.models.length; m++) {
      const { model, inputs } = this.models[m];
      const row = this.modelRows[m];
      for (let f = 0; f < inputs.length; f++) row[f] = ring[inputs[f] * h + at];
      const y = model.predict(row);
      if (typeof y === 'number') ring[v++ * h + at] = y;
      else for (let c = 0; c < y.length; c++) ring[v++ * h + at] = y[c];
    }
    return bar;
  }

  /**
   * The symbol's bars as values (a checkpoint's part: StrategyRunner.snapshot()); `view`: the history
   * ring itself, not a copy (for a caller that packs it before the next trade: StrategyRunner.capture()).
   */
  state(view = false): SymbolBarsState {
    return {
      maker: Float64Array.from(this.maker.state()),
      indicators: this.indicators.map((x) => x.snapshot()),
      ring: view ? this.ring : this.ring.slice(),
      newest: this.newest,
      trades: this.trades,
      bars: this.bars,
      lastTs: this.lastTs,
    };
  }

  /**
   * What changed since the symbol had `since` bars (an incremental checkpoint's part): state() with only
   * the ring entries written since, so its size is the bar maker's and the indicators' state plus the
   * new bars' values, not the history's.
   */
  change(since: number): SymbolBarsChange {
    const h = this.history;
    const slots = Math.min(Math.max(0, this.bars - since), h);
    const values = this.ring.length / h;
    const rows = new Float64Array(values * slots);
    // each value's last `slots` ring entries, oldest first: one or two runs of the ring (it wraps)
    const first = (((this.newest - (slots - 1)) % h) + h) % h;
    const head = Math.min(slots, h - first);
    for (let v = 0; v < values; v++) {
      rows.set(this.ring.subarray(v * h + first, v * h + first + head), v * slots);
      if (head < slots) rows.set(this.ring.subarray(v * h, v * h + slots - head), v * slots + head);
    }
    return {
      maker: Float64Array.from(this.maker.state()),
      indicators: this.indicators.map((x) => x.snapshot()),
      newest: this.newest,
      trades: this.trades,
      bars: this.bars,
      lastTs: this.lastTs,
      slots,
      rows,
    };
  }

  /**
   * Replaces the state with state()'s, of a symbol of the same strategy (else KernelInputError naming
   * `bytes`; the bar maker is then left as it was only when its own check refused it).
   */
  restore(s: SymbolBarsState): void {
    const ok =
      s &&
      s.maker instanceof Float64Array &&
      Array.isArray(s.indicators) &&
      s.indicators.length === this.indicators.length &&
      s.ring instanceof Float64Array &&
      s.ring.length === this.ring.length &&
      [s.newest, s.trades, s.bars].every(Number.isInteger);
    if (!ok)
      throw new KernelInputError('bytes', `the bars of ${this.symbol} under this strategy's bars, indicators and history`, 'other ones');
    try {
      this.maker.setState(s.maker);
    } catch {
      throw new KernelInputError('bytes', `the bars of ${this.symbol} under this strategy's bars`, 'a truncated or damaged bar state');
    }
    s.indicators.forEach((bytes, i) => this.indicators[i].restore(bytes));
    this.ring.set(s.ring);
    this.newest = s.newest;
    this.trades = s.trades;
    this.bars = s.bars;
    this.lastTs = typeof s.lastTs === 'number' ? s.lastTs : this.maker.builder.lastTs;
  }

  /** Value `v`'s entry `back` bars ago (NaN before there were that many bars). */
  value(v: number, back: number): number {
    if (back >= this.bars) return Number.NaN;
    const h = this.history;
    return this.ring[v * h + ((((this.newest - back) % h) + h) % h)];
  }
}
