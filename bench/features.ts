/**
 * Features family: bars from trades on the VPIN section's cent-grid tape of 10^7 trades (~100 a
 * second, 45% zero ticks), each as a fraction of VPIN's 60 s-bar BVC figure of the same run (the
 * memory-bound yardstick: the same three columns read once; issue 55's target for bars and
 * imbalanceBars: >= 0.5x), timed in rounds alternating with the yardstick, the ratio the median of the
 * rounds'; native against the reference on 10^6 trades; mlfinlab's bars (bench/peers/features.json,
 * timed by hand by bench/peers/features.py: pandas, row by row; target native >= 100x), when the file
 * is there.
 */
import { readFileSync } from 'node:fs';
import { backends, kernels, type Trades } from '../src/api/index.js';
import type { BarOptions, Bars, InformationBarOptions } from '../src/kernels/features/features.js';
import { realizedRows } from './features-realized.js';
import { centGrid } from './inputs.js';
import { median, timeBest, type BenchRow, type BenchSection } from './lib.js';

const N = 1e7;
const rate = (n: number, ms: number) => n / (ms / 1000);
const slice = (t: Trades, n: number): Trades => ({
  ts: t.ts.subarray(0, n),
  price: t.price.subarray(0, n),
  volume: t.volume.subarray(0, n),
});

type Kernels = ReturnType<typeof kernels>;
/** A case: its label, the call, the issue's target beside it. */
type Case = [label: string, run: (k: Kernels, t: Trades) => Bars, target: string];

const bars = (o: BarOptions) => (k: Kernels, t: Trades) => k.bars(t, o);
const imbalance = (o: InformationBarOptions) => (k: Kernels, t: Trades) => k.imbalanceBars(t, o);
const runs = (o: InformationBarOptions) => (k: Kernels, t: Trades) => k.runBars(t, o);

/** Information bars that close every few hundred trades on this tape (mlfinlab's defaults close 2 in 10^6). */
const INFORMATION: InformationBarOptions = {
  by: 'tick',
  expNumTicksInit: 500,
  expectedImbalanceWindow: 1000,
  expNumTicksConstraints: [100, 10_000],
};

const CASES: Case[] = [
  ['bars by tick, 1,000 a bar', bars({ by: 'tick', threshold: 1000 }), 'target >= 0.5x'],
  ['bars by volume, 50,000 a bar', bars({ by: 'volume', threshold: 50_000 }), 'target >= 0.5x'],
  ['bars by dollar, 5e6 a bar', bars({ by: 'dollar', threshold: 5e6 }), 'target >= 0.5x'],
  ['bars by time, 60 s', bars({ by: 'time', threshold: 60_000 }), ''],
  ['imbalanceBars tick ema, window 1000, ticks in [100, 10^4]', imbalance(INFORMATION), 'target >= 0.5x'],
  ['imbalanceBars tick, mlfinlab defaults', imbalance({ by: 'tick' }), ''],
  ['runBars tick ema, window 1000, ticks in [100, 10^4]', runs(INFORMATION), ''],
];

/** bench/peers/features.json: mlfinlab's bars timed by hand. */
interface FeaturesPeers {
  date: string;
  machine: { loadAverage: number[] };
  versions: Record<string, string>;
  results: { case: string; trades: number; seconds: number }[];
}

function peers(): FeaturesPeers | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./peers/features.json', import.meta.url), 'utf8')) as FeaturesPeers;
  } catch {
    return undefined;
  }
}

export const featuresSection: BenchSection = {
  name: 'features',
  async run() {
    const rows: BenchRow[] = [];
    const ref = kernels({ backend: 'reference' });
    const big = centGrid(N);
    const small = slice(big, 1e6);
    if (!backends().some((b) => b.name === 'native' && b.available)) {
      const ms = timeBest(() => ref.bars(small, { by: 'dollar', threshold: 5e6 }), { minMs: 1, minRuns: 3 });
      rows.push({
        section: 'features',
        case: 'bars by dollar, 10^6 trades',
        subject: 'reference',
        value: rate(1e6, ms),
        unit: 'trades/s',
        note: 'native not built',
      });
      return rows;
    }
    const nat = kernels({ backend: 'native' });
    const yardstickRun = () => nat.vpin(big, { bucketVolume: 1e6, barMs: 60_000 });
    rows.push({
      section: 'features',
      case: 'vpin() 10^7 trades, bvc, 60 s bars',
      subject: 'native',
      value: rate(N, timeBest(yardstickRun, { minMs: 1, minRuns: 5 })),
      unit: 'trades/s',
      note: 'the yardstick',
    });
    const nativeRates: Record<string, number> = {};
    for (const [label, run, target] of CASES) {
      const ratios: number[] = [];
      const rates: number[] = [];
      for (let round = 0; round < 5; round++) {
        const base = timeBest(yardstickRun, { minMs: 1, minRuns: 2 });
        const ms = timeBest(() => run(nat, big), { minMs: 1, minRuns: 2 });
        ratios.push(base / ms);
        rates.push(rate(N, ms));
      }
      const count = run(nat, big).ts.length;
      nativeRates[label] = median(rates);
      rows.push({
        section: 'features',
        case: `${label}, 10^7 trades`,
        subject: 'native',
        value: median(rates),
        unit: 'trades/s',
        ratio: median(ratios),
        baseline: 'vpin() bvc 60 s bars, native',
        note: `${count} bars${target ? `; ${target}` : ''}`,
      });
      const r = rate(
        1e6,
        timeBest(() => run(ref, small), { minMs: 1, minRuns: 3 }),
      );
      const n = rate(
        1e6,
        timeBest(() => run(nat, small), { minMs: 1, minRuns: 3 }),
      );
      rows.push({ section: 'features', case: `${label}, 10^6 trades`, subject: 'reference', value: r, unit: 'trades/s' });
      rows.push({
        section: 'features',
        case: `${label}, 10^6 trades`,
        subject: 'native',
        value: n,
        unit: 'trades/s',
        ratio: n / r,
        baseline: 'reference',
      });
    }
    rows.push(...realizedRows(nat, ref, yardstickRun));
    const p = peers();
    for (const peer of p?.results ?? []) {
      const native = nativeRates[peer.case];
      if (native === undefined) continue;
      const value = peer.trades / peer.seconds;
      rows.push({
        section: 'features',
        case: `${peer.case}, ${peer.trades} trades`,
        subject: 'mlfinlab',
        value,
        unit: 'trades/s',
        ratio: native / value,
        baseline: "native's rate over it",
        note: `bench/peers/features.json (${Object.entries(p!.versions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}), ${p!.date.slice(0, 10)}, load ${p!.machine.loadAverage[0]}: not side by side; target >= 100x`,
      });
    }
    return rows;
  },
};
