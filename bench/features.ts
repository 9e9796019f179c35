/**
 * Features family: bars from trades on the VPIN section's cent-grid tape of 10^7 trades (~100 a
 * second, 45% zero ticks), each as a fraction of VPIN's 60 s-bar BVC figure of the same run (the
 * memory-bound yardstick: the same three columns read once; issue 55's target for bars and
 * imbalanceBars: >= 0.5x), timed in rounds alternating with the yardstick, the ratio the median of the
 * rounds'; native against the reference on 10^6 trades; mlfinlab's 2020 bars (pandas, row by row;
 * target native >= 100x) timed in the same run: bench/peers/features.py in a child process on the first
 * 200,000 trades of the same tape, three rounds interleaved with rounds of ours (npm run bench:peers
 * installs it; without it the rows say "peer not measured").
 */
import { backends, kernels, type Trades } from '../src/api/index.js';
import type { BarOptions, Bars, InformationBarOptions } from '../src/kernels/features/features.js';
import { realizedRows } from './features-realized.js';
import { centGrid } from './inputs.js';
import { median, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { PeerRounds, peerInputs, peerPython, peerScript, peerSource, recordPeers } from './peer-env.js';

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

/** The trades mlfinlab's bars are timed on (row by row in pandas: seconds for 10^5). */
const PEER_TRADES = 200_000;
const PEER_ROUNDS = 3;

/**
 * mlfinlab's bars and ours, interleaved: per round our rate on 10^7 trades for each case the peer
 * has, then one run of the peer child; a row per case with mlfinlab's median rate and native's over it.
 */
function mlfinlabRows(nat: Kernels, big: Trades, cases: Case[]): BenchRow[] {
  const mlfinlab = peerSource('mlfinlab2020');
  const python = mlfinlab ? peerPython() : undefined;
  const { files, done } = peerInputs({
    ts: big.ts.subarray(0, PEER_TRADES),
    price: big.price.subarray(0, PEER_TRADES),
    volume: big.volume.subarray(0, PEER_TRADES),
  });
  const peers = new PeerRounds(
    python,
    [
      peerScript('features.py'),
      mlfinlab ?? '',
      ...['--ts', files.ts, '--price', files.price, '--volume', files.volume, '--trades', String(PEER_TRADES)],
    ],
    "mlfinlab's 2020 bar code is not installed here",
    // one thread: mlfinlab's bars are a Python loop over pandas rows and a numba EWMA without `parallel`,
    // no BLAS call; so its rows mean what they meant
    true,
  );
  const peered = cases.filter(
    ([label]) => !label.startsWith('bars by time') && !label.includes('defaults') && !label.startsWith('runBars'),
  );
  const ours: Record<string, number[]> = Object.fromEntries(peered.map(([label]) => [label, []]));
  try {
    for (let round = 0; round < PEER_ROUNDS; round++) {
      for (const [label, run] of peered)
        ours[label].push(
          rate(
            N,
            timeBest(() => run(nat, big), { minMs: 1, minRuns: 2 }),
          ),
        );
      peers.round();
    }
  } finally {
    done();
  }
  recordPeers('features', peers.missing || `${peers.versionText()} (bench/peers/features.py)`);
  return peered.map(([label]): BenchRow => {
    const mine = median(ours[label]);
    const ms = peers.ms(label);
    if (ms === undefined) {
      return {
        section: 'features',
        case: `${label}, ${PEER_TRADES} trades`,
        subject: 'mlfinlab',
        value: Number.NaN,
        unit: 'trades/s',
        note: `${peers.missing}; target >= 100x`,
      };
    }
    const value = PEER_TRADES / (ms / 1000);
    return {
      section: 'features',
      case: `${label}, ${PEER_TRADES} trades`,
      subject: 'mlfinlab',
      value,
      unit: 'trades/s',
      ratio: mine / value,
      baseline: "native's rate over it (native on 10^7 trades, the same rounds)",
      note: `${peers.versionText()}: timed in this run, median of ${peers.rounds} rounds interleaved with ours, ${peers.quietNote()}; target >= 100x`,
    };
  });
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
    rows.push(...mlfinlabRows(nat, big, CASES));
    return rows;
  },
};
