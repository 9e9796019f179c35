/**
 * The page of `kernelbus backtest --file --strategy --report report.html`: the backtest family's report
 * page (./backtest-report.ts: its charts, tables and style, self-contained, no script, no network) for a
 * strategy run: the account (equity, drawdown, returns by month, statistics), then each symbol (its
 * value and the initial cash held in it, drawdown, returns by month, statistics, its trades), one point a
 * day (strategySeries(): the days the statistics read). Every text from the input is escaped.
 */
import type { TradeRecords } from '../kernels/backtest/backtest.js';
import { STAT_FIELDS, type BacktestStats } from '../kernels/backtest/backtest-stats.js';
import type { StrategySeries, StrategyStats } from '../strategy/stats.js';
import { formatStat } from './backtest-grid.js';
import {
  benchmarkValue,
  escapeHtml as esc,
  type Line,
  lineChart,
  monthlyReturns,
  periodTable,
  REPORT_CSS,
  timeText,
  tradesTable,
  underwater,
} from './backtest-report.js';

/** The symbols a page shows at most (all are in --json and --out). */
export const STRATEGY_REPORT_SYMBOLS = 50;

/** The page's input. */
export interface StrategyReportInput {
  /** The tape read and the strategy's name (shown, escaped). */
  readonly input: string;
  readonly strategy: string;
  /** The fill model's settings, as `name value` (shown). */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  readonly symbols: readonly string[];
  readonly series: StrategySeries;
  readonly stats: StrategyStats;
  readonly initCash: number;
}

/** Column `k` of a T x K series. */
function column(data: Float64Array, T: number, K: number, k: number): Float64Array {
  return Float64Array.from({ length: T }, (_, i) => data[i * K + k]);
}

/** The trades of column `k`. */
function tradesOf(trades: TradeRecords, k: number): TradeRecords {
  const rows: number[] = [];
  for (let r = 0; r < trades.id.length; r++) if (trades.col[r] === k) rows.push(r);
  return Object.fromEntries(
    Object.entries(trades).map(([field, values]) => [field, Float64Array.from(rows, (r) => (values as Float64Array)[r])]),
  ) as unknown as TradeRecords;
}

function statsTable(stats: BacktestStats): string {
  return `<table class="stats">${STAT_FIELDS.map((f) => `<tr><th>${f}</th><td>${esc(formatStat(f, stats[f]))}</td></tr>`).join('')}</table>`;
}

/** A section: the value (and its benchmark) and underwater charts, the statistics, the months, the trades. */
function section(
  id: string,
  title: string,
  lines: readonly Line[],
  days: Float64Array,
  stats: BacktestStats,
  initCash: number,
  trades?: TradeRecords,
): string {
  const money = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  const value = lines[0].values;
  const equity = lineChart(`equity-${id}`, `${title}: value`, lines, days, money);
  const dd = lineChart(
    `underwater-${id}`,
    `${title}: drawdown`,
    [{ name: 'drawdown', values: underwater(value), color: '#d73027', area: true }],
    days,
    (v) => formatStat('maxDrawdown', v),
  );
  return `<section class="symbol" id="section-${id}" data-symbol="${esc(title)}">
<h2>${esc(title)}</h2>
<div class="row"><div><h3>Value${lines.length > 1 ? ' and benchmark' : ''}</h3>${equity}<h3>Underwater</h3>${dd}</div>
<div><h3>Statistics</h3>${statsTable(stats)}</div></div>
<h3>Returns by month</h3><p class="note">Each month: its last day's value over the month before (the first month: over the initial cash); the last column the year.</p>${periodTable(monthlyReturns(value, days, initCash))}
${trades ? `<h3>Trades</h3>${tradesTable(trades, days)}` : ''}
</section>`;
}

/** The page (see the module comment). */
export function strategyReport(r: StrategyReportInput): string {
  const { series, symbols, initCash } = r;
  const T = series.days.length;
  const K = symbols.length;
  const shown = symbols.slice(0, STRATEGY_REPORT_SYMBOLS);
  const nav = `<nav><a href="#section-total">total</a>${shown.map((s, k) => `<a href="#section-${k}">${esc(s)}</a>`).join('')}</nav>`;
  const omitted =
    K > shown.length ? `<p class="note">${K - shown.length} more symbols are in the results (--json), not on this page.</p>` : '';
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${esc(k)} ${esc(String(v))}`)
    .join(', ');
  const total = section(
    'total',
    'total (the account)',
    [{ name: 'equity', values: series.total, color: '#1f6feb' }],
    series.days,
    r.stats.total,
    initCash,
  );
  const sections = shown.map((symbol, k) => {
    const close = column(series.close, T, K, k);
    return section(
      String(k),
      symbol,
      [
        { name: `${symbol} value`, values: column(series.value, T, K, k), color: '#1f6feb' },
        { name: 'buy and hold', values: benchmarkValue(close, initCash), color: '#888' },
      ],
      series.days,
      r.stats[symbol],
      initCash,
      tradesOf(series.trades, k),
    );
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kernelbus backtest: ${esc(r.strategy)} on ${esc(r.input)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>kernelbus backtest ${esc(r.strategy)}: ${esc(r.input)}</h1>
<p>${K} symbols, ${T} days (${esc(timeText(series.days[0]))} to ${esc(timeText(series.days[T - 1]))}); ${settings}. One point a day (its last value); statistics as vectorbt 1.1.0's Portfolio.stats() over the days (docs/strategy.md). A symbol's value: the initial cash and that symbol's fills alone.</p>
${nav}${omitted}
${total}
${sections.join('\n')}
</body></html>
`;
}
