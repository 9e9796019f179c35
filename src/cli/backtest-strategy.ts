/**
 * `kernelbus backtest --file <tape> --strategy <file.mjs>` (issue 69): the Backtesting engine. A recorded
 * tape (CSV, Parquet or Arrow; one symbol or many, read by `kernelbus/io`'s readTrades) through a
 * strategy module (`kernelbus/strategy`'s defineStrategy) in process at full speed, with the fill model
 * of the flags; prints the fills, positions and backtestStats per symbol and in total (days of the
 * UTC day, or of --session), --json all of it, --out the fills as a table. docs/strategy.md.
 */
import { writeFileSync } from 'node:fs';
import { KernelInputError } from '../errors.js';
import { readTrades, writeFormatOf, writeTable } from '../io/index.js';
import type { BacktestStats } from '../kernels/backtest/backtest-stats.js';
import { parseSession } from '../replay/session.js';
import { backtestStrategy, type StrategyBacktest } from '../strategy/backtest.js';
import { type CallbackErrors, StrategyErrorLimit } from '../strategy/errors.js';
import { resolveExecution } from '../strategy/execution.js';
import { loadStrategy } from '../strategy/load.js';
import { choosePeriods, inferBarTimes, periodsJson } from '../strategy/periods.js';
import { YEAR_FLAG } from './backtest-grid.js';
import { badTradesFlag, badTradesUsage, printRejected } from './bad-trades.js';
import { EXECUTION_FLAG_PARSERS, executionOf } from './execution-flags.js';
import { riskOptions } from './risk-flags.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readNotes, readOptions } from './input.js';
import { flag, parseCommand, text, type Flag } from './options.js';
import { fixed, fmt, labelled, pct, table } from './summary.js';

export const BACKTEST_STRATEGY_USAGE = `Usage: kernelbus backtest --file <tape.{csv,tsv,csv.gz,parquet,arrow}|-> --strategy ./strategy.mjs [options]

Replays a recorded tape of trades (ts, price, volume, and a symbol column for many symbols) through a
strategy module (its default export: defineStrategy({ name, bars, indicators, onBar }) from
kernelbus/strategy) in process at full speed: the bars and indicators of each symbol, onBar at each
closed bar, its orders filled by the fill model below (the same as the live Strategy engine's), one
account across the symbols. Prints the fills and, per symbol and in total, backtestStats of the equity
curve at each day's end (docs/strategy.md, docs/backtest.md). Progress goes to stderr on long tapes.

Options:
  --file f              the tape (required)
  --strategy f          the strategy module, .mjs or .js, in any folder: its imports of kernelbus are
                        this kernelbus's (required)
  --init-cash x         initial cash (default 100)
  --fees x              fees, a fraction of each fill's notional at the slipped price (default 0)
  --fixed-fees x        fees per fill (default 0)
  --slippage x          a fraction moving market buys up and sells down (default 0)
  --latency-ms n        orders reach the market this long after the bar closed (default 0)
  --participation x     at most this share (0, 1] of each trade's volume fills an order (default: all)
  --allow-short         sells may go short (default: a sell is cut to the position held)
  --fill-at w           next (default: the symbol's next trade) | close (at the bar's close: the
                        vectorized model of backtestSignals)
  --session h           market hours of a day of the statistics: 09:30-16:00 [time zone] (default the UTC day)
  --periods-per-year n  days a year of the Sharpe, Sortino and Calmar ratios (default: from the tape's times)
  --year y              trading (default: 365 days with trades on weekends or round the clock, else 252)
                        | calendar (vectorbt's 365) for the days a year inferred (docs/strategy.md)
  --out file            the fills (id, orderId, strategy, symbol, ts, units, price, fees) as .csv, .tsv,
                        .jsonl, .parquet or .arrow
  --report file.html    a self-contained page: the account and each symbol (value and buy and hold,
                        drawdown, returns by month, statistics, trades), charted between the days
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --accounts f          an accounts file (docs/margin.md): the margin of the strategy's account for the
                        pre-trade margin check (the strategy's own limits: defineStrategy's limits)
  --on-margin-call w    reduce (REDUCING until the call clears) | halt (HALTED) | none (default): what a
                        margin call at a bar's close does to the trading state
  --max-errors n        stop (exit 1) at the strategy's callback error n + 1 (default: no limit; exit 1
                        when every onBar, or every call of another callback, threw)
  --json                { orders, fills, rejections, positions, stats, metrics, callbackErrors } (NaN and
                        infinities as null)
${badTradesUsage('fail')}
${INPUT_USAGE}`;

/** A finite number >= 0 (> 0 when `positive`), undefined when absent. */
function amount(positive: boolean): Flag<number | undefined> {
  return {
    type: 'string',
    parse: (raw, name) => {
      const given = text(raw);
      if (given === undefined) return undefined;
      const x = Number(given);
      if (given.trim() === '' || !Number.isFinite(x) || x < 0 || (positive && x === 0)) {
        throw new KernelInputError(name, `a number ${positive ? '>' : '>='} 0`, JSON.stringify(given));
      }
      return x;
    },
  };
}

const FLAGS = {
  file: flag.string(),
  strategy: flag.string(),
  ...EXECUTION_FLAG_PARSERS,
  session: flag.string(),
  'periods-per-year': amount(true),
  year: YEAR_FLAG,
  out: flag.string(),
  report: flag.string(),
  'symbol-column': flag.name(),
  'max-errors': flag.optionalNumber(0, Number.MAX_SAFE_INTEGER, true),
  accounts: flag.string(),
  'on-margin-call': flag.string(),
  'bad-trades': badTradesFlag('fail'),
  ...INPUT_FLAGS,
};

/** Trades from which the progress goes to stderr even off a terminal. */
const LONG_TAPE = 5_000_000;

/** The --json form of a value: NaN and infinities as null. */
const clean = (x: unknown): unknown => (typeof x === 'number' && !Number.isFinite(x) ? null : x);
const cleanObject = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, clean(v)]));

/**
 * Runs the command with its arguments (without `backtest`); results go to `log`, progress to
 * `progress` (default: stderr on a terminal or a long tape). Returns the exit code.
 */
export async function runStrategyBacktest(argv: string[], log = console.log, progress?: (line: string) => void): Promise<number> {
  try {
    return await runStrategy(argv, log, progress);
  } catch (error) {
    if (!(error instanceof StrategyErrorLimit)) throw error;
    // --max-errors: the counts so far, and why it stopped (no results: the run did not end)
    for (const line of error.errors.summary()) process.stderr.write(`${line}\n`);
    process.stderr.write(`kernelbus backtest: ${error.message.replace(/ \(maxErrors\)$/, ' (--max-errors)')}\n`);
    return 1;
  }
}

/**
 * The strategy's callback errors at the end of a run, on stderr (their counts by kind); returns the exit
 * code: 1 when a callback threw at every call (every onBar: nothing the strategy decided was placed).
 */
function errorsAtEnd(errors: CallbackErrors): number {
  for (const line of errors.summary()) process.stderr.write(`${line}\n`);
  const all = errors.allFailed();
  if (all.length === 0) return 0;
  const n = all.map((c) => fmt(errors.calls[c])).join(' and ');
  process.stderr.write(`kernelbus backtest: the strategy fails: every call of ${all.join(' and ')} threw (${n} calls)\n`);
  return 1;
}

/** runStrategyBacktest() but for StrategyErrorLimit (--max-errors), which it throws. */
async function runStrategy(argv: string[], log: (line: string) => void, progress?: (line: string) => void): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(BACKTEST_STRATEGY_USAGE) });
  if (!parsed) return 0;
  const { values } = parsed;
  if (values.file === undefined || values.file === '') throw new KernelInputError('--file', 'a tape of trades', 'none');
  if (values.strategy === undefined || values.strategy === '') throw new KernelInputError('--strategy', 'a strategy module', 'none');
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  if (values.report !== undefined && !/\.html?$/i.test(values.report)) {
    throw new KernelInputError('--report', 'a file name ending in .html', JSON.stringify(values.report));
  }
  const session = values.session === undefined ? undefined : parseSession(values.session, '--session');
  const execution = resolveExecution(executionOf(values));
  const { strategy, source } = await loadStrategy(values.strategy);
  const risk = riskOptions(values.accounts, values['on-margin-call'], [strategy.name]);

  const started = performance.now();
  const reading = progressLine('trades');
  let read: Awaited<ReturnType<typeof readTrades>>;
  try {
    read = await readTrades(values.file, {
      ...readOptions(values, reading),
      ...(values['symbol-column'] === undefined ? {} : { symbolColumn: values['symbol-column'] }),
      badTrades: values['bad-trades'],
    });
  } finally {
    reading.done();
  }
  printRejected(read.info.badTrades);
  const readSeconds = (performance.now() - started) / 1000;
  const n = read.trades.ts.length;
  const name = read.info.source ?? values.file;
  const report =
    progress ?? (process.stderr.isTTY || n >= LONG_TAPE ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined);
  const t0 = performance.now();
  const periods = choosePeriods(inferBarTimes(read.trades.ts, 'trades'), {
    given: values['periods-per-year'],
    year: values.year,
    per: 'days',
  });
  const result = backtestStrategy(
    { ...read.trades, ...(read.symbols ? { symbols: read.symbols } : { symbol: symbolOfFile(values.file) }) },
    strategy,
    {
      ...execution,
      ...risk.of(strategy.name),
      source,
      ...(values['max-errors'] === undefined ? {} : { maxErrors: values['max-errors'] }),
      ...(session === undefined ? {} : { session }),
      periodsPerYear: periods.periodsPerYear,
      progress: (done) => {
        const seconds = (performance.now() - t0) / 1000;
        report(`backtest: ${(100 * done).toFixed(0)}% of ${fmt(n)} trades, ${fmt(Math.round((done * n) / seconds))} trades/s`);
      },
      // ctx.log lines and the callbacks' errors go to stderr, as they come
      log: (line) => process.stderr.write(`${line}\n`),
    },
  );
  const computeSeconds = (performance.now() - t0) / 1000;
  if (values.out)
    await writeTable(
      values.out,
      result.fills.map((f) => ({ ...f })),
    );
  if (values.report && result.series) {
    const { strategyReport } = await import('./strategy-report.js');
    const settings = {
      'initial cash': execution.initCash,
      fees: execution.fees,
      'fixed fees': execution.fixedFees,
      slippage: execution.slippage,
      'latency ms': execution.latencyMs,
      participation: execution.participation === Number.POSITIVE_INFINITY ? 'all' : execution.participation,
      'allow short': execution.allowShort,
      'fill at': execution.fillAt,
      ...(values.session ? { session: values.session } : {}),
    };
    const symbols = Object.keys(result.stats).filter((k) => k !== 'total');
    const page = strategyReport({
      input: name,
      strategy: strategy.name,
      settings,
      symbols,
      series: result.series,
      stats: result.stats,
      initCash: execution.initCash,
      tape: { ...read.trades, ...(read.symbols ? { symbols: read.symbols } : { symbol: symbolOfFile(values.file) }) },
      fills: result.fills,
      rejections: result.rejections,
      periods,
    });
    writeFileSync(values.report, page);
  }
  if (values.out === '-') log = (line: string) => console.error(line);

  if (values.json) {
    log(
      JSON.stringify({
        input: values.file === '-' ? 'stdin' : values.file,
        strategy: { name: strategy.name, file: source },
        trades: n,
        orders: result.orders,
        fills: result.fills.map(cleanObject),
        rejections: result.rejections,
        positions: result.positions.map(cleanObject),
        stats: Object.fromEntries(Object.entries(result.stats).map(([k, s]) => [k, cleanObject(s)])),
        periods: periodsJson(periods),
        metrics: result.metrics,
        callbackErrors: result.errors.kinds(),
        cash: clean(result.cash),
        equity: clean(result.equity),
        ...readJson(read.info, n, readSeconds, computeSeconds),
        ...(values.out ? { wrote: values.out } : {}),
        ...(values.report ? { report: values.report } : {}),
      }),
    );
    return errorsAtEnd(result.errors);
  }
  for (const line of summary(result, strategy.name, name, n, readSeconds, computeSeconds)) log(line);
  const notes = readNotes(read.info);
  const wrote = [values.out, values.report].flatMap((x) => (x === undefined ? [] : [['wrote', x] as const]));
  const rows = [['periods', periods.text] as const, ...notes.map((note) => ['input', note] as const), ...wrote];
  for (const line of labelled(rows, { width: 9 })) log(line);
  return errorsAtEnd(result.errors);
}

/** `margin 12, maxOrderNotional 3`: the rejections by rule. */
function rejectedText(rejections: readonly { reason: string }[]): string {
  const by = new Map<string, number>();
  for (const r of rejections) by.set(r.reason, (by.get(r.reason) ?? 0) + 1);
  return [...by].map(([reason, n]) => `${reason} ${fmt(n)}`).join(', ');
}

/** A tape without a symbol column: its symbol is the file's name without extension. */
function symbolOfFile(path: string): string {
  if (path === '-') return 'stdin';
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.(csv|tsv|tab|txt|parquet|pq|arrow|feather|ipc)(\.gz)?$/i, '') || 'symbol';
}

/** The human summary: counts, the statistics table (each symbol, then the total), the last positions. */
function summary(r: StrategyBacktest, name: string, file: string, n: number, readSeconds: number, computeSeconds: number): string[] {
  const m = r.metrics;
  const lines = [
    `${name} on ${file}: ${fmt(n)} trades, ${fmt(m.bars)} bars, ${fmt(m.orders)} orders, ${fmt(m.fills)} fills` +
      (m.rejected > 0 ? `, ${fmt(m.rejected)} orders rejected (${rejectedText(r.rejections)})` : '') +
      (m.marginCalls > 0 ? `, ${fmt(m.marginCalls)} margin calls` : '') +
      (m.errors > 0 ? `, ${fmt(m.errors)} callbacks threw (their orders dropped)` : ''),
  ];
  const row = (label: string, s: BacktestStats) => [
    label,
    fixed(s.endValue, 2),
    pct(s.totalReturn, 2),
    fixed(s.sharpeRatio, 2),
    pct(s.maxDrawdown, 2),
    String(s.totalTrades),
    pct(s.winRate, 1),
    fixed(s.totalFeesPaid, 2),
  ];
  const symbols = Object.keys(r.stats).filter((k) => k !== 'total');
  if (r.stats.total) {
    lines.push(
      ...table(
        ['', 'endValue', 'totalReturn', 'sharpeRatio', 'maxDrawdown', 'trades', 'winRate', 'fees'],
        [...symbols.map((s) => row(s, r.stats[s])), row('total', r.stats.total)],
      ),
    );
  }
  const held = r.positions.filter((p) => p.units !== 0);
  lines.push(
    ...labelled(
      [
        [
          'positions',
          held.length === 0
            ? 'flat'
            : `${held.map((p) => `${p.symbol} ${fixed(p.units, 4)} @ ${fixed(p.avgPrice, 4)}`).join(', ')} (units @ average entry price)`,
        ],
        ['account', `cash ${fixed(r.cash, 2)}, equity ${fixed(r.equity, 2)}`],
        [
          'time',
          `read ${(readSeconds * 1000).toFixed(1)} ms, backtest ${(computeSeconds * 1000).toFixed(1)} ms ` +
            `(${fmt(Math.round(n / Math.max(computeSeconds, 1e-9)))} trades/s; onBar ${m.onBarMs.toFixed(1)} ms, slowest ${m.slowestOnBarMs.toFixed(2)} ms` +
            `${m.slowOnBars > 0 ? `, ${fmt(m.slowOnBars)} over 100 ms` : ''})`,
        ],
      ],
      { width: 9 },
    ),
  );
  return lines;
}
