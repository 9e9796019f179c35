/**
 * Trades from a table file (`kernelbus/io`): the columns vpin() and classifyTrades() take, found by
 * their usual names (case-insensitive): ts / timestamp / time; price / px; volume / size / qty /
 * quantity; bid and ask / offer (both or neither); a symbol column (symbol, sym, ticker, instrument,
 * or `symbolColumn`) when the file holds many instruments. Only those columns are read.
 */
import { KernelInputError } from '../errors.js';
import type { Trades } from '../kernels/vpin/vpin.js';
import { type ReadTableOptions, readOpened } from './read.js';
import { readCsvChunks } from './csv.js';
import { type OpenedSource, openSource, type TableSource } from './source.js';
import { type ColumnType, isText, type ReadInfo, type Table, type TextColumn, type TimeUnit } from './types.js';

/** The header names each trade column answers to (case-insensitive). */
export const TRADE_COLUMNS = {
  ts: ['ts', 'timestamp', 'time'],
  price: ['price', 'px'],
  volume: ['volume', 'size', 'qty', 'quantity'],
  bid: ['bid'],
  ask: ['ask', 'offer'],
  symbol: ['symbol', 'sym', 'ticker', 'instrument'],
} as const;
type TradeColumn = keyof typeof TRADE_COLUMNS;

/** Options of readTrades: readTable's, less what it sets itself (the columns, their types, the required ones). */
export interface ReadTradesOptions extends Omit<ReadTableOptions, 'columns' | 'types' | 'required'> {
  /** The symbol column's name (default: the first of symbol, sym, ticker, instrument the file has). */
  symbolColumn?: string;
}

/** What readTrades returns. */
export interface TradesRead {
  /** ts (epoch ms), price, volume; bid and ask when the file has both. */
  trades: Trades;
  /** Each row's symbol, when the file has a symbol column. */
  symbols?: TextColumn;
  /** The read's report, and the file's name of each column found. */
  info: ReadInfo & { columns: Partial<Record<TradeColumn, string>> };
}

/** The file's name of each trade column (undefined: absent). */
function resolveColumns(names: string[], name: string, symbolColumn?: string): Partial<Record<TradeColumn, string>> {
  const lower = names.map((n) => n.toLowerCase());
  const found: Partial<Record<TradeColumn, string>> = {};
  for (const key of Object.keys(TRADE_COLUMNS) as TradeColumn[]) {
    const at = lower.findIndex((n) => (TRADE_COLUMNS[key] as readonly string[]).includes(n));
    if (at >= 0) found[key] = names[at];
  }
  const header = JSON.stringify(names.join(','));
  for (const key of ['ts', 'price', 'volume'] as const) {
    if (found[key] === undefined) {
      throw new KernelInputError(name, `a header with a ${key} column (${TRADE_COLUMNS[key].join(', ')})`, header);
    }
  }
  if ((found.bid === undefined) !== (found.ask === undefined)) {
    throw new KernelInputError(name, 'a header with both bid and ask columns, or neither', header);
  }
  if (symbolColumn !== undefined) {
    const at = lower.indexOf(symbolColumn.toLowerCase());
    if (at < 0) throw new KernelInputError('options.symbolColumn', `a column of the header ${header}`, JSON.stringify(symbolColumn));
    found.symbol = names[at];
  }
  return found;
}

/**
 * A Parquet or Arrow ts column of plain numbers (not a timestamp type) as epoch ms: in `tsUnit`, else
 * the unit its first finite value's magnitude shows (docs/io.md: >= 1e17 ns, >= 1e14 us, >= 1e11 ms,
 * >= 1e8 s, else ms), reported in `info.timeUnits` as the CSV reader reports it.
 */
function epochColumn(table: Table, ts: string, tsUnit: TimeUnit | undefined): Table {
  if (table.types[ts] === 'time') return table;
  const values = table.columns[ts] as Float64Array;
  let unit = tsUnit;
  if (unit === undefined) {
    const x = Math.abs(values.find(Number.isFinite) ?? 0);
    unit = x >= 1e17 ? 'ns' : x >= 1e14 ? 'us' : x >= 1e11 ? 'ms' : x >= 1e8 ? 's' : 'ms';
  }
  // us and ns divided (x / 1e6 is correctly rounded, x * 1e-6 is not)
  const divisor = unit === 'us' ? 1e3 : 1e6;
  const ms = unit === 'ms' ? values : unit === 's' ? values.map((x) => x * 1000) : values.map((x) => x / divisor);
  const info = table.info && { ...table.info, timeUnits: { ...table.info.timeUnits, [ts]: { unit, detected: tsUnit === undefined } } };
  return { ...table, columns: { ...table.columns, [ts]: ms }, types: { ...table.types, [ts]: 'time' }, ...(info ? { info } : {}) };
}

/** A column as numbers: KernelInputError naming the file when it is text. */
function numbers(table: Table, column: string, name: string): Float64Array {
  const c = table.columns[column];
  if (c === undefined || isText(c)) {
    throw new KernelInputError(name, `numbers or times in column ${column}`, c === undefined ? 'no such column' : 'text');
  }
  return c;
}

/** A symbol column as text (numeric symbols, as in some Parquet files, written as their decimal text). */
function text(column: Table['columns'][string]): TextColumn {
  if (isText(column)) return column;
  const values: string[] = [];
  const seen = new Map<number, number>();
  const codes = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (x !== x) {
      codes[i] = -1;
      continue;
    }
    let code = seen.get(x);
    if (code === undefined) {
      code = values.length;
      seen.set(x, code);
      values.push(String(x));
    }
    codes[i] = code;
  }
  return { codes, values };
}

/**
 * Reads trades from a CSV/TSV (gzip too), Parquet or Arrow file, bytes or a stream (readTable's
 * sources and format rules), reading only the trade columns (see the module comment). ts, price and
 * volume (and the symbol, when there is a symbol column) may not be missing; a header without them
 * throws KernelInputError naming the file and listing the header.
 */
export async function readTrades(source: TableSource, options: ReadTradesOptions = {}): Promise<TradesRead> {
  let read: TradesRead | undefined;
  for await (const chunk of tradeChunks(source, options, Number.POSITIVE_INFINITY)) read = chunk;
  return read!;
}

/**
 * readTrades in chunks of about `chunkRows` rows (CSV; a Parquet or Arrow file comes as one chunk),
 * each handed out before the next is read: for tapes larger than memory and for replay(). The symbol
 * column's `values` is one dictionary shared by all chunks, growing as they come. At a bad row (without
 * `skipBadRows`) the rows before it come as a last chunk, then the KernelInputError is thrown.
 */
export async function* readTradesChunks(
  source: TableSource,
  options: ReadTradesOptions & { chunkRows?: number } = {},
): AsyncGenerator<TradesRead> {
  const { chunkRows = 1_000_000, ...rest } = options;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) {
    throw new KernelInputError('options.chunkRows', 'an integer >= 1', String(chunkRows));
  }
  yield* tradeChunks(source, rest, chunkRows);
}

/** readTrades and readTradesChunks: chunks of `chunkRows` rows (Infinity: one). */
async function* tradeChunks(source: TableSource, options: ReadTradesOptions, chunkRows: number): AsyncGenerator<TradesRead> {
  const { symbolColumn, ...rest } = options;
  const opened = await openSource(source, rest, true);
  if (opened.format === 'csv') {
    if (opened.header === undefined) throw new KernelInputError(opened.name, 'a CSV file with a header row', 'an empty file');
    const found = resolveColumns(opened.header, opened.name, symbolColumn);
    const types: Record<string, ColumnType> = {};
    for (const [key, column] of Object.entries(found)) types[column] = key === 'ts' ? 'time' : key === 'symbol' ? 'text' : 'number';
    const required = (['ts', 'price', 'volume', 'symbol'] as const).flatMap((k) => (found[k] === undefined ? [] : [found[k]]));
    const csvOptions = { ...rest, columns: Object.values(found), types, required };
    if (!Number.isFinite(chunkRows)) {
      yield tradesOf(await readOpened(opened, csvOptions), found, opened);
      return;
    }
    const { format: _, ...chunkOptions } = csvOptions;
    const chunks = readCsvChunks(opened.input, { ...chunkOptions, chunkRows, delimiter: opened.delimiter, name: opened.name });
    for await (const table of chunks) yield tradesOf(table, found, opened);
    return;
  }
  // Parquet: the schema first, then only the trade columns decoded (Arrow: the columns are views)
  const names = opened.format === 'parquet' ? await (await import('./columnar-names.js')).parquetNames(opened.input as string) : undefined;
  const picked = names && resolveColumns(names, opened.name, symbolColumn);
  let table = await readOpened(opened, picked ? { ...rest, columns: Object.values(picked) } : rest);
  const found = resolveColumns(table.names, opened.name, symbolColumn);
  for (const key of ['ts', 'price', 'volume'] as const) {
    const values = numbers(table, found[key]!, opened.name);
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== values[i]) {
        throw new KernelInputError(`${opened.name}: row ${i + 1}`, `a value in column ${found[key]}`, 'a missing value');
      }
    }
  }
  table = epochColumn(table, found.ts!, rest.tsUnit);
  yield tradesOf(table, found, opened);
}

/** A table of the trade columns as TradesRead. */
function tradesOf(table: Table, found: Partial<Record<TradeColumn, string>>, opened: OpenedSource): TradesRead {
  const trades: Trades = {
    ts: numbers(table, found.ts!, opened.name),
    price: numbers(table, found.price!, opened.name),
    volume: numbers(table, found.volume!, opened.name),
  };
  if (found.bid !== undefined && found.ask !== undefined) {
    trades.bid = numbers(table, found.bid, opened.name);
    trades.ask = numbers(table, found.ask, opened.name);
  }
  const info: TradesRead['info'] = {
    ...(table.info ?? {
      source: opened.name,
      format: opened.format,
      bytes: 0,
      skippedRows: 0,
      timeUnits: {},
      seconds: 0,
    }),
    columns: found,
  };
  if (found.symbol === undefined) return { trades, info };
  return { trades, symbols: text(table.columns[found.symbol]), info };
}

/** A text column whose dictionary holds each value once (codes of a repeated value mapped to its first). */
function canonical(column: TextColumn): TextColumn {
  const first = new Map<string, number>();
  const remap = Int32Array.from(column.values, (v, c) => first.get(v) ?? (first.set(v, c), c));
  if (first.size === column.values.length) return column;
  return { codes: column.codes.map((c) => (c < 0 ? c : remap[c])), values: column.values };
}

// splitBySymbol's loops over the rows, each a small function of typed arrays (optimized at once)

/** Rows per code (KernelInputError for a code out of [0, m), e.g. a row without a symbol). */
function countCodes(codes: Int32Array, m: number): Int32Array {
  const counts = new Int32Array(m);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code < 0 || code >= m) {
      throw new KernelInputError(`symbols.codes[${i}]`, `a code in [0, ${m - 1}] (every trade has a symbol)`, `${code}`);
    }
    counts[code]++;
  }
  return counts;
}

/** The codes in the order of their first row. */
function firstSeen(codes: Int32Array, counts: Int32Array): number[] {
  const first: number[] = [];
  const seen = new Uint8Array(counts.length);
  for (let i = 0; i < codes.length && first.length < counts.length; i++) {
    const code = codes[i];
    if (seen[code] === 0) {
      seen[code] = 1;
      first.push(code);
    }
  }
  return first;
}

/** The rows of the groups (groupOf[code], -1: none) one group after another, each in row order. */
function sortRows(codes: Int32Array, groupOf: Int32Array, start: Int32Array): Int32Array {
  const order = new Int32Array(start[start.length - 1]);
  const fill = start.slice(0, start.length - 1);
  for (let i = 0; i < codes.length; i++) {
    const g = groupOf[codes[i]];
    if (g >= 0) order[fill[g]++] = i;
  }
  return order;
}

/** source[order[k]] for every k. */
function gatherRows(source: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) out[k] = source[order[k]];
  return out;
}

/** One symbol's trades (splitBySymbol). */
export interface SymbolTrades {
  symbol: string;
  trades: Trades;
}

/**
 * Splits a multi-symbol tape by its symbol column: one entry per symbol, its rows in the tape's order
 * (bid and ask too when the tape has them); each symbol's columns are views of one fresh array per
 * column (the symbols' rows one after another). Symbols come in the order of their first row, or of
 * `options.symbols` when given (a symbol the tape does not hold throws KernelInputError naming
 * `options.name`, default `options.symbols`). A row without a symbol throws KernelInputError.
 */
export function splitBySymbol(
  trades: Trades,
  symbols: TextColumn,
  options: { symbols?: readonly string[]; name?: string } = {},
): SymbolTrades[] {
  const n = trades.ts.length;
  if (symbols.codes.length !== n) {
    throw new KernelInputError('symbols.codes', `${n} codes (one per trade)`, `${symbols.codes.length}`);
  }
  const argument = options.name ?? 'options.symbols';
  symbols = canonical(symbols);
  const codes = symbols.codes;
  const counts = countCodes(codes, symbols.values.length);
  // the codes wanted, in output order
  let wanted: number[];
  if (options.symbols !== undefined) {
    const codeOf = new Map<string, number>();
    symbols.values.forEach((v, c) => {
      if (!codeOf.has(v)) codeOf.set(v, c);
    });
    const unknown = options.symbols.filter((s) => !codeOf.has(s) || counts[codeOf.get(s)!] === 0);
    if (unknown.length > 0) {
      const held = symbols.values.filter((_, c) => counts[c] > 0);
      const listed = held.length > 20 ? `${held.slice(0, 20).join(', ')}, ... (${held.length})` : held.join(', ');
      throw new KernelInputError(argument, `symbols of the tape (${listed})`, unknown.map((s) => JSON.stringify(s)).join(', '));
    }
    wanted = [...new Set(options.symbols)].map((s) => codeOf.get(s)!);
  } else {
    wanted = firstSeen(codes, counts);
  }
  // a stable counting sort of the rows by group, then each column gathered once in that order: every
  // group's columns are consecutive views of one array per column
  const groups = wanted.length;
  const groupOf = new Int32Array(counts.length).fill(-1);
  const start = new Int32Array(groups + 1);
  wanted.forEach((code, g) => {
    groupOf[code] = g;
    start[g + 1] = start[g] + counts[code];
  });
  const order = sortRows(codes, groupOf, start);
  const gather = (source: Float64Array) => gatherRows(source, order);
  const ts = gather(trades.ts);
  const price = gather(trades.price);
  const volume = gather(trades.volume);
  const quoted = trades.bid !== undefined && trades.ask !== undefined;
  const bid = quoted ? gather(trades.bid!) : undefined;
  const ask = quoted ? gather(trades.ask!) : undefined;
  return wanted.map((code, g) => {
    const [from, to] = [start[g], start[g + 1]];
    const t: Trades = { ts: ts.subarray(from, to), price: price.subarray(from, to), volume: volume.subarray(from, to) };
    if (bid && ask) {
      t.bid = bid.subarray(from, to);
      t.ask = ask.subarray(from, to);
    }
    return { symbol: symbols.values[code], trades: t };
  });
}
