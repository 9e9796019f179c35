/**
 * `kernelbus demo --file`: a recorded tape in place of the synthetic market. The files are read whole
 * (a demo's day fits in memory), their symbols and time span found, and the bars the risk and factor
 * engines get are cut from the tape in tape time by tapeBars() (kernelbus/replay: bars only where the
 * market trades, within --session's hours when given). The bars go out among the trades as dated
 * messages of the replay. The trade rule applies as the files are read (--bad-trades).
 */
import { type BadTradesReport, mergeBadTrades } from '../io/trade-screen.js';
import { readTrades } from '../io/trades.js';
import type { BadTradePolicy } from '../kernels/trade-check.js';
import { countBars, type TapeBarsOptions } from '../replay/bars.js';
import type { TradesTape } from '../replay/index.js';
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
  /** What the trade rule found in the files (left out under skip and reject). */
  badTrades: BadTradesReport;
}

/** Reads the files whole (see the module comment), keeping [from, to) and `symbols` for the figures. */
export async function readDemoTape(
  files: readonly string[],
  filter: { from?: number; to?: number; symbols?: readonly string[]; skipBadRows?: boolean; badTrades?: BadTradePolicy },
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
  const policy = filter.badTrades ?? 'fail';
  const reports: BadTradesReport[] = [];
  for (const path of files) {
    const read = await readTrades(path, { ...(filter.skipBadRows ? { skipBadRows: true } : {}), badTrades: policy });
    reports.push(read.info.badTrades!);
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
  return { sources, symbols, trades, firstTs, lastTs, volume, quotes, badTrades: mergeBadTrades(policy, reports) };
}

/** Bar lengths the demo picks from (ms): 1 s to 1 day. */
const NICE_BARS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 86_400].map((s) => s * 1000);

/** The shortest of NICE_BARS that cuts the tape into at most `bars` bars in which the market trades (tapeBars' rule). */
export function barLength(tape: DemoTape, bars: number, options: Omit<TapeBarsOptions, 'barMs'>): number {
  // fewer bars the longer they are: a binary search, four counts
  let lo = 0;
  let hi = NICE_BARS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (countBars(tape.sources, { ...options, barMs: NICE_BARS[mid] }) <= bars) hi = mid;
    else lo = mid + 1;
  }
  return NICE_BARS[lo];
}
