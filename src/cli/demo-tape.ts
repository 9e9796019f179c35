/**
 * `kernelbus demo --file`: a recorded tape in place of the synthetic market. The files are read whole
 * (a demo's day fits in memory), their symbols and time span found, and the bars the risk and factor
 * engines get are cut from the tape in tape time: every bar's closing prices (each symbol's last trade
 * at or before the bar's end; before its first trade, its first bar's close) and the simple returns since
 * the bar before. The bars go out among the trades as dated messages of the replay.
 */
import type { Kernels } from '../api/kernels.js';
import { readTrades } from '../io/trades.js';
import type { MessageTape, TradesTape } from '../replay/index.js';
import { symbolOfPath } from '../replay/index.js';

/** A tape read for the demo. */
export interface DemoTape {
  /** The trades of each file, for replay(). */
  sources: TradesTape[];
  /** The symbols with volume within [from, to) (those --symbols keeps), file by file. */
  symbols: string[];
  /** Trades within [from, to) of those symbols, and their first and last timestamps. */
  trades: number;
  firstTs: number;
  lastTs: number;
  /** Each symbol's volume within [from, to). */
  volume: Map<string, number>;
  /** Whether every file has bid and ask. */
  quotes: boolean;
}

/** The bars of a tape: closing prices and returns per bar (bars x symbols, row-major), at `ts`. */
export interface TapeBars {
  barMs: number;
  /** Each bar's end (tape time, epoch ms). */
  ts: Float64Array;
  prices: Float64Array;
  returns: Float64Array;
}

/** Reads the files whole (see the module comment), keeping [from, to) and `symbols` for the figures. */
export async function readDemoTape(
  files: readonly string[],
  filter: { from?: number; to?: number; symbols?: readonly string[]; skipBadRows?: boolean },
): Promise<DemoTape> {
  const from = filter.from ?? Number.NEGATIVE_INFINITY;
  const to = filter.to ?? Number.POSITIVE_INFINITY;
  const wanted = filter.symbols && new Set(filter.symbols);
  const sources: TradesTape[] = [];
  const volume = new Map<string, number>();
  let trades = 0;
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  let quotes = true;
  for (const path of files) {
    const read = await readTrades(path, filter.skipBadRows ? { skipBadRows: true } : {});
    const symbol = symbolOfPath(path);
    sources.push({ trades: read.trades, ...(read.symbols ? { symbols: read.symbols } : { symbol }), name: path });
    quotes &&= read.trades.bid !== undefined;
    // each symbol's volume and the time span within [from, to), straight from the columns
    const names = read.symbols ? read.symbols.values : [symbol];
    const codes = read.symbols?.codes;
    const sums = new Float64Array(names.length);
    const { ts, volume: v } = read.trades;
    for (let i = 0; i < ts.length; i++) {
      const x = ts[i];
      const code = codes ? codes[i] : 0;
      if (!(x >= from && x < to) || (wanted && !wanted.has(names[code]))) continue;
      sums[code] += v[i];
      trades++;
      if (x < firstTs) firstTs = x;
      if (x > lastTs) lastTs = x;
    }
    names.forEach((name, code) => {
      if (sums[code] > 0) volume.set(name, (volume.get(name) ?? 0) + sums[code]);
    });
  }
  const symbols = [...volume.keys()];
  return { sources, symbols, trades, firstTs, lastTs, volume, quotes };
}

/** Bar lengths the demo picks from (ms): 1 s to 1 day. */
const NICE_BARS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 86_400].map((s) => s * 1000);

/** The shortest of NICE_BARS that cuts `spanMs` into at most `bars` bars. */
export function barLength(spanMs: number, bars: number): number {
  return NICE_BARS.find((b) => spanMs / b <= bars) ?? NICE_BARS[NICE_BARS.length - 1];
}

/** The tape's bars of `barMs` from its first trade (see the module comment); returns by the simpleReturns kernel. */
export function tapeBars(tape: DemoTape, barMs: number, k: Kernels): TapeBars {
  const n = tape.symbols.length;
  const column = new Map(tape.symbols.map((s, j) => [s, j]));
  const count = Math.max(1, Math.ceil((tape.lastTs - tape.firstTs + 1) / barMs));
  const ts = Float64Array.from({ length: count }, (_, b) => tape.firstTs + (b + 1) * barMs);
  // the last price of each symbol in each bar (NaN: none), then carried forward (first price backward)
  const last = new Float64Array(count * n).fill(Number.NaN);
  const lastAt = new Float64Array(count * n).fill(Number.NEGATIVE_INFINITY);
  for (const source of tape.sources) {
    const { trades } = source;
    const codes = source.symbols?.codes;
    const ids = source.symbols ? source.symbols.values.map((s) => column.get(s) ?? -1) : [column.get(source.symbol!) ?? -1];
    for (let i = 0; i < trades.ts.length; i++) {
      const j = ids[codes ? codes[i] : 0];
      const t = trades.ts[i];
      if (j < 0 || !(t >= tape.firstTs && t <= tape.lastTs)) continue;
      const cell = Math.min(count - 1, Math.floor((t - tape.firstTs) / barMs)) * n + j;
      if (t >= lastAt[cell]) {
        lastAt[cell] = t;
        last[cell] = trades.price[i];
      }
    }
  }
  // returns of bar b: its close over the bar before's (the first bar's: over the tape's first prices)
  const rows = new Float64Array((count + 1) * n);
  for (let j = 0; j < n; j++) {
    let first = Number.NaN;
    for (let b = 0; b < count && first !== first; b++) first = last[b * n + j];
    rows[j] = first;
    let carry = first;
    for (let b = 0; b < count; b++) {
      const x = last[b * n + j];
      if (x === x) carry = x;
      else last[b * n + j] = carry;
    }
  }
  rows.set(last, n);
  const returns = k.simpleReturns({ data: rows, rows: count + 1, cols: n }).data;
  return { barMs, ts, prices: last, returns };
}

/** The bars as dated messages: `payload(prices, returns)` of each bar, at its end. */
export function barTape(
  bars: TapeBars,
  n: number,
  type: string,
  key: string,
  payload: (prices: Float64Array, returns: Float64Array) => unknown,
): MessageTape {
  return {
    type,
    key,
    ts: bars.ts,
    name: `${type} bars`,
    payload: (b) => payload(bars.prices.subarray(b * n, (b + 1) * n), bars.returns.subarray(b * n, (b + 1) * n)),
  };
}
