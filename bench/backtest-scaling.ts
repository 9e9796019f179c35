/**
 * The backtest section's two-thread rows (issue 93): backtestSignals' records and its value read on 1
 * thread and on 2, beside Monte Carlo VaR's (100,000 paths x 500 assets' kernel on 20,000 paths) on the
 * same machine in the same rounds, each case's two timings back to back (which first alternates by
 * round, so that both meet the same machine: the first calls after a peer's round would otherwise fall
 * on one of them). The target: the backtest's within 10% of Monte Carlo VaR's.
 *
 * Run directly (`node <flag> --import tsx bench/backtest-scaling.ts`) it prints the rounds' medians as
 * JSON: the section runs it so as a child under each of CHILD_FLAGS. A value read makes 30 MB of fresh
 * ArrayBuffers a call (the value 20 MB, the records 10 MB), and each 64 MB of them starts a major
 * collection whose concurrent marker, on 2 cores, takes a core from the kernel's second thread while
 * one thread leaves it idle (docs/backtest.md, "Two threads and the collector").
 */
import { fileURLToPath } from 'node:url';
import { kernels, type Kernels, type Matrix } from '../src/api/index.js';
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

/** One case's timings, 1 thread and 2, a median of SCALING_RUNS calls per round each. */
export interface ScalingTimes {
  name: string;
  one: number[];
  two: number[];
}

/** The three cases timed on both Kernels objects, round by round. */
export class Scaling {
  readonly times: ScalingTimes[] = [SIGNALS, VALUE, MCVAR].map((name) => ({ name, one: [], two: [] }));
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
      for (const times of order) times.push(timeMedian(() => this.calls[s.name](times === s.one ? this.one : this.two), SCALING_RUNS));
    }
  }
}

/** 1 thread over 2 of a case's rounds (medians). */
export const scaleOf = (s: ScalingTimes): number => median(s.one) / median(s.two);

/**
 * The node flags the section's child runs take, each with what it changes: the collector's marking on
 * the main thread alone, or the array buffers a scavenge finds dead freed by the scavenge itself (and
 * V8's count of external memory lowered at once: by default a sweeper thread frees them, late when the
 * kernel's threads hold both cores, and the count reaches the limit that starts a major collection).
 */
export const CHILD_FLAGS = {
  '--single-threaded-gc': 'the collector marks on the main thread alone',
  '--no-concurrent-array-buffer-sweeping': "a scavenge frees the dead results' array buffers itself, V8's count of them lowered at once",
} as const;

/** The rounds of a child run under node `flag`, or why it failed. */
export function childScaling(flag: keyof typeof CHILD_FLAGS): ScalingTimes[] | string {
  const self = fileURLToPath(import.meta.url);
  const r = peerSpawnSync(process.execPath, [flag, '--import', 'tsx', self], { timeout: 10 * 60_000 });
  if (r.status !== 0) return `child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
  return JSON.parse(r.stdout) as ScalingTimes[];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const two = kernels({ backend: 'native' });
  const scaling = new Scaling(kernels({ backend: 'native', threads: 1 }), two, backtestInputs(two));
  for (let round = 0; round < ROUNDS; round++) scaling.round(round);
  console.log(JSON.stringify(scaling.times));
}
