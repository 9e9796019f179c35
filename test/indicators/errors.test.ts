/**
 * Bad input to the indicators: periods 0, negative, non-integer or past TA-Lib's range, a bad band
 * width, unknown options, bars of mismatched lengths or kinds, an `out` of another shape or over an input: a KernelInputError naming the argument,
 * the same message on every backend (helpers/errors.ts).
 */
import { describe } from 'vitest';
import { matrix } from '../../src/index.js';
import { describeErrorCases, errorCase, f64 } from '../helpers/errors.js';

const close = f64(1, 2, 3, 4, 5, 6);
const short = f64(1, 2, 3);
const bars = { high: f64(2, 3, 4, 5, 6, 7), low: f64(0, 1, 2, 3, 4, 5), close };
const panel = matrix(new Float64Array(12), 6, 2);

describe('indicators: bad input', () => {
  describeErrorCases('indicators', [
    errorCase(
      'sma period 0',
      'sma',
      [close, { timePeriod: 0 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got 0',
    ),
    errorCase(
      'ema period -3',
      'ema',
      [close, { timePeriod: -3 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got -3',
    ),
    errorCase(
      'rsi period 2.5',
      'rsi',
      [close, { timePeriod: 2.5 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got 2.5',
    ),
    errorCase(
      'rsi period 1 (TA-Lib: from 2)',
      'rsi',
      [close, { timePeriod: 1 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got 1',
    ),
    errorCase(
      'sma period past TA-Lib',
      'sma',
      [close, { timePeriod: 100001 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got 100001',
    ),
    errorCase(
      'atr period 0 (TA-Lib: from 1)',
      'atr',
      [bars, { timePeriod: 0 }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [1, 100000], got 0',
    ),
    errorCase(
      'macd signal 1 (TA-Lib reads outside its buffer)',
      'macd',
      [close, { signalPeriod: 1 }],
      'options.signalPeriod',
      'options.signalPeriod: expected an integer in [2, 100000], got 1',
    ),
    errorCase(
      'stoch slowK NaN',
      'stoch',
      [bars, { slowKPeriod: NaN }],
      'options.slowKPeriod',
      'options.slowKPeriod: expected an integer in [1, 100000], got NaN',
    ),
    errorCase(
      'bbands nbDevUp Infinity',
      'bbands',
      [close, { nbDevUp: Infinity }],
      'options.nbDevUp',
      'options.nbDevUp: expected a finite number, got Infinity',
    ),
    errorCase(
      'a period given as a string',
      'adx',
      [bars, { timePeriod: '14' }],
      'options.timePeriod',
      'options.timePeriod: expected an integer in [2, 100000], got "14"',
    ),
    errorCase(
      'an unknown option',
      'sma',
      [close, { period: 5 }],
      'options',
      'options: expected only the options timePeriod, out, got unknown option "period"',
    ),
    errorCase(
      'closes as an array',
      'sma',
      [[1, 2, 3]],
      'close',
      'close: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 3',
    ),
    errorCase(
      'bars as a series',
      'atr',
      [close],
      'bars',
      'bars: expected an object { high, low, close } of Float64Arrays or Matrices, got Float64Array(6)',
    ),
    errorCase(
      'bars without low',
      'atr',
      [{ high: bars.high, close }],
      'bars.low',
      'bars.low: expected a Float64Array or a Matrix { data, rows, cols }, got undefined',
    ),
    errorCase(
      'bars of mismatched lengths',
      'stoch',
      [{ ...bars, low: short }],
      'bars.low',
      'bars.low: expected length 6 (bars.high), got length 3',
    ),
    errorCase(
      'a panel beside a series',
      'adx',
      [{ ...bars, close: panel }],
      'bars.close',
      'bars.close: expected a Float64Array like bars.high, got an object with keys ["data","rows","cols"]',
    ),
    errorCase(
      'an out of another length',
      'rsi',
      [close, { out: short }],
      'options.out',
      'options.out: expected a result of rsi() of the same shape, its arrays as returned (views of one buffer of 6 values), got value not at value 0 of one buffer of 6',
    ),
    errorCase(
      'an out over the closes',
      'ema',
      [close, { timePeriod: 2, out: close }],
      'options.out',
      'options.out: expected a Float64Array of length 6 sharing no memory with the inputs, got an array over an input',
    ),
    errorCase(
      'an MA type TA-Lib has but this family does not compute',
      'bbands',
      [close, { maType: 'mama' }],
      'options.maType',
      `options.maType: expected 'sma', 'ema', 'wma', 'dema', 'tema', 'trima' or 'kama', got "mama"`,
    ),
  ]);
});

const grid = matrix(f64(1, 2, 3, 4, 5, 6), 3, 2);

describe('indicators: bad grids', () => {
  describeErrorCases('indicators', [
    errorCase(
      'an empty array of periods',
      'sma',
      [close, { timePeriod: [] }],
      'options.timePeriod',
      'options.timePeriod: expected a period or a non-empty array of periods, got an empty array',
    ),
    errorCase(
      'a period of a grid out of range',
      'rsi',
      [close, { timePeriod: [14, 1] }],
      'options.timePeriod[1]',
      'options.timePeriod[1]: expected an integer in [2, 100000], got 1',
    ),
    errorCase(
      'arrays of different lengths (zipped)',
      'macd',
      [close, { fastPeriod: [3, 5], slowPeriod: [10, 12, 14] }],
      'options.slowPeriod',
      'options.slowPeriod: expected 2 periods, as options.fastPeriod (the arrays are zipped), got 3',
    ),
    errorCase(
      'an array for an option that is not a period',
      'bbands',
      [close, { timePeriod: [3, 4], nbDevUp: [1, 2] }],
      'options.nbDevUp',
      'options.nbDevUp: expected a finite number (only the period options take arrays), got an Array of length 2',
    ),
    errorCase(
      'a grid whose outputs do not fit in one array',
      'sma',
      [new Float64Array(1_000_000), { timePeriod: new Array(600).fill(2) }],
      'options.timePeriod',
      'options.timePeriod: expected a grid whose outputs fit in one array of 4 GB (2^29 values), got 600000000 values',
    ),
    errorCase(
      'an out of the single call for a grid',
      'sma',
      [close, { timePeriod: [2, 3], out: f64(1, 2, 3, 4, 5, 6) }],
      'options.out',
      'options.out: expected a result of sma() of the same shape, its arrays as returned (views of one buffer of 12 values), got value: a Float64Array for 6 x 2',
    ),
  ]);
});

describe('indicators: bad crossovers', () => {
  describeErrorCases('indicators', [
    errorCase(
      'a as an array',
      'crossedAbove',
      [[1, 2], close],
      'a',
      'a: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 2',
    ),
    errorCase('rows that differ', 'crossedAbove', [close, short], 'b', 'b: expected length 6 (as a), got length 3'),
    errorCase('a panel of other rows', 'crossedBelow', [grid, close], 'b', 'b: expected 3 rows (as a), got length 6'),
    errorCase(
      'columns that do not broadcast',
      'crossedAbove',
      [grid, matrix(new Float64Array(9), 3, 3)],
      'b',
      'b: expected 1 or 2 columns (as a), or options.pairs, got 3 columns',
    ),
    errorCase(
      'a pair out of range',
      'crossedAbove',
      [grid, grid, { pairs: { a: Int32Array.of(0, 2), b: Int32Array.of(1, 1) } }],
      'options.pairs.a[1]',
      'options.pairs.a[1]: expected a column of a, in [0, 1], got 2',
    ),
    errorCase(
      'a negative pair',
      'crossedBelow',
      [grid, grid, { pairs: { a: Int32Array.of(0), b: Int32Array.of(-1) } }],
      'options.pairs.b[0]',
      'options.pairs.b[0]: expected a column of b, in [0, 1], got -1',
    ),
    errorCase(
      'pairs of different lengths',
      'crossedAbove',
      [grid, grid, { pairs: { a: Int32Array.of(0, 1), b: Int32Array.of(1) } }],
      'options.pairs.b',
      'options.pairs.b: expected length 2 (as options.pairs.a), got length 1',
    ),
    errorCase(
      'pairs as plain arrays',
      'crossedAbove',
      [grid, grid, { pairs: { a: [0], b: [1] } }],
      'options.pairs.a',
      "options.pairs.a: expected an Int32Array of a's column indices, got an Array of length 1",
    ),
    errorCase(
      'pairs not an object',
      'crossedAbove',
      [grid, grid, { pairs: 3 }],
      'options.pairs',
      'options.pairs: expected { a, b }: Int32Arrays of column indices (combinations()), got 3',
    ),
    errorCase(
      'a negative wait',
      'crossedAbove',
      [close, close, { wait: -1 }],
      'options.wait',
      'options.wait: expected an integer >= 0, got -1',
    ),
    errorCase(
      'a fractional wait',
      'crossedBelow',
      [close, close, { wait: 0.5 }],
      'options.wait',
      'options.wait: expected an integer >= 0, got 0.5',
    ),
    errorCase(
      'an unknown option',
      'crossedAbove',
      [close, close, { lag: 1 }],
      'options',
      'options: expected only the options wait, pairs, got unknown option "lag"',
    ),
  ]);
});
