/**
 * Grids of the indicators and their crossovers (issue 68; src/kernels/indicators/grid.ts, signals.ts):
 * sma of one 2,520-bar series (ten years of days) over periods 2..100 in one call (a T x 99 Matrix)
 * against the 99 single calls a user would otherwise make, on native (default threads, 1 thread) and
 * the reference; crossedAbove over the 4,851 window pairs of that grid (combinations(99): vectorbt's
 * MA.run_combs order, reading the one matrix of averages), native on 1 and on the default threads
 * against the reference; and the grid of a panel (2,520 x 100 symbols, periods 5..50 by 5).
 * `npm run bench -- --only indicators-grid`, or `tsx bench/indicators-grid.ts` for the table alone.
 */
import { fileURLToPath } from 'node:url';
import { backends, combinations, kernels, matrix } from '../src/api/index.js';
import { nativeThreads, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';

const SECTION = 'indicators-grid';

/** A seeded random walk of closes in cents: rows x cols, row-major. */
function walk(rows: number, cols: number, seed: number): Float64Array {
  const rnd = prng(seed);
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let x = 100;
    for (let t = 0; t < rows; t++) {
      x *= 1 + 0.02 * (rnd() - 0.5);
      out[t * cols + c] = Math.round(x * 100) / 100;
    }
  }
  return out;
}

export const indicatorsGridSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const threads = nativeThreads();
    const ref = kernels({ backend: 'reference' });
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const close = walk(2520, 1, 68);
    const periods = Array.from({ length: 99 }, (_, i) => i + 2);
    const row = (c: string, subject: string, value: number, extra: Partial<BenchRow> = {}) =>
      rows.push({ section: SECTION, case: c, subject, value, unit: 'ms', ...extra });

    // sma over periods 2..100: one grid call against 99 single calls
    const smaCase = 'sma 2520 bars, periods 2..100';
    const short = { minMs: 1000, minRuns: 50 };
    const separate = timeBest(() => {
      for (const p of periods) nat.sma(close, { timePeriod: p });
    }, short);
    const gridMs = timeBest(() => nat.sma(close, { timePeriod: periods }), short);
    const gridOne = timeBest(() => one.sma(close, { timePeriod: periods }), short);
    const refGrid = timeBest(() => ref.sma(close, { timePeriod: periods }));
    // into an output allocated once (options.out): the grid without its fresh 2 MB
    const reused = nat.sma(close, { timePeriod: periods });
    const intoMs = timeBest(() => nat.sma(close, { timePeriod: periods, out: reused }), short);
    const intoOne = timeBest(() => one.sma(close, { timePeriod: periods, out: reused }), short);
    row(smaCase, 'native, 99 single calls', separate);
    row(smaCase, 'native grid, 1 thread', gridOne, {
      ratio: separate / gridOne,
      baseline: 'native, 99 single calls (speed-up of the grid)',
    });
    row(smaCase, 'native grid', gridMs, {
      ratio: gridOne / gridMs,
      baseline: `native grid, 1 thread (speed-up of ${threads} threads)`,
      note: `${(separate / gridMs).toFixed(2)}x the 99 single calls`,
    });
    row(smaCase, 'reference grid', refGrid, { ratio: refGrid / gridMs, baseline: 'native grid (reference time / native time)' });
    row(smaCase, 'native grid into out, 1 thread', intoOne);
    row(smaCase, 'native grid into out', intoMs, {
      ratio: intoOne / intoMs,
      baseline: `native grid into out, 1 thread (speed-up of ${threads} threads)`,
    });

    // crossedAbove over the 4,851 pairs of the grid
    const ma = nat.sma(close, { timePeriod: periods });
    const pairs = combinations(periods.length);
    const crossCase = 'crossedAbove of the grid, 4,851 pairs (2520 x 4851 signals)';
    // best of 10 or more: a call of tens of ms on a shared machine
    const long = { minMs: 1000, minRuns: 10 };
    const crossOne = timeBest(() => one.crossedAbove(ma, ma, { pairs }), long);
    const crossNat = timeBest(() => nat.crossedAbove(ma, ma, { pairs }), long);
    const crossRef = timeBest(() => ref.crossedAbove(ma, ma, { pairs }), { minRuns: 3 });
    row(crossCase, 'native, 1 thread', crossOne);
    row(crossCase, 'native', crossNat, { ratio: crossOne / crossNat, baseline: `native, 1 thread (speed-up of ${threads} threads)` });
    row(crossCase, 'reference', crossRef, { ratio: crossRef / crossNat, baseline: 'native (reference time / native time)' });
    const both = timeBest(() => {
      const m = nat.sma(close, { timePeriod: periods });
      nat.crossedAbove(m, m, { pairs });
      nat.crossedBelow(m, m, { pairs });
    }, long);
    row('sma grid + crossedAbove + crossedBelow (the MA-cross signals of 4,851 pairs)', 'native', both);

    // a panel's grid: 100 symbols x 10 periods
    const panel = matrix(walk(2520, 100, 69), 2520, 100);
    const panelPeriods = Array.from({ length: 10 }, (_, i) => 5 * (i + 1));
    const panelCase = 'ema panel 2520 x 100, periods 5..50 by 5 (2520 x 1000)';
    const panelSeparate = timeBest(() => {
      for (const p of panelPeriods) nat.ema(panel, { timePeriod: p });
    }, short);
    const panelOne = timeBest(() => one.ema(panel, { timePeriod: panelPeriods }), short);
    const panelNat = timeBest(() => nat.ema(panel, { timePeriod: panelPeriods }), short);
    row(panelCase, 'native, 10 single calls', panelSeparate);
    row(panelCase, 'native grid, 1 thread', panelOne);
    row(panelCase, 'native grid', panelNat, {
      ratio: panelOne / panelNat,
      baseline: `native grid, 1 thread (speed-up of ${threads} threads)`,
      note: `${(panelSeparate / panelNat).toFixed(2)}x the 10 single calls (which give 10 panels, not one)`,
    });
    return rows;
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await indicatorsGridSection.run();
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `  ${r.ratio.toFixed(2)}x ${r.baseline}`;
    console.log(`${r.case} | ${r.subject}: ${r.value.toFixed(3)} ${r.unit}${ratio}${r.note ? `  (${r.note})` : ''}`);
  }
}
