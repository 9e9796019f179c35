/**
 * `kernelbus backtest <bars> --grid sma-cross --fast 2:50 --slow 10:200` (issue 68): a moving-average
 * crossover over every (fast, slow) pair of windows, per symbol, through the backtest family (vectorbt
 * 1.1.0's from_signals and stats; docs/backtest.md): the grid in ./backtest-grid.ts, the page of
 * --report in ./backtest-report.ts. Prints each symbol's best combinations by --sort; --out writes one
 * row per symbol and combination (the windows and every statistic), --json prints them.
 */
import { writeFileSync } from 'node:fs';
import { KernelInputError } from '../errors.js';
import { readTable, writeFormatOf, writeTable } from '../io/index.js';
import { TIME_NAMES } from '../io/csv-header.js';
import { splitColumns } from '../io/symbol-split.js';
import { isText, type ColumnType, type Table, type TableColumn } from '../io/types.js';
import { STAT_FIELDS } from '../kernels/backtest/backtest-stats.js';
import { choosePeriods, inferBarTimes, type PeriodsChoice, periodsJson, periodsText } from '../strategy/periods.js';
import {
  formatStat,
  type GridPlan,
  type GridSettings,
  type GridStats,
  LOWER_IS_BETTER,
  parseGrid,
  parseSort,
  parseWindows,
  planGrid,
  rank,
  runGrid,
  runPair,
  type StatField,
  YEAR_FLAG,
} from './backtest-grid.js';
import { backtestReport, type ReportSymbol } from './backtest-report.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readOptions, skippedText, timeUnitText } from './input.js';
import { commandKernels } from './kernels.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand, text, type Flag } from './options.js';
import { labelled, table } from './summary.js';

export const BACKTEST_USAGE = `Usage: kernelbus backtest <bars.{csv,tsv,csv.gz,parquet,arrow}|-> --grid sma-cross --fast 2:50 --slow 10:200 [options]
       kernelbus backtest --file <tape> --strategy ./strategy.mjs [options]  (a strategy on a tape of
       trades: kernelbus backtest --file x --strategy y --help)

A moving-average crossover over every pair of windows (fast < slow), per symbol: long from the bar
the fast average crosses above the slow one to the bar it crosses below, all the cash, at the close
(vectorbt 1.1.0's MA crossover and Portfolio.from_signals; docs/cli-backtest.md, docs/backtest.md).
The bars: a close column (any case, or --close-column), a time column (ts, time, timestamp, date,
datetime) for the report's dates, and a symbol column (symbol, sym, ticker, instrument, or
--symbol-column) for bars of many symbols: each symbol's rows, in the file's order, are its series.
Prints each symbol's --top best combinations by --sort; progress (the symbols as they finish) goes to
stderr, only the results to stdout.

Options:
  --grid g              sma-cross | ema-cross | wma-cross (required)
  --fast w              fast windows: start:stop, start:stop:step or a list 5,10,20 (integers >= 2)
  --slow w              slow windows, the same way; the pairs are every fast window with every slower one
  --fees x              fees, a fraction of each order's value (default 0)
  --slippage x          slippage, a fraction moving buys up and sells down (default 0)
  --init-cash x         initial cash (default 100)
  --periods-per-year n  bars a year for the Sharpe, Sortino and Calmar ratios (default: inferred from
                        the time column under --year; 365, vectorbt's year over daily bars, without one)
  --year y              the year of the inferred periods: trading (default: the days the market trades,
                        252 without weekends, x the bars of its day: 98,280 for 1-minute bars of 6.5-hour
                        sessions) | calendar (vectorbt's 365 days over the bars' spacing: 525,600)
  --sort stat           the statistic that ranks the combinations (default sharpeRatio; descending,
                        ascending for ${LOWER_IS_BETTER.join(', ')}; those that never traded after
                        the others, NaN last): ${STAT_FIELDS.join(', ')}
  --top n               best combinations shown per symbol (default 10)
  --out file            every symbol and combination: [symbol,] fast, slow and every statistic, as .csv,
                        .tsv, .jsonl, .parquet or .arrow; - : stdout
  --report file.html    a self-contained page: each symbol's best combination (equity and benchmark,
                        underwater, monthly returns, trades) and the sorted statistic over fast x slow
  --close-column name   the close column (default: close)
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --symbols A,B         only these symbols (in this order)
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)

${INPUT_USAGE}`;

/** A finite number >= 0 (> 0 when `positive`), `fallback` when absent; else KernelInputError naming the flag. */
function amount<F extends number | undefined>(fallback: F, positive: boolean): Flag<number | F> {
  return {
    type: 'string',
    parse: (raw, name) => {
      const given = text(raw);
      if (given === undefined) return fallback;
      const x = Number(given);
      if (given.trim() === '' || !Number.isFinite(x) || x < 0 || (positive && x === 0)) {
        throw new KernelInputError(name, `a number ${positive ? '>' : '>='} 0`, JSON.stringify(given));
      }
      return x;
    },
  };
}

const FLAGS = {
  grid: { type: 'string', parse: (raw, name) => parseGrid(text(raw), name) } satisfies Flag<ReturnType<typeof parseGrid>>,
  fast: { type: 'string', parse: (raw, name) => parseWindows(text(raw), name) } satisfies Flag<number[]>,
  slow: { type: 'string', parse: (raw, name) => parseWindows(text(raw), name) } satisfies Flag<number[]>,
  fees: amount(0, false),
  slippage: amount(0, false),
  'init-cash': amount(100, true),
  'periods-per-year': amount(undefined, true),
  year: YEAR_FLAG,
  sort: { type: 'string', parse: (raw, name) => parseSort(text(raw), name) } satisfies Flag<StatField>,
  top: flag.number(10, 1, 1_000_000, true),
  out: flag.string(),
  report: flag.string(),
  'close-column': flag.name('close'),
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  backend: flag.anyBackend(),
  ...INPUT_FLAGS,
};

const SYMBOL_NAMES = ['symbol', 'sym', 'ticker', 'instrument'];
/** The symbols a report shows at most (the others are in --out and --json)... */
export const REPORT_SYMBOLS = 50;
/** ...and the heatmap cells (fast x slow per symbol) of the page at most, one symbol at least: a page of ~20 MB. */
export const REPORT_CELLS = 100_000;
/** Cells (bars x pairs, all symbols) from which the symbols' progress goes to stderr even off a terminal. */
const LONG_GRID = 10_000_000;

/** The file's column named one of `wanted` (any case). */
const find = (names: string[], wanted: readonly string[]) => names.find((n) => wanted.includes(n.toLowerCase()));

/** One symbol's series and its grid's statistics. */
interface SymbolRun {
  symbol?: string;
  close: Float64Array;
  dates?: Float64Array;
  stats: GridStats;
  order: Int32Array;
}

/** A combination's row: [symbol], fast, slow and each statistic computed. */
type Row = { symbol?: string; fast: number; slow: number } & Partial<Record<StatField, number>>;

const rowOf = (plan: GridPlan, run: SymbolRun, p: number): Row => ({
  ...(run.symbol === undefined ? {} : { symbol: run.symbol }),
  fast: plan.fastOf[p],
  slow: plan.slowOf[p],
  ...Object.fromEntries(Object.entries(run.stats).map(([f, v]) => [f, v[p]])),
});

/** The statistics the console table shows (and the sort's, after the first two). */
const SHOWN: readonly StatField[] = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'totalTrades', 'winRate', 'profitFactor'];

/**
 * Runs the command with its arguments (without `backtest`); result lines go to `log`, the symbols'
 * progress to `progress` (default: stderr, on a terminal or for a long grid). Returns the exit code.
 */
export async function runBacktest(argv: string[], log = console.log, progress?: (line: string) => void): Promise<number> {
  // `--file <tape> --strategy s.mjs`: the strategy backtest (./backtest-strategy.ts)
  if (argv.some((a) => /^--(file|strategy)(=|$)/.test(a))) {
    return (await import('./backtest-strategy.js')).runStrategyBacktest(argv, log, progress);
  }
  const parsed = parseCommand(argv, FLAGS, { help: () => log(BACKTEST_USAGE), positionals: onePositional('bars', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const grid = values.grid;
  const plan = planGrid(grid, values.fast, values.slow);
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  if (values.report !== undefined && !/\.html?$/i.test(values.report)) {
    throw new KernelInputError('--report', 'a file name ending in .html', JSON.stringify(values.report));
  }
  const k = await commandKernels(values.backend);

  const started = performance.now();
  const reading = progressLine('bars');
  let bars: Table;
  try {
    bars = await readTable(positionals[0], readOptions(values, reading));
  } finally {
    reading.done();
  }
  const readSeconds = (performance.now() - started) / 1000;
  const source = bars.info?.source ?? positionals[0];
  const closeName = find(bars.names, [values['close-column']!.toLowerCase()]);
  if (closeName === undefined || bars.types[closeName] !== 'number') {
    throw new KernelInputError(source, `a number column ${values['close-column']} (the closes)`, `columns ${bars.names.join(', ')}`);
  }
  const timeName = find(bars.names, TIME_NAMES);
  const dated = timeName !== undefined && bars.types[timeName] === 'time';
  const symbolName = values['symbol-column'] ?? find(bars.names, SYMBOL_NAMES);
  const symbolColumn = symbolName === undefined ? undefined : bars.columns[symbolName];
  if (values['symbol-column'] !== undefined && !symbolColumn) {
    throw new KernelInputError('--symbol-column', `a column of ${bars.names.join(', ')}`, JSON.stringify(values['symbol-column']));
  }
  if (symbolColumn && !isText(symbolColumn)) throw new KernelInputError(symbolName!, 'a text column of symbols', 'numbers');
  if (!symbolColumn && values.symbols) throw new KernelInputError('--symbols', 'a file with a symbol column', 'none');
  const columns = [bars.columns[closeName] as Float64Array, ...(dated ? [bars.columns[timeName!] as Float64Array] : [])];
  const groups: { symbol?: string; columns: Float64Array[] }[] =
    symbolColumn && isText(symbolColumn)
      ? splitColumns(columns, symbolColumn, { symbols: values.symbols, name: '--symbols', row: 'bar' })
      : [{ columns }];
  // the periods a year: --periods-per-year, else inferred from the bars' times (docs/cli-backtest.md)
  const periods = choosePeriods(dated ? inferBarTimes(groups.map((g) => g.columns[1])) : undefined, {
    given: values['periods-per-year'],
    year: values.year,
  });
  const settings: GridSettings = {
    fees: values.fees,
    slippage: values.slippage,
    initCash: values['init-cash'],
    periodsPerYear: periods.periodsPerYear,
  };

  // the statistics the output reads: all for --out and --json, else the table's and the sort's (rank
  // reads totalTrades, the report only the sort's): only those are computed
  const shown = SHOWN.includes(values.sort) ? [...SHOWN] : [...SHOWN.slice(0, 2), values.sort, ...SHOWN.slice(2)];
  const fields = values.out || values.json ? STAT_FIELDS : shown;
  const P = plan.pairs.a.length;
  const cells = groups.reduce((n, g) => n + g.columns[0].length * P, 0);
  const report =
    progress ?? (process.stderr.isTTY || cells >= LONG_GRID ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined);
  const t0 = performance.now();
  const runs: SymbolRun[] = groups.map((g, n) => {
    const t = performance.now();
    const close = g.columns[0];
    const stats = runGrid(k, close, plan, settings, fields);
    const run = { symbol: g.symbol, close, dates: dated ? g.columns[1] : undefined, stats, order: rank(stats, values.sort) };
    const name = g.symbol === undefined ? source : g.symbol;
    report(
      `backtest: ${name} done (${P} pairs x ${close.length} bars, ${((performance.now() - t) / 1000).toFixed(2)} s) [${n + 1}/${groups.length}]`,
    );
    return run;
  });
  const computeSeconds = (performance.now() - t0) / 1000;
  const backend = await backendUsed(k.backend);

  if (values.out) await writeTable(values.out, outputTable(plan, runs));
  if (values.report) writeFileSync(values.report, reportPage(k, plan, runs, settings, periods, values.sort, source, positionals[0]));
  if (values.out === '-') log = (line: string) => console.error(line);

  const top = runs.flatMap((run) => Array.from(run.order.subarray(0, values.top), (p) => rowOf(plan, run, p)));
  const symbols = symbolColumn !== undefined;
  if (values.json) {
    const clean = (r: Row) =>
      Object.fromEntries(Object.entries(r).map(([key, v]) => [key, typeof v === 'number' && !Number.isFinite(v) ? null : v]));
    log(
      JSON.stringify(
        {
          input: positionals[0] === '-' ? 'stdin' : positionals[0],
          bars: bars.rows,
          grid: { name: grid, fast: plan.fast, slow: plan.slow, pairs: P },
          options: settings,
          periods: periodsJson(periods),
          sort: values.sort,
          symbols: runs.map((r) => ({ ...(r.symbol === undefined ? {} : { symbol: r.symbol }), bars: r.close.length })),
          top: top.map(clean),
          results: runs.flatMap((run) => Array.from({ length: P }, (_, p) => clean(rowOf(plan, run, p)))),
          backend,
          ...readJson(bars.info, bars.rows, readSeconds, computeSeconds),
          ...(values.out ? { wrote: values.out } : {}),
          ...(values.report ? { report: values.report } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const order = LOWER_IS_BETTER.includes(values.sort) ? 'lowest' : 'highest';
  log(
    `${runs.reduce((n, r) => n + r.close.length, 0)} bars${symbols ? ` of ${runs.length} symbols` : ''}; ${grid} of ${P} pairs (fast ${span(plan.fast)}, slow ${span(plan.slow)}); ` +
      `the ${values.top} best by ${values.sort} (${order} first)${symbols ? ' per symbol' : ''}`,
  );
  const header = [...(symbols ? ['symbol'] : []), 'fast', 'slow', ...shown];
  for (const line of table(
    header,
    top.map((r) => [...(symbols ? [r.symbol!] : []), String(r.fast), String(r.slow), ...shown.map((f) => formatStat(f, r[f]!, periods))]),
  ))
    log(line);
  const notes = [timeUnitText(bars.info), skippedText(bars.info)].filter((x) => x !== undefined);
  for (const line of labelled(
    [
      ['time', `read ${(readSeconds * 1000).toFixed(1)} ms, backtests ${(computeSeconds * 1000).toFixed(1)} ms (${backend} backend)`],
      [
        'options',
        `fees ${settings.fees}, slippage ${settings.slippage}, initial cash ${settings.initCash}, ${periodsText(settings.periodsPerYear)} bars a year`,
      ],
      ['periods', periods.text],
      ...notes.map((note) => ['input', note] as const),
      ...(values.out ? [['wrote', values.out] as const] : []),
      ...(values.report ? [['report', values.report] as const] : []),
    ],
    { width: 13 },
  ))
    log(line);
  return 0;
}

/** `2..50 (49)`, or the one window. */
const span = (w: readonly number[]) => (w.length > 1 ? `${w[0]}..${w[w.length - 1]} (${w.length})` : String(w[0]));

/** [symbol,] fast, slow and every statistic: one row per symbol and combination, the symbols one after another. */
function outputTable(plan: GridPlan, runs: SymbolRun[]): Table {
  const P = plan.pairs.a.length;
  const n = P * runs.length;
  const names: string[] = [];
  const columns: Record<string, TableColumn> = {};
  const types: Record<string, ColumnType> = {};
  const add = (name: string, column: TableColumn, type: ColumnType) => {
    names.push(name);
    columns[name] = column;
    types[name] = type;
  };
  if (runs[0]?.symbol !== undefined) {
    const codes = new Int32Array(n);
    runs.forEach((_, s) => codes.fill(s, s * P, (s + 1) * P));
    add('symbol', { codes, values: runs.map((r) => r.symbol!) }, 'text');
  }
  const repeat = (of: Int32Array) => {
    const out = new Float64Array(n);
    for (let s = 0; s < runs.length; s++) for (let p = 0; p < P; p++) out[s * P + p] = of[p];
    return out;
  };
  add('fast', repeat(plan.fastOf), 'number');
  add('slow', repeat(plan.slowOf), 'number');
  for (const f of STAT_FIELDS) {
    const out = new Float64Array(n);
    runs.forEach((r, s) => out.set(r.stats[f]!, s * P));
    add(f, out, 'number');
  }
  return { rows: n, names, columns, types };
}

/** The report page: each symbol's best combination run again alone (its series and trades), up to REPORT_SYMBOLS symbols and REPORT_CELLS cells. */
function reportPage(
  k: Awaited<ReturnType<typeof commandKernels>>,
  plan: GridPlan,
  runs: SymbolRun[],
  settings: GridSettings,
  periods: PeriodsChoice,
  sort: StatField,
  source: string,
  input: string,
): string {
  const limit = Math.max(1, Math.min(REPORT_SYMBOLS, Math.floor(REPORT_CELLS / (plan.fast.length * plan.slow.length))));
  const symbols: ReportSymbol[] = runs.slice(0, limit).map((run) => {
    const best = run.order[0];
    const { result, stats } = runPair(k, run.close, plan, best, settings);
    const value = result.value instanceof Float64Array ? result.value : result.value.data;
    return {
      ...(run.symbol === undefined ? {} : { symbol: run.symbol }),
      ...(run.dates ? { dates: run.dates } : {}),
      close: run.close,
      fast: plan.fastOf[best],
      slow: plan.slowOf[best],
      value,
      stats: Object.fromEntries(STAT_FIELDS.map((f) => [f, stats[f][0]])) as Record<StatField, number>,
      trades: result.trades,
      fastOf: plan.fastOf,
      slowOf: plan.slowOf,
      sorted: run.stats[sort]!,
    };
  });
  return backtestReport({
    input: input === '-' ? 'stdin' : source,
    grid: plan.grid,
    fast: plan.fast,
    slow: plan.slow,
    sort,
    ...settings,
    periods,
    symbols,
    omitted: Math.max(0, runs.length - limit),
  });
}
