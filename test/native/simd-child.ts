/**
 * Run by test/native/simd.test.ts in a child process (KERNELBUS_SIMD set there): the native addon's
 * instruction set, and a SHA-256 of each vectorized kernel's outputs on fixed inputs large enough for
 * every vector width (so the digests compare whole results across levels, bit for bit).
 */
import { createHash } from 'node:crypto';
import { combinations } from '../../src/api/index.js';
import { loadNative } from '../../src/backends/native/public.js';
import { backends, kernels, matrix } from '../../src/index.js';
import { putOdd } from '../io/odd-trades.js';

const k = kernels({ backend: 'native' });
let s = 12345;
const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
const fill = (n: number, f: () => number) => Float64Array.from({ length: n }, f);

const T = 300;
const N = 37; // not a multiple of any vector width: the loops' tails run too
const returns = matrix(
  fill(T * N, () => (u() < 0.02 ? Number.NaN : 0.02 * normal())),
  T,
  N,
);
const clean = matrix(
  fill(T * N, () => 0.02 * normal()),
  T,
  N,
);
const cap = matrix(
  fill(T * N, () => Math.exp(20 + 3 * u())),
  T,
  N,
);
const value = matrix(
  fill(T * N, () => u()),
  T,
  N,
);
const weights = matrix(
  fill(5 * N, () => u() / N),
  5,
  N,
);
const cov = k.covariance(clean, { method: 'ledoit-wolf' });
let ts = 1.7e12;
let px = 100;
const n = 5003;
const tape = {
  ts: fill(n, () => (ts += u() < 0.2 ? 0 : Math.floor(1 + 3000 * u()))),
  price: fill(n, () => (px = Math.round(Math.max(1, px + 0.05 * normal()) * 100) / 100)),
  volume: fill(n, () => Math.floor(1 + 500 * u())),
};
// quotes a few cents off the price on each side: trades above, below and at the midpoint
const quoted = {
  ...tape,
  bid: tape.price.map((p) => p - Math.floor(u() * 4) / 100),
  ask: tape.price.map((p) => p + Math.floor(u() * 4) / 100),
};
const x = fill(4099, () => 12 * normal());
x[7] = Number.NaN;
x[8] = -Infinity;

/** A backtest of `cap` with signals from `returns`. */
function signalsRun() {
  return k.backtestSignals(
    { close: cap },
    {
      entries: matrix(
        returns.data.map((r) => (r > 0.02 ? 1 : 0)),
        T,
        N,
      ),
      exits: matrix(
        returns.data.map((r) => (r < -0.02 ? 1 : 0)),
        T,
        N,
      ),
      fees: 0.001,
    },
  );
}

const runs: Record<string, () => unknown> = {
  normalCdf: () => k.normalCdf(x),
  tickRule: () => k.tickRule(tape.price),
  barsTick: () => k.bars(tape, { by: 'tick', threshold: 37 }),
  barsDollar: () => k.bars(tape, { by: 'dollar', threshold: 2e6 }),
  barsTime: () => k.bars(tape, { by: 'time', threshold: 60_000 }),
  imbalanceBars: () => k.imbalanceBars(tape, { by: 'volume', expNumTicksInit: 50, expectedImbalanceWindow: 300 }),
  realizedVariance: () => k.realizedVariance(tape.price, { ts: tape.ts }),
  medRV: () => k.medRV(tape.price, { ts: tape.ts }),
  vpinBvc: () => k.vpin(tape, { bucketVolume: 5000, window: 10, barMs: 1000 }),
  vpinTick: () => k.vpin(tape, { bucketVolume: 5000, window: 10, barMs: 1000, classifier: 'tick' }),
  classifyTrades: () => k.classifyTrades(quoted, { algorithm: 'lee-ready' }),
  bulkClassify: () => k.bulkClassify(k.timeBars(tape, { barMs: 1000 })),
  covarianceSample: () => k.covariance(returns),
  covarianceEwma: () => k.covariance(clean, { method: 'ewma' }),
  portfolioVolatility: () => k.portfolioVolatility(cov, weights),
  componentVar: () => k.componentVar(clean, weights, { method: 'cornish-fisher' }),
  monteCarloVar: () => k.monteCarloVar({ mean: new Float64Array(N), cov }, weights, { paths: 4096, seed: 3 }),
  rolling: () => k.rolling(returns, { window: 20 }),
  standardize: () => k.standardize(returns),
  winsorize: () => k.winsorize(returns),
  momentum: () => k.momentum(returns),
  size: () => k.size(cap),
  value: () => k.value(value, cap, returns),
  factorReturns: () =>
    k.factorReturns({
      returns: clean,
      marketCap: cap,
      sectors: Int32Array.from({ length: N }, (_, i) => i % 4),
      styles: [value],
      sectorNames: ['a', 'b', 'c', 'd'],
    }),
  specificRisk: () => k.specificRisk(returns),
  minVariance: () => k.minVariance(cov),
  checkPsd: () => k.checkPsd(cov),
  // a grid's crossovers: runs of pairs sharing a side, long and short (every vector width and its tail)
  crossed: () => {
    const ma = k.sma(returns.data.subarray(0, T), { timePeriod: Array.from({ length: 40 }, (_, i) => i + 2) });
    const pairs = combinations(40);
    return [k.crossedAbove(ma, ma, { pairs }), k.crossedBelow(ma, ma, { pairs })];
  },
  backtestSignals: () => signalsRun(),
  // a result's stats with its value made by the call (the returns' sums of several groups a vector)
  backtestStats: () => k.backtestStats(signalsRun()),
  // the readers' trade rule (trade_run.cpp's block test): a bad value put at each of 600 rows in turn
  goodTradeRun: () => {
    const binding = loadNative().binding!;
    const at: number[] = [];
    for (let row = 0; row < 600; row++) {
      const t = { ts: tape.ts.slice(0, 600), price: tape.price.slice(0, 600), volume: tape.volume.slice(0, 600) };
      const column = (['ts', 'price', 'volume'] as const)[row % 3];
      putOdd(t[column], row, row);
      const last = Float64Array.of(Number.NEGATIVE_INFINITY);
      at.push(binding.goodTradeRun(t.ts, t.price, t.volume, last), last[0]);
    }
    return at;
  },
  // the readers' missing check (nan_scan.cpp's block test): an odd value at each of 1,100 places in turn
  firstNaN: () => {
    const binding = loadNative().binding!;
    const base = Float64Array.from({ length: 1100 }, (_, i) => i * 0.5 - 100);
    return Array.from({ length: 1100 }, (_, row) => {
      const v = base.slice();
      putOdd(v, row, row);
      return binding.firstNaN(v);
    });
  },
};

function absorb(h: ReturnType<typeof createHash>, v: unknown): void {
  if (typeof v === 'number') h.update(new Uint8Array(Float64Array.of(v).buffer));
  else if (ArrayBuffer.isView(v)) h.update(new Uint8Array(Float64Array.from(v as Float64Array, Number).buffer));
  else if (Array.isArray(v)) for (const e of v) absorb(h, e);
  else if (v && typeof v === 'object')
    for (const key of Object.keys(v).sort()) h.update(`${key}:`), absorb(h, (v as Record<string, unknown>)[key]);
  else h.update(`${String(v)};`);
}
const digests = Object.fromEntries(
  Object.entries(runs).map(([name, run]) => {
    const h = createHash('sha256');
    absorb(h, run());
    return [name, h.digest('hex')];
  }),
);
const features = backends().find((b) => b.name === 'native')?.features ?? {};
console.log(JSON.stringify({ simd: features.simd, simdCpu: features.simdCpu, digests }));
