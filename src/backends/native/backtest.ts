/**
 * The backtest family on the addon: the Simulation record passed whole (native/binding/backtest_binding.cc
 * reads it by name with the reader generated from SIMULATION, kernels/backtest/backtest-records.ts), its fault,
 * where the simulation stopped, thrown with the reference's text.
 */
import {
  SIM_FAULTS,
  simulationFault,
  type BacktestFamily,
  type Simulation,
  type SimulationOutput,
  type SimulationSeries,
} from '../../kernels/backtest/backtest.js';
import type { AsyncFamily } from '../types.js';
import { freshOutput } from '../../kernels/indicators/indicators.js';
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

function outputOf(r: NativeSimulation): SimulationOutput {
  if ('fault' in r) {
    const [name, expected] = FAULTS[r.fault - 1];
    throw simulationFault(name, expected, r.row, r.col, r.value);
  }
  return r;
}

/**
 * The series' arrays, unzeroed (the run writes every element): V8 zeroes a new typed array, and a large
 * one is fresh pages each call; unzeroed memory comes from what the process freed (freshOutput).
 */
function series(sim: Simulation, groups: Int32Array): SimulationSeries {
  const g = sim.rows * groups.length;
  return { assets: freshOutput(sim.rows * sim.cols), cash: freshOutput(g), value: freshOutput(g) };
}

export function nativeBacktest(b: NativeBinding): BacktestFamily {
  const run = (sim: Simulation, groups: Int32Array, out?: SimulationSeries) =>
    outputOf(b.backtestSimulate(sim, groups, out ?? series(sim, groups)));
  return { backtestSignals: run, backtestOrders: run, backtestStats: (input, periods, fields) => b.backtestStats(input, periods, fields) };
}

export function nativeBacktestAsync(b: NativeBinding): AsyncFamily<BacktestFamily> {
  const run = async (sim: Simulation, groups: Int32Array, out?: SimulationSeries) =>
    outputOf(await b.backtestSimulateAsync(sim, groups, out ?? series(sim, groups)));
  return {
    backtestSignals: run,
    backtestOrders: run,
    backtestStats: (input, periods, fields) => b.backtestStatsAsync(input, periods, fields),
  };
}
