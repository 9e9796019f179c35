/**
 * Trades from a table file (`kernelbus/io`): the columns vpin() and classifyTrades() take, found by
 * their usual names (case-insensitive): ts / timestamp / time; price / px; volume / size / qty /
 * quantity; bid and ask / offer (both or neither); a symbol column (symbol, sym, ticker, instrument,
 * or `symbolColumn`) when the file holds many instruments. Only those columns are read.
 */
import { KernelInputError } from '../errors.js';
import type { Trades } from '../kernels/vpin.js';
import { type ReadTableOptions, readOpened } from './read.js';
import { openSource, type TableSource } from './source.js';
import { isText, type ColumnType, type ReadInfo, type Table, type TextColumn } from './types.js';

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
  const { symbolColumn, ...rest } = options;
  const opened = await openSource(source, rest, true);
  let table: Table;
  let found: Partial<Record<TradeColumn, string>>;
  if (opened.format === 'csv') {
    if (opened.header === undefined) throw new KernelInputError(opened.name, 'a CSV file with a header row', 'an empty file');
    found = resolveColumns(opened.header, opened.name, symbolColumn);
    const types: Record<string, ColumnType> = {};
    for (const [key, column] of Object.entries(found)) types[column] = key === 'ts' ? 'time' : key === 'symbol' ? 'text' : 'number';
    const required = (['ts', 'price', 'volume', 'symbol'] as const).flatMap((k) => (found[k] === undefined ? [] : [found[k]]));
    table = await readOpened(opened, { ...rest, columns: Object.values(found), types, required });
  } else {
    table = await readOpened(opened, rest);
    found = resolveColumns(table.names, opened.name, symbolColumn);
    for (const key of ['ts', 'price', 'volume'] as const) {
      const values = numbers(table, found[key]!, opened.name);
      for (let i = 0; i < values.length; i++) {
        if (values[i] !== values[i]) {
          throw new KernelInputError(`${opened.name}: row ${i + 1}`, `a value in column ${found[key]}`, 'a missing value');
        }
      }
    }
  }
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

/** One symbol's trades (splitBySymbol). */
export interface SymbolTrades {
  symbol: string;
  trades: Trades;
}

/**
 * Splits a multi-symbol tape by its symbol column: one entry per symbol, its rows in the tape's order
 * (bid and ask too when the tape has them). Symbols come in the order of their first row, or of
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
  const counts = new Int32Array(symbols.values.length);
  for (let i = 0; i < n; i++) {
    const code = symbols.codes[i];
    if (code < 0 || code >= counts.length) {
      throw new KernelInputError(`symbols.codes[${i}]`, `a code in [0, ${counts.length - 1}] (every trade has a symbol)`, `${code}`);
    }
    counts[code]++;
  }
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
    const first: number[] = [];
    const seen = new Uint8Array(counts.length);
    for (let i = 0; i < n; i++) {
      const code = symbols.codes[i];
      if (!seen[code]) {
        seen[code] = 1;
        first.push(code);
      }
    }
    wanted = first;
  }
  const quoted = trades.bid !== undefined && trades.ask !== undefined;
  const slot = new Int32Array(counts.length).fill(-1);
  const out = wanted.map((code, k) => {
    slot[code] = k;
    const m = counts[code];
    const t: Trades = { ts: new Float64Array(m), price: new Float64Array(m), volume: new Float64Array(m) };
    if (quoted) {
      t.bid = new Float64Array(m);
      t.ask = new Float64Array(m);
    }
    return { symbol: symbols.values[code], trades: t };
  });
  const fill = new Int32Array(out.length);
  for (let i = 0; i < n; i++) {
    const k = slot[symbols.codes[i]];
    if (k < 0) continue;
    const t = out[k].trades;
    const j = fill[k]++;
    t.ts[j] = trades.ts[i];
    t.price[j] = trades.price[i];
    t.volume[j] = trades.volume[i];
    if (quoted) {
      t.bid![j] = trades.bid![i];
      t.ask![j] = trades.ask![i];
    }
  }
  return out;
}
