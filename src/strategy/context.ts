/**
 * The `ctx` a strategy's callbacks receive: one object per run, reading the runner through the
 * narrow ContextHost. An order is checked here (a known symbol, a finite non-zero size, a limit > 0)
 * and only buffered: the runner commits a callback's orders when it returns, and drops them all when
 * it throws. A mistake throws StrategyError naming the strategy file's line that made it.
 */
import { isClose } from '../simulation/orders.js';
import { nearest } from '../kernels/nearest.js';
import { describeValue } from '../kernels/validate.js';
import type { StrategyAccount } from './account.js';
import type { SymbolBars } from './bars.js';
import { StrategyError, strategyPlace } from './errors.js';
import { type PreTrade, TRADING_STATES } from './pretrade.js';
import type { OrderOptions, StrategyContext } from './types.js';

/** What the context reads and writes of its runner. */
export interface ContextHost {
  readonly account: StrategyAccount;
  /** The strategy file (for error places), when loaded from one. */
  readonly source: string | undefined;
  readonly history: number;
  /** The index of a symbol the strategy trades and has seen, else -1. */
  symbolOf(symbol: string): number;
  /** symbolOf, or a symbol of the strategy's `symbols` not seen yet registered: the index an order may take. */
  orderable(symbol: string): number;
  /** A symbol's bars (index from symbolOf). */
  bars(k: number): SymbolBars;
  /** The index of a value name (bar field or indicator output), else -1. */
  valueOf(name: string): number;
  /** The value names, for the error that lists them. */
  readonly valueNames: readonly string[];
  /** Whether a callback that may place orders (onBar, onFill) is running. */
  accepting(): boolean;
  /** Buffers an order of the running callback. */
  buffer(k: number, units: number, limit: number | undefined): void;
  latest(type: string, symbol: string): unknown;
  log(line: string): void;
  /** The pre-trade checks (trading state, margin). */
  readonly pretrade: PreTrade;
}

/** `ctx.value: expected one of open, ..., got "bb.lowr" (did you mean "bb.lower"?)`: a name that is no value's. */
export function unknownValue(name: unknown, valueNames: readonly string[]): string {
  const guess = typeof name === 'string' ? nearest(name, valueNames) : undefined;
  return `ctx.value: expected one of ${valueNames.join(', ')}, got ${describeValue(name)}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

/** The ctx object of a run, over `host`. */
export function makeContext<S extends object>(host: ContextHost, state: S): StrategyContext<S> {
  const fail = (message: string): never => {
    throw new StrategyError(message, strategyPlace(new Error(), host.source));
  };
  const symbolIndex = (symbol: unknown, call: string): number => {
    const k = typeof symbol === 'string' ? host.orderable(symbol) : -1;
    if (k < 0) fail(`${call}: expected a symbol the strategy trades, got ${describeValue(symbol)}`);
    return k;
  };
  const open = (call: string) => {
    if (!host.accepting()) fail(`${call}: orders are placed in onBar or onFill only`);
  };
  const ctx: StrategyContext<S> = {
    state,
    value(name, symbol, back = 0) {
      const v = host.valueOf(name);
      if (v < 0) fail(unknownValue(name, host.valueNames));
      if (!Number.isInteger(back) || back < 0 || back >= host.history) {
        fail(`ctx.value: expected back an integer in [0, ${host.history - 1}] (strategy.history), got ${describeValue(back)}`);
      }
      const k = host.symbolOf(symbol);
      return k < 0 ? Number.NaN : host.bars(k).value(v, back);
    },
    position(symbol) {
      const k = host.symbolOf(symbol);
      return k < 0 ? 0 : host.account.position[k];
    },
    cash: () => host.account.cash,
    equity: () => host.account.equity(),
    order(symbol, units, options?: OrderOptions) {
      open('ctx.order');
      const k = symbolIndex(symbol, 'ctx.order');
      if (typeof units !== 'number' || !Number.isFinite(units) || units === 0) {
        fail(`ctx.order: expected units a finite number other than 0, got ${describeValue(units)}`);
      }
      const limit = options?.limit;
      if (limit !== undefined && !(typeof limit === 'number' && limit > 0 && Number.isFinite(limit))) {
        fail(`ctx.order: expected limit a finite number > 0, got ${describeValue(limit)}`);
      }
      host.buffer(k, units, limit);
    },
    targetPercent(symbol, fraction) {
      open('ctx.targetPercent');
      const k = symbolIndex(symbol, 'ctx.targetPercent');
      if (typeof fraction !== 'number' || !Number.isFinite(fraction)) {
        fail(`ctx.targetPercent: expected a finite fraction, got ${describeValue(fraction)}`);
      }
      const price = host.account.lastPrice[k];
      if (!(price > 0)) fail(`ctx.targetPercent: expected a symbol with a price, got ${describeValue(symbol)} before its first trade`);
      // vectorbt's target percent: fraction x value / price, less the position held
      const units = (fraction * host.account.equity()) / price - host.account.position[k];
      if (units !== 0 && !isClose(units, 0) && Number.isFinite(units)) host.buffer(k, units, undefined);
    },
    close(symbol) {
      open('ctx.close');
      const k = symbolIndex(symbol, 'ctx.close');
      const held = host.account.position[k];
      if (held !== 0) host.buffer(k, -held, undefined);
    },
    tradingState: () => host.pretrade.trading,
    setTradingState(state) {
      if (!TRADING_STATES.includes(state))
        fail(`ctx.setTradingState: expected one of ${TRADING_STATES.join(', ')}, got ${describeValue(state)}`);
      host.pretrade.setTrading(state);
    },
    margin: () => (host.pretrade.margin ? { ...host.pretrade.status } : undefined),
    latest: (type, symbol) => host.latest(type, symbol),
    log: (...args) => host.log(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
  };
  return ctx;
}
