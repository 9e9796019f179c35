/**
 * Trades from a table file (`kernelbus/io`): the columns vpin() and classifyTrades() take, found by
 * their usual names (case-insensitive): ts / timestamp / time; price / px; volume / size / qty /
 * quantity; bid and ask / offer (both or neither); a symbol column (symbol, sym, ticker, instrument,
 * or `symbolColumn`) when the file holds many instruments. Only those columns are read.
 */
import { KernelInputError } from '../errors.js';
import { type BadTradePolicy, requireBadTradePolicy } from '../kernels/trade-check.js';
import type { Trades } from '../kernels/vpin/vpin.js';
import { type ColumnPick, missingChecked, type ReadTableOptions, readOpened, readOpenedChunks } from './read.js';
import { type OpenedSource, openSource, type TableSource } from './source.js';
import { type BadTradesReport, type ScreenedChunk, screenSourceOf, TradeScreen } from './trade-screen.js';
import { type ColumnType, isText, type ReadInfo, type Table, type TextColumn } from './types.js';

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
  /**
   * The trade rule (finite times in order per symbol, finite prices > 0, finite volumes >= 0: see
   * src/kernels/trade-check.ts) and what a bad trade does: `fail` throws its KernelInputError naming
   * `file:line` (CSV; else `file: row N`), `skip` leaves it out and counts it, `reject` also lists it, in
   * `info.badTrades`. Default: not checked (the rows as the file has them).
   */
  badTrades?: BadTradePolicy;
}

/** What readTrades returns. */
export interface TradesRead {
  /** ts (epoch ms), price, volume; bid and ask when the file has both. */
  trades: Trades;
  /** Each row's symbol, when the file has a symbol column. */
  symbols?: TextColumn;
  /** The read's report, the file's name of each column found, and with `badTrades` what the rule found. */
  info: ReadInfo & { columns: Partial<Record<TradeColumn, string>>; badTrades?: BadTradesReport };
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

/** readTrades and readTradesChunks: chunks of `chunkRows` rows (Infinity: one; a Parquet or Arrow file is one). */
async function* tradeChunks(source: TableSource, options: ReadTradesOptions, chunkRows: number): AsyncGenerator<TradesRead> {
  const { symbolColumn, badTrades, ...rest } = options;
  const opened = await openSource(source, rest, true);
  const screen =
    badTrades === undefined
      ? undefined
      : new TradeScreen(requireBadTradePolicy(badTrades, 'options.badTrades'), screenSourceOf(source, opened));
  let row = 0;
  /**
   * With a screen a Parquet or Arrow read leaves the missing values to it (`checkMissing: false`): the
   * rule takes only finite times, prices and volumes, so a chunk it finds all good has none, and at a
   * bad trade the missing check runs first, so a missing value is refused as without a screen. (A CSV
   * read refuses a missing field as it parses.)
   */
  const screenChecksMissing = screen !== undefined && opened.format !== 'csv';
  /** A chunk's TradesRead, screened by the rule when asked. */
  const next = async (table: Table): Promise<TradesRead> => {
    const read = tradesOf(table, found, opened);
    if (!screen) return read;
    const first = row;
    row += read.trades.ts.length;
    const checkMissing = () => screenChecksMissing && missingChecked(table, requiredOf(found), opened.name);
    let kept: ScreenedChunk;
    try {
      kept = await screen.screen(read, first, read.info.skippedRows);
    } catch (error) {
      checkMissing();
      throw error;
    }
    if (kept.trades !== read.trades) checkMissing();
    return { ...read, ...kept, info: { ...read.info, badTrades: screen.report } };
  };
  let found: Partial<Record<TradeColumn, string>> = {};
  const pick = (names: string[]): ColumnPick => {
    found = resolveColumns(names, opened.name, symbolColumn);
    const types: Record<string, ColumnType> = {};
    for (const [key, column] of Object.entries(found)) types[column] = key === 'ts' ? 'time' : key === 'symbol' ? 'text' : 'number';
    return { columns: Object.values(found), types, required: requiredOf(found) };
  };
  if (opened.format === 'csv' && Number.isFinite(chunkRows)) {
    for await (const table of readOpenedChunks(opened, { ...rest, pick, chunkRows })) yield await next(table);
    return;
  }
  yield await next(await readOpened(opened, { ...rest, pick, checkMissing: !screenChecksMissing }));
}

/** The trade columns that may not be missing, of those found: ts, price, volume and the symbol. */
const requiredOf = (found: Partial<Record<TradeColumn, string>>): string[] =>
  (['ts', 'price', 'volume', 'symbol'] as const).flatMap((k) => (found[k] === undefined ? [] : [found[k]]));

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

export { type SymbolTrades, splitBySymbol } from './symbol-split.js';
