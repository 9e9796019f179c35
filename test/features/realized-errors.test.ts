/**
 * The realized measures' and har's bad input: KernelInputError naming the argument, with the same
 * message on every backend (options from the TS layer, data faults from inside each kernel).
 */
import { describeErrorCases, errorCase as c, f64 } from '../helpers/errors.js';

const ts = f64(1, 2, 3);
const prices = f64(10, 11, 12);
// 20 trades of one day: a fault inside the native kernel's vector blocks of 4
const longTs = Float64Array.from({ length: 20 }, (_, i) => 1000 * i);
const longPrices = Float64Array.from({ length: 20 }, (_, i) => 100 + (i % 3));
const rv = Float64Array.from({ length: 30 }, (_, i) => 1e-4 * (1 + 0.5 * Math.sin(i)));

const cases = [
  c(
    'ts decreasing',
    'realizedVariance',
    [prices, { ts: f64(1, 3, 2) }],
    'options.ts',
    'options.ts: expected non-decreasing timestamps, got ts[2] = 2 after 3',
  ),
  c(
    'ts NaN',
    'medRV',
    [prices, { ts: f64(1, NaN, 2) }],
    'options.ts',
    'options.ts: expected finite timestamps (with options.session.offset added), got ts[1] = NaN',
  ),
  c(
    'ts Infinity',
    'minRV',
    [prices, { ts: f64(1, 2, Infinity) }],
    'options.ts',
    'options.ts: expected finite timestamps (with options.session.offset added), got ts[2] = Infinity',
  ),
  c('price 0', 'bipowerVariation', [f64(10, 0, 12), { ts }], 'prices', 'prices: expected finite prices > 0, got prices[1] = 0'),
  c(
    'price negative',
    'realizedSemivariance',
    [f64(-1, 10, 12), { ts }],
    'prices',
    'prices: expected finite prices > 0, got prices[0] = -1',
  ),
  c('price NaN', 'realizedKernel', [f64(10, 11, NaN), { ts }], 'prices', 'prices: expected finite prices > 0, got prices[2] = NaN'),
  c(
    'ts decreasing inside a block',
    'realizedVariance',
    [longPrices, { ts: Float64Array.from(longTs, (t, i) => (i === 13 ? t - 1500 : t)) }],
    'options.ts',
    'options.ts: expected non-decreasing timestamps, got ts[13] = 11500 after 12000',
  ),
  c(
    'price 0 inside a block',
    'medRV',
    [Float64Array.from(longPrices, (p, i) => (i === 17 ? 0 : p)), { ts: longTs }],
    'prices',
    'prices: expected finite prices > 0, got prices[17] = 0',
  ),
  c('ts missing', 'realizedVariance', [prices, {}], 'options.ts', 'options.ts: expected a Float64Array, got undefined'),
  c('lengths differ', 'twoScaleRV', [prices, { ts: f64(1, 2) }], 'options.ts', 'options.ts: expected length 3 (as prices), got length 2'),
  c('period week', 'realizedVariance', [prices, { ts, period: 'week' }], 'options.period', `options.period: expected 'day', got "week"`),
  c(
    'close before open',
    'realizedVariance',
    [prices, { ts, session: { open: 5000, close: 1000 } }],
    'options.session.close',
    'options.session.close: expected >= options.session.open (5000), got 1000',
  ),
  c(
    'open past the day',
    'medRV',
    [prices, { ts, session: { open: -1 } }],
    'options.session.open',
    'options.session.open: expected a number in [0, 86400000], got -1',
  ),
  c(
    'session key unknown',
    'medRV',
    [prices, { ts, session: { tz: 'NY' } }],
    'options.session',
    'options.session: expected only the keys offset, open, close, got unknown key "tz"',
  ),
  c('j not below k', 'twoScaleRV', [prices, { ts, k: 5, j: 5 }], 'options.j', 'options.j: expected an integer < options.k (5), got 5'),
  c('k not an integer', 'twoScaleRV', [prices, { ts, k: 2.5 }], 'options.k', 'options.k: expected an integer >= 2, got 2.5'),
  c(
    'bandwidth negative',
    'realizedKernel',
    [prices, { ts, bandwidth: -1 }],
    'options.bandwidth',
    'options.bandwidth: expected an integer >= 0, got -1',
  ),
  c(
    'kernel unknown',
    'realizedKernel',
    [prices, { ts, kernel: 'gauss' }],
    'options.kernel',
    `options.kernel: expected 'rectangular', 'bartlett', 'second', 'epanechnikov', 'cubic', 'fifth', 'sixth', 'seventh', 'eighth', 'parzen', 'tukeyHanning' or 'modifiedTukeyHanning', got "gauss"`,
  ),
  c(
    'unknown option',
    'realizedVariance',
    [prices, { ts, window: 5 }],
    'options',
    'options: expected only the options ts, period, session, annualize, got unknown option "window"',
  ),
  c(
    'annualize 0',
    'bipowerVariation',
    [prices, { ts, annualize: 0 }],
    'options.annualize',
    'options.annualize: expected a finite number > 0, got 0',
  ),
  c(
    'annualize NaN',
    'realizedSemivariance',
    [prices, { ts, annualize: NaN }],
    'options.annualize',
    'options.annualize: expected a finite number > 0, got NaN',
  ),
  c(
    'annualize a string',
    'realizedKernel',
    [prices, { ts, annualize: '252' }],
    'options.annualize',
    'options.annualize: expected a finite number > 0, got "252"',
  ),
  c(
    'har lags not increasing',
    'har',
    [rv, { lags: [1, 5, 5] }],
    'options.lags',
    'options.lags: expected increasing integers >= 1, got lags[2] = 5',
  ),
  c('har lag 0', 'har', [rv, { lags: [0, 5] }], 'options.lags', 'options.lags: expected increasing integers >= 1, got lags[0] = 0'),
  c('har too few days', 'har', [rv.subarray(0, 25), {}], 'rv', 'rv: expected at least 26 days (the longest lag + 4 coefficients), got 25'),
  c(
    'har window longer than rv',
    'har',
    [rv, { lags: [1, 40] }],
    'rv',
    'rv: expected at least 43 days (the longest lag + 3 coefficients), got 30',
  ),
  c('har NaN', 'har', [f64(...rv.subarray(0, 29), NaN), { lags: [1, 2] }], 'rv', 'rv: expected finite values, got rv[29] = NaN'),
];

describeErrorCases('features', cases);
