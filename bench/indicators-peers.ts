/**
 * The JavaScript peers of the indicators (issues 51, 71), on the same 10^6-bar series with TA-Lib's
 * default parameters: technicalindicators (npm's most used; `<Indicator>.calculate` on plain arrays)
 * and trading-signals (streaming classes, `add` per bar). Neither is a dependency of kernelbus: they
 * are loaded from the folder KERNELBUS_BENCH_JS_PEERS names, else the one `npm run bench:peers` fills
 * (peer-env.ts jsPeersDir), in a child process (this file run as a script: their arrays and objects
 * stay out of the bench's heap), one round at a time, interleaved with rounds of ours; each peer is
 * timed warm (one call first), best of two. Without them a row says "peer not measured".
 */
import { peerSpawnSync } from './spawner.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, timeBest, type BenchRow } from './lib.js';
import { INSTALL_HINT, jsPeersDir, PeerWaits, peerInputs, recordPeers } from './peer-env.js';

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

const PEERS = [
  ['technicalindicators', 50],
  ['trading-signals', 4],
] as const;
const ROUNDS = 3;

/** The child: times every peer's core eight on the series in `file` (n bars of high, low, close, volume) and prints JSON. */
async function child(dir: string, file: string, n: number): Promise<void> {
  const all = new Float64Array(readFileSync(file).buffer.slice(0));
  const series: Series = {
    high: all.subarray(0, n),
    low: all.subarray(n, 2 * n),
    close: all.subarray(2 * n, 3 * n),
    volume: all.subarray(3 * n, 4 * n),
  };
  const [ti, ts] = [await load(dir, 'technicalindicators'), await load(dir, 'trading-signals')];
  if (!ti || !ts) throw new Error(`technicalindicators or trading-signals not found in ${dir}/node_modules`);
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const runs = { technicalindicators: technicalIndicators(ti), 'trading-signals': tradingSignals(ts) };
  const results: { peer: string; name: string; ms: number }[] = [];
  for (const [peer] of PEERS) {
    for (const [name, run] of Object.entries(runs[peer]))
      results.push({ peer, name, ms: timeBest(() => run(series), { minMs: 0, minRuns: 2 }) });
  }
  console.log(JSON.stringify({ versions: Object.fromEntries(PEERS.map(([peer]) => [peer, version(peer)])), results }));
}

/**
 * Rows of each peer's time per core indicator against native's on the same series (a fresh output each
 * call), interleaved: each round times ours (`native[name]()`, ms) and then runs the child once; the
 * ratio is the peer's median over native's (the targets: >= 50x technicalindicators, >= 4x
 * trading-signals). One row saying why when the peers are not installed.
 */
export function jsPeerRows(series: Series, native: Record<string, () => number>): BenchRow[] {
  const dir = jsPeersDir();
  const missing = (why: string): BenchRow[] => {
    recordPeers('indicators', `technicalindicators, trading-signals: ${why}`);
    return [
      {
        section: 'indicators',
        case: 'JavaScript peers, 10^6 bars',
        subject: 'technicalindicators, trading-signals',
        value: Number.NaN,
        unit: 'ms',
        note: why,
      },
    ];
  };
  if (!dir) return missing(`peer not measured: technicalindicators and trading-signals are not installed here; ${INSTALL_HINT}`);
  const n = series.close.length;
  const all = new Float64Array(4 * n);
  (['high', 'low', 'close', 'volume'] as const).forEach((f, k) => all.set(series[f], k * n));
  const { files, done } = peerInputs({ bars: all });
  const ours: Record<string, number[]> = Object.fromEntries(Object.keys(native).map((k) => [k, []]));
  const theirs: Record<string, number[]> = {};
  let versions: Record<string, string> = {};
  let failed = '';
  // each round of the child is followed by the wait for the cores to be quiet (its collector's threads, its exit)
  const waits = new PeerWaits();
  try {
    for (let round = 0; round < ROUNDS && !failed; round++) {
      for (const [name, measure] of Object.entries(native)) ours[name].push(measure());
      const r = waits.round((env) =>
        peerSpawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), dir, files.bars, String(n)], {
          encoding: 'utf8',
          maxBuffer: 16 << 20,
          timeout: 10 * 60_000,
          env,
        }),
      );
      if (r.status !== 0) {
        failed = `peer not measured: the JS peers' child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
        break;
      }
      const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
        versions: Record<string, string>;
        results: { peer: string; name: string; ms: number }[];
      };
      versions = out.versions;
      for (const x of out.results) (theirs[`${x.peer} ${x.name}`] ??= []).push(x.ms);
    }
  } finally {
    done();
  }
  if (failed) return missing(failed);
  const text = Object.entries(versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  recordPeers('indicators', `${text} (bench/indicators-peers.ts, a child process)`);
  const rows: BenchRow[] = [];
  for (const [peer, target] of PEERS) {
    for (const name of Object.keys(native)) {
      const ms = median(theirs[`${peer} ${name}`] ?? [Number.NaN]);
      const mine = median(ours[name]);
      rows.push({
        section: 'indicators',
        case: `${name} 10^6 bars`,
        subject: peer,
        value: ms,
        unit: 'ms',
        ratio: ms / mine,
        baseline: `native (speed-up over ${peer}; target >= ${target})`,
        note: `${peer} ${versions[peer]}: timed in this run in a child process, median of ${ROUNDS} rounds interleaved with ours (native ${mine.toPrecision(3)} ms), ${waits.note()}`,
      });
    }
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dir, file, n] = process.argv.slice(2);
  await child(dir, file, Number(n));
}
