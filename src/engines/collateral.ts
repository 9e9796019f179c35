/**
 * CollateralEngine (issue 92, docs/margin.md "The Collateral engine"): ORDER_FILL and TRADE_EXECUTION
 * -> MARGIN_UPDATE and MARGIN_CALL per account of an accounts file (src/strategy/accounts.ts).
 *
 * An account holds the fills of its strategies: cash (its `cash` plus each fill's -units x price - fees)
 * and a position per symbol with its average entry price. Trades mark the positions (a symbol not traded
 * yet is marked at its last fill) and give the margin's returns: each account's MarginModel
 * (src/strategy/margin.ts, the code the pre-trade checks run) records the last prices at each boundary
 * of its `every` and rebuilds its scenarios. Then:
 *
 * - after each fill, and at each boundary, MARGIN_UPDATE `{ account, ts, initialMargin, variationMargin,
 *   collateral, excess }` (variationMargin: the open positions' P&L at the marks, (mark - entry) x units);
 * - whenever the account is margined (those times, and as its symbols trade, at most once a `markMs` of
 *   event time), MARGIN_CALL `{ account, ts, initialMargin, collateral, excess, status: 'open' }` when the
 *   excess falls below 0, once per breach, and `status: 'cleared'` when it is back at 0 or more.
 *
 * Fills are at least once on the bus (a strategy engine restarted publishes some again, identical):
 * each (strategy, symbol) keeps its last fill time and the ids at that time, so a fill older than that,
 * or seen at it, is counted once. A fill of a strategy no account names is refused (KernelInputError:
 * dead-lettered with the reason). The state (accounts, marks, margin history, the fills' marks) is one
 * whole, checkpointed over Redis as the Strategy engine's, so a kill -9 loses nothing acknowledged.
 */
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import { ColumnScratch } from '../kernels/frame-trades.js';
import type { Trades } from '../kernels/trades.js';
import { entryAfter } from '../strategy/account.js';
import type { Account, Accounts } from '../strategy/accounts.js';
import { MarginModel, type MarginModelState, resolveMargin } from '../strategy/margin.js';
import { packStructured, unpackStructured } from '../strategy/runner-state.js';
import type { StrategyFill } from '../strategy/types.js';
import type { StateConfig } from './checkpoint-config.js';
import { Engine, type EngineOptions } from './engine.js';

/** Options of CollateralEngine. */
export interface CollateralEngineOptions extends Partial<EngineOptions> {
  /** The accounts (loadAccounts()). */
  accounts: Accounts;
  /** Every account's `every` (the returns' interval and the scenarios' rebuild), over the file's. */
  rescenario?: 'daily' | 'hourly' | 'minute' | number;
  /** Event-time ms between two margin evaluations of an account on its symbols' trades. Default 1000. */
  markMs?: number;
  /** The trades' type. Default 'TRADE_EXECUTION'. */
  input?: string;
}

/** MARGIN_UPDATE's payload. */
export interface MarginUpdate {
  account: string;
  ts: number;
  initialMargin: number;
  variationMargin: number;
  collateral: number;
  excess: number;
}

/** MARGIN_CALL's payload. */
export interface MarginCall {
  account: string;
  ts: number;
  initialMargin: number;
  collateral: number;
  excess: number;
  status: 'open' | 'cleared';
}

/** One account's book (its checkpointed part). */
interface Book {
  cash: number;
  /** Per global symbol index: units, average entry price (NaN when flat). */
  units: number[];
  entry: number[];
  call: boolean;
  /** Event time of the last margin evaluation. */
  evaluatedAt: number;
}

/** The engine's whole state, as checkpointed. */
interface CollateralState {
  symbols: string[];
  marks: number[];
  books: Book[];
  margins: MarginModelState[];
  /** `<strategy>\0<symbol>` -> [last fill time, the ids at that time]. */
  fills: [string, number, string[]][];
  /** Fills skipped as seen before. */
  repeated: number;
}

/** Accounts margined from their strategies' fills and the trades (see the module's comment). */
export class CollateralEngine extends Engine {
  protected readonly inputs: readonly string[];
  private readonly input: string;
  private readonly accounts: readonly Account[];
  private readonly byStrategy = new Map<string, number>();
  private readonly markMs: number;
  private readonly config: StateConfig;
  private readonly scratch = new ColumnScratch();
  private symbols: string[] = [];
  private index = new Map<string, number>();
  private marks = new Float64Array(8).fill(Number.NaN);
  private books: Book[];
  private margins: MarginModel[];
  private fills = new Map<string, { ts: number; ids: string[] }>();
  private repeated = 0;
  private updates = 0;
  private calls = 0;
  /** The exposures of the account being margined (global symbol indexes), reused. */
  private exposure = new Float64Array(8);

  /** Checks the options (KernelInputError naming the option). */
  constructor(bus: Bus, options: CollateralEngineOptions) {
    const { accounts, rescenario, markMs = 1000, input = 'TRADE_EXECUTION', ...engine } = options ?? ({} as CollateralEngineOptions);
    super(bus, { ...engine, name: engine.name ?? 'collateral' });
    if (!Array.isArray(accounts?.accounts) || accounts.accounts.length === 0) {
      throw new KernelInputError('options.accounts', 'the accounts of an accounts file (loadAccounts())', describeValue(accounts));
    }
    if (!(typeof markMs === 'number' && markMs >= 0 && Number.isFinite(markMs))) {
      throw new KernelInputError('options.markMs', 'a finite number >= 0', describeValue(markMs));
    }
    this.markMs = markMs;
    this.input = input;
    this.inputs = [input, 'ORDER_FILL'];
    this.accounts = accounts.accounts.map((a) => ({
      ...a,
      margin: { ...a.margin, ...(rescenario === undefined ? {} : { every: rescenario }) },
    }));
    this.accounts.forEach((a, i) => {
      for (const s of a.strategies) this.byStrategy.set(s, i);
    });
    this.margins = this.accounts.map((a, i) => new MarginModel(resolveMargin(a.margin, `accounts[${i}].margin`)));
    this.books = this.accounts.map((a) => ({ cash: a.cash, units: [], entry: [], call: false, evaluatedAt: Number.NEGATIVE_INFINITY }));
    this.config = { accounts: JSON.stringify(this.accounts), input };
  }

  /** The symbol's global index, registered at first sight. */
  private symbolIndex(symbol: string): number {
    let k = this.index.get(symbol);
    if (k === undefined) {
      k = this.symbols.length;
      this.symbols.push(symbol);
      this.index.set(symbol, k);
      if (this.marks.length <= k) {
        const grown = new Float64Array(2 * this.marks.length).fill(Number.NaN);
        grown.set(this.marks);
        this.marks = grown;
        this.exposure = new Float64Array(grown.length);
      }
      for (const b of this.books) {
        b.units.push(0);
        b.entry.push(Number.NaN);
      }
    }
    return k;
  }

  protected process(message: BusMessage): void {
    if (message.type === this.input) this.trades(message.key, this.scratch.of(message.payload as Trades));
    else this.fill(message.payload as StrategyFill);
    this.stateChanged(message.key);
  }

  /** A frame of one symbol's trades: the marks, the boundaries of each account's margin, the margin calls. */
  private trades(symbol: string, t: Trades): void {
    const k = this.symbolIndex(symbol);
    const n = t.ts.length;
    for (let i = 0; i < n; i++) {
      const ts = t.ts[i];
      const price = t.price[i];
      if (!(Number.isFinite(ts) && price > 0)) continue;
      for (let a = 0; a < this.margins.length; a++) {
        const m = this.margins[a];
        if (ts >= m.next && m.roll(ts, this.marks, this.symbols.length) && this.holds(a)) this.margin(a, ts, true);
      }
      this.marks[k] = price;
    }
    if (n === 0) return;
    const last = t.ts[n - 1];
    for (let a = 0; a < this.books.length; a++) {
      const b = this.books[a];
      if (b.units[k] !== 0 && last - b.evaluatedAt >= this.markMs) this.margin(a, last, false);
    }
  }

  /** Whether account `a` holds a position. */
  private holds(a: number): boolean {
    return this.books[a].units.some((u) => u !== 0);
  }

  /** A fill: its account's cash and position (once by id), then its margin. */
  private fill(f: StrategyFill): void {
    const ok =
      typeof f === 'object' &&
      f !== null &&
      typeof f.id === 'string' &&
      typeof f.strategy === 'string' &&
      typeof f.symbol === 'string' &&
      [f.ts, f.units, f.price, f.fees].every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!ok) throw new KernelInputError('ORDER_FILL', '{ id, strategy, symbol, ts, units, price, fees } (finite)', describeValue(f));
    const a = this.byStrategy.get(f.strategy);
    if (a === undefined)
      throw new KernelInputError('ORDER_FILL.strategy', 'a strategy of an account of the accounts file', JSON.stringify(f.strategy));
    const key = `${f.strategy}\u0000${f.symbol}`;
    const seen = this.fills.get(key);
    if (seen && (f.ts < seen.ts || (f.ts === seen.ts && seen.ids.includes(f.id)))) {
      this.repeated++;
      return;
    }
    if (seen && f.ts === seen.ts) seen.ids.push(f.id);
    else this.fills.set(key, { ts: f.ts, ids: [f.id] });
    const k = this.symbolIndex(f.symbol);
    const b = this.books[a];
    b.cash += -f.units * f.price - f.fees;
    const after = b.units[k] + f.units;
    b.entry[k] = entryAfter(b.units[k], after, f.units, b.entry[k], f.price);
    b.units[k] = after;
    if (!(this.marks[k] > 0)) this.marks[k] = f.price;
    this.margin(a, f.ts, true);
  }

  /** Account `a`'s figures at the marks now (its margin book set to them). */
  private measure(a: number, ts: number): MarginUpdate {
    const b = this.books[a];
    const m = this.margins[a];
    const n = this.symbols.length;
    let equity = b.cash;
    let variationMargin = 0;
    for (let k = 0; k < n; k++) {
      const u = b.units[k];
      this.exposure[k] = u === 0 ? 0 : u * this.marks[k];
      equity += this.exposure[k];
      if (u !== 0) variationMargin += (this.marks[k] - b.entry[k]) * u;
    }
    const initialMargin = m.set(this.exposure, n);
    const collateral = m.collateral(equity, this.exposure, this.symbols);
    return { account: this.accounts[a].name, ts, initialMargin, variationMargin, collateral, excess: collateral - initialMargin };
  }

  /** Margins account `a` at the marks: MARGIN_UPDATE when `update`, MARGIN_CALL when the call opens or clears. */
  private margin(a: number, ts: number, update: boolean): void {
    const b = this.books[a];
    const figures = this.measure(a, ts);
    const { account, initialMargin, collateral, excess } = figures;
    b.evaluatedAt = ts;
    if (update) {
      this.updates++;
      this.emit('MARGIN_UPDATE', { key: account, ts, payload: figures });
    }
    if (excess < 0 !== b.call) {
      b.call = excess < 0;
      if (b.call) this.calls++;
      const payload: MarginCall = { account, ts, initialMargin, collateral, excess, status: b.call ? 'open' : 'cleared' };
      this.emit('MARGIN_CALL', { key: account, ts, payload, priority: 'high' });
    }
  }

  protected get keyCount(): number {
    return this.symbols.length;
  }

  protected override extraMetrics(): Record<string, number> {
    return { marginUpdates: this.updates, marginCalls: this.calls, repeatedFills: this.repeated };
  }

  protected override extraLevels(): Record<string, number> {
    return { accounts: this.accounts.length, openCalls: this.books.filter((b) => b.call).length };
  }

  /** Accounts across symbols: the state is one whole (Engine.wholeState), snapshotted whole. */
  protected override get wholeState(): boolean {
    return true;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  protected override stateConfig(): StateConfig {
    return this.config;
  }

  protected override snapshotState(): Uint8Array {
    const state: CollateralState = {
      symbols: this.symbols,
      marks: Array.from(this.marks.subarray(0, this.symbols.length)),
      books: this.books,
      margins: this.margins.map((m) => m.state()),
      fills: [...this.fills].map(([key, v]) => [key, v.ts, v.ids]),
      repeated: this.repeated,
    };
    return packStructured(state);
  }

  protected override restoreState(bytes: Uint8Array, deltas: readonly Uint8Array[] = []): void {
    if (deltas.length > 0) throw new KernelInputError('bytes', 'a whole collateral checkpoint', 'deltas');
    const s = unpackStructured(bytes) as CollateralState;
    const ok =
      Array.isArray(s?.symbols) &&
      Array.isArray(s.marks) &&
      s.marks.length === s.symbols.length &&
      Array.isArray(s.books) &&
      s.books.length === this.books.length &&
      Array.isArray(s.margins) &&
      s.margins.length === this.margins.length &&
      Array.isArray(s.fills);
    if (!ok) throw new KernelInputError('bytes', 'a collateral checkpoint of these accounts', 'other fields');
    this.books = this.books.map((b) => ({ ...b, units: [], entry: [] }));
    this.symbols = [];
    this.index = new Map();
    for (const symbol of s.symbols) this.symbolIndex(symbol);
    this.marks.fill(Number.NaN);
    this.marks.set(s.marks);
    this.books = s.books.map((b) => ({ ...b, units: [...b.units], entry: [...b.entry] }));
    this.margins.forEach((m, a) => m.restore(s.margins[a], this.symbols.length));
    this.fills = new Map(s.fills.map(([key, ts, ids]) => [key, { ts, ids: [...ids] }]));
    this.repeated = s.repeated;
  }

  /** Each account's cash, figures at the marks now and whether a call is open (MARGIN_UPDATE's fields, `ts` NaN). */
  figures(): (MarginUpdate & { cash: number; call: boolean })[] {
    return this.accounts.map((_, a) => ({ ...this.measure(a, Number.NaN), cash: this.books[a].cash, call: this.books[a].call }));
  }
}
