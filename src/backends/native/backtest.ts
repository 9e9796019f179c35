/**
 * The backtest family on the addon: the Simulation record passed whole (native/binding/backtest_binding.cc
 * reads it by name with the reader generated from SIMULATION, kernels/backtest/backtest-records.ts), its fault,
 * where the simulation stopped, thrown with the reference's text.
 */
import {
  SIM_FAULTS,
  simulationFault,
  type BacktestFamily,
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

export function nativeBacktest(b: NativeBinding): BacktestFamily {
  const series = seriesCall(b);
  const run = (sim: Simulation, groups: Int32Array) => outputOf(b.backtestSimulate(sim, groups), series);
  return { backtestSignals: run, backtestOrders: run, backtestStats: (input, periods, fields) => b.backtestStats(input, periods, fields) };
}

export function nativeBacktestAsync(b: NativeBinding): AsyncFamily<BacktestFamily> {
  const series = seriesCall(b);
  const run = async (sim: Simulation, groups: Int32Array) => outputOf(await b.backtestSimulateAsync(sim, groups), series);
  return {
    backtestSignals: run,
    backtestOrders: run,
    backtestStats: (input, periods, fields) => b.backtestStatsAsync(input, periods, fields),
  };
}
