/**
 * The parameter grid of `kernelbus backtest --grid sma-cross` (issue 68): the windows of --fast and
 * --slow, the pairs (fast < slow) as column pairs of one moving-average grid, and one symbol's backtest
 * over every pair through the kernels: the averages of every window in ONE grid call, the crossovers
 * of the pairs as entries and exits (`crossedAbove(ma, ma, { pairs })`: no copy of the prices per
 * pair), one `backtestSignals` over all pairs with the close broadcast, `backtestStats` of every column.
 * Then the ranking of the combinations by a statistic.
 */
import type { Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import type { BacktestResult } from '../kernels/backtest/backtest-kernels.js';
import { STAT_FIELDS } from '../kernels/backtest/backtest-stats.js';
import type { Matrix } from '../kernels/matrix.js';
import type { ColumnPairs } from '../kernels/indicators/signals.js';
import { durationWithUnits, isYearBasis, type YearBasis } from '../strategy/periods.js';
import { type Flag, nearest, text } from './options.js';

/** The grids: a moving average's crossover, fast over slow (vectorbt's MA crossover). */
export const GRIDS = ['sma-cross', 'ema-cross', 'wma-cross'] as const;
export type GridName = (typeof GRIDS)[number];

/** A statistic of backtestStats. */
export type StatField = (typeof STAT_FIELDS)[number];

/** The statistics where less is better (--sort ranks them ascending): the drawdown, its duration, the fees. */
export const LOWER_IS_BETTER: readonly StatField[] = ['maxDrawdown', 'maxDrawdownDuration', 'totalFeesPaid'];

/** The moving averages' period range (TA-Lib's: 2 to 100,000). */
const MIN_WINDOW = 2;
const MAX_WINDOW = 100_000;

/**
 * Windows from a flag: `start:stop` (every integer from start to stop), `start:stop:step`, a list
 * `5,10,20`, or one window; each an integer in [2, 100000], start <= stop, step >= 1. Returns them
 * sorted, each once; KernelInputError naming `flag` otherwise.
 */
export function parseWindows(raw: string | undefined, flag: string): number[] {
  const expected = `windows as start:stop[:step] or a list a,b,c: integers in [${MIN_WINDOW}, ${MAX_WINDOW}], start <= stop`;
  if (raw === undefined) throw new KernelInputError(flag, expected, 'nothing');
  const bad = (why = '') => new KernelInputError(flag, `${expected}${why}`, JSON.stringify(raw));
  const int = (s: string) => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isInteger(x)) throw bad();
    return x;
  };
  const window = (x: number) => {
    if (x < MIN_WINDOW || x > MAX_WINDOW) throw bad();
    return x;
  };
  let windows: number[];
  if (raw.includes(':')) {
    const parts = raw.split(':');
    if (parts.length > 3) throw bad();
    const [start, stop] = [window(int(parts[0])), window(int(parts[1]))];
    const step = parts.length === 3 ? int(parts[2]) : 1;
    if (stop < start) throw bad(` (${start} > ${stop})`);
    if (step < 1) throw bad(' (step >= 1)');
    windows = [];
    for (let w = start; w <= stop; w += step) windows.push(w);
  } else {
    windows = raw.split(',').map((s) => window(int(s)));
  }
  return [...new Set(windows)].sort((a, b) => a - b);
}

/** `--grid`: one of GRIDS, else KernelInputError naming the flag (with the nearest name). */
export function parseGrid(raw: string | undefined, flag: string): GridName {
  if (raw === undefined) throw new KernelInputError(flag, GRIDS.join(' | '), 'nothing');
  if ((GRIDS as readonly string[]).includes(raw)) return raw as GridName;
  const guess = nearest(raw, GRIDS);
  throw new KernelInputError(flag, `${GRIDS.join(' | ')}${guess ? ` (did you mean ${guess}?)` : ''}`, JSON.stringify(raw));
}

/** `--year trading|calendar`: the year of the inferred periods (../strategy/periods.ts), default trading. */
export const YEAR_FLAG = {
  type: 'string',
  parse: (raw, name) => {
    const given = text(raw) ?? 'trading';
    if (!isYearBasis(given)) throw new KernelInputError(name, 'trading or calendar', JSON.stringify(given));
    return given;
  },
} satisfies Flag<YearBasis>;

/** `--sort`: a field of backtestStats, else KernelInputError naming the flag (with the nearest field). */
export function parseSort(raw: string | undefined, flag: string): StatField {
  if (raw === undefined) return 'sharpeRatio';
  if ((STAT_FIELDS as readonly string[]).includes(raw)) return raw as StatField;
  const guess = nearest(raw, STAT_FIELDS);
  throw new KernelInputError(
    flag,
    `a statistic: ${STAT_FIELDS.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`,
    JSON.stringify(raw),
  );
}

/** A grid as the kernels compute it: the windows averaged and the pairs crossed. */
export interface GridPlan {
  readonly grid: GridName;
  /** The moving average's kernel. */
  readonly indicator: 'sma' | 'ema' | 'wma';
  readonly fast: readonly number[];
  readonly slow: readonly number[];
  /** fast ∪ slow, sorted: the grid call's periods (its columns). */
  readonly windows: Int32Array;
  /** Per pair: the columns of `windows` crossed (fast, slow). */
  readonly pairs: ColumnPairs;
  /** Per pair: the fast and the slow window. */
  readonly fastOf: Int32Array;
  readonly slowOf: Int32Array;
}

/**
 * The pairs of a grid: every fast window of `fast` with every slow window of `slow` above it, fast
 * first then slow, ascending (with one list for both, vectorbt's run_combs order). KernelInputError
 * naming --slow when no slow window is above a fast one.
 */
export function planGrid(grid: GridName, fast: readonly number[], slow: readonly number[]): GridPlan {
  const windows = Int32Array.from(new Set([...fast, ...slow])).sort();
  const column = new Map(Array.from(windows, (w, i) => [w, i]));
  const a: number[] = [];
  const b: number[] = [];
  for (const f of fast) for (const s of slow) if (f < s) a.push(column.get(f)!), b.push(column.get(s)!);
  if (a.length === 0) {
    throw new KernelInputError(
      '--slow',
      `a window above a --fast window (the pairs are fast < slow; --fast from ${fast[0]})`,
      `up to ${slow[slow.length - 1]}`,
    );
  }
  const pairs = { a: Int32Array.from(a), b: Int32Array.from(b) };
  return {
    grid,
    indicator: grid.slice(0, grid.indexOf('-')) as GridPlan['indicator'],
    fast,
    slow,
    windows,
    pairs,
    fastOf: pairs.a.map((i) => windows[i]),
    slowOf: pairs.b.map((i) => windows[i]),
  };
}

/** The backtest's options from the flags (vectorbt's from_signals with the close as the price). */
export interface GridSettings {
  fees: number;
  slippage: number;
  initCash: number;
  periodsPerYear: number;
}

/** One symbol's grid: each statistic asked for, per pair (P values each). */
export type GridStats = Partial<Record<StatField, Float64Array>>;

/** The most T x K cells one backtestSignals call holds: its entries and exits (a byte each) and its records, about 20 MB. */
export const CHUNK_CELLS = 2 ** 23;

/** The moving averages of `close` over every window of the plan: one grid call, T x W. */
export function averages(k: Kernels, close: Float64Array, plan: GridPlan): Matrix {
  return k[plan.indicator](close, { timePeriod: plan.windows }) as Matrix;
}

/** The entries and exits of `pairs` over the averages, and the backtest of them on `close` (broadcast). */
export function backtestPairs(k: Kernels, close: Float64Array, ma: Matrix, pairs: ColumnPairs, s: GridSettings): BacktestResult {
  const entries = k.crossedAbove(ma, ma, { pairs });
  const exits = k.crossedBelow(ma, ma, { pairs });
  return k.backtestSignals({ close }, { entries, exits, fees: s.fees, slippage: s.slippage, initCash: s.initCash });
}

/** backtestStats of a result as one Float64Array per field of `fields`, whatever its column count. */
export function statsColumns(
  k: Kernels,
  result: BacktestResult,
  periodsPerYear: number,
  fields: readonly StatField[] = STAT_FIELDS,
): GridStats {
  const stats = k.backtestStats(result, { periodsPerYear, fields: [...fields] }) as Record<StatField, number | Float64Array>;
  return Object.fromEntries(
    fields.map((f) => {
      const x = stats[f];
      return [f, typeof x === 'number' ? Float64Array.of(x) : Float64Array.from(x)];
    }),
  );
}

/**
 * The statistics of every pair of `plan` on one symbol's closes: the averages in one grid call, then
 * the pairs in as few backtestSignals calls as CHUNK_CELLS allows (one for T x P up to 8.4M cells:
 * 3,328 pairs of 2,520 bars), the close broadcast over the pairs. No series is made: the statistics
 * make each pair's value from the records as they go (docs/backtest.md, "Series on request"). Only
 * `fields` are computed (default: all), each a Float64Array of P.
 */
export function runGrid(
  k: Kernels,
  close: Float64Array,
  plan: GridPlan,
  s: GridSettings,
  fields: readonly StatField[] = STAT_FIELDS,
  chunkCells = CHUNK_CELLS,
): GridStats {
  const ma = averages(k, close, plan);
  const P = plan.pairs.a.length;
  const chunk = Math.max(1, Math.floor(chunkCells / Math.max(1, close.length)));
  const out: GridStats = Object.fromEntries(fields.map((f) => [f, new Float64Array(P)]));
  for (let from = 0; from < P; from += chunk) {
    const to = Math.min(P, from + chunk);
    const pairs = { a: plan.pairs.a.subarray(from, to), b: plan.pairs.b.subarray(from, to) };
    const stats = statsColumns(k, backtestPairs(k, close, ma, pairs, s), s.periodsPerYear, fields);
    for (const f of fields) out[f]!.set(stats[f]!, from);
  }
  return out;
}

/**
 * The backtest of pair `p` alone (its two windows averaged, crossed and backtested as the grid does:
 * the same numbers, column for column), for the report's series and trades.
 */
export function runPair(
  k: Kernels,
  close: Float64Array,
  plan: GridPlan,
  p: number,
  s: GridSettings,
): { result: BacktestResult; stats: Record<StatField, Float64Array> } {
  const ma = k[plan.indicator](close, { timePeriod: [plan.fastOf[p], plan.slowOf[p]] }) as Matrix;
  const result = backtestPairs(k, close, ma, { a: Int32Array.of(0), b: Int32Array.of(1) }, s);
  return { result, stats: statsColumns(k, result, s.periodsPerYear) as Record<StatField, Float64Array> };
}

/**
 * The pairs ranked by `field`: descending (ascending for LOWER_IS_BETTER), NaN last, ties in grid
 * order (fast, then slow). Pairs that never traded (totalTrades 0) come after those that did, before
 * NaN: their Sharpe ratio is vectorbt's +inf of a flat line and their drawdown 0, a best that says nothing.
 */
export function rank(stats: Partial<GridStats>, field: StatField): Int32Array {
  const v = stats[field]!;
  const trades = stats.totalTrades;
  const sign = LOWER_IS_BETTER.includes(field) ? 1 : -1;
  const tier = (i: number) => (Number.isNaN(v[i]) ? 2 : trades && trades[i] === 0 ? 1 : 0);
  return Int32Array.from(v.keys()).sort((i, j) => {
    const [ti, tj] = [tier(i), tier(j)];
    if (ti !== tj || ti === 2) return ti - tj || i - j;
    const [x, y] = [v[i], v[j]];
    return x === y ? i - j : sign * (x < y ? -1 : 1);
  });
}

/** Statistics shown as percentages (fractions in backtestStats). */
const PERCENT: readonly StatField[] = [
  'totalReturn',
  'benchmarkReturn',
  'maxGrossExposure',
  'maxDrawdown',
  'winRate',
  'bestTrade',
  'worstTrade',
  'avgWinningTrade',
  'avgLosingTrade',
];
/** Statistics that count (trades). */
const COUNTS: readonly StatField[] = ['totalTrades', 'totalClosedTrades', 'totalOpenTrades'];
/** Durations in bars (periods of the statistics). */
const DURATIONS: readonly StatField[] = ['maxDrawdownDuration', 'avgWinningTradeDuration', 'avgLosingTradeDuration'];
/** Amounts of cash. */
const CASH: readonly StatField[] = ['startValue', 'endValue', 'totalFeesPaid', 'openTradePnl', 'expectancy'];

/** What a period of the statistics is: its length (ms; NaN when unknown) and whether it is a day. */
export interface StatPeriod {
  readonly periodMs: number;
  readonly days: boolean;
}

/**
 * A statistic as the table and the report show it: fractions as percentages (2 decimals), counts as
 * integers, durations with their units (`3 h 12 min (192 bars)`: the bars times `period`'s length,
 * `3 days` when a period is a day, `192 bars` without a length), cash (2 decimals), ratios (3
 * decimals); `inf`, `-inf`, and '-' for NaN.
 */
export function formatStat(field: StatField, x: number, period?: StatPeriod): string {
  if (Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (PERCENT.includes(field)) return `${(100 * x).toFixed(2)}%`;
  if (COUNTS.includes(field)) return String(x);
  if (DURATIONS.includes(field)) return durationWithUnits(x, period?.periodMs ?? Number.NaN, period?.days ?? false);
  if (CASH.includes(field)) return x.toFixed(2);
  return x.toFixed(3);
}
