/**
 * The backtest family on the addon: the Simulation record passed whole (native/binding/backtest_binding.cc
 * reads it by name with the reader generated from SIMULATION, kernels/backtest/backtest-records.ts), its
 * signals as bytes (a typed array of numbers the caller passed made so by the addon), its fault, where the
 * simulation stopped, thrown with the reference's text.
 */
import {
  SIM_FAULTS,
  simulationFault,
  type BacktestFamily,
  type Flex,
  type SimSignals,
  type SeriesCall,
  type Simulation,
  type SimulationOutput,
} from '../../kernels/backtest/backtest.js';
import type { AsyncFamily } from '../types.js';
import type { NativeBinding, NativeSimulation } from './binding.js';

/** The argument each fault names, in SIM_FAULTS' order (the reference throws the same). */
const FAULTS = [
  ['prices', SIM_FAULTS.price],
  ['direction', SIM_FAULTS.longOnly],
  ['direction', SIM_FAULTS.shortOnly],
  ['sizeType', SIM_FAULTS.percentReversal],
  ['size', SIM_FAULTS.negativeSize],
  ['sizeType', SIM_FAULTS.signalsSizeType],
  ['size', SIM_FAULTS.infiniteShort],
  ['simulation', SIM_FAULTS.account],
  ['simulation', SIM_FAULTS.valPrice],
  ['size', SIM_FAULTS.infiniteLong],
  ['simulation', SIM_FAULTS.fill],
] as const;

/** A result's series on the addon, synchronous (a result's getter calls it, whichever form ran the simulation). */
const seriesCall =
  (b: NativeBinding): SeriesCall =>
  (input, out) =>
    b.backtestSeries(input, out);

function outputOf(r: NativeSimulation, series: SeriesCall): SimulationOutput {
  if ('fault' in r) {
    const [name, expected] = FAULTS[r.fault - 1];
    throw simulationFault(name, expected, r.row, r.col, r.value);
  }
  return { ...r, series };
}

/**
 * The bytes of a synchronous call's signals, one array per signal kept for the next calls (grown to
 * the largest panel a call has passed): the simulation only reads them, and fresh ones would be pages
 * to fault in at each call (3,850 a call for a 2,520 x 1,000 panel's entries and exits on the 2-core
 * VM). Held weakly: a loop of calls finds them, the next full collection frees them once no call
 * runs (a panel passed once is not held for the process's life). An async call makes its own (calls
 * may overlap).
 */
const kept: (WeakRef<Uint8Array> | undefined)[] = [];

/** Signals the API passed as a typed array of numbers as the bytes the addon's record takes (made on its threads), into kept[slot] or fresh. */
function signalBytes(b: NativeBinding, f: Flex<SimSignals>, slot: number | undefined): Flex<Uint8Array> {
  if (f.data instanceof Uint8Array) return f as Flex<Uint8Array>;
  const n = f.data.length;
  let data: Uint8Array;
  if (slot === undefined) data = new Uint8Array(n);
  else {
    let bytes = kept[slot]?.deref();
    if (bytes === undefined || bytes.length < n) kept[slot] = new WeakRef((bytes = new Uint8Array(n)));
    data = bytes.subarray(0, n);
  }
  b.backtestSignalBytes(f.data, data);
  return { data, rows: f.rows, cols: f.cols };
}

/** `sim` with its signals as bytes (the same record when they are); `sync`: into the kept arrays. */
function withByteSignals(b: NativeBinding, sim: Simulation, sync: boolean): Simulation {
  const signals = [sim.entries, sim.exits, sim.shortEntries, sim.shortExits];
  if (signals.every((f) => f.data instanceof Uint8Array)) return sim;
  const [entries, exits, shortEntries, shortExits] = signals.map((f, slot) => signalBytes(b, f, sync ? slot : undefined));
  return { ...sim, entries, exits, shortEntries, shortExits };
}

export function nativeBacktest(b: NativeBinding): BacktestFamily {
  const series = seriesCall(b);
  const run = (sim: Simulation, groups: Int32Array) => outputOf(b.backtestSimulate(withByteSignals(b, sim, true), groups), series);
  return { backtestSignals: run, backtestOrders: run, backtestStats: (input, periods, fields) => b.backtestStats(input, periods, fields) };
}

export function nativeBacktestAsync(b: NativeBinding): AsyncFamily<BacktestFamily> {
  const series = seriesCall(b);
  const run = async (sim: Simulation, groups: Int32Array) =>
    outputOf(await b.backtestSimulateAsync(withByteSignals(b, sim, false), groups), series);
  return {
    backtestSignals: run,
    backtestOrders: run,
    backtestStats: (input, periods, fields) => b.backtestStatsAsync(input, periods, fields),
  };
}
