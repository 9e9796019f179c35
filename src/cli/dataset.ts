/**
 * `kernelbus dataset <trades> --bars by:threshold [options] --out ds.parquet`: a training set from a
 * tape (docs/labeling.md): per symbol, bars, events, labels, features at each event's bar, weights and
 * purged folds (dataset-rows.ts), one row per event, written in any format the io layer writes.
 */
import { KernelInputError } from '../errors.js';
import type { Trades } from '../kernels/features/features.js';
import { writeFormatOf, writeTable } from '../io/index.js';
import type { ColumnType } from '../io/types.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { planOf, type DatasetPlan } from './dataset-plan.js';
import { datasetRows, type SymbolRows } from './dataset-rows.js';
import { INPUT_FLAGS, INPUT_USAGE, readJson, readNotes } from './input.js';
import { commandKernels } from './kernels.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand } from './options.js';
import { labelled, table } from './summary.js';
import { readTradeGroups, stack } from './vpin-symbols.js';

export const DATASET_USAGE = `Usage: kernelbus dataset <trades.{csv,tsv,csv.gz,parquet,arrow}|-> --bars by:threshold [options] --out ds.parquet

A training set from a table of trades (columns ts, price, volume as for kernelbus vpin; a symbol
column makes rows per symbol), with mlfinlab's conventions (docs/labeling.md): bars, events on them,
a label per event, the features at the event's bar, a sample weight and a purged fold; one row per
event: [symbol,] ts, the features, t1, the label's columns, [weight,] [fold, trainIn].

Bars and events:
  --bars by:x           tick:n, volume:v, dollar:v or time:<span> (1m, 5m, 1h: ms, s, m, h, d)
  --events e            all (every bar, default) or cusum:<threshold> (the CUSUM filter of log closes)
Label:
  --label l             triple-barrier (default) | trend | fixed
  --pt x, --sl x        triple barrier: the barriers' multiples of the target (default 1, 1; without a
                        side both sit at pt, as mlfinlab's get_events)
  --target t            triple barrier: daily-vol[:lookback] (default, lookback 100) or a number
  --vertical span       triple barrier: the holding period (1h, 1d, ...); none by default
  --min-return x        triple barrier: events whose target is not above it are dropped (default 0)
  --look-forward n      trend scanning's longest window, exclusive (default 20)
  --min-sample n        trend scanning's shortest window (default 5)
  --threshold x         fixed horizon: the return's threshold (default 0)
Features (at the event's bar; always the bar's open, high, low, close, volume, buyVolume, ticks, dollarValue):
  --indicators list     TA-Lib's indicators as kernelbus indicators --ind takes them: rsi,macd,...
  --estimators list     bar estimators over --window bars: roll, kyle, amihud, hasbrouck,
                        corwin-schultz, parkinson
  --window n            the estimators' window (default 20)
  --fracdiff close:d[:threshold]
                        the log close fractionally differenced (threshold default 1e-5)
  --vpin v[:window]     the VPIN of the last bucket of v volume completed at the event (window default 50)
Weights and folds:
  --weights w           uniqueness | return | decay[:d] (a weight column)
  --folds purged:k[:embargo]
                        k purged folds of each symbol's events (the book's purge and embargo):
                        fold (the row's test fold) and trainIn (bit i set: the row is in fold i's
                        train set, purged of the labels that overlap its test set)
Output:
  --out file            .parquet, .arrow, .csv, .tsv or .jsonl (by extension; .gz for text); - : stdout
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --symbols A,B         only these symbols (in this order)
${badTradesUsage('fail')}
${INPUT_USAGE}`;

const FLAGS = {
  bars: flag.string(),
  events: flag.string(),
  label: flag.string(),
  pt: flag.finite(),
  sl: flag.finite(),
  target: flag.string(),
  vertical: flag.string(),
  'min-return': flag.finite(),
  'look-forward': flag.finite(),
  'min-sample': flag.finite(),
  threshold: flag.finite(),
  indicators: flag.string(),
  estimators: flag.string(),
  window: flag.finite(),
  fracdiff: flag.string(),
  vpin: flag.string(),
  weights: flag.string(),
  folds: flag.string(),
  backend: flag.anyBackend(),
  out: flag.string(),
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  'bad-trades': badTradesFlag('fail'),
  ...INPUT_FLAGS,
};

/** The columns in order (the first symbol's; every symbol has the same). */
const TIME_COLUMNS = new Set(['ts', 't1']);

/** A row count per label value (-1, 0, 1; NaN apart). */
function labelCounts(results: readonly { rows: SymbolRows }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    for (const x of r.rows.columns.label) {
      const key = Number.isNaN(x) ? 'NaN' : String(x);
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

/** Runs the command with its arguments (without `dataset`); output lines go to `log`. Returns the exit code. */
export async function runDataset(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(DATASET_USAGE), positionals: onePositional('trades', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const plan: DatasetPlan = planOf(values);
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  const k = await commandKernels(values.backend);
  // the flags checked by the kernels before the read (no trades)
  const empty: Trades = { ts: new Float64Array(0), price: new Float64Array(0), volume: new Float64Array(0) };
  datasetRows(k, empty, plan);

  const { read, readMs, groups } = await readTradeGroups(positionals[0], values);
  const { trades, symbols } = read;
  const started = performance.now();
  const results = groups.map((g) => {
    try {
      return { symbol: g.symbol, trades: g.trades.ts.length, rows: datasetRows(k, g.trades, plan) };
    } catch (error) {
      if (error instanceof KernelInputError && g.symbol !== undefined) {
        throw new KernelInputError(`${error.argument} (symbol ${g.symbol})`, error.expected, error.actual);
      }
      throw error;
    }
  });
  const computeMs = performance.now() - started;
  const backend = await backendUsed(k.backend);
  const names = Object.keys(results[0]?.rows.columns ?? datasetRows(k, empty, plan).columns);
  if (values.out) {
    const types: Record<string, ColumnType> = Object.fromEntries(names.map((c) => [c, TIME_COLUMNS.has(c) ? 'time' : 'number']));
    const parts = results.map((r) => ({ symbol: r.symbol, rows: r.rows.rows, columns: r.rows.columns }));
    await writeTable(values.out, stack(names, types, parts, symbols !== undefined));
  }
  if (values.out === '-') log = (line: string) => console.error(line);
  const total = results.reduce((n, r) => n + r.rows.rows, 0);
  if (values.json) {
    const summary = {
      input: positionals[0] === '-' ? 'stdin' : positionals[0],
      trades: trades.ts.length,
      rows: total,
      columns: names,
      labels: labelCounts(results),
      symbols: results.map((r) => ({
        ...(r.symbol === undefined ? {} : { symbol: r.symbol }),
        trades: r.trades,
        bars: r.rows.bars,
        events: r.rows.events,
        rows: r.rows.rows,
      })),
      backend,
      ms: { read: Number(readMs.toPrecision(4)), dataset: Number(computeMs.toPrecision(4)) },
      ...readJson(read.info, trades.ts.length, readMs / 1000, computeMs / 1000),
      ...(values.out ? { wrote: values.out } : {}),
    };
    log(JSON.stringify(summary, null, 2));
    return 0;
  }
  log(`${trades.ts.length} trades, ${total} rows of ${names.length} columns (${plan.label} labels)`);
  const rows = results.map((r) => [r.symbol ?? '', String(r.trades), String(r.rows.bars), String(r.rows.events), String(r.rows.rows)]);
  for (const line of table(['symbol', 'trades', 'bars', 'events', 'rows'], rows)) log(line);
  const counts = Object.entries(labelCounts(results))
    .map(([label, n]) => `${label}: ${n}`)
    .join(', ');
  for (const line of labelled(
    [
      ['labels', counts || 'none'],
      ['columns', names.join(', ')],
      ['time', `read ${readMs.toFixed(1)} ms, dataset ${computeMs.toFixed(2)} ms (${backend} backend)`],
      ...readNotes(read.info).map((note) => ['input', note] as const),
      ...(values.out ? [['wrote', values.out] as const] : []),
    ],
    { width: 13 },
  ))
    log(line);
  return 0;
}
