/**
 * Features family, realized measures: each measure over 20 days x 10^6 prices (the VPIN section's
 * cent-grid prices, 86 ms apart within a day), native, in prices/s (issue 55's target: >= 500 M
 * prices/s for RV, BV and MedRV, the realized kernel >= 0.2x RV's rate: its ratio to RV in rounds
 * alternating with it); native against the reference on one day; the numpy port of highfrequency's
 * formulas (target >= 50x) timed in the same run: bench/peers/realized.py in a child process on the
 * same tape, three rounds interleaved with rounds of ours (npm run bench:peers installs numpy;
 * without it the rows say "peer not measured").
 */
import type { kernels } from '../src/api/index.js';
import { centGrid } from './inputs.js';
import { median, timeBest, type BenchRow } from './lib.js';
import { PeerRounds, peerInputs, peerPython, peerScript, recordPeers } from './peer-env.js';

const DAYS = 20;
const PER_DAY = 1e6;
const N = DAYS * PER_DAY;
const DAY_MS = 86_400_000;
const rate = (n: number, ms: number) => n / (ms / 1000);

type Kernels = ReturnType<typeof kernels>;
type Case = [label: string, run: (k: Kernels, price: Float64Array, ts: Float64Array) => unknown, target: string];

const CASES: Case[] = [
  ['realizedVariance', (k, p, ts) => k.realizedVariance(p, { ts }), 'target >= 500 M/s'],
  ['bipowerVariation', (k, p, ts) => k.bipowerVariation(p, { ts }), 'target >= 500 M/s'],
  ['medRV', (k, p, ts) => k.medRV(p, { ts }), 'target >= 500 M/s'],
  ['minRV', (k, p, ts) => k.minRV(p, { ts }), ''],
  ['realizedSemivariance', (k, p, ts) => k.realizedSemivariance(p, { ts }), ''],
  ['twoScaleRV k 300', (k, p, ts) => k.twoScaleRV(p, { ts }), ''],
  ['realizedKernel parzen, bandwidth 1', (k, p, ts) => k.realizedKernel(p, { ts, kernel: 'parzen' }), 'target >= 0.2x RV'],
  ['realizedKernel parzen, bandwidth 10', (k, p, ts) => k.realizedKernel(p, { ts, kernel: 'parzen', bandwidth: 10 }), ''],
];

/** The cases the numpy port has. */
const PEERED = ['realizedVariance', 'bipowerVariation', 'medRV', 'minRV', 'realizedKernel parzen, bandwidth 1'];
const PEER_ROUNDS = 3;

/** The 20-day tape: cent-grid prices, each day 10^6 of them 86 ms apart. */
function tape(): { price: Float64Array; ts: Float64Array } {
  const { price } = centGrid(N);
  const ts = new Float64Array(N);
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < N; i++) ts[i] = start + Math.floor(i / PER_DAY) * DAY_MS + (i % PER_DAY) * 86;
  return { price, ts };
}

/**
 * The rows of the realized measures (native and reference given): realizedVariance's rate as a
 * fraction of the section's yardstick (VPIN's 60 s bars over 10^7 trades, `yardstick`: the memory
 * bound on this machine in this run), the others' as a fraction of realizedVariance's.
 */
export function realizedRows(nat: Kernels, ref: Kernels, yardstick: () => unknown): BenchRow[] {
  const rows: BenchRow[] = [];
  const { price, ts } = tape();
  const rvRun = () => nat.realizedVariance(price, { ts });
  for (const [label, run, target] of CASES) {
    const ratios: number[] = [];
    const r: number[] = [];
    const first = label === 'realizedVariance';
    for (let round = 0; round < 5; round++) {
      // per price against the yardstick's per trade (10^7 of them)
      const base = first ? timeBest(yardstick, { minMs: 1, minRuns: 2 }) * (N / 1e7) : timeBest(rvRun, { minMs: 1, minRuns: 2 });
      const ms = timeBest(() => run(nat, price, ts), { minMs: 1, minRuns: 2 });
      ratios.push(base / ms);
      r.push(rate(N, ms));
    }
    rows.push({
      section: 'features',
      case: `${label}, ${DAYS} days x 10^6 prices`,
      subject: 'native',
      value: median(r),
      unit: 'prices/s',
      ratio: median(ratios),
      baseline: first ? 'vpin() bvc 60 s bars, native, per trade' : 'realizedVariance, native',
      note: target,
    });
  }
  const day = { price: price.subarray(0, PER_DAY), ts: ts.subarray(0, PER_DAY) };
  for (const [label, run] of CASES.slice(0, 3)) {
    const r = rate(
      PER_DAY,
      timeBest(() => run(ref, day.price, day.ts), { minMs: 1, minRuns: 3 }),
    );
    const n = rate(
      PER_DAY,
      timeBest(() => run(nat, day.price, day.ts), { minMs: 1, minRuns: 3 }),
    );
    rows.push({ section: 'features', case: `${label}, one day of 10^6 prices`, subject: 'reference', value: r, unit: 'prices/s' });
    rows.push({
      section: 'features',
      case: `${label}, one day of 10^6 prices`,
      subject: 'native',
      value: n,
      unit: 'prices/s',
      ratio: n / r,
      baseline: 'reference',
    });
  }
  // the numpy port, interleaved with rounds of ours
  const { files, done } = peerInputs({ price, ts });
  const peers = new PeerRounds(
    peerPython('/work/venv/bin/python'),
    [peerScript('realized.py'), '--price', files.price, '--ts', files.ts],
    'numpy is not installed here',
    // all its threads: its kernel's autocovariances are np.dot over a day's 10^6 returns, which OpenBLAS shares
  );
  const peered = CASES.filter(([label]) => PEERED.includes(label));
  const ours: Record<string, number[]> = Object.fromEntries(peered.map(([label]) => [label, []]));
  try {
    for (let round = 0; round < PEER_ROUNDS; round++) {
      for (const [label, run] of peered)
        ours[label].push(
          rate(
            N,
            timeBest(() => run(nat, price, ts), { minMs: 1, minRuns: 2 }),
          ),
        );
      peers.round();
    }
  } finally {
    done();
  }
  recordPeers('features', peers.missing || `numpy port of highfrequency: ${peers.versionText()} (bench/peers/realized.py)`);
  for (const [label] of peered) {
    const ms = peers.ms(label);
    const c = `${label}, ${N} prices`;
    if (ms === undefined) {
      rows.push({
        section: 'features',
        case: c,
        subject: 'numpy port',
        value: Number.NaN,
        unit: 'prices/s',
        note: `${peers.missing}; target >= 50x`,
      });
      continue;
    }
    const value = N / (ms / 1000);
    rows.push({
      section: 'features',
      case: c,
      subject: 'numpy port',
      value,
      unit: 'prices/s',
      ratio: median(ours[label]) / value,
      baseline: "native's rate over it (the same rounds)",
      note: `${peers.versionText()}: timed in this run, median of ${peers.rounds} rounds interleaved with ours, ${peers.quietNote()}; target >= 50x`,
    });
  }
  return rows;
}
