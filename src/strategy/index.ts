/**
 * `kernelbus/strategy` (docs/strategy.md): write a strategy once (defineStrategy), backtest it on a
 * recorded tape (backtestStrategy, `kernelbus backtest --file --strategy`) and run it live (the Strategy
 * engine), with one fill model, one account, pre-trade checks and deterministic order ids. StrategyRunner
 * is the core both share.
 */
export { defineStrategy, isStrategy, BAR_VALUES } from './define.js';
export { loadStrategy } from './load.js';
export { CallbackErrors, type CallbackErrorCount, type CallbackName, StrategyError, StrategyErrorLimit } from './errors.js';
export { StrategyRunner, type RunnerMetrics, type RunnerOptions, type RunnerSink } from './runner.js';
export type { DailyRecord } from './days.js';
export { resolveExecution, type ExecutionOptions } from './execution.js';
export { backtestStrategy, type BacktestStrategyOptions, type StrategyBacktest, type Tape } from './backtest.js';
export { strategySeries, strategyStats, type StrategySeries, type StrategyStats } from './stats.js';
export {
  checkLimits,
  type MarginStatus,
  type OnMarginCall,
  type OrderRejection,
  type RejectReason,
  type StrategyLimits,
  type SymbolLimit,
  TRADING_STATES,
  type TradingState,
} from './pretrade.js';
export { MarginModel, resolveMargin, type MarginSettings, type ResolvedMargin } from './margin.js';
export { accountOf, loadAccounts, parseAccounts, strategyMargin, type Account, type Accounts } from './accounts.js';
export type {
  OrderOptions,
  PositionUpdate,
  Strategy,
  StrategyBar,
  StrategyBars,
  StrategyContext,
  StrategyDefinition,
  StrategyFill,
  StrategyIndicator,
  StrategyOrder,
} from './types.js';
