/**
 * The backtest family against vectorbt 1.1.0 (numba engine, after its compile) timed in the same run
 * (issue 68): a child process per round runs bench/peers/vectorbt_backtest.py on the same prices
 * (written to a file), interleaved with our rounds; each ratio divides the peer's median by ours.
 * Where the peer is not installed (npm run bench:peers; KERNELBUS_VBT_PYTHON names its python) the
 * rows say "peer not measured" and give no ratio.
 * - signals: backtestSignals 2,520 x 1,000 (MA-cross 10/50 signals per column as one-byte matrices, fees
 *   0.001, slippage 0.0005): its records (orders and exit trades; the series are made on request, docs/
 *   backtest.md), against vectorbt's from_signals (which makes its records only);
 * - the same with the value read, against from_signals then pf.value() (the peer's steps, per run);
 * - the same with slStop 0.05 and tpStop 0.1 (records);
 * - the grid: sma 2..100 on one 2,520-bar series (4,851 pairs), crossedAbove/crossedBelow, one
 *   backtestSignals and backtestStats of the fields totalReturn and sharpeRatio (the peer computes those
 *   two; sharpeRatio reads the value, made by the stats call);
 * - into an earlier result (`out`: the three series written at the call), against from_signals and every
 *   output read (value, cash, assets, orders, exit trades): not a target row;
 * - backtestStats of every field on the first case's result, its value read (ours alone: no peer);
 * - the records case with its signals as Float64Arrays (ours alone: the native backend makes them bytes);
 * - 2 threads over 1 on the records and on the value read, beside Monte Carlo VaR's on the same machine
 *   in the same rounds (bench/backtest-scaling.ts), with the calls that faulted their outputs in: the
 *   target is the backtest's within 10% of it; then the same in a child per CHILD_MODES (two node
 *   flags, retainFreedMemory()).
 * `npm run bench -- --only backtest`, or `tsx bench/backtest.ts`.
 */
import { peerSpawnSync } from './spawner.js';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backends, combinations, kernels, type Kernels, type Matrix } from '../src/api/index.js';
import type { BacktestResult, SignalsOptions } from '../src/kernels/backtest/backtest-kernels.js';
import {
  backtestInputs,
  CHILD_MODES,
  type ChildMode,
  childScaling,
  FAULTING_PAGES,
  faultingCalls,
  K,
  MCVAR,
  SCALING_RUNS,
  Scaling,
  type ScalingTimes,
  scaleOf,
  SIGNALS,
  T,
  VALUE,
} from './backtest-scaling.js';
import { median, nativeThreads, timeMedian, type BenchRow, type BenchSection } from './lib.js';
import { namedPython, PeerWaits, recordPeers } from './peer-env.js';

const SECTION = 'backtest';
const ROUNDS = 3;
const RUNS = 5;

/** The python of the vectorbt peer: KERNELBUS_VBT_PYTHON, the peers' venv (npm run bench:peers), or the vectorbt venv of scripts/setup-vbt.sh. */
function vbtPython(): string | undefined {
  return namedPython('KERNELBUS_VBT_PYTHON', join(process.env.KERNELBUS_VBT_VENV ?? '/opt/vbt-venv', 'bin', 'python'));
}

/** The peer's versions, from its last round. */
let versions = '';

/**
 * One round of the peer on `file` (with `env`): its median ms per case (signals: from_signals alone,
 * signalsValue: then value(), signalsAll: then every output; stops: from_signals alone; grid: all of it),
 * or why it did not run.
 */
function peerRound(python: string, file: string, env: NodeJS.ProcessEnv): Record<string, number> | string {
  const script = fileURLToPath(new URL('./peers/vectorbt_backtest.py', import.meta.url));
  const r = peerSpawnSync(python, [script, '--prices', file, '--rows', String(T), '--runs', String(RUNS), '--grid-runs', '3'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
    env,
  });
  if (r.status !== 0) return `vectorbt peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
  const out = JSON.parse(r.stdout) as {
    versions: Record<string, string>;
    engine: string;
    results: { case: string; seconds: number; steps: Record<string, number> }[];
  };
  versions = `${Object.entries(out.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}, engine ${out.engine} (bench/peers/vectorbt_backtest.py)`;
  const ms: Record<string, number> = {};
  for (const c of out.results) {
    if (c.case.startsWith('grid')) ms.grid = c.seconds * 1000;
    else if (c.case.includes(' sl ')) ms.stops = c.steps.fromSignals * 1000;
    else {
      ms.signals = c.steps.fromSignals * 1000;
      ms.signalsValue = c.steps.fromSignalsValue * 1000;
      ms.signalsAll = c.seconds * 1000;
    }
  }
  return ms;
}

export const backtestSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const threads = nativeThreads();
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const inputs = backtestInputs(nat);
    const { data, close, base } = inputs;
    const series = data.filter((_, i) => i % K === 0);
    const windows = Array.from({ length: 99 }, (_, i) => i + 2);
    const pairs = combinations(windows.length);

    // an earlier result per Kernels object, whose series the `out` cases write again
    const earlier = new Map<Kernels, BacktestResult>();
    const into = (k: Kernels, options: SignalsOptions) => {
      const out = earlier.get(k);
      earlier.set(k, k.backtestSignals({ close }, { ...options, ...(out && { out }) }));
    };
    const OUT = `${SIGNALS}, into an earlier result (out)`;
    const STATS = `backtestStats every field, ${SIGNALS}, value read`;
    // the result each Kernels object's stats case reads, made once, its value read
    const statsResult = new Map<Kernels, BacktestResult>();
    const statsOf = (k: Kernels) => {
      let result = statsResult.get(k);
      if (!result) {
        result = k.backtestSignals({ close }, base);
        void result.value;
        statsResult.set(k, result);
      }
      return k.backtestStats(result);
    };
    // the same signals as Float64Arrays (the native backend makes them bytes at each call, docs/backtest.md)
    const asFloat64 = (m: unknown) => ({ ...(m as Matrix), data: Float64Array.from((m as Matrix).data) });
    const base64: SignalsOptions = { ...base, entries: asFloat64(base.entries), exits: asFloat64(base.exits) };
    const cases: Record<string, { peer?: string; target?: number; ours: (k: Kernels) => unknown }> = {
      [SIGNALS]: { peer: 'signals', target: 20, ours: (k) => k.backtestSignals({ close }, base) },
      [`${SIGNALS}, signals as Float64Arrays`]: { ours: (k) => k.backtestSignals({ close }, base64) },
      [VALUE]: { peer: 'signalsValue', target: 20, ours: (k) => k.backtestSignals({ close }, base).value },
      [`backtestSignals ${T} x ${K} MA cross, slStop 0.05 tpStop 0.1`]: {
        peer: 'stops',
        target: 20,
        ours: (k) => k.backtestSignals({ close }, { ...base, slStop: 0.05, tpStop: 0.1 }),
      },
      [`grid: 4,851 sma pairs 2..100 on ${T} bars, signals + backtest + totalReturn and sharpeRatio`]: {
        peer: 'grid',
        target: 30,
        ours: (k) => {
          const ma = k.sma(series, { timePeriod: windows }) as Matrix;
          const result = k.backtestSignals(
            { close: series },
            { entries: k.crossedAbove(ma, ma, { pairs }), exits: k.crossedBelow(ma, ma, { pairs }), fees: 0.001 },
          );
          return k.backtestStats(result, { periodsPerYear: 365, fields: ['totalReturn', 'sharpeRatio'] });
        },
      },
      [OUT]: { peer: 'signalsAll', ours: (k) => into(k, base) },
      [STATS]: { ours: statsOf },
    };
    const scaling = new Scaling(one, nat, inputs);

    const python = vbtPython();
    const dir = mkdtempSync(join(tmpdir(), 'kb-backtest-'));
    const file = join(dir, 'close.f64');
    writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const ours: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
    const peer: Record<string, number[]> = {};
    let peerMissing = python ? '' : 'peer not measured: vectorbt is not installed here; npm run bench:peers installs it';
    // each round of the peer is followed by the wait for the cores to be quiet (peer-env.ts); vectorbt
    // runs with one thread: its numba functions have no `parallel` and it makes no BLAS or LAPACK call
    // (no dot, matmul or linalg in vectorbt 1.1.0; the same CPU time with one OpenBLAS thread as with
    // two), so its rows mean what they meant
    const peerWaits = new PeerWaits(true);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, c] of Object.entries(cases)) ours[name].push(timeMedian(() => c.ours(nat), RUNS));
        scaling.round(round);
        if (python && !peerMissing) {
          const got = peerWaits.round((env) => peerRound(python, file, env));
          if (typeof got === 'string') peerMissing = got;
          else for (const [key, ms] of Object.entries(got)) (peer[key] ??= []).push(ms);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    recordPeers(SECTION, peerMissing || versions);
    for (const [name, c] of Object.entries(cases)) {
      const mine = median(ours[name]);
      rows.push({
        section: SECTION,
        case: name,
        subject: `native (${threads} threads)`,
        value: mine,
        unit: 'ms',
        note: `median of ${ROUNDS} rounds of ${RUNS}`,
      });
      if (c.peer === undefined) continue;
      const theirs = peer[c.peer];
      if (theirs) {
        const p = median(theirs);
        rows.push({
          section: SECTION,
          case: name,
          subject: 'vectorbt 1.1.0 (numba)',
          value: p,
          unit: 'ms',
          ratio: p / mine,
          baseline: `vectorbt time / native time${c.target ? ` (target >= ${c.target}x)` : ' (from_signals and every output read; ours into memory reused: not a target row)'}`,
          note: `timed in this run, ${ROUNDS} rounds interleaved with ours; ${peerWaits.note()}`,
        });
      } else {
        rows.push({
          section: SECTION,
          case: name,
          subject: 'vectorbt 1.1.0 (numba)',
          value: NaN,
          unit: 'ms',
          note: peerMissing || 'peer not measured',
        });
      }
    }
    // what fresh series cost beside the simulation, per call: the minor page faults and system time
    // (the allocator returns a freed result's pages to the system, and the next result faults them in
    // again), the CPU time of the whole process (the collector's threads included) and the collector's
    // pauses (a major collection each time the external memory grows by 64 MB: a result's 60 MB)
    for (const name of [SIGNALS, OUT]) {
      const calls = 10;
      const gc = { pause: 0, major: 0 };
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gc.pause += e.duration;
          if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
        }
      });
      await new Promise((resolve) => setImmediate(resolve));
      observer.observe({ entryTypes: ['gc'] });
      const faults0 = process.resourceUsage().minorPageFault;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) cases[name].ours(nat);
      const wall = (performance.now() - t0) / calls;
      const cpu = process.cpuUsage(cpu0);
      const faults = (process.resourceUsage().minorPageFault - faults0) / calls;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the observer's entries come on a later turn
      observer.disconnect();
      rows.push({
        section: SECTION,
        case: name,
        subject: 'a call: faults, CPU, collector',
        value: faults,
        unit: 'faults',
        note: `mean of ${calls} calls: ${wall.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / calls).toFixed(1)} ms CPU (${(cpu.system / 1000 / calls).toFixed(1)} ms system), collector pauses ${(gc.pause / calls).toFixed(1)} ms and ${(gc.major / calls).toFixed(1)} major collections a call (docs/backtest.md)`,
      });
    }
    // two threads over one: each backtest case's, against Monte Carlo VaR's in the same rounds; then
    // the same in a child in each of CHILD_MODES (backtest-scaling.ts)
    rows.push({ section: SECTION, case: MCVAR, subject: `native (${threads} threads)`, value: median(scaling.times[2].two), unit: 'ms' });
    rows.push(...scalingRows(scaling.times, threads));
    for (const mode of Object.keys(CHILD_MODES) as ChildMode[]) {
      const child = childScaling(mode);
      if (typeof child === 'string')
        rows.push({ section: SECTION, case: VALUE, subject: `native, 1 thread, ${mode}`, value: NaN, unit: 'ms', note: child });
      else rows.push(...scalingRows(child, threads, mode));
    }
    return rows;
  },
};

/** The rows of one run's scaling: each case's 1 thread over 2 against Monte Carlo VaR's (`mode`: the child's, if any). */
function scalingRows(times: ScalingTimes[], threads: number, mode?: ChildMode): BenchRow[] {
  const mcScale = scaleOf(times[2]);
  return times.map((s) => {
    const scale = scaleOf(s);
    return {
      section: SECTION,
      case: s.name,
      subject: `native, 1 thread${mode ? `, ${mode}` : ''}`,
      value: median(s.one),
      unit: 'ms',
      ratio: scale,
      baseline: `1 thread / ${threads} threads${s.name === MCVAR ? ' (the yardstick)' : ` (target: within 10% of monteCarloVar's ${mcScale.toFixed(2)}x: ${(scale / mcScale).toFixed(2)} of it)`}`,
      note:
        `${threads} threads: ${median(s.two).toPrecision(3)} ms, timed back to back with 1 thread in each round (medians of ${SCALING_RUNS} calls); ` +
        `calls that faulted ${FAULTING_PAGES} pages or more (their outputs' memory given back by the C library and faulted in again): ` +
        `${faultingCalls(s.faults.one)} of ${s.faults.one.length} on 1 thread, ${faultingCalls(s.faults.two)} of ${s.faults.two.length} on ${threads}` +
        (mode ? `; a child process: ${CHILD_MODES[mode].what} (docs/backtest.md, "Two threads and the collector")` : ''),
    };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await backtestSection.run()) {
    console.log(
      `${row.case} | ${row.subject} | ${Number.isNaN(row.value) ? '-' : row.value.toFixed(2)} ${row.unit}${row.ratio ? ` | ${row.ratio.toFixed(2)}x ${row.baseline}` : ''}${row.note ? ` | ${row.note}` : ''}`,
    );
  }
}
