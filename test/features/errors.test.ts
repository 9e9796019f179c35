/**
 * The features family's bad input: KernelInputError naming the argument, with the same message on
 * every backend (options from the TS layer, data faults from inside each kernel).
 */
import { describeErrorCases, errorCase as c, f64 } from '../helpers/errors.js';

const good = { ts: f64(1, 2, 3), price: f64(10, 11, 12), volume: f64(1, 1, 1) };
const tick = { by: 'tick', threshold: 1 } as const;

const cases = [
  c(
    'threshold 0',
    'bars',
    [good, { by: 'tick', threshold: 0 }],
    'options.threshold',
    'options.threshold: expected a finite number > 0, got 0',
  ),
  c(
    'threshold negative',
    'bars',
    [good, { by: 'dollar', threshold: -5 }],
    'options.threshold',
    'options.threshold: expected a finite number > 0, got -5',
  ),
  c(
    'threshold NaN',
    'bars',
    [good, { by: 'tick', threshold: NaN }],
    'options.threshold',
    'options.threshold: expected a finite number > 0, got NaN',
  ),
  c(
    'threshold Infinity',
    'bars',
    [good, { by: 'volume', threshold: Infinity }],
    'options.threshold',
    'options.threshold: expected a finite number > 0, got Infinity',
  ),
  c(
    'by unknown',
    'bars',
    [good, { by: 'hour', threshold: 1 }],
    'options.by',
    `options.by: expected 'tick', 'volume', 'dollar' or 'time', got "hour"`,
  ),
  c(
    'by time for imbalance bars',
    'imbalanceBars',
    [good, { by: 'time' }],
    'options.by',
    `options.by: expected 'tick', 'volume' or 'dollar', got "time"`,
  ),
  c(
    'time bar index overflows',
    'bars',
    [
      { ts: f64(-1.7e308), price: f64(1), volume: f64(1) },
      { by: 'time', threshold: 5e-324 },
    ],
    'trades.ts',
    'trades.ts: expected timestamps whose bar index ts / barMs is finite, got ts[0] = -1.7e+308 with barMs = 5e-324',
  ),
  c(
    'unknown option',
    'bars',
    [good, { ...tick, foo: 1 }],
    'options',
    'options: expected only the options by, threshold, got unknown option "foo"',
  ),
  c(
    'unsorted ts',
    'bars',
    [{ ...good, ts: f64(1, 3, 2) }, tick],
    'trades.ts',
    'trades.ts: expected non-decreasing timestamps, got ts[2] = 2 after 3',
  ),
  c('NaN ts', 'bars', [{ ...good, ts: f64(1, NaN, 2) }, tick], 'trades.ts', 'trades.ts: expected finite timestamps, got ts[1] = NaN'),
  c(
    'infinite ts',
    'bars',
    [{ ...good, ts: f64(1, 2, Infinity) }, tick],
    'trades.ts',
    'trades.ts: expected finite timestamps, got ts[2] = Infinity',
  ),
  c(
    'NaN price',
    'bars',
    [{ ...good, price: f64(10, NaN, 12) }, tick],
    'trades.price',
    'trades.price: expected finite prices, got price[1] = NaN',
  ),
  c(
    'negative volume',
    'bars',
    [{ ...good, volume: f64(1, -1, 1) }, tick],
    'trades.volume',
    'trades.volume: expected finite volumes >= 0, got volume[1] = -1',
  ),
  c(
    'lengths differ',
    'bars',
    [{ ...good, volume: f64(1, 1) }, tick],
    'trades.volume',
    'trades.volume: expected length 3 (as trades.ts), got length 2',
  ),
  c('not trades', 'bars', [[], tick], 'trades', 'trades: expected an object { ts, price, volume }, got an Array of length 0'),
  c(
    'numPrevBars 0',
    'imbalanceBars',
    [good, { by: 'tick', numPrevBars: 0 }],
    'options.numPrevBars',
    'options.numPrevBars: expected an integer >= 1, got 0',
  ),
  c(
    'numPrevBars 2.5',
    'runBars',
    [good, { by: 'tick', numPrevBars: 2.5 }],
    'options.numPrevBars',
    'options.numPrevBars: expected an integer >= 1, got 2.5',
  ),
  c(
    'window 0',
    'imbalanceBars',
    [good, { by: 'volume', expectedImbalanceWindow: 0 }],
    'options.expectedImbalanceWindow',
    'options.expectedImbalanceWindow: expected an integer >= 1, got 0',
  ),
  c(
    'expNumTicksInit 0',
    'runBars',
    [good, { by: 'dollar', expNumTicksInit: 0 }],
    'options.expNumTicksInit',
    'options.expNumTicksInit: expected a finite number > 0, got 0',
  ),
  c(
    'constraints reversed',
    'imbalanceBars',
    [good, { by: 'tick', expNumTicksConstraints: [5, 1] }],
    'options.expNumTicksConstraints',
    'options.expNumTicksConstraints: expected min <= max, got [5, 1]',
  ),
  c(
    'constraints negative',
    'imbalanceBars',
    [good, { by: 'tick', expNumTicksConstraints: [-1, 5] }],
    'options.expNumTicksConstraints[0]',
    'options.expNumTicksConstraints[0]: expected a finite number >= 0, got -1',
  ),
  c(
    'constraints not a pair',
    'runBars',
    [good, { by: 'tick', expNumTicksConstraints: [1] }],
    'options.expNumTicksConstraints',
    'options.expNumTicksConstraints: expected a pair [min, max], got 1 values',
  ),
  c('kind unknown', 'runBars', [good, { by: 'tick', kind: 'sma' }], 'options.kind', `options.kind: expected 'ema' or 'const', got "sma"`),
  c('by missing', 'runBars', [good, { kind: 'ema' }], 'options.by', `options.by: expected 'tick', 'volume' or 'dollar', got undefined`),
  c(
    'NaN price in runBars',
    'runBars',
    [{ ...good, price: f64(1, NaN, 2) }, { by: 'tick' }],
    'trades.price',
    'trades.price: expected finite prices, got price[1] = NaN',
  ),
  c(
    'unsorted ts in imbalanceBars',
    'imbalanceBars',
    [{ ...good, ts: f64(3, 2, 4) }, { by: 'dollar' }],
    'trades.ts',
    'trades.ts: expected non-decreasing timestamps, got ts[1] = 2 after 3',
  ),
];

describeErrorCases('features', cases);
