/**
 * An account's margin as the pre-trade checks and the Collateral engine both compute it (docs/margin.md,
 * "Accounts"): the same code in a backtest, in the Strategy engine and in the Collateral engine, driven by
 * event time only, so the same trades give the same margin.
 *
 * - **Returns.** At each boundary of `every` (UTC multiples of it: a day, an hour, a minute, or any ms)
 *   the first trade at or past it records each symbol's last price before it: a row of closes. Simple
 *   returns of consecutive rows, at most `window` of them, are the history.
 * - **Scenarios** are rebuilt at each row (the `--rescenario` cadence): filteredScenarios' EWMA over the
 *   last T returns common to the symbols that have at least `seed + horizon` finite ones (T the shortest
 *   such run, at most `window`); those symbols are "covered", but one whose first `seed` returns of the
 *   T are all 0 (a first variance of 0: its next move would be an infinite scenario).
 * - **Initial margin** of exposures e (units x last price, currency): initialMargin's ES (or VaR) of the
 *   covered symbols' P&L over the scenarios, plus `fallbackRate` x |e| for each symbol not covered (too
 *   little history yet).
 * - **Collateral** = equity less each position's haircut: cash + sum e[k] - sum haircut[k] |e[k]|.
 */
import { installEveryBackend } from '../api/every-backend.js';
import { kernels, type Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import type { MarginBook } from '../kernels/margin/margin-book.js';
import type { Matrix } from '../kernels/matrix.js';
import { describeValue } from '../kernels/validate.js';

/** How an account is margined (an accounts file's `margin`, RunnerOptions' `margin`). */
export interface MarginSettings {
  /** Haircut per symbol, a fraction in [0, 1) of |exposure| taken off the collateral: one for all, or `{ AAPL: 0.15, '*': 0.1 }`. Default 0. */
  haircuts?: number | Readonly<Record<string, number>>;
  /** The returns' interval and the rescenario cadence: 'daily' (default), 'hourly', 'minute' or ms. */
  every?: 'daily' | 'hourly' | 'minute' | number;
  /** Returns kept (the scenarios' look-back). Default 250. */
  window?: number;
  /** filteredScenarios' EWMA decay. Default 0.94. */
  lambda?: number;
  /** filteredScenarios' first-variance returns. Default 20. */
  seed?: number;
  /** Intervals a scenario spans (the holding period). Default 1. */
  horizon?: number;
  /** filteredScenarios' floor on today's volatility. Default 0. */
  volFloor?: number;
  /** Default 0.99. */
  confidence?: number;
  /** 'es' (default) or 'var'. */
  measure?: 'es' | 'var';
  /** Margin as a fraction of |exposure| of a symbol without the history for scenarios. Default 0.25. */
  fallbackRate?: number;
}

/** MarginSettings checked and defaulted. */
export interface ResolvedMargin {
  haircuts: number | Readonly<Record<string, number>>;
  every: number;
  window: number;
  lambda: number;
  seed: number;
  horizon: number;
  volFloor: number;
  confidence: number;
  measure: 'es' | 'var';
  fallbackRate: number;
}

const EVERY: Readonly<Record<string, number>> = { daily: 86_400_000, hourly: 3_600_000, minute: 60_000 };
const KEYS = ['haircuts', 'every', 'window', 'lambda', 'seed', 'horizon', 'volFloor', 'confidence', 'measure', 'fallbackRate'];

/** `settings` checked and defaulted; KernelInputError naming `<at>.<field>`. */
export function resolveMargin(settings: MarginSettings, at = 'options.margin'): ResolvedMargin {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new KernelInputError(at, 'an object of margin settings', describeValue(settings));
  }
  const unknown = Object.keys(settings).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw new KernelInputError(`${at}.${unknown}`, `one of ${KEYS.join(', ')}`, 'an unknown setting');
  const num = (name: keyof MarginSettings, fallback: number, ok: (x: number) => boolean, expected: string): number => {
    const x = settings[name] ?? fallback;
    if (typeof x !== 'number' || !ok(x)) throw new KernelInputError(`${at}.${name}`, expected, describeValue(x));
    return x;
  };
  const int = (lo: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= 1e6;
  const haircut = (x: unknown) => typeof x === 'number' && x >= 0 && x < 1;
  const haircuts = settings.haircuts ?? 0;
  const map = typeof haircuts === 'object' && haircuts !== null && !Array.isArray(haircuts);
  if (!haircut(haircuts) && !map) {
    throw new KernelInputError(`${at}.haircuts`, "a haircut in [0, 1), or { <symbol>: haircut, '*': haircut }", describeValue(haircuts));
  }
  if (map) {
    const bad = Object.entries(haircuts).find(([, h]) => !haircut(h));
    if (bad) throw new KernelInputError(`${at}.haircuts.${bad[0]}`, 'a haircut in [0, 1)', describeValue(bad[1]));
  }
  const every = settings.every ?? 'daily';
  const ms = typeof every === 'string' ? EVERY[every] : every;
  if (!(typeof ms === 'number' && Number.isInteger(ms) && ms >= 1)) {
    throw new KernelInputError(`${at}.every`, "'daily', 'hourly', 'minute' or an integer of ms >= 1", describeValue(every));
  }
  const measure = settings.measure ?? 'es';
  if (measure !== 'es' && measure !== 'var') throw new KernelInputError(`${at}.measure`, "'es' or 'var'", describeValue(measure));
  const seed = num('seed', 20, int(1), 'an integer in [1, 1e6]');
  const horizon = num('horizon', 1, int(1), 'an integer in [1, 1e6]');
  const window = num('window', 250, int(1), 'an integer in [1, 1e6]');
  if (window < seed + horizon) throw new KernelInputError(`${at}.window`, `at least seed + horizon (${seed + horizon})`, String(window));
  return {
    haircuts,
    every: ms,
    window,
    lambda: num('lambda', 0.94, (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    seed,
    horizon,
    volFloor: num('volFloor', 0, (x) => Number.isFinite(x) && x >= 0, 'a finite number >= 0'),
    confidence: num('confidence', 0.99, (x) => x > 0 && x < 1, 'a number in (0, 1)'),
    measure,
    fallbackRate: num('fallbackRate', 0.25, (x) => Number.isFinite(x) && x >= 0, 'a finite number >= 0'),
  };
}

/** A MarginModel's state for a checkpoint: the rows of closes and the next boundary (the scenarios are made again from them). */
export interface MarginModelState {
  rows: Float64Array[];
  next: number;
}

let shared: Kernels | undefined;

/** The margin of one account over its symbols (by index, as the caller's account numbers them). */
export class MarginModel {
  /** Rows of closes, oldest first (a row as long as the symbols known at its time). */
  private rows: Float64Array[] = [];
  /** The next boundary: a trade at or past it records a row. */
  next = Number.NEGATIVE_INFINITY;
  /** Each symbol's column in the scenarios, -1 when not covered. */
  private column = new Int32Array(0);
  private book: MarginBook | undefined;
  /** Exposures of the covered symbols (the book's positions), reused. */
  private covered = new Float64Array(0);
  private readonly haircutOf: (symbol: string) => number;

  constructor(readonly settings: ResolvedMargin) {
    const h = settings.haircuts;
    this.haircutOf = typeof h === 'number' ? () => h : (symbol) => h[symbol] ?? h['*'] ?? 0;
  }

  /** Whether a trade at `ts` crosses the next boundary (then call roll()). */
  due(ts: number): boolean {
    return ts >= this.next;
  }

  /**
   * At the first trade at or past the boundary: a row of the `n` symbols' last prices, the scenarios made
   * again; returns whether a row was recorded (not at the first trade, which only sets the boundary).
   */
  roll(ts: number, lastPrice: Float64Array, n: number): boolean {
    const every = this.settings.every;
    const first = this.next === Number.NEGATIVE_INFINITY;
    this.next = (Math.floor(ts / every) + 1) * every;
    if (first) return false;
    this.rows.push(lastPrice.slice(0, n));
    if (this.rows.length > this.settings.window + 1) this.rows.shift();
    this.rescenario(n);
    return true;
  }

  /** The scenarios from the rows (see the module's comment). */
  private rescenario(n: number): void {
    const { rows } = this;
    const { seed, horizon, window } = this.settings;
    const T = rows.length - 1;
    const ret = (t: number, k: number) => (rows[t + 1][k] ?? Number.NaN) / (rows[t][k] ?? Number.NaN) - 1;
    // each symbol's run of finite returns up to the last row
    const runs = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      let t = T - 1;
      while (t >= 0 && Number.isFinite(ret(t, k))) t--;
      runs[k] = T - 1 - t;
    }
    this.column = new Int32Array(n).fill(-1);
    let length = window;
    for (let k = 0; k < n; k++) if (runs[k] >= seed + horizon) length = Math.min(length, runs[k]);
    // covered: enough finite returns, and a first variance > 0 (a price that has not moved in the first
    // `seed` returns of the window would make its next move an infinite scenario)
    let cols = 0;
    for (let k = 0; k < n; k++) {
      if (runs[k] < seed + horizon) continue;
      let moved = false;
      for (let t = T - length; t < T - length + seed && !moved; t++) moved = ret(t, k) !== 0;
      if (moved) this.column[k] = cols++;
    }
    this.covered = new Float64Array(cols);
    this.book = undefined;
    if (cols === 0) return;
    const data = new Float64Array(length * cols);
    for (let t = 0; t < length; t++) {
      for (let k = 0; k < n; k++) if (this.column[k] >= 0) data[t * cols + this.column[k]] = ret(T - length + t, k);
    }
    if (!shared) {
      installEveryBackend();
      shared = kernels();
    }
    const returns: Matrix = { data, rows: length, cols };
    const scenarios = shared.filteredScenarios(returns, {
      lambda: this.settings.lambda,
      seed,
      horizon,
      volFloor: this.settings.volFloor,
    });
    this.book = shared.marginBook(scenarios, { confidence: this.settings.confidence, measure: this.settings.measure });
  }

  /** The haircut of `symbol`. */
  haircut(symbol: string): number {
    return this.haircutOf(symbol);
  }

  /** Collateral: equity less the haircuts of exposures `e` (`n` symbols). */
  collateral(equity: number, e: Float64Array, symbols: readonly string[]): number {
    let c = equity;
    for (let k = 0; k < symbols.length; k++) if (e[k] !== 0) c -= this.haircutOf(symbols[k]) * Math.abs(e[k]);
    return c;
  }

  /** The initial margin of exposures `e` (`n` symbols): the book set to them, for marginal() and apply(). */
  set(e: Float64Array, n: number): number {
    let fallback = 0;
    for (let k = 0; k < n; k++) {
      const c = k < this.column.length ? this.column[k] : -1;
      if (c >= 0) this.covered[c] = e[k];
      else fallback += Math.abs(e[k]);
    }
    this.fallback = fallback;
    this.margin = this.settings.fallbackRate * fallback + (this.book ? this.book.set(this.covered) : 0);
    return this.margin;
  }

  /** The margin set() or apply() left. */
  margin = 0;
  /** Sum |e| of the symbols not covered, as set() left it. */
  private fallback = 0;

  /** The margin with `value` added to symbol `k`'s exposure `e`, less the margin now (the book unchanged). */
  marginal(k: number, e: number, value: number): number {
    const c = k < this.column.length ? this.column[k] : -1;
    if (c >= 0) return this.book!.marginal({ instrument: c, value });
    return this.settings.fallbackRate * (Math.abs(e + value) - Math.abs(e));
  }

  /** The book moved by `value` on symbol `k` (exposure `e` before): the new margin. */
  apply(k: number, e: number, value: number): number {
    const c = k < this.column.length ? this.column[k] : -1;
    if (c >= 0) {
      const covered = this.book!.apply({ instrument: c, value });
      this.margin = this.settings.fallbackRate * this.fallback + covered;
    } else {
      this.fallback += Math.abs(e + value) - Math.abs(e);
      this.margin = this.settings.fallbackRate * this.fallback + (this.book ? this.book.margin : 0);
    }
    return this.margin;
  }

  /** The rows and the next boundary (copies). */
  state(): MarginModelState {
    return { rows: this.rows.map((r) => r.slice()), next: this.next };
  }

  /** Replaces the state with state()'s, the scenarios made again from the rows. */
  restore(s: MarginModelState, n: number): void {
    this.rows = s.rows.map((r) => r.slice());
    this.next = s.next;
    this.book = undefined;
    this.column = new Int32Array(0);
    if (this.rows.length >= 2) this.rescenario(n);
  }
}
