/**
 * The realized measures over bench/features-realized.ts's tape (20 days x 10^6 cent-grid prices), this
 * checkout (head) against another checkout of the repository (base, its addon built), in one run:
 * rounds alternate which goes first. Each round, per checkout, a child process (this file with
 * `--child <checkout>`) warms each measure up and times `runs` calls, best of them: wall
 * (performance.now) and CPU (the process's user + system time, every thread). CPU time is there
 * because this machine is shared: wall time stretches with the load, CPU time much less. VPIN's 60 s
 * bars over 10^7 trades run beside them (the features section's yardstick; the same code on both
 * sides here: its ratio is the noise). Prints per case the medians over rounds of each side's rate
 * and of base time / head time. KERNELBUS_THREADS=1 measures one thread.
 * Usage: tsx bench/features-realized-ab.ts <base checkout> [rounds=3] [runs=5]
 */
import { fileURLToPath } from 'node:url';
import { alternateChildren, bestWallCpu, median } from './ab-children.js';

const self = fileURLToPath(import.meta.url);
type Timings = Record<string, { n: number; wall: number; cpu: number }>;

/** The child: `root`'s native kernels on the tape, best wall and CPU ms of `runs` calls per case. */
async function child(root: string, runs: number): Promise<Timings> {
  const { kernels } = await import(`${root}/src/api/index.ts`);
  const { centGrid } = await import(`${root}/bench/inputs.ts`);
  const k = kernels({ backend: 'native' });
  const N = 20e6;
  const { price } = centGrid(N);
  const ts = new Float64Array(N);
  for (let i = 0; i < N; i++) ts[i] = Date.UTC(2024, 0, 1) + Math.floor(i / 1e6) * 86_400_000 + (i % 1e6) * 86;
  const trades = centGrid(1e7);
  const cases: [string, number, () => unknown][] = [
    ['realizedVariance', N, () => k.realizedVariance(price, { ts })],
    ['bipowerVariation', N, () => k.bipowerVariation(price, { ts })],
    ['medRV', N, () => k.medRV(price, { ts })],
    ['minRV', N, () => k.minRV(price, { ts })],
    ['realizedSemivariance', N, () => k.realizedSemivariance(price, { ts })],
    ['twoScaleRV k 300', N, () => k.twoScaleRV(price, { ts })],
    ['realizedKernel parzen, bandwidth 1', N, () => k.realizedKernel(price, { ts, kernel: 'parzen' })],
    ['vpin() bvc 60 s bars, 10^7 trades', 1e7, () => k.vpin(trades, { bucketVolume: 1e6, barMs: 60_000 })],
  ];
  const out: Timings = {};
  for (const [name, n, run] of cases) out[name] = { n, ...bestWallCpu(run, runs) };
  return out;
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(process.argv[3], Number(process.argv[4]))));
} else {
  const [baseArg, roundsArg = '3', runsArg = '5'] = process.argv.slice(2);
  if (!baseArg) throw new Error('usage: tsx bench/features-realized-ab.ts <base checkout> [rounds] [runs]');
  const results = alternateChildren<Timings>(self, baseArg, Number(roundsArg), runsArg);
  const rate = (t: { n: number }, ms: number) => `${(t.n / ms / 1e3).toFixed(0)} M/s`;
  for (const name of Object.keys(results.base[0])) {
    const [b, h] = [results.base, results.head].map((rs) => rs.map((x) => x[name]));
    const row = (key: 'wall' | 'cpu') =>
      `base ${rate(b[0], median(b.map((x) => x[key])))}, head ${rate(h[0], median(h.map((x) => x[key])))}, head ${median(b.map((x, i) => x[key] / h[i][key])).toFixed(2)}x`;
    console.log(`${name}\n  wall: ${row('wall')}\n  cpu:  ${row('cpu')} (per CPU-second)`);
  }
}
