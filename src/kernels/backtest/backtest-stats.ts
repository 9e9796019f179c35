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

/** The fields that read a result's value (the others read its records and close): its drawdowns and the ratios of its returns. */
export const VALUE_STATS = (
  ['maxDrawdown', 'maxDrawdownDuration', 'sharpeRatio', 'calmarRatio', 'omegaRatio', 'sortinoRatio'] as const
).reduce((m, f) => m + 2 ** STAT_FIELDS.indexOf(f), 0);

/** `periodsPerYear` checked: a finite number > 0 (vectorbt's year of 365 days over the bars' freq). */
export function resolvePeriodsPerYear(options: unknown): number {
  const p = (options as { periodsPerYear?: unknown } | undefined)?.periodsPerYear ?? 365;
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0)
    throw new KernelInputError('options.periodsPerYear', 'a finite number > 0', describeValue(p));
  return p;
}

/** A field of BacktestStats (STAT_FIELDS). */
export type StatField = (typeof STAT_FIELDS)[number];

/** Every field's bit set: the mask of a stats call without `fields`. */
export const ALL_STATS = 2 ** STAT_FIELDS.length - 1;

/**
 * `fields` checked: a non-empty list of STAT_FIELDS (default all of them), in the order given without
 * repeats, and its mask (bit f: STAT_FIELDS[f]) for the backends, which compute only those.
 */
export function resolveStatFields(options: unknown): { names: readonly StatField[]; mask: number } {
  const fields = (options as { fields?: unknown } | undefined)?.fields;
  if (fields === undefined) return { names: STAT_FIELDS, mask: ALL_STATS };
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => (STAT_FIELDS as readonly unknown[]).includes(f))) {
    throw new KernelInputError('options.fields', `a non-empty list of stat fields (${STAT_FIELDS.join(', ')})`, describeValue(fields));
  }
  const names = [...new Set(fields as StatField[])];
  return { names, mask: names.reduce((m, f) => m + 2 ** STAT_FIELDS.indexOf(f), 0) };
}
