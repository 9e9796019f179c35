/**
 * The strategy API's types (`kernelbus/strategy`, docs/strategy.md): what a strategy module defines
 * (StrategyDefinition), what its callbacks see (StrategyBar, StrategyContext) and the three records a
 * run produces, each with the fields of its bus message: an order (STRATEGY_SIGNAL), a fill
 * (ORDER_FILL) and a position (POSITION_UPDATE).
 */
import type { Session } from '../replay/session.js';
import type { IndicatorSpecName } from '../api/indicator-spec.js';
import type { BarOptions, InformationBarOptions } from '../kernels/features/features.js';
import type { LoadedStrategyModel, StrategyModel } from './models.js';
import type { MarginStatus, OrderRejection, StrategyLimits, TradingState } from './pretrade.js';

export type { StrategyModel } from './models.js';
export type { MarginStatus, OrderRejection, RejectReason, StrategyLimits, SymbolLimit, TradingState } from './pretrade.js';

/**
 * The bars of each symbol, as FeaturesEngine's `bars` option: `{ by: 'time' | 'tick' | 'volume' |
 * 'dollar', threshold }` (bars()), or `{ type: 'imbalanceBars' | 'runBars', by, ... }` (their options).
 */
export type StrategyBars = (({ type?: 'bars' } & BarOptions) | ({ type: 'imbalanceBars' | 'runBars' } & InformationBarOptions)) & {
  /**
   * Market hours (`'09:30-16:00 America/New_York'` or `{ open, close, timeZone }`, as kernelbus/replay's
   * Session): only their trades make bars; a trade outside them is in no bar and closes none (the last
   * bar of a session closes at a trade of the next). Fills and marks still use every trade. Default: none.
   */
  session?: Session | string;
};

/** A closed bar of one symbol, as onBar receives it. */
export interface StrategyBar {
  symbol: string;
  /** The bar's time: bars()' ts (a time bar's end, else its last trade's time). */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** 0-based bar number of the symbol (the order ids' bar sequence). */
  index: number;
}

/** An indicator computed on each closed bar: its name (the indicators family's) and its options (TA-Lib's, camelCase). */
export type StrategyIndicator = { name: IndicatorSpecName } & Record<string, number | string>;

/** What a strategy module's default export is made from (defineStrategy()). */
export interface StrategyDefinition<S extends object = Record<string, unknown>> {
  /** The strategy's name: the first part of its order ids (letters, digits, `_ . -`). */
  name: string;
  /** The symbols it trades (default: every symbol of the tape or the bus). */
  symbols?: readonly string[];
  /** The bars of each symbol: the features family's bar options (FeaturesEngine's `bars`). */
  bars: StrategyBars;
  /** Indicators of the bars by the name `ctx.value` reads: `{ fast: { name: 'sma', timePeriod: 10 } }`. */
  indicators?: Readonly<Record<string, StrategyIndicator>>;
  /**
   * Models run at each closed bar on that bar's values, their outputs read as values:
   * `{ p: { file: 'model.txt', features: ['rsi', 'close'] } }` gives `ctx.value('p', symbol)` (a
   * multiclass model `p.0`, `p.1`, ...). LightGBM text models, loaded when the module loads (docs/ml.md).
   */
  models?: Readonly<Record<string, StrategyModel>>;
  /** Bars of history `ctx.value(name, symbol, back)` reaches (back < history). Default 256. */
  history?: number;
  /**
   * Pre-trade limits (docs/strategy.md, "Pre-trade checks"): an order past one is refused
   * (ORDER_REJECTED, onReject), never filled. Default: none.
   */
  limits?: StrategyLimits;
  /** Called once per closed bar of each symbol, in event order across symbols. */
  onBar(ctx: StrategyContext<S>, bar: StrategyBar): void;
  /** Called after each fill of the strategy's orders. */
  onFill?(ctx: StrategyContext<S>, fill: StrategyFill): void;
  /** Called after each order the pre-trade checks refused (no orders there). */
  onReject?(ctx: StrategyContext<S>, rejection: OrderRejection): void;
  /** Called before the first event (orders are refused there: no bar placed them). */
  onStart?(ctx: StrategyContext<S>): void;
  /** Called after the last event. */
  onStop?(ctx: StrategyContext<S>): void;
}

/** A defined strategy: the definition checked, with where it was defined. */
export interface Strategy<S extends object = Record<string, unknown>> extends StrategyDefinition<S> {
  readonly kind: 'kernelbus.strategy';
  /** `file:line:column` of the defineStrategy() call (for error messages), when the stack tells. */
  readonly definedAt: string | undefined;
  /** Each value name ctx.value() takes: the bar fields, then each indicator output's, then each model output's. */
  readonly valueNames: readonly string[];
  /** The models of `models`, loaded, in order. */
  readonly loadedModels: readonly LoadedStrategyModel[];
}

/** Options of ctx.order(). */
export interface OrderOptions {
  /** A limit price (> 0): a buy fills when the tape trades at or below it, a sell at or above, at the limit. */
  limit?: number;
}

/** What onBar, onFill, onStart and onStop receive. */
export interface StrategyContext<S extends object = Record<string, unknown>> {
  /**
   * An indicator output's, a model output's or a bar field's (open, high, low, close, volume, buyVolume, ticks,
   * dollarValue) value `back` bars ago; NaN in the warm-up.
   */
  value(name: string, symbol: string, back?: number): number;
  /** The signed units held of `symbol` (0 when flat or unknown). */
  position(symbol: string): number;
  /** The account's cash. */
  cash(): number;
  /** Cash plus every position at its symbol's last price. */
  equity(): number;
  /** Places an order of `units` (+ buys, - sells; finite, non-zero): market, or limit with `{ limit }`. */
  order(symbol: string, units: number, options?: OrderOptions): void;
  /** Orders the units that make the position `fraction` of the equity at the last price (none when already there). */
  targetPercent(symbol: string, fraction: number): void;
  /** Orders the units that flatten the position (nothing when flat). */
  close(symbol: string): void;
  /** The trading state: ACTIVE, REDUCING (orders that reduce a position only) or HALTED (no orders). */
  tradingState(): TradingState;
  /** Sets the trading state (a kill switch of the strategy's own; a margin call sets it too, per onMarginCall). */
  setTradingState(state: TradingState): void;
  /** The account's margin at the last bar's close (initial margin, collateral, excess, call), or undefined without margin settings. */
  margin(): MarginStatus | undefined;
  /** The last payload of `type` (VPIN_CALCULATION, FEATURES_UPDATE, PORTFOLIO_UPDATE, ...) seen for `symbol`. */
  latest(type: string, symbol: string): unknown;
  /** A log line, stamped with the strategy and the event's time. */
  log(...args: unknown[]): void;
  /** The strategy's own state: what it needs after a restart lives here (checkpointed with the engine). */
  state: S;
}

/** An order placed (STRATEGY_SIGNAL's payload). */
export interface StrategyOrder {
  /** `<strategy>:<symbol of the bar>:<bar index>:<n>` (n: its place among the bar's orders), or `<fill id>:<n>` from onFill. */
  id: string;
  strategy: string;
  symbol: string;
  /** The event time it was placed at (the trade that closed the bar). */
  ts: number;
  /** Signed units. */
  units: number;
  type: 'market' | 'limit';
  limit?: number;
}

/** A fill of an order (ORDER_FILL's payload). */
export interface StrategyFill {
  /** `<order id>#<n>`: the order's n-th fill (0-based). */
  id: string;
  orderId: string;
  strategy: string;
  symbol: string;
  /** The time of the trade it filled at. */
  ts: number;
  /** Signed units filled (+ bought, - sold). */
  units: number;
  /** The price paid or received per unit, slippage included. */
  price: number;
  fees: number;
}

/** A position after a fill (POSITION_UPDATE's payload). */
export interface PositionUpdate {
  strategy: string;
  symbol: string;
  ts: number;
  /** Signed units held. */
  units: number;
  /** The size-weighted entry price of the position (NaN when flat). */
  avgPrice: number;
  cash: number;
  equity: number;
  /** Realized P&L of the symbol so far, net of every fee paid on it. */
  realizedPnl: number;
  /** (last price - avgPrice) x units (0 when flat). */
  unrealizedPnl: number;
}
