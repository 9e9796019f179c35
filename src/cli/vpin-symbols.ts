/**
 * `kernelbus vpin` over a tape of one symbol or many: each symbol's VPIN (its own bucket volume unless
 * one is given), computed for all symbols at once on the backend's threads (vpinAsync), the summary
 * figures of each, and the buckets and daily VPIN as one table with a `symbol` column.
 */
import type { Kernels } from '../api/kernels.js';
import { KernelInputError } from '../errors.js';
import type { DailyVpin } from '../kernels/vpin/daily-vpin.js';
import type { Trades, VpinBuckets, VpinOptions } from '../kernels/vpin/vpin.js';
import type { SymbolTrades } from '../io/trades.js';
import type { ColumnType, Table, TableColumn } from '../io/types.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import { printRejected } from './bad-trades.js';
import { type InputValues, progressLine, readOptions } from './input.js';

const DAY_MS = 86_400_000;

/** One symbol's result (symbol undefined: a tape without a symbol column). */
export interface SymbolVpin {
  symbol?: string;
  trades: number;
  bucketVolume: number;
  out: VpinBuckets;
  /** VPIN values (not NaN), their mean and max, the last bucket's, and the alerts after the warm-up. */
  count: number;
  mean: number;
  max: number;
  last: number;
  alerts: number;
}

/** Below this many trades the volume is added up here (the addon's call costs about as much as a hundred adds). */
const NATIVE_SUM_FROM = 4096;

/** A column's total, as the addon's columnSum gives it. */
export type ColumnSum = (values: Float64Array) => number;

/**
 * The addon's columnSum, or undefined without it: imported when first asked for, so that a command's
 * `--help` does not load the addon's loader (15 ms of `kernelbus vpin --help`).
 */
export async function nativeColumnSum(): Promise<ColumnSum | undefined> {
  const binding = (await import('../backends/native/public.js')).loadNative().binding;
  return typeof binding?.columnSum === 'function' ? (values) => binding.columnSum(values) : undefined;
}

/**
 * The default bucket volume: the average daily volume / 50 (1 when there is no volume). The total by
 * `columnSum` from NATIVE_SUM_FROM trades where given (the addon's: 10^7 volumes in 4-5 ms, where this
 * loop's one add waiting on the one before took 25-28 ms), else here; whole volumes add up exactly
 * either way.
 */
export function defaultBucketVolume(trades: Trades, columnSum?: ColumnSum): number {
  const n = trades.ts.length;
  let total = 0;
  if (columnSum && n >= NATIVE_SUM_FROM) total = columnSum(trades.volume);
  else for (let i = 0; i < n; i++) total += trades.volume[i];
  const days = n === 0 ? 1 : Math.max(1, Math.ceil((trades.ts[n - 1] - trades.ts[0] + 1) / DAY_MS));
  return total / days / 50 || 1;
}

/** A symbol's KernelInputError with the symbol in front of its argument (`MSFT trades.ts: ...`). */
function naming(symbol: string | undefined) {
  return (error: unknown): never => {
    if (symbol !== undefined && error instanceof KernelInputError) {
      throw new KernelInputError(`${symbol} ${error.argument}`, error.expected, error.actual);
    }
    throw error;
  };
}

/**
 * VPIN of each group: one group synchronously; several at once with vpinAsync (on the native backend
 * each runs on the addon's threads, so the symbols share both cores), in the groups' order.
 */
export async function vpinBySymbol(
  k: Kernels,
  groups: readonly { symbol?: string; trades: Trades }[],
  options: Omit<VpinOptions, 'bucketVolume'>,
  bucketVolume: number | undefined,
  threshold: number,
  window: number,
): Promise<SymbolVpin[]> {
  const sum = bucketVolume === undefined ? await nativeColumnSum() : undefined;
  const volumes = groups.map((g) => bucketVolume ?? defaultBucketVolume(g.trades, sum));
  const outs =
    groups.length === 1
      ? [
          (() => {
            try {
              return k.vpin(groups[0].trades, { ...options, bucketVolume: volumes[0] });
            } catch (error) {
              return naming(groups[0].symbol)(error);
            }
          })(),
        ]
      : await Promise.all(groups.map((g, i) => k.vpinAsync(g.trades, { ...options, bucketVolume: volumes[i] }).catch(naming(g.symbol))));
  return groups.map((g, i) => summarize(g.symbol, g.trades.ts.length, volumes[i], outs[i], threshold, window));
}

/** The summary figures of one symbol's buckets. */
function summarize(
  symbol: string | undefined,
  trades: number,
  bucketVolume: number,
  out: VpinBuckets,
  threshold: number,
  window: number,
): SymbolVpin {
  let count = 0;
  let sum = 0;
  let max = -Infinity;
  let alerts = 0;
  for (let i = 0; i < out.vpin.length; i++) {
    const v = out.vpin[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    max = Math.max(max, v);
    // The CDF of the first values is trivially high: count alerts once `window` values are in.
    if (count > window && out.cdf[i] >= threshold) alerts++;
  }
  const last = count > 0 ? out.vpin[out.vpin.length - 1] : NaN;
  return { symbol, trades, bucketVolume, out, count, mean: count ? sum / count : NaN, max, last, alerts };
}

/** Concatenates per-symbol tables of the same columns, with a leading `symbol` column when `symbols` is given. */
export function stack(
  names: string[],
  types: Record<string, ColumnType>,
  parts: { symbol?: string; columns: Record<string, Float64Array | string[]>; rows: number }[],
  withSymbol: boolean,
): Table {
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const columns: Record<string, TableColumn> = {};
  for (const name of names) {
    if (types[name] === 'text') {
      const values: string[] = [];
      const codeOf = new Map<string, number>();
      const codes = new Int32Array(rows);
      let at = 0;
      for (const p of parts) {
        for (const v of p.columns[name] as string[]) {
          let code = codeOf.get(v);
          if (code === undefined) {
            code = values.length;
            codeOf.set(v, code);
            values.push(v);
          }
          codes[at++] = code;
        }
      }
      columns[name] = { codes, values };
    } else {
      const data = new Float64Array(rows);
      let at = 0;
      for (const p of parts) {
        data.set(p.columns[name] as Float64Array, at);
        at += p.rows;
      }
      columns[name] = data;
    }
  }
  if (!withSymbol) return { rows, names, columns, types };
  const values = parts.map((p) => p.symbol ?? '');
  const codes = new Int32Array(rows);
  let at = 0;
  parts.forEach((p, i) => {
    codes.fill(i, at, at + p.rows);
    at += p.rows;
  });
  return {
    rows,
    names: ['symbol', ...names],
    columns: { symbol: { codes, values }, ...columns },
    types: { symbol: 'text', ...types },
  };
}

/** The buckets of every symbol as one table: [symbol,] startTs, endTs, duration, buyVolume, sellVolume, vpin, cdf. */
export function bucketsTable(results: readonly SymbolVpin[]): Table {
  const names = ['startTs', 'endTs', 'duration', 'buyVolume', 'sellVolume', 'vpin', 'cdf'];
  const types: Record<string, ColumnType> = Object.fromEntries(names.map((n) => [n, n.endsWith('Ts') ? 'time' : 'number']));
  return stack(
    names,
    types,
    results.map((r) => ({ symbol: r.symbol, rows: r.out.vpin.length, columns: r.out as unknown as Record<string, Float64Array> })),
    results.some((r) => r.symbol !== undefined),
  );
}

/** Daily VPIN of every symbol as one table: [symbol,] day, vpin, weightedVpin, buckets, vpinBuckets. */
export function dailyTable(results: readonly { symbol?: string; daily: DailyVpin }[]): Table {
  const names = ['day', 'vpin', 'weightedVpin', 'buckets', 'vpinBuckets'];
  const types: Record<string, ColumnType> = {
    day: 'text',
    vpin: 'number',
    weightedVpin: 'number',
    buckets: 'number',
    vpinBuckets: 'number',
  };
  return stack(
    names,
    types,
    results.map((r) => ({ symbol: r.symbol, rows: r.daily.day.length, columns: r.daily as unknown as Record<string, Float64Array> })),
    results.some((r) => r.symbol !== undefined),
  );
}

/** The groups of a read: one per symbol (filtered by `symbols`), or the whole tape. */
export function groupsOf(
  trades: Trades,
  split: ((filter?: string[]) => SymbolTrades[]) | undefined,
  symbols: string[] | undefined,
): { symbol?: string; trades: Trades }[] {
  if (split) return split(symbols);
  if (symbols !== undefined) {
    throw new KernelInputError('--symbols', 'a file with a symbol column (symbol, sym, ticker, instrument, or --symbol-column)', 'none');
  }
  return [{ trades }];
}

/**
 * The trades of `path` read with the command's input flags (progress on a terminal; --bad-trades, a
 * rejected trade listed on stderr), the read's time,
 * and the groups per symbol (`--symbols` picks them; --symbol-column names the column). The reader
 * loads here, when a command reads.
 */
export async function readTradeGroups(
  path: string,
  values: InputValues & { 'symbol-column'?: string; symbols?: string[]; 'bad-trades': BadTradePolicy },
) {
  const { readTrades, splitBySymbol } = await import('../io/trades.js');
  const started = performance.now();
  const progress = progressLine('trades');
  let read: Awaited<ReturnType<typeof readTrades>>;
  try {
    read = await readTrades(path, {
      ...readOptions(values, progress),
      symbolColumn: values['symbol-column'],
      badTrades: values['bad-trades'],
    });
  } finally {
    progress.done();
  }
  printRejected(read.info.badTrades);
  const readMs = performance.now() - started;
  const { trades, symbols } = read;
  const split = symbols && ((filter?: string[]) => splitBySymbol(trades, symbols, { symbols: filter, name: '--symbols' }));
  return { read, readMs, groups: groupsOf(trades, split, values.symbols) };
}
