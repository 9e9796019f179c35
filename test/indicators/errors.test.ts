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
