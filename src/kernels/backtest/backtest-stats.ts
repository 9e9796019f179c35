/**
 * `backtestStats`: vectorbt 1.1.0's Portfolio.stats() (vectorbt/portfolio/base.py `_metrics`, with
 * its defaults: exit trades, closed trades only for the trade statistics, freq one bar) per column, or
 * per group with groups, as fractions (not %) and durations in bars. Each definition is vectorbt's:
 * vectorbt/portfolio/nb.py (total_profit_nb, get_free_cash_diff_nb, gross_exposure_nb),
 * vectorbt/generic/nb.py (get_drawdowns_nb, range_duration_nb), vectorbt/portfolio/trades.py
 * (win_rate, profit_factor, expectancy) and vectorbt/returns/nb.py (sharpe_ratio_1d_nb,
 * calmar_ratio_1d_nb, omega_ratio_1d_nb, sortino_ratio_1d_nb); docs/backtest.md states each one.
 */
import { KernelInputError } from '../../errors.js';
import { describeValue } from '../validate.js';
export type { StatsInput } from './backtest.js';

/** The statistics of one column or group. */
export interface BacktestStats {
  startValue: number;
  endValue: number;
  totalReturn: number;
  benchmarkReturn: number;
  maxGrossExposure: number;
  totalFeesPaid: number;
  maxDrawdown: number;
  maxDrawdownDuration: number;
  totalTrades: number;
  totalClosedTrades: number;
  totalOpenTrades: number;
  openTradePnl: number;
  winRate: number;
  bestTrade: number;
  worstTrade: number;
  avgWinningTrade: number;
  avgLosingTrade: number;
  avgWinningTradeDuration: number;
  avgLosingTradeDuration: number;
  profitFactor: number;
  expectancy: number;
  sharpeRatio: number;
  calmarRatio: number;
  omegaRatio: number;
  sortinoRatio: number;
}

export const STAT_FIELDS = [
  'startValue',
  'endValue',
  'totalReturn',
  'benchmarkReturn',
  'maxGrossExposure',
  'totalFeesPaid',
  'maxDrawdown',
  'maxDrawdownDuration',
  'totalTrades',
  'totalClosedTrades',
  'totalOpenTrades',
  'openTradePnl',
  'winRate',
  'bestTrade',
  'worstTrade',
  'avgWinningTrade',
  'avgLosingTrade',
  'avgWinningTradeDuration',
  'avgLosingTradeDuration',
  'profitFactor',
  'expectancy',
  'sharpeRatio',
  'calmarRatio',
  'omegaRatio',
  'sortinoRatio',
] as const satisfies readonly (keyof BacktestStats)[];

/** `periodsPerYear` checked: a finite number > 0 (vectorbt's year of 365 days over the bars' freq). */
export function resolvePeriodsPerYear(options: unknown): number {
  const p = (options as { periodsPerYear?: unknown } | undefined)?.periodsPerYear ?? 365;
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0)
    throw new KernelInputError('options.periodsPerYear', 'a finite number > 0', describeValue(p));
  return p;
}
