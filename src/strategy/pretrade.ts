/**
 * Pre-trade checks (docs/strategy.md, "Pre-trade checks"), between a strategy's orders and the fill
 * model, the same in a backtest and live: every order passes, in this order, the trading state
 * (ACTIVE, REDUCING, HALTED, as NautilusTrader's RiskEngine), the strategy's static limits (max order
 * notional, max position units and notional per symbol, max gross exposure, max orders per second) and
 * the margin check (the account's initial margin after the order within its collateral, ./margin.ts).
 * A refused order is never placed: it is an OrderRejection with the rule it broke.
 *
 * Positions are projected: the units held plus the waiting orders' units still to fill, so two orders
 * of one bar cannot each pass a limit they break together. An order that does not increase the
 * projected |position| (it reduces or closes one) always passes the position, exposure and margin
 * checks and REDUCING; the order notional, the rate and HALTED refuse any order. Everything is in event
 * time: the rate counts the orders accepted within the last 1,000 ms of the trades' timestamps.
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import type { StrategyAccount } from './account.js';
import { MarginModel, type MarginModelState, type MarginSettings, resolveMargin } from './margin.js';

/** The trading state: ACTIVE takes any order, REDUCING only those that reduce a position, HALTED none. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export const TRADING_STATES: readonly TradingState[] = ['ACTIVE', 'REDUCING', 'HALTED'];

/** A per-symbol limit: one for every symbol, or `{ AAPL: 100, '*': 50 }` (a symbol missing and no '*': no limit). */
export type SymbolLimit = number | Readonly<Record<string, number>>;

/** A strategy's static limits (defineStrategy's `limits`); each absent is no limit. */
export interface StrategyLimits {
  /** |units| x price of one order (the limit price, else the symbol's last price). */
  maxOrderNotional?: number;
  /** |projected position| in units, per symbol. */
  maxPositionUnits?: SymbolLimit;
  /** |projected position| x last price, per symbol. */
  maxPositionNotional?: SymbolLimit;
  /** Sum over symbols of |projected position| x last price. */
  maxGrossExposure?: number;
  /** Orders accepted within any 1,000 ms of event time. */
  maxOrdersPerSecond?: number;
}

/** The rule an order broke. */
export type RejectReason =
  | 'halted'
  | 'reducing'
  | 'maxOrderNotional'
  | 'maxPositionUnits'
  | 'maxPositionNotional'
  | 'maxGrossExposure'
  | 'maxOrdersPerSecond'
  | 'margin';

/** An order refused (ORDER_REJECTED's payload). */
export interface OrderRejection {
  /** `<order id>#rejected`. */
  id: string;
  /** The id the order would have had. */
  orderId: string;
  strategy: string;
  symbol: string;
  /** The event time it was placed at. */
  ts: number;
  /** Its signed units, and its limit price when it was a limit order. */
  units: number;
  limit?: number;
  reason: RejectReason;
  /** The figures: `notional 12000.00 > maxOrderNotional 10000`. */
  message: string;
}

/** What a margin call does to the trading state: REDUCING while it lasts, HALTED (until the strategy sets ACTIVE), or nothing. */
export type OnMarginCall = 'reduce' | 'halt' | 'none';

/** The checks' options (RunnerOptions': margin, onMarginCall). */
export interface PreTradeOptions {
  /** The account's margin (an accounts file's entry): without it, no margin check and no margin call. */
  margin?: MarginSettings;
  /** Default 'none'. */
  onMarginCall?: OnMarginCall;
}

/** The checks' state for a checkpoint. */
export interface PreTradeState {
  trading: TradingState;
  /** Whether a margin call is on. */
  call: boolean;
  /** Times of the orders accepted in the last second. */
  times: number[];
  status: MarginStatus;
  margin?: MarginModelState;
}

/** The account after the last margin evaluation (ctx.margin()). */
export interface MarginStatus {
  initialMargin: number;
  collateral: number;
  excess: number;
  /** Whether a margin call is on. */
  call: boolean;
}

/** KernelInputError naming `bytes` unless `s` is a PreTrade.state(). */
export function checkPreTradeState(s: PreTradeState): void {
  const margin = s?.margin;
  const ok =
    TRADING_STATES.includes(s?.trading) &&
    typeof s.call === 'boolean' &&
    Array.isArray(s.times) &&
    (margin === undefined ||
      (Array.isArray(margin.rows) && margin.rows.every((r) => r instanceof Float64Array) && typeof margin.next === 'number'));
  if (!ok) throw new KernelInputError('bytes', 'the pre-trade state of a strategy', 'other fields');
}

const LIMIT_KEYS = ['maxOrderNotional', 'maxPositionUnits', 'maxPositionNotional', 'maxGrossExposure', 'maxOrdersPerSecond'] as const;

/** `limits` checked (each a finite number > 0, the per-symbol ones or a map of them); KernelInputError naming `<at>.<field>`. */
export function checkLimits(limits: unknown, at = 'strategy.limits'): StrategyLimits {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    throw new KernelInputError(at, `an object of ${LIMIT_KEYS.join(', ')}`, describeValue(limits));
  }
  const positive = (x: unknown) => typeof x === 'number' && x > 0 && Number.isFinite(x);
  for (const [key, value] of Object.entries(limits)) {
    if (!(LIMIT_KEYS as readonly string[]).includes(key))
      throw new KernelInputError(`${at}.${key}`, `one of ${LIMIT_KEYS.join(', ')}`, 'an unknown limit');
    const perSymbol = key === 'maxPositionUnits' || key === 'maxPositionNotional';
    const map = perSymbol && typeof value === 'object' && value !== null && !Array.isArray(value);
    const ok = positive(value) || (map && Object.values(value).every(positive));
    if (!ok) {
      throw new KernelInputError(
        `${at}.${key}`,
        perSymbol ? "a finite number > 0, or { <symbol>: number, '*': number }" : 'a finite number > 0',
        describeValue(value),
      );
    }
  }
  return limits as StrategyLimits;
}

const perSymbol = (limit: SymbolLimit | undefined, symbol: string): number =>
  limit === undefined
    ? Number.POSITIVE_INFINITY
    : typeof limit === 'number'
      ? limit
      : (limit[symbol] ?? limit['*'] ?? Number.POSITIVE_INFINITY);

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** The pre-trade checks of one strategy's account (see the module's comment). */
export class PreTrade {
  trading: TradingState = 'ACTIVE';
  /** Whether a margin call is on. */
  call = false;
  readonly margin: MarginModel | undefined;
  private readonly onMarginCall: OnMarginCall;
  private readonly limits: StrategyLimits;
  /** Whether any rule can refuse an order in the ACTIVE state. */
  private readonly checks: boolean;
  private times: number[] = [];
  /** Projected positions and exposures, per symbol, for the batch begun. */
  private projected = new Float64Array(8);
  private exposure = new Float64Array(8);
  private gross = 0;
  private collateral = 0;
  /** Whether begin() projected the positions (any rule can refuse). */
  private begun = false;
  /** The last margin evaluation (ctx.margin()). */
  status: MarginStatus = { initialMargin: 0, collateral: Number.NaN, excess: Number.NaN, call: false };

  constructor(
    limits: StrategyLimits | undefined,
    options: PreTradeOptions,
    private readonly account: StrategyAccount,
    private readonly symbols: readonly string[],
    /** Symbol k's waiting orders (Execution.pending). */
    private readonly pending: (k: number) => readonly { readonly remaining: number }[],
  ) {
    this.limits = limits ?? {};
    const onMarginCall = options.onMarginCall ?? 'none';
    if (!['reduce', 'halt', 'none'].includes(onMarginCall)) {
      throw new KernelInputError('options.onMarginCall', "'reduce', 'halt' or 'none'", describeValue(onMarginCall));
    }
    this.onMarginCall = onMarginCall;
    this.margin = options.margin === undefined ? undefined : new MarginModel(resolveMargin(options.margin));
    this.checks = LIMIT_KEYS.some((k) => this.limits[k] !== undefined) || this.margin !== undefined;
  }

  /** Sets the trading state (ctx.setTradingState); KernelInputError for another value. */
  setTrading(state: TradingState): void {
    if (!TRADING_STATES.includes(state)) throw new KernelInputError('state', `one of ${TRADING_STATES.join(', ')}`, describeValue(state));
    this.trading = state;
  }

  /** Symbol k's projected units: held plus what its waiting orders have still to fill. */
  private projection(k: number): number {
    let units = this.account.position[k];
    for (const p of this.pending(k)) units += p.remaining;
    return units;
  }

  /** `units` of symbol k at its last price (0 for none, or before its first trade). */
  private exposureOf(k: number, units: number): number {
    const price = this.account.lastPrice[k];
    return units === 0 || !(price > 0) ? 0 : units * price;
  }

  /** Before a batch of orders (one callback's): the projected positions, exposures and the margin book at the last prices. */
  begin(): void {
    this.begun = this.checks || this.trading !== 'ACTIVE';
    if (!this.begun) return;
    const n = this.symbols.length;
    if (this.projected.length < n) {
      this.projected = new Float64Array(2 * n);
      this.exposure = new Float64Array(2 * n);
    }
    const a = this.account;
    this.gross = 0;
    for (let k = 0; k < n; k++) {
      const units = this.projection(k);
      this.projected[k] = units;
      const e = this.exposureOf(k, units);
      this.exposure[k] = e;
      this.gross += Math.abs(e);
    }
    if (this.margin) {
      this.margin.set(this.exposure, n);
      this.collateral = this.margin.collateral(a.equity(), this.exposure, this.symbols);
    }
  }

  /**
   * Order `units` of symbol `k` at time `ts` (`limit` for a limit order): undefined when it passes
   * (the projection moved by it), else the rule it broke and the figures.
   */
  check(k: number, units: number, limit: number | undefined, ts: number): { reason: RejectReason; message: string } | undefined {
    if (this.trading === 'HALTED') return { reason: 'halted', message: 'the trading state is HALTED' };
    if (!this.begun) return undefined;
    const symbol = this.symbols[k];
    // a symbol without a trade yet is priced at the order's limit, else 0
    const last = this.account.lastPrice[k];
    const price = last > 0 ? last : (limit ?? 0);
    const before = this.projected[k];
    const after = before + units;
    const increases = Math.abs(after) > Math.abs(before);
    if (this.trading === 'REDUCING' && increases) {
      return {
        reason: 'reducing',
        message: `the trading state is REDUCING and the order takes |position| from ${fmt(Math.abs(before))} to ${fmt(Math.abs(after))}`,
      };
    }
    const L = this.limits;
    const notional = Math.abs(units) * (limit ?? price);
    if (L.maxOrderNotional !== undefined && notional > L.maxOrderNotional) {
      return { reason: 'maxOrderNotional', message: `notional ${fmt(notional)} > maxOrderNotional ${fmt(L.maxOrderNotional)}` };
    }
    const eBefore = this.exposure[k];
    const eAfter = after * price;
    if (increases) {
      const maxUnits = perSymbol(L.maxPositionUnits, symbol);
      if (Math.abs(after) > maxUnits) {
        return {
          reason: 'maxPositionUnits',
          message: `|position| ${fmt(Math.abs(after))} > maxPositionUnits ${fmt(maxUnits)} of ${symbol}`,
        };
      }
      const maxNotional = perSymbol(L.maxPositionNotional, symbol);
      if (Math.abs(eAfter) > maxNotional) {
        return {
          reason: 'maxPositionNotional',
          message: `|position| x price ${fmt(Math.abs(eAfter))} > maxPositionNotional ${fmt(maxNotional)} of ${symbol}`,
        };
      }
      const gross = this.gross - Math.abs(eBefore) + Math.abs(eAfter);
      if (L.maxGrossExposure !== undefined && gross > L.maxGrossExposure) {
        return { reason: 'maxGrossExposure', message: `gross exposure ${fmt(gross)} > maxGrossExposure ${fmt(L.maxGrossExposure)}` };
      }
    }
    const rate = L.maxOrdersPerSecond;
    if (rate !== undefined) {
      const times = this.times;
      let old = 0;
      while (old < times.length && times[old] <= ts - 1000) old++;
      if (old > 0) times.splice(0, old);
      if (times.length >= rate)
        return { reason: 'maxOrdersPerSecond', message: `${times.length} orders in the last second >= maxOrdersPerSecond ${rate}` };
    }
    const m = this.margin;
    if (m && increases) {
      const value = eAfter - eBefore;
      const margin = m.margin + m.marginal(k, eBefore, value);
      const collateral = this.collateral - m.haircut(symbol) * (Math.abs(eAfter) - Math.abs(eBefore));
      if (margin > collateral) {
        return { reason: 'margin', message: `initial margin ${fmt(margin)} after the order > collateral ${fmt(collateral)}` };
      }
    }
    // accepted: the projection moves
    if (rate !== undefined) this.times.push(ts);
    this.projected[k] = after;
    this.exposure[k] = eAfter;
    this.gross += Math.abs(eAfter) - Math.abs(eBefore);
    if (m) {
      this.collateral -= m.haircut(symbol) * (Math.abs(eAfter) - Math.abs(eBefore));
      m.apply(k, eBefore, eAfter - eBefore);
    }
    return undefined;
  }

  /**
   * After order of symbol `k` was placed: its projection from what the account and the waiting orders now
   * hold (an order filled at once may have been cut: by the cash, or to the position without shorting),
   * so that the callback's next orders are checked against what is, not what was asked.
   */
  settle(k: number): void {
    if (!this.begun) return;
    const units = this.projection(k);
    if (units === this.projected[k]) return;
    const e = this.exposureOf(k, units);
    const before = this.exposure[k];
    this.projected[k] = units;
    this.exposure[k] = e;
    this.gross += Math.abs(e) - Math.abs(before);
    const m = this.margin;
    if (m) {
      this.collateral -= m.haircut(this.symbols[k]) * (Math.abs(e) - Math.abs(before));
      m.apply(k, before, e - before);
    }
  }

  /**
   * At a bar's close: the account's margin at the last prices (its positions, not the waiting orders),
   * and the margin call's start or end. Returns the change: 'call', 'cleared' or undefined.
   */
  evaluate(): 'call' | 'cleared' | undefined {
    const m = this.margin;
    if (!m) return undefined;
    const n = this.symbols.length;
    if (this.exposure.length < n) {
      this.projected = new Float64Array(2 * n);
      this.exposure = new Float64Array(2 * n);
    }
    const a = this.account;
    for (let k = 0; k < n; k++) this.exposure[k] = this.exposureOf(k, a.position[k]);
    const initialMargin = m.set(this.exposure, n);
    const collateral = m.collateral(a.equity(), this.exposure, this.symbols);
    const excess = collateral - initialMargin;
    let change: 'call' | 'cleared' | undefined;
    if (excess < 0 && !this.call) {
      this.call = true;
      change = 'call';
      if (this.onMarginCall === 'reduce' && this.trading === 'ACTIVE') this.trading = 'REDUCING';
      if (this.onMarginCall === 'halt') this.trading = 'HALTED';
    } else if (excess >= 0 && this.call) {
      this.call = false;
      change = 'cleared';
      if (this.onMarginCall === 'reduce' && this.trading === 'REDUCING') this.trading = 'ACTIVE';
    }
    this.status = { initialMargin, collateral, excess, call: this.call };
    return change;
  }

  /** The state for a checkpoint (`margin` only when `withMargin`: its rows change at each boundary only). */
  state(withMargin = true): PreTradeState {
    return {
      trading: this.trading,
      call: this.call,
      times: [...this.times],
      status: { ...this.status },
      ...(withMargin && this.margin ? { margin: this.margin.state() } : {}),
    };
  }

  /** Replaces the state with state()'s (checkPreTradeState() first). */
  restore(s: PreTradeState): void {
    checkPreTradeState(s);
    this.margin?.restore(s.margin ?? { rows: [], next: Number.NEGATIVE_INFINITY }, this.symbols.length);
    this.trading = s.trading;
    this.call = s.call;
    this.times = [...s.times];
    if (s.status) this.status = { ...s.status };
  }
}
