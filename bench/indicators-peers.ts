/**
 * The JavaScript peers of the indicators (issue 51), on the same 10^6-bar series with TA-Lib's default
 * parameters: technicalindicators (npm's most used; `<Indicator>.calculate` on plain arrays) and
 * trading-signals (streaming classes, `add` per bar). Neither is a dependency of kernelbus: the bench
 * loads them from the folder KERNELBUS_BENCH_JS_PEERS names, made with
 *   mkdir peers && cd peers && npm init -y && npm install technicalindicators@3.1.0 trading-signals@8.3.0
 * and without it says so in a row. Each is timed warm (one call first), best of several.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timeBest, type BenchRow } from './lib.js';

type Series = Record<'high' | 'low' | 'close' | 'volume', Float64Array>;
type Run = (s: Series) => unknown;

/** A peer's module, resolved from the peers folder as a package there would (its main or exports), or undefined. */
async function load(dir: string, name: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(pathToFileURL(createRequire(join(dir, 'package.json')).resolve(name)).href)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** technicalindicators' calculate() per core indicator, TA-Lib's default parameters. */
function technicalIndicators(ti: Record<string, any>): Record<string, Run> {
  const arrays = (s: Series) => ({ high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) });
  return {
    sma: (s) => ti.SMA.calculate({ period: 30, values: Array.from(s.close) }),
    ema: (s) => ti.EMA.calculate({ period: 30, values: Array.from(s.close) }),
    rsi: (s) => ti.RSI.calculate({ period: 14, values: Array.from(s.close) }),
    macd: (s) =>
      ti.MACD.calculate({
        values: Array.from(s.close),
        fastPeriod: 12,
        slowPeriod: 26,
        signalPeriod: 9,
        SimpleMAOscillator: false,
        SimpleMASignal: false,
      }),
    bbands: (s) => ti.BollingerBands.calculate({ period: 5, stdDev: 2, values: Array.from(s.close) }),
    atr: (s) => ti.ATR.calculate({ ...arrays(s), period: 14 }),
    adx: (s) => ti.ADX.calculate({ ...arrays(s), period: 14 }),
    stoch: (s) => ti.Stochastic.calculate({ ...arrays(s), period: 5, signalPeriod: 3 }),
  };
}

/** trading-signals' classes fed bar by bar, TA-Lib's default parameters. */
function tradingSignals(ts: Record<string, any>): Record<string, Run> {
  const closes = (make: () => { add(x: number): unknown }) => (s: Series) => {
    const ind = make();
    for (let i = 0; i < s.close.length; i++) ind.add(s.close[i]);
  };
  const candles = (make: () => { add(c: object): unknown }) => (s: Series) => {
    const ind = make();
    for (let i = 0; i < s.close.length; i++) ind.add({ high: s.high[i], low: s.low[i], close: s.close[i] });
  };
  return {
    sma: closes(() => new ts.SMA(30)),
    ema: closes(() => new ts.EMA(30)),
    rsi: closes(() => new ts.RSI(14)),
    macd: closes(() => new ts.MACD(new ts.EMA(12), new ts.EMA(26), new ts.EMA(9))),
    bbands: closes(() => new ts.BollingerBands(5, 2)),
    atr: candles(() => new ts.ATR(14)),
    adx: candles(() => new ts.ADX(14)),
    stoch: candles(() => new ts.StochasticOscillator({ kPeriod: 5, kSlowingPeriod: 3, dPeriod: 3 })),
  };
}

/**
 * Rows of each peer's time per core indicator against native's (`nativeMs[name]`, the same series),
 * with the targets (>= 50x technicalindicators, >= 4x trading-signals); one row saying how to
 * get them when KERNELBUS_BENCH_JS_PEERS is not set.
 */
export async function jsPeerRows(series: Series, nativeMs: Record<string, number>): Promise<BenchRow[]> {
  const dir = process.env.KERNELBUS_BENCH_JS_PEERS;
  const missing = (why: string): BenchRow[] => [
    {
      section: 'indicators',
      case: 'JavaScript peers, 10^6 bars',
      subject: 'technicalindicators, trading-signals',
      value: NaN,
      unit: 'ms',
      note: why,
    },
  ];
  if (!dir) return missing('not measured: set KERNELBUS_BENCH_JS_PEERS to a folder with them installed (bench/indicators-peers.ts)');
  const [ti, ts] = [await load(dir, 'technicalindicators'), await load(dir, 'trading-signals')];
  if (!ti || !ts) return missing(`not measured: technicalindicators or trading-signals not found in ${dir}/node_modules`);
  const rows: BenchRow[] = [];
  const peers = [
    ['technicalindicators', technicalIndicators(ti), 50],
    ['trading-signals', tradingSignals(ts), 4],
  ] as const;
  for (const [peer, runs, target] of peers) {
    for (const [name, run] of Object.entries(runs)) {
      const ms = timeBest(() => run(series), { minMs: 300 });
      rows.push({
        section: 'indicators',
        case: `${name} 10^6 bars`,
        subject: peer,
        value: ms,
        unit: 'ms',
        ratio: ms / nativeMs[name],
        baseline: `native (speed-up over ${peer}; target >= ${target})`,
      });
    }
  }
  return rows;
}
