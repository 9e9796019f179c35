/**
 * VPIN family: `vpin()` on 10^4, 10^6 and 10^7 trades, trades/s per backend and native/reference
 * ratios; then a sweep over small sizes to find where native starts to pay off ('auto' threshold).
 */
import { backends, kernels, VPIN_NATIVE_MIN_TRADES, type Trades } from '../src/index.js';
import { prng, timeBest, withRatios, type BenchRow, type BenchSection } from './lib.js';

/** A seeded random walk: ~10 trades/s, volumes 1..100, so a few hundred trades per 1-minute bar. */
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
    for (const n of [1e4, 1e6, 1e7]) {
      const trades = syntheticTrades(n);
      // ~50 buckets per 'day' of this synthetic market: V = total volume / (n / 20000)
      const bucketVolume = Math.max(1, Math.round((50.5 * n) / Math.max(1, n / 400)));
      for (const subject of subjects) {
        const k = kernels({ backend: subject });
        const ms = timeBest(() => k.vpin(trades, { bucketVolume }), { minMs: n >= 1e7 ? 1 : 300, minRuns: n >= 1e7 ? 3 : 5 });
        rows.push({
          section: 'vpin',
          case: `vpin() 10^${Math.log10(n)} trades`,
          subject,
          value: rate(n, ms),
          unit: 'trades/s',
          note: subject === 'native' && n === 1e7 ? 'target >= 500 M trades/s, >= 5x reference' : undefined,
        });
      }
    }
    withRatios(rows, 'reference');

    if (nativeAvailable) {
      // Sweep: where does native start to pay off? (native/reference time ratio per size)
      const ref = kernels({ backend: 'reference' });
      const nat = kernels({ backend: 'native' });
      let crossover: number | undefined;
      for (const n of [1, 4, 16, 32, 64, 128, 256, 1024]) {
        const trades = syntheticTrades(n, 7);
        const opts = { bucketVolume: 500, window: 5 };
        const tr = timeBest(() => { for (let i = 0; i < 100; i++) ref.vpin(trades, opts); }, { minMs: 100 });
        const tn = timeBest(() => { for (let i = 0; i < 100; i++) nat.vpin(trades, opts); }, { minMs: 100 });
        if (crossover === undefined && tn < tr) crossover = n;
        rows.push({
          section: 'vpin',
          case: `sweep ${n} trades`,
          subject: 'native vs reference',
          value: tr / tn,
          unit: 'x faster',
        });
      }
      rows.push({
        section: 'vpin',
        case: 'auto threshold',
        subject: 'measured crossover',
        value: crossover ?? NaN,
        unit: 'trades',
        note: `VPIN_NATIVE_MIN_TRADES = ${VPIN_NATIVE_MIN_TRADES} in src/kernels/index.ts`,
      });
    }
    return rows;
  },
};
