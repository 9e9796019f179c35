/**
 * `kernelbus indicators <bars> --ind rsi,macd,bbands [options]`: TA-Lib's indicators (the indicators
 * family, docs/indicators.md) of a table of bars (CSV, TSV, gzip, Parquet, Arrow, stdin), per symbol
 * when the file has a symbol column; prints a summary and, with --out, writes the bars' time (and
 * symbol) with one column per indicator output, in any format the io layer writes.
 */
import { parseIndicators, type IndicatorSpec } from '../api/indicator-spec.js';
import { commandKernels } from './kernels.js';
import { KernelInputError } from '../errors.js';
import { INDICATORS_KERNELS } from '../kernels/indicators/indicators-kernels.js';
import { readTable, writeFormatOf, writeTable } from '../io/index.js';
import { splitColumns } from '../io/symbol-split.js';
import { isText, type ColumnType, type Table, type TableColumn } from '../io/types.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readOptions, skippedText, timeUnitText } from './input.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand, text, type Flag } from './options.js';
import { labelled, table } from './summary.js';

type Name = keyof typeof INDICATORS_KERNELS;
const NAMES = Object.keys(INDICATORS_KERNELS) as Name[];

export const INDICATORS_USAGE = `Usage: kernelbus indicators <bars.{csv,tsv,csv.gz,parquet,arrow}|-> --ind <list> [options]

TA-Lib's indicators, to the last bit (docs/indicators.md), of a table of bars: columns open, high,
low, close, volume (those the indicators read; any case), a time column (ts, time, timestamp, date,
datetime) when there is one, and a symbol column (symbol, sym, ticker, instrument, or
--symbol-column) for bars of many symbols: each symbol's rows, in the file's order, are its series.

Options:
  --ind list            indicators, comma-separated, each with TA-Lib's options in camelCase in
                        parentheses: rsi,macd(fastPeriod=8;slowPeriod=21),bbands(timePeriod=20;nbDevUp=2.5)
                        (${NAMES.join(', ')})
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --symbol-column name  the symbol column (default: symbol, sym, ticker or instrument when present)
  --symbols A,B         only these symbols (in this order)
  --out file            write [symbol,][ts,] and a column per output (rsi; macd, macd_signal, macd_hist;
                        with options: rsi_21) as .csv, .tsv, .jsonl, .parquet or .arrow; - : stdout

${INPUT_USAGE}`;

type Asked = IndicatorSpec;

export { parseIndicators };

const FLAGS = {
  ind: { type: 'string', parse: (raw, name) => parseIndicatorsFlag(text(raw), name) } satisfies Flag<Asked[]>,
  backend: flag.anyBackend(),
  out: flag.string(),
  'symbol-column': flag.name(),
  symbols: flag.symbols(),
  ...INPUT_FLAGS,
};

function parseIndicatorsFlag(value: string | undefined, name: string): Asked[] {
  if (value === undefined || value.trim() === '') throw new KernelInputError(name, 'a list of indicators (rsi,macd,...)', 'none');
  return parseIndicators(value);
}

const TIME = ['ts', 'time', 'timestamp', 'date', 'datetime'];
const SYMBOL = ['symbol', 'sym', 'ticker', 'instrument'];

/** The file's column named `wanted` (any case) among `names`. */
const find = (names: string[], wanted: readonly string[]) => names.find((n) => wanted.includes(n.toLowerCase()));

/** Runs the command with its arguments (without `indicators`); output lines go to `log`. Returns the exit code. */
export async function runIndicators(argv: string[], log = console.log): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(INDICATORS_USAGE), positionals: onePositional('bars', 'one file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const asked = values.ind;
  if (values.out !== undefined) writeFormatOf(values.out, undefined, '--out');
  const k = await commandKernels(values.backend);
  const call = (a: Asked, input: unknown) => {
    try {
      return (k[a.name] as unknown as (x: unknown, o: unknown) => Float64Array | Record<string, Float64Array>)(input, a.options);
    } catch (error) {
      const e = error as KernelInputError;
      if (e instanceof KernelInputError && e.argument === 'options') throw new KernelInputError(`--ind ${a.name}`, e.expected, e.actual);
      if (e instanceof KernelInputError && e.argument.startsWith('options.')) {
        throw new KernelInputError(`--ind ${a.name}(${e.argument.slice(8)})`, e.expected, e.actual);
      }
      throw error;
    }
  };
  // the options checked before the read (no bars)
  const empty = new Float64Array(0);
  for (const a of asked)
    call(a, INDICATORS_KERNELS[a.name].fields.length === 1 ? empty : { high: empty, low: empty, close: empty, volume: empty });

  const started = performance.now();
  const progress = progressLine('bars');
  let bars: Table;
  try {
    bars = await readTable(positionals[0], readOptions(values, progress));
  } finally {
    progress.done();
  }
  const readMs = performance.now() - started;
  const needed = [...new Set(asked.flatMap((a) => INDICATORS_KERNELS[a.name].fields))];
  const fieldColumn = Object.fromEntries(
    needed.map((f) => {
      const name = find(bars.names, [f]);
      if (name === undefined || bars.types[name] !== 'number') {
        throw new KernelInputError(
          bars.info?.source ?? positionals[0],
          `a number column ${f} (${asked.map((a) => a.name).join(', ')} read it)`,
          `columns ${bars.names.join(', ')}`,
        );
      }
      return [f, bars.columns[name] as Float64Array];
    }),
  );
  const timeName = find(bars.names, TIME);
  const symbolName = values['symbol-column'] ?? find(bars.names, SYMBOL);
  const symbolColumn = symbolName === undefined ? undefined : bars.columns[symbolName];
  if (values['symbol-column'] !== undefined && !symbolColumn) {
    throw new KernelInputError('--symbol-column', `a column of ${bars.names.join(', ')}`, JSON.stringify(values['symbol-column']));
  }
  if (symbolColumn && !isText(symbolColumn)) throw new KernelInputError(symbolName!, 'a text column of symbols', 'numbers');
  if (!symbolColumn && values.symbols) throw new KernelInputError('--symbols', 'a file with a symbol column', 'none');
  // each symbol's rows of the fields and the row numbers (splitBySymbol's split, over these columns)
  const fields = Object.keys(fieldColumn);
  const rowOf = Float64Array.from({ length: bars.rows }, (_, i) => i);
  const groups: { symbol?: string; columns: Float64Array[] }[] =
    symbolColumn && isText(symbolColumn)
      ? splitColumns([...Object.values(fieldColumn), rowOf], symbolColumn, { symbols: values.symbols, name: '--symbols', row: 'bar' })
      : [{ columns: [...Object.values(fieldColumn), rowOf] }];

  const t0 = performance.now();
  const results = groups.map((g) => {
    const series = Object.fromEntries(fields.map((f, k) => [f, g.columns[k] as Float64Array]));
    const outputs = asked.map((a) => {
      const r = call(a, INDICATORS_KERNELS[a.name].fields.length === 1 ? series.close : series);
      return a.columns.map(([o, column]) => [column, r instanceof Float64Array ? r : r[o]] as const);
    });
    return { symbol: g.symbol, rows: g.columns[fields.length] as Float64Array, columns: Object.fromEntries(outputs.flat()) };
  });
  const computeMs = performance.now() - t0;
  const backend = await backendUsed(k.backend);

  const columnNames = asked.flatMap((a) => a.columns.map(([, c]) => c));
  if (values.out) await writeTable(values.out, outputTable(bars, results, columnNames, symbolName, timeName));
  if (values.out === '-') log = (line: string) => console.error(line);
  const last = (x: Float64Array) => (x.length > 0 && Number.isFinite(x[x.length - 1]) ? Number(x[x.length - 1].toPrecision(6)) : NaN);
  if (values.json) {
    const round = (x: number) => (Number.isFinite(x) ? x : null);
    const symbols = results.map((r) => ({
      ...(r.symbol === undefined ? {} : { symbol: r.symbol }),
      bars: r.rows.length,
      last: Object.fromEntries(columnNames.map((c) => [c, round(last(r.columns[c]))])),
    }));
    const ms = { read: Number(readMs.toPrecision(4)), indicators: Number(computeMs.toPrecision(4)) };
    log(
      JSON.stringify(
        {
          input: positionals[0] === '-' ? 'stdin' : positionals[0],
          bars: bars.rows,
          symbols,
          backend,
          ms,
          ...(values.out ? { wrote: values.out } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  log(`${bars.rows} bars${symbolColumn ? `, ${results.length} symbols` : ''}; the last value of each`);
  const shown = columnNames.slice(0, 8);
  for (const line of table(
    ['symbol', 'bars', ...shown],
    results.map((r) => [r.symbol ?? '', String(r.rows.length), ...shown.map((c) => String(last(r.columns[c])))]),
  ))
    log(line);
  const notes = [timeUnitText(bars.info!), skippedText(bars.info!)].filter((x) => x !== undefined);
  for (const line of labelled(
    [
      ['time', `read ${readMs.toFixed(1)} ms, indicators ${computeMs.toFixed(2)} ms (${backend} backend)`],
      ...notes.map((note) => ['input', note] as const),
      ...(values.out ? [['wrote', values.out] as const] : []),
    ],
    { width: 13 },
  ))
    log(line);
  return 0;
}

/** [symbol,] [time,] and the indicators' columns, the symbols' rows one after another. */
function outputTable(
  bars: Table,
  results: { symbol?: string; rows: Float64Array; columns: Record<string, Float64Array> }[],
  columnNames: string[],
  symbolName: string | undefined,
  timeName: string | undefined,
): Table {
  const order = new Float64Array(results.reduce((n, r) => n + r.rows.length, 0));
  let at = 0;
  for (const r of results) {
    order.set(r.rows, at);
    at += r.rows.length;
  }
  const names: string[] = [];
  const columns: Record<string, TableColumn> = {};
  const types: Record<string, ColumnType> = {};
  for (const keep of [symbolName, timeName]) {
    if (keep === undefined) continue;
    const c = bars.columns[keep];
    names.push(keep);
    types[keep] = bars.types[keep];
    columns[keep] = isText(c)
      ? { codes: Int32Array.from(order, (i) => c.codes[i]), values: c.values }
      : Float64Array.from(order, (i) => c[i]);
  }
  for (const name of columnNames) {
    const data = new Float64Array(order.length);
    let to = 0;
    for (const r of results) {
      data.set(r.columns[name], to);
      to += r.rows.length;
    }
    names.push(name);
    types[name] = 'number';
    columns[name] = data;
  }
  return { rows: order.length, names, columns, types };
}
