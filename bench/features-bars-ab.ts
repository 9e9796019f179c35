/**
 * The information bars over bench/features.ts's tape (10^7 cent-grid trades), this checkout (head)
 * against another checkout of the repository (base, its addon built), in one run: rounds alternate
 * which goes first. Each round, per checkout, a child process (this file with `--child <checkout>`)
 * warms each case up and times `runs` calls, best of them (wall and the process's CPU time: this
 * machine is shared), with VPIN's 60 s bars (the features section's yardstick) timed between the
 * cases. Each case's bars are digested (FNV-1a over every column's bits) on both sides: a digest that
 * differs is reported (the outputs must stay bit-identical). Prints per case the medians over rounds
 * of each side's rate, of its ratio to the yardstick of its own run, and of base time / head time.
 * Usage: tsx bench/features-bars-ab.ts <base checkout> [rounds=3] [runs=5]
 */
import { fileURLToPath } from 'node:url';
import { alternateChildren, bestWallCpu, median } from './ab-children.js';

const self = fileURLToPath(import.meta.url);
type Timing = { wall: number; cpu: number; yardstick: number; bars: number; digest: string };
type Timings = Record<string, Timing>;

/** FNV-1a (32-bit) over the bytes of every column of `bars`. */
function digest(bars: Record<string, unknown>): string {
  let h = 0x811c9dc5;
  for (const column of Object.values(bars)) {
    if (!(column instanceof Float64Array)) continue;
    for (const b of new Uint8Array(column.buffer, column.byteOffset, column.byteLength)) h = Math.imul(h ^ b, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The child: `root`'s native kernels on the tape, best wall and CPU ms of `runs` calls per case. */
async function child(root: string, runs: number): Promise<Timings> {
  const { kernels } = await import(`${root}/src/api/index.ts`);
  const { centGrid } = await import(`${root}/bench/inputs.ts`);
  const k = kernels({ backend: 'native' });
  const t = centGrid(1e7);
  const info = { expNumTicksInit: 500, expectedImbalanceWindow: 1000, expNumTicksConstraints: [100, 10_000] };
  const cases: [string, () => Record<string, unknown>][] = [
    ['bars by tick, 1,000 a bar', () => k.bars(t, { by: 'tick', threshold: 1000 })],
    ['imbalanceBars tick ema, window 1000, ticks in [100, 10^4]', () => k.imbalanceBars(t, { by: 'tick', ...info })],
    ['imbalanceBars tick, mlfinlab defaults', () => k.imbalanceBars(t, { by: 'tick' })],
    ['imbalanceBars volume ema, window 1000', () => k.imbalanceBars(t, { by: 'volume', ...info })],
    ['imbalanceBars dollar const, window 1000', () => k.imbalanceBars(t, { by: 'dollar', kind: 'const', ...info })],
    ['runBars tick ema, window 1000, ticks in [100, 10^4]', () => k.runBars(t, { by: 'tick', ...info })],
  ];
  const yardstick = () => k.vpin(t, { bucketVolume: 1e6, barMs: 60_000 });
  const out: Timings = {};
  for (const [name, run] of cases) {
    const y = bestWallCpu(yardstick, runs);
    const b = run();
    out[name] = { ...bestWallCpu(run, runs), yardstick: y.wall, bars: (b.ts as Float64Array).length, digest: digest(b) };
  }
  return out;
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(process.argv[3], Number(process.argv[4]))));
} else {
  const [baseArg, roundsArg = '3', runsArg = '5'] = process.argv.slice(2);
  if (!baseArg) throw new Error('usage: tsx bench/features-bars-ab.ts <base checkout> [rounds] [runs]');
  const results = alternateChildren<Timings>(self, baseArg, Number(roundsArg), runsArg);
  const rate = (ms: number) => `${(1e7 / ms / 1e3).toFixed(0)} M/s`;
  for (const name of Object.keys(results.base[0])) {
    const [b, h] = [results.base, results.head].map((rs) => rs.map((x) => x[name]));
    const side = (xs: Timing[]) =>
      `${rate(median(xs.map((x) => x.wall)))} (cpu ${rate(median(xs.map((x) => x.cpu)))}), ${median(xs.map((x) => x.yardstick / x.wall)).toFixed(3)}x vpin`;
    const same = b.every((x) => x.digest === h[0].digest) && h.every((x) => x.digest === h[0].digest);
    console.log(
      `${name} (${h[0].bars} bars, digest ${same ? `${h[0].digest} on both` : `DIFFERS: base ${b[0].digest}, head ${h[0].digest}`})\n` +
        `  base ${side(b)}\n  head ${side(h)}\n  head ${median(b.map((x, i) => x.wall / h[i].wall)).toFixed(2)}x base (wall)`,
    );
  }
}
