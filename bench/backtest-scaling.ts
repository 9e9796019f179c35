/**
 * The backtest section's two-thread rows (issue 93): backtestSignals' records and its value read on 1
 * thread and on 2, beside Monte Carlo VaR's (100,000 paths x 500 assets' kernel on 20,000 paths) on the
 * same machine in the same rounds, each case's two timings back to back (which first alternates by
 * round, so that both meet the same machine: the first calls after a peer's round would otherwise fall
 * on one of them). The target: the backtest's within 10% of Monte Carlo VaR's.
 *
 * Run directly (`node <flag> --import tsx bench/backtest-scaling.ts`) it prints the rounds' medians as
 * JSON: the section runs it so as a child in each of CHILD_MODES. A value read makes 28 MB of fresh
 * ArrayBuffers a call (the value 20 MB, the records 7.7 MB). What moves its two-thread time is where
 * that memory comes from: a call whose outputs are faulted in afresh (memory the C library had given
 * back) takes 7 to 8 ms longer on either thread count, 16 to 20 ms against 9 to 11 on two threads
 * here, and such calls come in bursts that differ from process to process; a major collection's
 * concurrent marker also takes a core from the kernel's second thread (docs/backtest.md, "Two threads
 * and the collector"). Each case keeps the minor faults of each call.
 */
import { fileURLToPath } from 'node:url';
import { kernels, type Kernels, type Matrix, retainFreedMemory } from '../src/api/index.js';
import type { SignalsOptions } from '../src/kernels/backtest/backtest-kernels.js';
import { backtestPrices, maCross } from './inputs.js';
import { median, timeMedian } from './lib.js';
import { peerSpawnSync } from './spawner.js';

export const T = 2520;
export const K = 1000;
export const SIGNALS = `backtestSignals ${T} x ${K} MA cross`;
export const VALUE = `${SIGNALS}, value read`;
export const MCVAR = 'monteCarloVar 20,000 paths x 500, 1 portfolio (the two-thread yardstick)';
/** Rounds of the child run. */
const ROUNDS = 3;
/** Runs a timing: a collection every few calls (each result's external memory) falls on either. */
export const SCALING_RUNS = 15;

/** The section's prices (T x K), its MA-cross signals and the options every signals case passes. */
export function backtestInputs(nat: Kernels): { data: Float64Array; close: Matrix; base: SignalsOptions } {
  const data = backtestPrices(T, K, 42);
  const close: Matrix = { data, rows: T, cols: K };
  const { entries, exits } = maCross(nat, close);
  return { data, close, base: { entries, exits, fees: 0.001, slippage: 0.0005 } };
}

/**
 * A call that faults in at least this many pages (4 MB) met memory of its outputs that the C library
 * had given back to the system (glibc trims freed memory beyond its threshold): a value read's 20 MB
 * series is about 4,900 pages, its records about 1,900.
 */
export const FAULTING_PAGES = 1000;

/**
 * One case's timings, 1 thread and 2, a median of SCALING_RUNS calls per round each, and the minor
 * faults of each of its calls (the warm-up ones too).
 */
export interface ScalingTimes {
  name: string;
  one: number[];
  two: number[];
  faults: { one: number[]; two: number[] };
}

/** How many of `faults` (a case's calls on one thread count) are FAULTING_PAGES or more. */
export const faultingCalls = (faults: readonly number[]): number => faults.filter((f) => f >= FAULTING_PAGES).length;

/** The three cases timed on both Kernels objects, round by round. */
export class Scaling {
  readonly times: ScalingTimes[] = [SIGNALS, VALUE, MCVAR].map((name) => ({
    name,
    one: [],
    two: [],
    faults: { one: [], two: [] },
  }));
  private readonly calls: Record<string, (k: Kernels) => unknown>;

  constructor(
    private readonly one: Kernels,
    private readonly two: Kernels,
    { close, base }: { close: Matrix; base: SignalsOptions },
  ) {
    const returns = backtestPrices(1261, 500, 7);
    const cov = two.covariance({
      data: Float64Array.from({ length: 1260 * 500 }, (_, j) => returns[j + 500] / returns[j] - 1),
      rows: 1260,
      cols: 500,
    }) as Matrix;
    const model = { mean: new Float64Array(500).fill(0.0003), cov };
    const weights = new Float64Array(500).fill(1 / 500);
    this.calls = {
      [SIGNALS]: (k) => k.backtestSignals({ close }, base),
      [VALUE]: (k) => k.backtestSignals({ close }, base).value,
      [MCVAR]: (k) => k.monteCarloVar(model, weights, { paths: 20_000, confidence: 0.99 }),
    };
  }

  /** Round `round`: each case on both, back to back. */
  round(round: number): void {
    for (const s of this.times) {
      const order = round % 2 === 0 ? ([s.two, s.one] as const) : ([s.one, s.two] as const);
      for (const times of order) {
        const which = times === s.one ? 'one' : 'two';
        const call = () => {
          const before = process.resourceUsage().minorPageFault;
          this.calls[s.name](this[which]);
          s.faults[which].push(process.resourceUsage().minorPageFault - before);
        };
        times.push(timeMedian(call, SCALING_RUNS));
      }
    }
  }
}

/** 1 thread over 2 of a case's rounds (medians). */
export const scaleOf = (s: ScalingTimes): number => median(s.one) / median(s.two);

/**
 * The section's child runs, each a fresh process with one setting and what it changes: the collector's
 * marking on the main thread alone; the array buffers a scavenge finds dead freed by the scavenge
 * itself (by default a sweeper thread frees them, late when the kernel's threads hold both cores, and
 * the next outputs are then made before that memory is free: the C library grows its heap for them
 * and gives the surplus back, and later outputs fault it in again); or the C library keeping the
 * memory it is given back (the package's opt-in, called at the child's start).
 */
export const CHILD_MODES = {
  'node --single-threaded-gc': { args: ['--single-threaded-gc'], env: {}, what: 'the collector marks on the main thread alone' },
  'node --no-concurrent-array-buffer-sweeping': {
    args: ['--no-concurrent-array-buffer-sweeping'],
    env: {},
    what: "a scavenge frees the dead results' array buffers itself, before the next outputs are made",
  },
  'retainFreedMemory()': {
    args: [],
    env: { KERNELBUS_BENCH_RETAIN_FREED: '1' },
    what: 'the C library keeps the memory freed outputs leave (the opt-in, docs/backends.md), so none is faulted in again',
  },
} as const;
export type ChildMode = keyof typeof CHILD_MODES;

/** The rounds of a child run in `mode`, or why it failed. */
export function childScaling(mode: ChildMode): ScalingTimes[] | string {
  const self = fileURLToPath(import.meta.url);
  const { args, env } = CHILD_MODES[mode];
  const r = peerSpawnSync(process.execPath, [...args, '--import', 'tsx', self], { timeout: 10 * 60_000, env: { ...process.env, ...env } });
  if (r.status !== 0) return `child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
  return JSON.parse(r.stdout) as ScalingTimes[];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.env.KERNELBUS_BENCH_RETAIN_FREED === '1') {
    const kept = retainFreedMemory();
    if (!kept.applied) throw new Error(`retainFreedMemory() not applied: ${kept.reason}`);
  }
  const two = kernels({ backend: 'native' });
  const scaling = new Scaling(kernels({ backend: 'native', threads: 1 }), two, backtestInputs(two));
  for (let round = 0; round < ROUNDS; round++) scaling.round(round);
  console.log(JSON.stringify(scaling.times));
}
