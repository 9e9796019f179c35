/**
 * VPIN family: `vpin()` on 10^4, 10^6 and 10^7 trades, trades/s per backend and native/reference
 * ratios; then a sweep over small sizes to find where native starts to pay off ('auto' threshold).
 */
import { backends, kernels, VPIN_NATIVE_MIN_TRADES, type Trades } from '../src/index.js';
import { prng, timeBest, withRatios, type BenchRow, type BenchSection } from './lib.js';

/** A seeded random walk: ~10 trades/s around the clock, volumes 1..100, ~600 trades per 1-minute bar. */
export function syntheticTrades(n: number, seed = 1): Trades {
  const rnd = prng(seed);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  let t = 1_700_000_000_000;
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 200);
    p += (rnd() - 0.5) * 0.02;
    ts[i] = t;
    price[i] = p;
    volume[i] = 1 + Math.floor(rnd() * 100);
  }
  return { ts, price, volume };
}

function rate(n: number, ms: number): number {
  return n / (ms / 1000);
}

export const vpinSection: BenchSection = {
  name: 'vpin',
  async run() {
    const nativeAvailable = backends().some((b) => b.name === 'native' && b.available);
    const subjects = nativeAvailable ? (['reference', 'native'] as const) : (['reference'] as const);
    const rows: BenchRow[] = [];
    const cases: [number, 'bvc' | 'tick'][] = [[1e4, 'bvc'], [1e6, 'bvc'], [1e7, 'bvc'], [1e7, 'tick']];
    for (const [n, classifier] of cases) {
      const trades = syntheticTrades(n);
      // The usual calibration: 50 buckets per day, V = average daily volume / 50.
      let total = 0;
      for (let i = 0; i < n; i++) total += trades.volume[i];
      const days = Math.max(1, (trades.ts[n - 1] - trades.ts[0]) / 86_400_000);
      const bucketVolume = total / days / 50;
      for (const subject of subjects) {
        const k = kernels({ backend: subject });
        const options = { bucketVolume, classifier };
        const ms = timeBest(() => k.vpin(trades, options), { minMs: n >= 1e7 ? 1 : 300, minRuns: n >= 1e7 ? 3 : 5 });
        const buckets = k.vpin(trades, options).vpin.length;
        rows.push({
          section: 'vpin',
          case: `vpin() 10^${Math.log10(n)} trades${classifier === 'tick' ? ', tick rule' : ''}`,
          subject,
          value: rate(n, ms),
          unit: 'trades/s',
          note: `${buckets} buckets${subject === 'native' && n === 1e7 && classifier === 'bvc' ? '; target >= 500 M trades/s, >= 5x reference' : ''}`,
        });
      }
    }
    withRatios(rows, 'reference');

    if (nativeAvailable) {
      // Sweep: where does native start to pay off? (native/reference time ratio per size)
      const ref = kernels({ backend: 'reference' });
      const nat = kernels({ backend: 'native' });
      const speedups: [number, number][] = [];
      for (const n of [1, 4, 16, 32, 64, 96, 128, 192, 256, 1024]) {
        const trades = syntheticTrades(n, 7);
        const opts = { bucketVolume: 500, window: 5 };
        const tr = timeBest(() => { for (let i = 0; i < 100; i++) ref.vpin(trades, opts); }, { minMs: 100 });
        const tn = timeBest(() => { for (let i = 0; i < 100; i++) nat.vpin(trades, opts); }, { minMs: 100 });
        speedups.push([n, tr / tn]);
        rows.push({
          section: 'vpin',
          case: `sweep ${n} trades`,
          subject: 'native vs reference',
          value: tr / tn,
          unit: 'x faster',
        });
      }
      // The smallest size from which native is faster at every larger size of the sweep.
      let crossover = NaN;
      for (let i = speedups.length - 1; i >= 0 && speedups[i][1] > 1; i--) crossover = speedups[i][0];
      rows.push({
        section: 'vpin',
        case: 'auto threshold',
        subject: 'measured crossover',
        value: crossover,
        unit: 'trades',
        note: `VPIN_NATIVE_MIN_TRADES = ${VPIN_NATIVE_MIN_TRADES} in src/kernels/index.ts`,
      });
    }
    return rows;
  },
};
