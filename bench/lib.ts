/**
 * Bench harness: each section measures cases side by side in one run and returns rows; run.ts prints
 * them as tables with ratios and writes them to bench/results/<section>.json and .md (results.ts).
 */

/** One measured figure. */
export interface BenchRow {
  /** Section, e.g. 'vpin' or 'bus'. */
  section: string;
  /** What was measured, e.g. 'vpin() 10^6 trades'. */
  case: string;
  /** Who: a backend ('native', 'reference'), a transport, a baseline, or 'reported' figures. */
  subject: string;
  /** The figure. */
  value: number;
  /** Its unit, e.g. 'trades/s', 'msg/s', 'ms'. */
  unit: string;
  /** Ratio to the case's baseline subject (value / baseline), when there is one. */
  ratio?: number;
  /** That baseline subject (set with the ratio by withRatios()). */
  baseline?: string;
  /** Anything else worth recording (target, notes). */
  note?: string;
}

export interface BenchSection {
  name: string;
  run(): Promise<BenchRow[]>;
  /**
   * It loads the checkout it measures from KERNELBUS_BENCH_SOURCE when set (else its own): `--against`
   * runs it over a base that has no such section (bench/against.ts).
   */
  relocatable?: boolean;
}

import { backends } from '../src/api/index.js';
import { mulberry32 } from '../src/math/mulberry32.js';

/** Deterministic PRNG for bench inputs (the synthetic market's mulberry32). */
export const prng = mulberry32;

/** Seeded single-trade tape of the bus benches: symbol index, price (random walks), volume. */
export function tape(n: number, seed: number, symbols: number) {
  const rnd = prng(seed);
  const symbol = new Uint16Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  const last = Array.from({ length: symbols }, () => 50 + 100 * rnd());
  for (let i = 0; i < n; i++) {
    const s = Math.floor(rnd() * symbols);
    last[s] *= 1 + (rnd() - 0.5) * 0.001;
    symbol[i] = s;
    price[i] = Math.round(last[s] * 100) / 100;
    volume[i] = 1 + Math.floor(rnd() * 199);
  }
  return { symbol, price, volume };
}
export type Tape = ReturnType<typeof tape>;

/**
 * The environment of a process whose start the bench times: this one's, with `extra`, and without
 * NODE_EXTRA_CA_CERTS. Node 20 reads and parses that file of certificates at every start (on this
 * machine, set for its proxy: 36 ms of `node -e 0`'s 63), which is neither kernelbus' cost nor the
 * peers' (whose figures are reads in a warm Python). docs/benchmarks.md says so.
 */
export function startEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _certs, ...env } = process.env;
  return { ...env, ...extra };
}

/** The median of `xs` (the upper one of an even count). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Blocks this thread for `msToWait` (a peer's process gone, the cores quiet). */
export function quiet(msToWait: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, msToWait);
}

/**
 * The ms a call of fn: one warm-up batch of `calls` calls, then the median over `batches` batches of
 * the batch's time over its calls. fn gets the call's index (its input from a ring: a fresh one each call).
 */
export function medianPerCall(fn: (i: number) => unknown, calls: number, batches: number): number {
  let i = 0;
  for (let j = 0; j < calls; j++) fn(i++);
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let j = 0; j < calls; j++) fn(i++);
    times.push((performance.now() - t0) / calls);
  }
  return median(times);
}

/** A standard normal draw from rnd (Box-Muller). */
export function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** Median ms of `runs` calls of fn, after a warm-up call (a peer's compile, a first allocation). */
export function timeMedian(fn: () => unknown, runs: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Times `fn` (after one warm-up call): repeats until `minMs` has passed (at least `minRuns` runs) and
 * returns the best time per run in ms, which is the least disturbed by the rest of the machine.
 */
export function timeBest(fn: () => unknown, { minMs = 300, minRuns = 3, maxRuns = 1000 } = {}): number {
  fn();
  let best = Infinity;
  const start = performance.now();
  for (let run = 0; run < maxRuns; run++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
    if (run + 1 >= minRuns && performance.now() - start >= minMs) break;
  }
  return best;
}

/** Sets `ratio` of every row of a case to value / value of the baseline subject's row. */
export function withRatios(rows: BenchRow[], baseline: string): BenchRow[] {
  for (const row of rows) {
    const base = rows.find((r) => r.case === row.case && r.subject === baseline);
    if (base && base.value > 0) {
      row.ratio = row.value / base.value;
      row.baseline = baseline;
    }
  }
  return rows;
}

/** Options of autoSweep(): what is compared, at which sizes, how many calls a timing. */
export interface SweepOptions {
  /** The rows' subject (default 'native vs reference': the second call against the first). */
  subject?: string;
  /** The input sizes (default 8 to 1024). */
  sizes?: readonly number[];
  /** Calls per timing (default 200). */
  calls?: number;
}

/**
 * The speed-up of the second call over the first at each size (medians of 9 interleaved rounds of
 * `calls` calls): rows `<prefix> <label> <n> <unit>`, and the [size, speed-up] pairs.
 */
export function sweepSpeedups<I>(
  section: string,
  prefix: string,
  label: string,
  unit: string,
  input: (n: number) => I,
  firstCall: (i: I) => unknown,
  secondCall: (i: I) => unknown,
  options: SweepOptions = {},
): { rows: BenchRow[]; speedups: [number, number][] } {
  const { subject = 'native vs reference', sizes = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024], calls = 200 } = options;
  const rows: BenchRow[] = [];
  const speedups: [number, number][] = [];
  for (const n of sizes) {
    const data = input(n);
    const tr: number[] = [];
    const tn: number[] = [];
    for (let round = 0; round < 9; round++) {
      tr.push(
        timeBest(
          () => {
            for (let i = 0; i < calls; i++) firstCall(data);
          },
          { minMs: 20, minRuns: 3 },
        ),
      );
      tn.push(
        timeBest(
          () => {
            for (let i = 0; i < calls; i++) secondCall(data);
          },
          { minMs: 20, minRuns: 3 },
        ),
      );
    }
    speedups.push([n, median(tr) / median(tn)]);
    rows.push({ section, case: `${prefix} ${label} ${n} ${unit}`, subject, value: median(tr) / median(tn), unit: 'x faster' });
  }
  return { rows, speedups };
}

/**
 * Where native (or another backend) starts to pay off for one kernel: for each size, the speed-up of
 * the second call over the first (sweepSpeedups(), rows 'auto sweep: ...'), then the smallest
 * size from which it stays faster, beside the threshold 'auto' uses.
 */
export function autoSweep<I>(
  section: string,
  label: string,
  unit: string,
  threshold: number,
  constant: string,
  input: (n: number) => I,
  refCall: (i: I) => unknown,
  natCall: (i: I) => unknown,
  options: SweepOptions = {},
): BenchRow[] {
  const { rows, speedups } = sweepSpeedups(section, 'auto sweep:', label, unit, input, refCall, natCall, options);
  let crossover = NaN;
  for (let i = speedups.length - 1; i >= 0 && speedups[i][1] > 1; i--) crossover = speedups[i][0];
  rows.push({
    section,
    case: `auto threshold: ${label}`,
    subject: 'measured crossover',
    value: crossover,
    unit,
    note: `${constant} = ${threshold} in src/api/auto.ts`,
  });
  return rows;
}

/** One case timed on the reference, native (all threads) and, where the kernel shares its work, native with one thread. */
export interface BackendCase {
  reference: () => unknown;
  native: () => unknown;
  oneThread?: () => unknown;
  /** Time the reference once (a call of seconds) instead of best of two. */
  slowReference?: boolean;
  note?: string;
  /** The BLAS backend's call, where it implements the kernel and is built here: a row with its speed-up over native. */
  blas?: () => unknown;
  /** The note of the BLAS row. */
  blasNote?: string;
}

/**
 * The rows of a BackendCase: reference (ms), native with its speed-up over the reference, native
 * with one thread with the speed-up of `threads` threads over it, and BLAS with its speed-up over
 * native. Returns native's time too, for ratios of further backends.
 */
export function backendRows(section: string, name: string, c: BackendCase, threads: number): { rows: BenchRow[]; nativeMs: number } {
  const refMs = c.slowReference ? timeBest(c.reference, { minRuns: 1, maxRuns: 1 }) : timeBest(c.reference, { minMs: 300, minRuns: 2 });
  const nativeMs = timeBest(c.native, { minMs: 300 });
  const rows: BenchRow[] = [
    { section, case: name, subject: 'reference', value: refMs, unit: 'ms' },
    {
      section,
      case: name,
      subject: 'native',
      value: nativeMs,
      unit: 'ms',
      ratio: refMs / nativeMs,
      baseline: 'reference (speed-up)',
      note: c.note,
    },
  ];
  if (c.oneThread) {
    const oneMs = timeBest(c.oneThread, { minMs: 300 });
    rows.push({
      section,
      case: name,
      subject: 'native, 1 thread',
      value: oneMs,
      unit: 'ms',
      ratio: oneMs / nativeMs,
      baseline: `1 thread (speed-up of ${threads} threads)`,
    });
  }
  if (c.blas) {
    const blasMs = timeBest(c.blas, { minMs: 300 });
    rows.push({
      section,
      case: name,
      subject: 'blas',
      value: blasMs,
      unit: 'ms',
      ratio: nativeMs / blasMs,
      baseline: 'native (speed-up)',
      note: c.blasNote,
    });
  }
  return { rows, nativeMs };
}

/** The threads native calls use by default here (backends()'s report), for the thread-speed-up rows. */
export function nativeThreads(): number {
  return (backends().find((b) => b.name === 'native')?.features?.threads as number | undefined) ?? 1;
}
