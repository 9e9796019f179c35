/**
 * The margin family's bad input: KernelInputError naming the argument, with the same message on every
 * backend (options from the TS layer, data faults from inside each kernel: margin-faults.ts).
 */
import { describeErrorCases, errorCase as c, f64 } from '../helpers/errors.js';

const r = { data: f64(0.01, -0.02, 0.03, 0.01, -0.01, 0.02), rows: 3, cols: 2 };
const sc = { data: f64(0.01, -0.02, 0.03, 0.01), rows: 2, cols: 2 };

const cases = [
  c(
    'returns NaN',
    'filteredScenarios',
    [{ ...r, data: f64(0.01, NaN, 0.03, 0.01, -0.01, 0.02) }, { seed: 2 }],
    'returns',
    'returns: expected finite returns, got returns[1] = NaN',
  ),
  c(
    'returns infinite',
    'filteredScenarios',
    [{ ...r, data: f64(0.01, 0.02, Infinity, 0.01, -0.01, 0.02) }, { seed: 1 }],
    'returns',
    'returns: expected finite returns, got returns[2] = Infinity',
  ),
  c(
    'stress NaN',
    'filteredScenarios',
    [r, { seed: 1, stress: { data: f64(NaN, 0), rows: 1, cols: 2 } }],
    'options.stress',
    'options.stress: expected finite returns, got stress[0] = NaN',
  ),
  c(
    'stress columns',
    'filteredScenarios',
    [r, { seed: 1, stress: { data: f64(0, 0, 0), rows: 1, cols: 3 } }],
    'options.stress',
    'options.stress: expected 2 columns (as returns), got 3',
  ),
  c(
    'horizon above the rows',
    'filteredScenarios',
    [r, { seed: 1, horizon: 4 }],
    'options.horizon',
    "options.horizon: expected at most the returns' rows (3), got 4",
  ),
  c(
    'seed above the rows',
    'filteredScenarios',
    [r, { seed: 4 }],
    'options.seed',
    "options.seed: expected at most the returns' rows (3), got 4",
  ),
  c('lambda 1', 'filteredScenarios', [r, { seed: 1, lambda: 1 }], 'options.lambda', 'options.lambda: expected a number in (0, 1), got 1'),
  c(
    'volFloor negative',
    'filteredScenarios',
    [r, { seed: 1, volFloor: -1 }],
    'options.volFloor',
    'options.volFloor: expected a finite number >= 0, got -1',
  ),
  c(
    'model unknown',
    'filteredScenarios',
    [r, { model: 'figarch' }],
    'options.model',
    "options.model: expected 'ewma' or 'garch', got \"figarch\"",
  ),
  c('positions NaN', 'initialMargin', [f64(1, NaN), sc, {}], 'positions', 'positions: expected finite positions, got positions[1] = NaN'),
  c(
    'positions length',
    'initialMargin',
    [f64(1, 2, 3), sc, {}],
    'positions',
    "positions: expected 2 values a book (the scenarios' columns), got 3",
  ),
  c(
    'scenarios not a Matrix',
    'initialMargin',
    [f64(1, 2), f64(1, 2), {}],
    'scenarios',
    'scenarios: expected a Matrix { data, rows, cols } (filteredScenarios()), got Float64Array(2)',
  ),
  c(
    'scenarios infinite',
    'initialMargin',
    [f64(1, 2), { ...sc, data: f64(0, -Infinity, 0, 0) }, {}],
    'scenarios',
    'scenarios: expected finite scenarios, got scenarios.data[1] = -Infinity',
  ),
  c(
    'confidence 1',
    'initialMargin',
    [f64(1, 2), sc, { confidence: 1 }],
    'options.confidence',
    'options.confidence: expected a number in (0, 1), got 1',
  ),
  c(
    'measure unknown',
    'initialMargin',
    [f64(1, 2), sc, { measure: 'cvar' }],
    'options.measure',
    "options.measure: expected 'es' or 'var', got \"cvar\"",
  ),
  c(
    'instrument past the columns',
    'marginalMargin',
    [f64(1, 2), sc, { instrument: 2, value: 1 }, {}],
    'order.instrument',
    'order.instrument: expected a column below 2, got 2',
  ),
  c(
    'order value NaN',
    'marginalMargin',
    [f64(1, 2), sc, { instrument: 0, value: NaN }, {}],
    'order.value',
    'order.value: expected a finite number, got NaN',
  ),
  c('column length', 'pnlMargin', [f64(1, 2, 3), f64(1, 2), 1, {}], 'column', 'column: expected 0 or 3 values (as pnl), got 2'),
  c('pnl NaN', 'pnlMargin', [f64(1, NaN), f64(), 0, {}], 'pnl', 'pnl: expected finite P&L and column values, got [1] = NaN'),
];

describeErrorCases('margin', cases);
