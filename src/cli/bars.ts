/**
 * `kernelbus bars <trades> [options]`: bars from a table of trades (CSV, TSV, gzip, Parquet, Arrow,
 * stdin), per symbol when the file has a symbol column: standard bars by tick, volume, dollar value or
 * time, or mlfinlab's imbalance and run bars (docs/features.md); prints a summary per symbol and, with
 * --out, writes the bars ([symbol,] ts, tickNum, open, high, low, close, volume, buyVolume, ticks,
 * dollarValue) in any format the io layer writes.
 */
import { commandKernels } from './kernels.js';
import { KernelInputError } from '../errors.js';
import { BAR_COLUMNS, type Bars, type InformationBarOptions, type Trades } from '../kernels/features/features.js';
import type { ColumnType } from '../io/types.js';
import { writeFormatOf, writeTable } from '../io/index.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { INPUT_FLAGS, INPUT_USAGE, readJson, readNotes } from './input.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand, parseFinite, text, type Flag } from './options.js';
import { labelled, table } from './summary.js';
import { readTradeGroups, stack } from './vpin-symbols.js';

export const BARS_USAGE = `Usage: kernelbus bars <trades.{csv,tsv,csv.gz,parquet,arrow}|-> --by tick|volume|dollar|time [options]

Bars from a table of trades (columns ts, price, volume as for kernelbus vpin; a symbol column makes
bars per symbol), with mlfinlab's conventions (docs/features.md): a bar closes at the trade whose
running count, volume or dollar value reaches --threshold (time: bars of --threshold ms), or, with
--type imbalance or run, when the signed imbalance exceeds its expectation.

Options:
  --by b                tick | volume | dollar | time (time: standard bars only)
  --threshold x         standard bars: the count, volume or dollar value that closes a bar; time: ms
  --type t              standard | imbalance | run (default standard)
  --kind k              imbalance and run bars: ema | const (default ema)
  --num-prev-bars n     imbalance and run bars: bars in the expected ticks' EWMA (default 3)
  --imbalance-window n  imbalance and run bars: trades in the expected imbalance's EWMA (default 10000)
  --exp-ticks-init n    imbalance and run bars: expected ticks of the first bar (default 20000)
  --exp-ticks-range a,b imbalance and run bars under ema: the expected ticks clipped to [a, b]
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --symbols A,B         only these symbols (in this order)
  --out file            write the bars ([symbol,]ts,tickNum,open,high,low,close,volume,buyVolume,ticks,
                        dollarValue) as .csv, .tsv, .jsonl, .parquet or .arrow (by extension; .gz for
                        text); - : stdout
${badTradesUsage('fail')}
${INPUT_USAGE}`;

const pair = (raw: string | boolean | string[] | undefined, name: string): [number, number] | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  const parts = value.split(',');
  if (parts.length !== 2) throw new KernelInputError(name, 'two numbers a,b', JSON.stringify(value));
  return [parseFinite(parts[0], name), parseFinite(parts[1], name)];
};

/** The flags of `kernelbus bars`: numbers checked for being numbers here, for their range by the kernels. */
const FLAGS = {
  by: flag.string(),
  threshold: flag.finite(),
  type: flag.string(),
  kind: flag.string(),
  'num-prev-bars': flag.finite(),
  'imbalance-window': flag.finite(),
  'exp-ticks-init': flag.finite(),
  'exp-ticks-range': { type: 'string', parse: pair } satisfies Flag<[number, number] | undefined>,
  backend: flag.anyBackend(),
  out: flag.string(),
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  'bad-trades': badTradesFlag('fail'),
  ...INPUT_FLAGS,
};
type Values = NonNullable<ReturnType<typeof parseCommand<typeof FLAGS>>>['values'];

const INFORMATION_FLAGS = ['kind', 'num-prev-bars', 'imbalance-window', 'exp-ticks-init', 'exp-ticks-range'] as const;

/** The kernel and its options from the flags (their values checked by the kernel, named as flags here). */
function barsCall(values: Values): { kernel: 'bars' | 'imbalanceBars' | 'runBars'; options: object } {
  const type = values.type ?? 'standard';
  if (values.by === undefined) throw new KernelInputError('--by', 'tick, volume, dollar or time', 'none');
  if (type === 'standard') {
    const given = INFORMATION_FLAGS.find((f) => values[f] !== undefined);
    if (given) throw new KernelInputError(`--${given}`, 'with --type imbalance or run', 'standard bars');
    if (values.threshold === undefined) throw new KernelInputError('--threshold', 'a number > 0 for standard bars', 'none');
    return { kernel: 'bars', options: { by: values.by, threshold: values.threshold } };
  }
  if (type !== 'imbalance' && type !== 'run') throw new KernelInputError('--type', 'standard, imbalance or run', JSON.stringify(type));
  if (values.threshold !== undefined) throw new KernelInputError('--threshold', 'with --type standard', `--type ${type}`);
  const options: InformationBarOptions = { by: values.by as InformationBarOptions['by'] };
  if (values.kind !== undefined) options.kind = values.kind as InformationBarOptions['kind'];
  if (values['num-prev-bars'] !== undefined) options.numPrevBars = values['num-prev-bars'];
  if (values['imbalance-window'] !== undefined) options.expectedImbalanceWindow = values['imbalance-window'];
  if (values['exp-ticks-init'] !== undefined) options.expNumTicksInit = values['exp-ticks-init'];
  if (values['exp-ticks-range'] !== undefined) options.expNumTicksConstraints = values['exp-ticks-range'];
  return { kernel: type === 'imbalance' ? 'imbalanceBars' : 'runBars', options };
}

/** The kernels' option names as the flags that set them, in an error's message. */
const FLAG_OF: Record<string, string> = {
  'options.by': '--by',
  'options.threshold': '--threshold',
  'options.kind': '--kind',
  'options.numPrevBars': '--num-prev-bars',
  'options.expectedImbalanceWindow': '--imbalance-window',
  'options.expNumTicksInit': '--exp-ticks-init',
  'options.expNumTicksConstraints': '--exp-ticks-range',
};

/** Runs the command with its arguments (without `bars`); output lines go to `log`. Returns the exit code. */
export async function runBars(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(BARS_USAGE), positionals: onePositional('trades', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const { kernel, options } = barsCall(values);
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  const k = await commandKernels(values.backend);
  // the options checked before the read (an empty tape: no trade is read by the check)
  const empty: Trades = { ts: new Float64Array(0), price: new Float64Array(0), volume: new Float64Array(0) };
  const run = (trades: Trades): Bars => {
    try {
      return k[kernel](trades, options as never);
    } catch (error) {
      const e = error as KernelInputError;
      if (e instanceof KernelInputError && FLAG_OF[e.argument]) {
        throw new KernelInputError(FLAG_OF[e.argument], e.expected, e.actual);
      }
      throw error;
    }
  };
  run(empty);

  const { read, readMs, groups } = await readTradeGroups(positionals[0], values);
  const { trades, symbols } = read;
  const t0 = performance.now();
  const results = groups.map((g) => ({ symbol: g.symbol, trades: g.trades.ts.length, bars: run(g.trades) }));
  const computeMs = performance.now() - t0;
  const backend = await backendUsed(k.backend);

  if (values.out) {
    const types: Record<string, ColumnType> = Object.fromEntries(BAR_COLUMNS.map((c) => [c, c === 'ts' ? 'time' : 'number']));
    const parts = results.map((r) => ({
      symbol: r.symbol,
      rows: r.bars.ts.length,
      columns: r.bars as unknown as Record<string, Float64Array>,
    }));
    await writeTable(values.out, stack([...BAR_COLUMNS], types, parts, symbols !== undefined));
  }
  if (values.out === '-') log = (line: string) => console.error(line);
  const n = trades.ts.length;
  if (values.json) {
    log(
      JSON.stringify(
        {
          input: positionals[0] === '-' ? 'stdin' : positionals[0],
          kernel,
          options,
          trades: n,
          symbols: results.map((r) => ({
            ...(r.symbol === undefined ? {} : { symbol: r.symbol }),
            trades: r.trades,
            bars: r.bars.ts.length,
          })),
          backend,
          ms: { read: Number(readMs.toPrecision(4)), bars: Number(computeMs.toPrecision(4)) },
          ...readJson(read.info, n, readMs / 1000, computeMs / 1000),
          ...(values.out ? { wrote: values.out } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const time = (x: number) => (Number.isFinite(x) ? new Date(x).toISOString() : '');
  const rows = results.map((r) => [
    r.symbol ?? '',
    String(r.trades),
    String(r.bars.ts.length),
    time(r.bars.ts[0]),
    time(r.bars.ts[r.bars.ts.length - 1]),
  ]);
  log(`${n} trades, ${kernel}(${JSON.stringify(options)})`);
  for (const line of table(['symbol', 'trades', 'bars', 'first bar', 'last bar'], rows)) log(line);
  const notes = readNotes(read.info);
  for (const line of labelled(
    [
      ['time', `read ${readMs.toFixed(1)} ms, bars ${computeMs.toFixed(2)} ms (${backend} backend)`],
      ...notes.map((note) => ['input', note] as const),
      ...(values.out ? [['wrote', values.out] as const] : []),
    ],
    { width: 13 },
  ))
    log(line);
  return 0;
}
