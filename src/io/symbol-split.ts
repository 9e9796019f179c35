/**
 * splitBySymbol (`kernelbus/io`): a multi-symbol tape's rows grouped per symbol by a stable counting
 * sort, one fresh array per column. The row loops run natively (native/io/symbol_split.cpp) when the
 * addon loads, else in the JS reference below, which the parity test holds the native loops to.
 */
import { loadNative, useThreads } from '../backends/native/public.js';
import { checkThreads, KernelInputError } from '../errors.js';
import type { Trades } from '../kernels/vpin/vpin.js';
import type { TextColumn, ThreadsOption } from './types.js';

/** The split's two passes over the rows, natively or in JS. */
export interface SplitLoops {
  /** Rows per code in [0, m) and the codes in the order of their first row; or the first row whose code is outside. */
  count(codes: Int32Array, m: number): { counts: Int32Array; first: Int32Array } | { bad: number };
  /**
   * Each column's rows of the groups (code c in group groupOf[c], -1: left out) one group after another,
   * each in row order: group g at [start[g], start[g + 1]) of a fresh array per column.
   */
  scatter(codes: Int32Array, groupOf: Int32Array, start: Int32Array, columns: Float64Array[]): Float64Array[];
}

/** The JS reference of the row loops (each a small function of typed arrays, optimized at once). */
export const referenceSplitLoops: SplitLoops = {
  count(codes, m) {
    const counts = new Int32Array(m);
    const first: number[] = [];
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code < 0 || code >= m) return { bad: i };
      if (counts[code]++ === 0) first.push(code);
    }
    return { counts, first: Int32Array.from(first) };
  },
  scatter(codes, groupOf, start, columns) {
    const order = new Int32Array(start[start.length - 1]);
    const fill = start.slice(0, start.length - 1);
    for (let i = 0; i < codes.length; i++) {
      const g = groupOf[codes[i]];
      if (g >= 0) order[fill[g]++] = i;
    }
    return columns.map((source) => {
      const out = new Float64Array(order.length);
      for (let k = 0; k < order.length; k++) out[k] = source[order[k]];
      return out;
    });
  },
};

/**
 * The native row loops (native/binding/split_binding.cc) on `threads` (default: KERNELBUS_THREADS, else
 * the cores), or undefined without the addon or with an older one.
 */
export function nativeSplitLoops(threads?: number): SplitLoops | undefined {
  const binding = loadNative().binding;
  if (typeof binding?.scatterBySymbol !== 'function') return undefined;
  return {
    count(codes, m) {
      const counts = new Int32Array(m);
      const first = new Int32Array(m);
      const distinct = binding.symbolCounts(codes, counts, first);
      return distinct < 0 ? { bad: -1 - distinct } : { counts, first: first.subarray(0, distinct) };
    },
    scatter(codes, groupOf, start, columns) {
      const outs = columns.map(() => new Float64Array(start[start.length - 1]));
      useThreads(binding, threads);
      binding.scatterBySymbol(codes, groupOf, start, columns, outs);
      return outs;
    },
  };
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

/** Options of the splits: which symbols, in which order, and how messages name things. */
export interface SplitOptions extends ThreadsOption {
  /** Only these symbols, in this order (default: all, in the order of their first row). */
  symbols?: readonly string[];
  /** The argument a symbol the rows do not hold is named as (default `options.symbols`). */
  name?: string;
  /** What a row is, in messages (default `trade`). */
  row?: string;
}

/** One symbol's rows of each column split (splitColumns): views, in the order of the columns given. */
export interface SymbolColumns {
  symbol: string;
  columns: Float64Array[];
}

/**
 * Splits a multi-symbol tape by its symbol column: one entry per symbol, its rows in the tape's order
 * (bid and ask too when the tape has them); each symbol's columns are views of one fresh array per
 * column (the symbols' rows one after another). Symbols come in the order of their first row, or of
 * `options.symbols` when given (a symbol the tape does not hold throws KernelInputError naming
 * `options.name`, default `options.symbols`). A row without a symbol throws KernelInputError.
 */
export function splitBySymbol(trades: Trades, symbols: TextColumn, options: SplitOptions = {}): SymbolTrades[] {
  return splitWith(nativeSplitLoops(checkThreads(options.threads)) ?? referenceSplitLoops, trades, symbols, options);
}

/** splitBySymbol with the given row loops (the parity test runs both). */
export function splitWith(loops: SplitLoops, trades: Trades, symbols: TextColumn, options: SplitOptions = {}): SymbolTrades[] {
  const n = trades.ts.length;
  if (symbols.codes.length !== n) {
    throw new KernelInputError('symbols.codes', `${n} codes (one per trade)`, `${symbols.codes.length}`);
  }
  const quoted = trades.bid !== undefined && trades.ask !== undefined;
  const columns = [trades.ts, trades.price, trades.volume, ...(quoted ? [trades.bid!, trades.ask!] : [])];
  return splitColumnsWith(loops, columns, symbols, options).map(({ symbol, columns: [ts, price, volume, bid, ask] }) => {
    const t: Trades = { ts: ts!, price: price!, volume: volume! };
    if (bid && ask) {
      t.bid = bid;
      t.ask = ask;
    }
    return { symbol, trades: t };
  });
}

/**
 * splitBySymbol over any columns of one value per row (bars, say): per symbol, each column's rows in
 * their order, views of one fresh array per column; the symbols, their order and the errors as there.
 */
export function splitColumns(columns: readonly Float64Array[], symbols: TextColumn, options: SplitOptions = {}): SymbolColumns[] {
  return splitColumnsWith(nativeSplitLoops(checkThreads(options.threads)) ?? referenceSplitLoops, columns, symbols, options);
}

/** splitColumns with the given row loops. */
export function splitColumnsWith(
  loops: SplitLoops,
  columns: readonly Float64Array[],
  symbols: TextColumn,
  options: SplitOptions = {},
): SymbolColumns[] {
  const n = symbols.codes.length;
  columns.forEach((c, k) => {
    if (c.length !== n) throw new KernelInputError(`columns[${k}]`, `${n} values (one per symbol code)`, `${c.length}`);
  });
  const argument = options.name ?? 'options.symbols';
  symbols = canonical(symbols);
  const codes = symbols.codes;
  const m = symbols.values.length;
  const counted = loops.count(codes, m);
  if ('bad' in counted) {
    const i = counted.bad;
    throw new KernelInputError(
      `symbols.codes[${i}]`,
      `a code in [0, ${m - 1}] (every ${options.row ?? 'trade'} has a symbol)`,
      `${codes[i]}`,
    );
  }
  const { counts } = counted;
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
    wanted = Array.from(counted.first);
  }
  // a stable counting sort of the rows by group, each column scattered once in that order: every
  // group's columns are consecutive views of one array per column
  const groupOf = new Int32Array(m).fill(-1);
  const start = new Int32Array(wanted.length + 1);
  wanted.forEach((code, g) => {
    groupOf[code] = g;
    start[g + 1] = start[g] + counts[code];
  });
  const scattered = loops.scatter(codes, groupOf, start, [...columns]);
  return wanted.map((code, g) => ({
    symbol: symbols.values[code] as string,
    columns: scattered.map((c) => c.subarray(start[g], start[g + 1])),
  }));
}
