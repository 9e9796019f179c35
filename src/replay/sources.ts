/**
 * What replay() reads: trade tapes (a file read in chunks, or trades in memory) and dated messages
 * (rows of returns, a panel's cross-sections), each turned into a lane the merge takes rows from in
 * time order. A lane's trades meet the trade rule (src/kernels/trade-check.ts) under the replay's
 * policy before they can be published: a file's as it is read (readTradesChunks' `badTrades`, naming
 * file:line), trades in memory here. Its chunks are then held to time order (a chunk out of order is
 * sorted, stably; a chunk that starts before the last one ended is refused, naming the row).
 */
import { basename } from 'node:path';
import { KernelInputError, describeValue } from '../errors.js';
import { type BadTradesReport, mergeBadTrades, TradeScreen } from '../io/trade-screen.js';
import { readTradesChunks, type ReadTradesOptions, type TradesRead } from '../io/trades.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import type { ReturnsRead } from '../io/returns.js';
import type { TextColumn } from '../io/types.js';
import { requireTrades, type Trades } from '../kernels/trades.js';

/** Trades in memory: a readTrades() result, or columns with one symbol for every row. */
export interface TradesTape {
  trades: Trades;
  /** Each row's symbol (readTrades' `symbols`); else every row is `symbol`. */
  symbols?: TextColumn;
  /** The symbol of every row, for trades without a symbol column. */
  symbol?: string;
  /** The tape's name in messages (default `sources[i]`). */
  name?: string;
}

/** A trade file, read in chunks through kernelbus/io (CSV, TSV, gzip, Parquet, Arrow). */
export interface TradesFile {
  path: string;
  /** The symbol of every row when the file has no symbol column (default: the file name up to its first dot). */
  symbol?: string;
  /** readTrades' options (tsUnit, skipBadRows, symbolColumn, ...; badTrades: default the replay's). */
  read?: ReadTradesOptions;
}

/**
 * Dated messages of one type and key, in time order: e.g. RETURNS_UPDATE rows of a universe
 * (returnsTape()) or FACTOR_INPUT cross-sections. `ts[i]` (epoch ms) places message i among the trades.
 */
export interface MessageTape {
  type: string;
  key: string;
  ts: Float64Array;
  /** Message i's payload. */
  payload: (i: number) => unknown;
  name?: string;
}

/** A replay source: a trade file's path, a TradesFile, trades in memory, or dated messages. */
export type ReplaySource = string | TradesFile | TradesTape | MessageTape;

/** One chunk of a trade lane: rows in time order, each with a symbol code into `symbols`. */
export interface TradeChunk {
  trades: Trades;
  /** Symbol code per row (undefined: every row is `symbols[0]`). */
  codes: Int32Array | undefined;
  /** The codes' dictionary (shared by a file's chunks, growing). */
  symbols: readonly string[];
  /** 1-based data row (in the source) of the chunk's first row. */
  firstRow: number;
}

/** A lane of trades: its chunks, one at a time. */
export interface TradeLane {
  kind: 'trades';
  name: string;
  /** The next chunk, or undefined at the end. Throws a bad row's KernelInputError. */
  next(): Promise<TradeChunk | undefined>;
  /** Stops reading (closes the file). */
  close(): Promise<void>;
  /** Rows skipped as bad (skipBadRows) so far. */
  skipped(): number;
  /** What the trade rule found so far. */
  badTrades(): BadTradesReport;
}

/** A lane of dated messages. */
export interface MessageLane {
  kind: 'messages';
  name: string;
  tape: MessageTape;
}

export type Lane = TradeLane | MessageLane;

/** Rows per chunk read from a file: small enough that the first rows go out at once. */
const CHUNK_ROWS = 262_144;

/** The symbol a file names: its base name up to the first dot (`AAPL.csv.gz` -> `AAPL`). */
export function symbolOfPath(path: string): string {
  const base = basename(path);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** True when `x` is a MessageTape. */
function isMessageTape(x: object): x is MessageTape {
  return 'type' in x && 'payload' in x;
}

/**
 * A lane per source (`nameOf(i)` names source i in errors; `badTrades`, the trade rule's policy). Files
 * open when their lane is first read. Each call gives fresh lanes (replay()'s loop reads the sources again).
 */
export function lanesOf(sources: readonly ReplaySource[], nameOf: (i: number) => string, badTrades: BadTradePolicy = 'fail'): Lane[] {
  return sources.map((source, i): Lane => {
    const name = nameOf(i);
    if (typeof source === 'string') return fileLane({ path: source }, name, badTrades);
    if (typeof source !== 'object' || source === null) {
      throw new KernelInputError(name, 'a path, { path }, { trades } or { type, key, ts, payload }', describeValue(source));
    }
    if ('path' in source) return fileLane(source, name, badTrades);
    if (isMessageTape(source)) return messageLane(source, name);
    if ('trades' in source) return memoryLane(source, name, badTrades);
    throw new KernelInputError(name, 'a path, { path }, { trades } or { type, key, ts, payload }', describeValue(source));
  });
}

/** Checks a MessageTape and makes its lane. */
function messageLane(tape: MessageTape, name: string): MessageLane {
  if (typeof tape.type !== 'string' || tape.type === '')
    throw new KernelInputError(`${name}.type`, 'a message type', describeValue(tape.type));
  if (typeof tape.key !== 'string') throw new KernelInputError(`${name}.key`, 'a string', describeValue(tape.key));
  if (!(tape.ts instanceof Float64Array)) throw new KernelInputError(`${name}.ts`, 'a Float64Array', describeValue(tape.ts));
  if (typeof tape.payload !== 'function')
    throw new KernelInputError(`${name}.payload`, 'a function (i) => payload', describeValue(tape.payload));
  for (let i = 0; i < tape.ts.length; i++) {
    const t = tape.ts[i];
    if (!Number.isFinite(t) || (i > 0 && t < tape.ts[i - 1])) {
      throw new KernelInputError(`${name}.ts[${i}]`, 'finite epoch ms, non-decreasing', String(t));
    }
  }
  return { kind: 'messages', name: tape.name ?? name, tape };
}

/** A lane of trades in memory: one chunk. */
function memoryLane(tape: TradesTape, name: string, badTrades: BadTradePolicy): TradeLane {
  requireTrades(tape.trades, `${name}.trades`);
  let symbols: readonly string[];
  let codes: Int32Array | undefined;
  if (tape.symbols !== undefined) {
    const s = tape.symbols;
    if (!(s.codes instanceof Int32Array) || s.codes.length !== tape.trades.ts.length || !Array.isArray(s.values)) {
      throw new KernelInputError(`${name}.symbols`, `{ codes: Int32Array(${tape.trades.ts.length}), values }`, describeValue(s));
    }
    symbols = s.values;
    codes = s.codes;
  } else if (typeof tape.symbol === 'string' && tape.symbol !== '') {
    symbols = [tape.symbol];
  } else {
    throw new KernelInputError(`${name}.symbol`, 'a symbol (the trades have no symbols column)', describeValue(tape.symbol));
  }
  const label = tape.name ?? name;
  let done = false;
  const checked = new Checked(label);
  const screen = new TradeScreen(badTrades, { name: label });
  return {
    kind: 'trades',
    name: label,
    async next() {
      if (done) return undefined;
      done = true;
      const column = codes && { codes, values: symbols as string[] };
      const kept = await screen.screen({ trades: tape.trades, ...(column ? { symbols: column } : {}) }, 0, 0);
      return checked.chunk({ trades: kept.trades, codes: kept.symbols?.codes, symbols, firstRow: 1 });
    },
    async close() {
      done = true;
    },
    skipped: () => 0,
    badTrades: () => screen.report,
  };
}

/** A lane of a trade file, read in chunks. */
function fileLane(file: TradesFile, name: string, badTrades: BadTradePolicy): TradeLane {
  if (typeof file.path !== 'string' || file.path === '')
    throw new KernelInputError(`${name}.path`, 'a file path', describeValue(file.path));
  if (file.symbol !== undefined && (typeof file.symbol !== 'string' || file.symbol === '')) {
    throw new KernelInputError(`${name}.symbol`, 'a non-empty string', describeValue(file.symbol));
  }
  const own = [file.symbol ?? symbolOfPath(file.path)];
  let chunks: AsyncGenerator<TradesRead> | undefined;
  let row = 1;
  let skipped = 0;
  const policy = file.read?.badTrades ?? badTrades;
  let report = mergeBadTrades(policy, []);
  const checked = new Checked(file.path);
  return {
    kind: 'trades',
    name: file.path,
    async next() {
      chunks ??= readTradesChunks(file.path, { ...file.read, badTrades: policy, chunkRows: CHUNK_ROWS });
      const r = await chunks.next();
      if (r.done) return undefined;
      const { trades, symbols, info } = r.value;
      skipped = info.skippedRows;
      report = info.badTrades ?? report;
      const chunk = { trades, codes: symbols?.codes, symbols: symbols?.values ?? own, firstRow: row };
      row += trades.ts.length;
      return checked.chunk(chunk);
    },
    async close() {
      await chunks?.return(undefined);
    },
    skipped: () => skipped,
    badTrades: () => report,
  };
}

/** Holds a lane's chunks to time order (see the module comment). */
class Checked {
  private last = Number.NEGATIVE_INFINITY;
  constructor(private readonly name: string) {}

  chunk(chunk: TradeChunk): TradeChunk {
    const ts = chunk.trades.ts;
    let sorted = true;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      if (!Number.isFinite(t)) {
        throw new KernelInputError(`${this.name}: row ${chunk.firstRow + i}`, 'a finite timestamp', String(t));
      }
      if (i > 0 && t < ts[i - 1]) sorted = false;
    }
    if (!sorted) chunk = sortChunk(chunk);
    if (ts.length > 0 && chunk.trades.ts[0] < this.last) {
      throw new KernelInputError(
        `${this.name}: row ${chunk.firstRow}`,
        `a timestamp >= ${this.last} (the rows before it; a tape is replayed in time order: sort it first)`,
        String(chunk.trades.ts[0]),
      );
    }
    if (ts.length > 0) this.last = chunk.trades.ts[ts.length - 1];
    return chunk;
  }
}

/** The chunk's rows in time order (stable: rows of one timestamp keep their order). */
function sortChunk(chunk: TradeChunk): TradeChunk {
  const { ts } = chunk.trades;
  const order = Int32Array.from(ts.keys()).sort((a, b) => ts[a] - ts[b] || a - b);
  const take = (x: Float64Array) => Float64Array.from(order, (k) => x[k]);
  const t = chunk.trades;
  const trades: Trades = { ts: take(t.ts), price: take(t.price), volume: take(t.volume) };
  if (t.bid && t.ask) {
    trades.bid = take(t.bid);
    trades.ask = take(t.ask);
  }
  const codes = chunk.codes && Int32Array.from(order, (k) => chunk.codes![k]);
  return { ...chunk, trades, codes };
}

/**
 * A returns table (readReturns) as RETURNS_UPDATE messages of `universe`: one per date, the row of
 * every asset's return, at the date's epoch ms (a date without a time: 00:00 UTC of that day).
 */
export function returnsTape(read: ReturnsRead, universe: string, name = 'returns'): MessageTape {
  const { returns, assets, dates } = read;
  if (dates.length > 0 && !Number.isFinite(dates[0])) {
    throw new KernelInputError(name, 'a returns file with a date column (replay places each row at its date)', 'no dates');
  }
  const n = returns.cols;
  return {
    type: 'RETURNS_UPDATE',
    key: universe,
    ts: dates,
    payload: (i) => ({ assets, returns: returns.data.subarray(i * n, (i + 1) * n) }),
    name,
  };
}
