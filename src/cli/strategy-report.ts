/**
 * The page of `kernelbus backtest --file --strategy --report report.html`: the backtest family's report
 * page (./backtest-report.ts: its charts, tables and style, self-contained, no script, no network) for a
 * strategy run: the account (equity, drawdown, returns by month, statistics), then each symbol (its
 * value and the initial cash held in it, drawdown, returns by month, statistics, its trades). The
 * statistics are the days' (strategySeries()); the charts, given the tape and the fills, are the run
 * between them (intradaySeries(): the value after each stretch of a second to a day, as the tape allows,
 * drawn as backtest-report's chartSampling() says), else a point a day. The page says both, the periods
 * a year of the ratios (../strategy/periods.ts) and the durations in days. Every text from the input is escaped.
 */
import type { TradeRecords } from '../kernels/backtest/backtest.js';
import { STAT_FIELDS, type BacktestStats } from '../kernels/backtest/backtest-stats.js';
import type { Tape } from '../strategy/backtest.js';
import { INTRADAY_SAMPLES, intradaySeries } from '../strategy/intraday.js';
import { durationText, type PeriodsChoice } from '../strategy/periods.js';
import type { StrategySeries, StrategyStats } from '../strategy/stats.js';
import type { OrderRejection, StrategyFill } from '../strategy/types.js';
import { formatStat, type StatPeriod } from './backtest-grid.js';
import {
  benchmarkValue,
  chartSampling,
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
  /** The tape and the run's fills: the charts between the days (without them: a point a day). */
  readonly tape?: Tape;
  readonly fills?: readonly StrategyFill[];
  /** The orders the pre-trade checks refused (the first REJECTIONS_SHOWN listed). */
  readonly rejections?: readonly OrderRejection[];
  /** The periods a year of the statistics and where they come from (shown). */
  readonly periods?: PeriodsChoice;
}

/** The rejected orders the page lists (the rest are in --json). */
export const REJECTIONS_SHOWN = 200;

/** The refused orders: how many by rule, then the first REJECTIONS_SHOWN, one a row. */
function rejectionsSection(rejections: readonly OrderRejection[]): string {
  if (rejections.length === 0) return '';
  const by = new Map<string, number>();
  for (const r of rejections) by.set(r.reason, (by.get(r.reason) ?? 0) + 1);
  const counts = [...by].map(([reason, n]) => `${esc(reason)} ${n.toLocaleString('en-US')}`).join(', ');
  const rows = rejections
    .slice(0, REJECTIONS_SHOWN)
    .map(
      (r) =>
        `<tr><td>${esc(timeText(r.ts))}</td><td>${esc(r.orderId)}</td><td>${esc(r.symbol)}</td><td>${r.units}</td><td>${esc(r.reason)}</td><td>${esc(r.message)}</td></tr>`,
    )
    .join('');
  const more = rejections.length > REJECTIONS_SHOWN ? `<p class="note">${rejections.length - REJECTIONS_SHOWN} more in --json.</p>` : '';
  return `<h2 id="rejections">Rejected orders</h2>
<p>${rejections.length.toLocaleString('en-US')} orders refused by the pre-trade checks (${counts}), never filled.</p>
<table class="rejections"><thead><tr><th>time</th><th>order</th><th>symbol</th><th>units</th><th>reason</th><th>figures</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

/** A period of a strategy run's statistics: a day. */
const DAY_PERIOD: StatPeriod = { periodMs: 86_400_000, days: true };

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
  return `<table class="stats">${STAT_FIELDS.map((f) => `<tr><th>${f}</th><td>${esc(formatStat(f, stats[f], DAY_PERIOD))}</td></tr>`).join('')}</table>`;
}

/** A section: the value (and its benchmark) and underwater charts over `times`, the statistics, the months, the trades (by day). */
function section(
  id: string,
  title: string,
  lines: readonly Line[],
  times: Float64Array,
  days: Float64Array,
  stats: BacktestStats,
  initCash: number,
  trades?: TradeRecords,
): string {
  const money = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  const value = lines[0].values;
  const equity = lineChart(`equity-${id}`, `${title}: value`, lines, times, money);
  const dd = lineChart(
    `underwater-${id}`,
    `${title}: drawdown`,
    [{ name: 'drawdown', values: underwater(value), color: '#d73027', area: true }],
    times,
    (v) => formatStat('maxDrawdown', v),
  );
  return `<section class="symbol" id="section-${id}" data-symbol="${esc(title)}">
<h2>${esc(title)}</h2>
<div class="row"><div><h3>Value${lines.length > 1 ? ' and benchmark' : ''}</h3>${equity}<h3>Underwater</h3>${dd}</div>
<div><h3>Statistics</h3>${statsTable(stats)}</div></div>
<h3>Returns by month</h3><p class="note">Each month: its last value over the month before (the first month: over the initial cash); the last column the year.</p>${periodTable(monthlyReturns(value, times, initCash))}
${trades ? `<h3>Trades</h3>${tradesTable(trades, days)}` : ''}
</section>`;
}

/** The page (see the module comment). */
export function strategyReport(r: StrategyReportInput): string {
  const { series, symbols, initCash } = r;
  const T = series.days.length;
  const K = symbols.length;
  // the charts: the run between the days when the tape is given, else the days
  const between = r.tape && r.fills ? intradaySeries(r.tape, r.fills, symbols, initCash) : undefined;
  const chart = between
    ? { times: between.times, close: between.close, value: between.value, total: between.total }
    : { times: series.days, close: series.close, value: series.value, total: series.total };
  const N = chart.times.length;
  const sampling = between
    ? `the value after the last trade of each ${between.stepMs === 1000 ? 'second' : `stretch of ${durationText(between.stepMs)}`} that has one (${N.toLocaleString('en-US')} points: the shortest stretch, from a second to a day, that gives at most ${INTRADAY_SAMPLES.toLocaleString('en-US')}), drawn as ${chartSampling(N, 'points')}`
    : `a point a day (its last value), drawn as ${chartSampling(N, 'points')}`;
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
    [{ name: 'equity', values: chart.total, color: '#1f6feb' }],
    chart.times,
    series.days,
    r.stats.total,
    initCash,
  );
  const sections = shown.map((symbol, k) => {
    const close = column(chart.close, N, K, k);
    return section(
      String(k),
      symbol,
      [
        { name: `${symbol} value`, values: column(chart.value, N, K, k), color: '#1f6feb' },
        { name: 'buy and hold', values: benchmarkValue(close, initCash), color: '#888' },
      ],
      chart.times,
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
<p>${K} symbols, ${T} days (${esc(timeText(series.days[0]))} to ${esc(timeText(series.days[T - 1]))}); ${settings}. Statistics as vectorbt 1.1.0's Portfolio.stats() over the days (each day's last value; docs/strategy.md), durations in days. A symbol's value: the initial cash and that symbol's fills alone.</p>
${r.periods ? `<p class="periods">Periods a year of the Sharpe, Sortino and Calmar ratios: ${esc(r.periods.text)}.</p>\n` : ''}<p class="note sampling">The charts: ${esc(sampling)}.</p>
${nav}${omitted}
${total}
${sections.join('\n')}
${rejectionsSection(r.rejections ?? [])}
</body></html>
`;
}
