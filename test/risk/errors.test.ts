/**
 * Every bad input of the risk kernels through the public API: KernelInputError naming the argument,
 * with the exact message, the same on every backend (shape and option errors from the TS layer, data
 * faults from inside each kernel, formatted once by src/kernels/faults.ts).
 */
import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../src/index.js';
import { describeErrorCases, detached, errorCase as c, f64, inputError, withValue } from '../helpers/errors.js';

const MAX = constants.MAX_LENGTH;

/** 4 dates x 3 assets of returns, 3 dates x 3 assets of prices. */
const R = matrix(f64(0.01, -0.02, 0.03, 0.02, 0.01, -0.01, -0.01, 0, 0.02, 0.03, -0.01, 0.01), 4, 3);
const PRICES = matrix(f64(100, 50, 20, 101, 49, 21, 102, 51, 20.5), 3, 3);
const SERIES = f64(0.01, -0.02, 0.03, 0.02);
const W = f64(0.5, 0.3, 0.2);
const W2 = matrix(f64(0.5, 0.3, 0.2, 0.2, 0.2, 0.6), 2, 3);
const COV = matrix(f64(0.04, 0.01, 0.01, 0.09), 2, 2);
const MODEL = { mean: f64(0.001, 0.002), cov: COV };
const WC = f64(0.6, 0.4);

/** A matrix object as given (not checked by matrix()). */
const raw = (data: unknown, rows: unknown, cols: unknown) => ({ data, rows, cols }) as unknown as Matrix;
const withCell = (m: Matrix, i: number, v: number) => raw(withValue(m.data, i, v), m.rows, m.cols);
const cov2 = (...xs: number[]) => raw(f64(...xs), 2, 2);

const SERIES_OR_MATRIX = 'a Float64Array or a Matrix { data, rows, cols }';

// biome-ignore format: the table keeps one bad input per line
const cases = [
  // simpleReturns, logReturns: prices (a series or a matrix)
  c('prices a plain array', 'simpleReturns', [[100, 101, 102]], 'prices', `prices: expected ${SERIES_OR_MATRIX}, got an Array of length 3`),
  c('prices a Float32Array', 'logReturns', [new Float32Array(3)], 'prices', `prices: expected ${SERIES_OR_MATRIX}, got Float32Array(3)`),
  c('prices null', 'simpleReturns', [null], 'prices', `prices: expected a Matrix { data, rows, cols }, got null`),
  c('prices a string', 'logReturns', ['100,101'], 'prices', `prices: expected a Matrix { data, rows, cols }, got "100,101"`),
  c('prices detached', 'simpleReturns', [detached(3)], 'prices', `prices: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('prices.rows negative', 'simpleReturns', [raw(PRICES.data, -1, 3)], 'prices.rows', `prices.rows: expected an integer >= 0, got -1`),
  c('prices.cols fractional', 'logReturns', [raw(PRICES.data, 3, 1.5)], 'prices.cols', `prices.cols: expected an integer >= 0, got 1.5`),
  c('prices.cols missing', 'simpleReturns', [{ data: PRICES.data, rows: 3 }], 'prices.cols', `prices.cols: expected an integer >= 0, got undefined`),
  c('prices.data a Float32Array', 'simpleReturns', [raw(new Float32Array(9), 3, 3)], 'prices.data', `prices.data: expected a Float64Array, got Float32Array(9)`),
  c('prices.data a plain array', 'logReturns', [raw(Array.from(PRICES.data), 3, 3)], 'prices.data', `prices.data: expected a Float64Array, got an Array of length 9`),
  c('prices.data shorter than rows x cols', 'simpleReturns', [raw(PRICES.data.subarray(1), 3, 3)], 'prices.data', `prices.data: expected length 9 (rows 3 x cols 3), got length 8`),
  c('prices.data detached', 'logReturns', [raw(detached(9), 3, 3)], 'prices.data', `prices.data: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('negative price in a series', 'simpleReturns', [f64(100, -1, 102)], 'prices', `prices: expected finite prices > 0 (NaN for a missing one), got prices[1] = -1`),
  c('zero price in a matrix', 'simpleReturns', [withCell(PRICES, 7, 0)], 'prices', `prices: expected finite prices > 0 (NaN for a missing one), got prices[2][1] = 0`),
  c('infinite price in a matrix', 'logReturns', [withCell(PRICES, 2, Infinity)], 'prices', `prices: expected finite prices > 0 (NaN for a missing one), got prices[0][2] = Infinity`),
  c('-Infinity price in a series', 'logReturns', [f64(-Infinity, 1)], 'prices', `prices: expected finite prices > 0 (NaN for a missing one), got prices[0] = -Infinity`),

  // portfolioReturns: returns, weights (N or P x N)
  c('portfolioReturns returns a Float32Array', 'portfolioReturns', [new Float32Array(12), W], 'returns', `returns: expected ${SERIES_OR_MATRIX}, got Float32Array(12)`),
  c('portfolioReturns returns.data too long', 'portfolioReturns', [raw(new Float64Array(13), 4, 3), W], 'returns.data', `returns.data: expected length 12 (rows 4 x cols 3), got length 13`),
  c('weights shorter than the columns', 'portfolioReturns', [R, f64(0.5, 0.5)], 'weights', `weights: expected 3 (the columns of returns), got 2`),
  c('weights empty', 'portfolioReturns', [R, new Float64Array(0)], 'weights', `weights: expected 3 (the columns of returns), got 0`),
  c('weights matrix of the wrong width', 'portfolioReturns', [R, matrix(f64(1, 0, 0, 1), 2, 2)], 'weights.cols', `weights.cols: expected 3 (the columns of returns), got 2`),
  c('weights a plain array', 'portfolioReturns', [R, [0.5, 0.3, 0.2]], 'weights', `weights: expected ${SERIES_OR_MATRIX}, got an Array of length 3`),
  c('weights a Float32Array', 'portfolioReturns', [R, new Float32Array(3)], 'weights', `weights: expected ${SERIES_OR_MATRIX}, got Float32Array(3)`),
  c('weights detached', 'portfolioReturns', [R, detached(3)], 'weights', `weights: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('weights.data shorter than rows x cols', 'portfolioReturns', [R, raw(W2.data.subarray(1), 2, 3)], 'weights.data', `weights.data: expected length 6 (rows 2 x cols 3), got length 5`),
  c('infinite return', 'portfolioReturns', [withCell(R, 5, Infinity), W], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][2] = Infinity`),
  c('-Infinity return in a series', 'portfolioReturns', [withValue(SERIES, 3, -Infinity), f64(1)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[3] = -Infinity`),
  c('NaN weight', 'portfolioReturns', [R, withValue(W, 1, NaN)], 'weights', `weights: expected finite weights, got weights[0][1] = NaN`),
  c('infinite weight in the second portfolio', 'portfolioReturns', [R, withCell(W2, 3, Infinity)], 'weights', `weights: expected finite weights, got weights[1][0] = Infinity`),

  // cumulativeReturns
  c('cumulativeReturns returns an Array', 'cumulativeReturns', [[0.01, 0.02]], 'returns', `returns: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 2`),
  c('startingValue Infinity', 'cumulativeReturns', [R, { startingValue: Infinity }], 'options.startingValue', `options.startingValue: expected a finite number, got Infinity`),
  c('startingValue a string', 'cumulativeReturns', [R, { startingValue: '1' }], 'options.startingValue', `options.startingValue: expected a finite number, got "1"`),
  c('cumulativeReturns an unknown option', 'cumulativeReturns', [R, { start: 1 }], 'options', `options: expected only the options startingValue, got unknown option "start"`),
  c('cumulativeReturns an infinite return', 'cumulativeReturns', [f64(0.1, -Infinity)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1] = -Infinity`),
  // performanceStats
  c('performanceStats returns null', 'performanceStats', [null], 'returns', `returns: expected a Matrix { data, rows, cols }, got null`),
  c('performanceStats options a number', 'performanceStats', [R, 5], 'options', `options: expected an object, got 5`),
  c('performanceStats options null', 'performanceStats', [R, null], 'options', `options: expected an object, got null`),
  c('periodsPerYear 0', 'performanceStats', [R, { periodsPerYear: 0 }], 'options.periodsPerYear', `options.periodsPerYear: expected a finite number > 0, got 0`),
  c('periodsPerYear Infinity', 'performanceStats', [R, { periodsPerYear: Infinity }], 'options.periodsPerYear', `options.periodsPerYear: expected a finite number > 0, got Infinity`),
  c('periodsPerYear a string', 'performanceStats', [R, { periodsPerYear: '252' }], 'options.periodsPerYear', `options.periodsPerYear: expected a finite number > 0, got "252"`),
  c('riskFree NaN', 'performanceStats', [R, { riskFree: NaN }], 'options.riskFree', `options.riskFree: expected a finite number, got NaN`),
  c('performanceStats unknown option', 'performanceStats', [R, { threads: 2 }], 'options', `options: expected only the options periodsPerYear, riskFree, requiredReturn, got unknown option "threads"`),
  c('performanceStats infinite return', 'performanceStats', [withCell(R, 0, -Infinity)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[0][0] = -Infinity`),

  // relativeStats: returns (T x N or a series), benchmark (a series of T)
  c('relativeStats returns an Array', 'relativeStats', [[0.01, 0.02], SERIES], 'returns', `returns: expected ${SERIES_OR_MATRIX}, got an Array of length 2`),
  c('relativeStats benchmark missing', 'relativeStats', [R], 'benchmark', `benchmark: expected a Float64Array, got undefined`),
  c('relativeStats benchmark an Array', 'relativeStats', [R, [0.01, 0.02, 0.03, 0.04]], 'benchmark', `benchmark: expected a Float64Array, got an Array of length 4`),
  c('relativeStats benchmark a Matrix', 'relativeStats', [R, matrix(SERIES, 4, 1)], 'benchmark', `benchmark: expected a Float64Array, got an object with keys ["data","rows","cols"]`),
  c('relativeStats benchmark detached', 'relativeStats', [R, detached(4)], 'benchmark', `benchmark: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('relativeStats benchmark shorter than the rows', 'relativeStats', [R, f64(0.01, 0.02, 0.03)], 'benchmark', `benchmark: expected length 4 (the rows of returns), got length 3`),
  c('relativeStats benchmark longer than a series', 'relativeStats', [f64(0.01, 0.02), SERIES], 'benchmark', `benchmark: expected length 2 (the rows of returns), got length 4`),
  c('relativeStats infinite benchmark', 'relativeStats', [R, withValue(SERIES, 2, Infinity)], 'benchmark', `benchmark: expected finite returns (NaN for a missing one), got benchmark[2] = Infinity`),
  c('relativeStats options a number', 'relativeStats', [R, SERIES, 5], 'options', `options: expected an object, got 5`),
  c('relativeStats periodsPerYear -1', 'relativeStats', [R, SERIES, { periodsPerYear: -1 }], 'options.periodsPerYear', `options.periodsPerYear: expected a finite number > 0, got -1`),
  c('relativeStats riskFree Infinity', 'relativeStats', [R, SERIES, { riskFree: Infinity }], 'options.riskFree', `options.riskFree: expected a finite number, got Infinity`),
  c('relativeStats alphaConvention unknown', 'relativeStats', [R, SERIES, { alphaConvention: 'capm' }], 'options.alphaConvention', `options.alphaConvention: expected 'empyrical' or 'quantstats', got "capm"`),
  c('relativeStats alphaConvention a number', 'relativeStats', [R, SERIES, { alphaConvention: 1 }], 'options.alphaConvention', `options.alphaConvention: expected 'empyrical' or 'quantstats', got 1`),
  c('relativeStats unknown option', 'relativeStats', [R, SERIES, { rf: 0 }], 'options', `options: expected only the options periodsPerYear, riskFree, alphaConvention, got unknown option "rf"`),
  c('relativeStats infinite return', 'relativeStats', [withCell(R, 4, -Infinity), SERIES], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][1] = -Infinity`),

  c('performanceStats requiredReturn -1', 'performanceStats', [R, { requiredReturn: -1 }], 'options.requiredReturn', `options.requiredReturn: expected a finite number > -1, got -1`),
  c('performanceStats requiredReturn NaN', 'performanceStats', [R, { requiredReturn: NaN }], 'options.requiredReturn', `options.requiredReturn: expected a finite number > -1, got NaN`),

  // varBacktest: returns, var (the shape of returns), { confidence, window, dqRegressors }
  c('varBacktest var missing', 'varBacktest', [SERIES, undefined, { confidence: 0.99 }], 'var', `var: expected a Float64Array, got undefined`),
  c('varBacktest var shorter than returns', 'varBacktest', [SERIES, f64(0.1, 0.1, 0.1), { confidence: 0.99 }], 'var', `var: expected length 4 (the length of returns), got length 3`),
  c('varBacktest var a series for a matrix', 'varBacktest', [R, f64(0.1, 0.1, 0.1, 0.1), { confidence: 0.99 }], 'var', `var: expected a Matrix of 4 x 3 (the shape of returns), got a Float64Array of length 4`),
  c('varBacktest var of another shape', 'varBacktest', [R, matrix(new Float64Array(6), 2, 3), { confidence: 0.99 }], 'var', `var: expected a Matrix of 4 x 3 (the shape of returns), got 2 x 3`),
  c('varBacktest var infinite', 'varBacktest', [R, withCell(matrix(new Float64Array(12), 4, 3), 7, Infinity), { confidence: 0.99 }], 'var', `var: expected finite VaR values (NaN for a missing one), got var[2][1] = Infinity`),
  c('varBacktest options not an object', 'varBacktest', [SERIES, SERIES, 5], 'options', `options: expected an object, got 5`),
  c('varBacktest confidence 1', 'varBacktest', [SERIES, SERIES, { confidence: 1 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 1`),
  c('varBacktest confidence 0', 'varBacktest', [SERIES, SERIES, { confidence: 0 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 0`),
  c('varBacktest window 0', 'varBacktest', [SERIES, SERIES, { confidence: 0.99, window: 0 }], 'options.window', `options.window: expected an integer >= 1, got 0`),
  c('varBacktest window 2.5', 'varBacktest', [SERIES, SERIES, { confidence: 0.99, window: 2.5 }], 'options.window', `options.window: expected an integer >= 1, got 2.5`),
  c('varBacktest dqRegressors unknown', 'varBacktest', [SERIES, SERIES, { confidence: 0.99, dqRegressors: 'engle-manganelli' }], 'options.dqRegressors', `options.dqRegressors: expected 'gas' or 'hits', got "engle-manganelli"`),
  c('varBacktest dqRegressors a code', 'varBacktest', [SERIES, SERIES, { confidence: 0.99, dqRegressors: 1 }], 'options.dqRegressors', `options.dqRegressors: expected 'gas' or 'hits', got 1`),
  c('varBacktest unknown option', 'varBacktest', [SERIES, SERIES, { confidence: 0.99, lags: 4 }], 'options', `options: expected only the options confidence, window, dqRegressors, out, got unknown option "lags"`),
  c('varBacktest infinite return', 'varBacktest', [withCell(R, 4, -Infinity), matrix(new Float64Array(12), 4, 3), { confidence: 0.99 }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][1] = -Infinity`),

  // rolling: returns, { window, stats, benchmark, periodsPerYear, riskFree, confidence }
  c('rolling options missing', 'rolling', [R], 'options', `options: expected an object with a window, got undefined`),
  c('rolling window 1', 'rolling', [R, { window: 1 }], 'options.window', `options.window: expected an integer in [2, 4] (2 to the rows of returns), got 1`),
  c('rolling window beyond T', 'rolling', [R, { window: 5 }], 'options.window', `options.window: expected an integer in [2, 4] (2 to the rows of returns), got 5`),
  c('rolling window fractional', 'rolling', [R, { window: 2.5 }], 'options.window', `options.window: expected an integer in [2, 4] (2 to the rows of returns), got 2.5`),
  c('rolling benchmark shorter', 'rolling', [R, { window: 2, benchmark: f64(0.01, 0.02) }], 'options.benchmark', `options.benchmark: expected length 4 (the length of returns), got length 2`),
  c('rolling benchmark infinite', 'rolling', [R, { window: 2, benchmark: f64(0.01, Infinity, 0, 0) }], 'options.benchmark', `options.benchmark: expected finite returns (NaN for a missing one), got options.benchmark[1] = Infinity`),
  c('rolling beta without a benchmark', 'rolling', [R, { window: 2, stats: ['beta'] }], 'options.benchmark', `options.benchmark: expected a Float64Array of 4 returns (beta reads it), got undefined`),
  c('rolling stats empty', 'rolling', [R, { window: 2, stats: [] }], 'options.stats', `options.stats: expected a non-empty array of sharpe, sortino, volatility, maxDrawdown, beta, alpha, upCapture, downCapture, historicalVar, gaussianVar, got an Array of length 0`),
  c('rolling stat unknown', 'rolling', [R, { window: 2, stats: ['calmar'] }], 'options.stats', `options.stats: expected names of sharpe, sortino, volatility, maxDrawdown, beta, alpha, upCapture, downCapture, historicalVar, gaussianVar, got "calmar"`),
  c('rolling confidence 1', 'rolling', [R, { window: 2, confidence: 1 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 1`),
  c('rolling periodsPerYear 0', 'rolling', [R, { window: 2, periodsPerYear: 0 }], 'options.periodsPerYear', `options.periodsPerYear: expected a finite number > 0, got 0`),
  c('rolling unknown option', 'rolling', [R, { window: 2, span: 3 }], 'options', `options: expected only the options window, stats, benchmark, periodsPerYear, riskFree, confidence, got unknown option "span"`),
  c('rolling infinite return', 'rolling', [withCell(R, 3, Infinity), { window: 2 }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][0] = Infinity`),

  // drawdownSeries, drawdowns
  c('drawdownSeries returns an Array', 'drawdownSeries', [[0.01]], 'returns', `returns: expected ${SERIES_OR_MATRIX}, got an Array of length 1`),
  c('drawdownSeries infinite return', 'drawdownSeries', [f64(0.01, Infinity)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1] = Infinity`),
  c('drawdowns top 0', 'drawdowns', [R, { top: 0 }], 'options.top', `options.top: expected an integer in [1, 5] (at most the rows of returns, or 5), got 0`),
  c('drawdowns top 1.5', 'drawdowns', [R, { top: 1.5 }], 'options.top', `options.top: expected an integer in [1, 5] (at most the rows of returns, or 5), got 1.5`),
  // an absurd top: an error naming it, not a RangeError from a table of 1e12 rows
  c('drawdowns top 1e12', 'drawdowns', [R, { top: 1e12 }], 'options.top', `options.top: expected an integer in [1, 5] (at most the rows of returns, or 5), got 1000000000000`),
  c('drawdowns top 6 of 4 rows', 'drawdowns', [R, { top: 6 }], 'options.top', `options.top: expected an integer in [1, 5] (at most the rows of returns, or 5), got 6`),
  c('drawdowns convention unknown', 'drawdowns', [R, { convention: 'quantstats' }], 'options.convention', `options.convention: expected 'performance-analytics' or 'pyfolio', got "quantstats"`),
  c('drawdowns unknown option', 'drawdowns', [R, { depth: 1 }], 'options', `options: expected only the options top, convention, got unknown option "depth"`),
  c('drawdowns infinite return', 'drawdowns', [withCell(R, 11, Infinity)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[3][2] = Infinity`),

  // aggregateReturns: returns, dates (epoch ms, one per row), period
  c('aggregateReturns dates missing', 'aggregateReturns', [R, undefined, 'monthly'], 'dates', `dates: expected a Float64Array, got undefined`),
  c('aggregateReturns dates shorter', 'aggregateReturns', [R, f64(0, 1), 'monthly'], 'dates', `dates: expected length 4 (the rows of returns), got length 2`),
  c('aggregateReturns date NaN', 'aggregateReturns', [R, f64(0, 1, NaN, 3), 'monthly'], 'dates', `dates: expected epoch milliseconds (finite, within +-8.64e15), got dates[2] = NaN`),
  c('aggregateReturns period unknown', 'aggregateReturns', [R, f64(0, 1, 2, 3), 'daily'], 'period', `period: expected 'weekly', 'monthly', 'quarterly' or 'yearly', got "daily"`),
  c('aggregateReturns infinite return', 'aggregateReturns', [withCell(R, 0, Infinity), f64(0, 1, 2, 3), 'yearly'], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[0][0] = Infinity`),

  // valueAtRisk
  c('valueAtRisk options not an object', 'valueAtRisk', [R, 'historical'], 'options', `options: expected an object, got "historical"`),
  c('valueAtRisk method modified', 'valueAtRisk', [R, { method: 'modified' }], 'options.method', `options.method: expected 'historical', 'gaussian' or 'cornish-fisher', got "modified"`),
  c('valueAtRisk method unknown', 'valueAtRisk', [R, { method: 'monte-carlo' }], 'options.method', `options.method: expected 'historical', 'gaussian' or 'cornish-fisher', got "monte-carlo"`),
  c('valueAtRisk confidence 0', 'valueAtRisk', [R, { method: 'historical', confidence: 0 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 0`),
  c('valueAtRisk confidence 1', 'valueAtRisk', [R, { method: 'gaussian', confidence: 1 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 1`),
  c('valueAtRisk confidence NaN', 'valueAtRisk', [R, { method: 'gaussian', confidence: NaN }], 'options.confidence', `options.confidence: expected a number in (0, 1), got NaN`),
  c('ddof negative', 'valueAtRisk', [R, { method: 'gaussian', ddof: -1 }], 'options.ddof', `options.ddof: expected an integer >= 0, got -1`),
  c('ddof fractional', 'valueAtRisk', [R, { method: 'gaussian', ddof: 0.5 }], 'options.ddof', `options.ddof: expected an integer >= 0, got 0.5`),
  c('valueAtRisk unknown option', 'valueAtRisk', [R, { method: 'gaussian', level: 0.99 }], 'options', `options: expected only the options method, confidence, ddof, got unknown option "level"`),
  c('valueAtRisk returns a Float32Array', 'valueAtRisk', [new Float32Array(4), { method: 'historical' }], 'returns', `returns: expected ${SERIES_OR_MATRIX}, got Float32Array(4)`),
  c('valueAtRisk infinite return (historical)', 'valueAtRisk', [withCell(R, 11, Infinity), { method: 'historical' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[3][2] = Infinity`),
  c('valueAtRisk infinite return (cornish-fisher)', 'valueAtRisk', [withValue(SERIES, 2, Infinity), { method: 'cornish-fisher' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[2] = Infinity`),

  // covariance
  c('covariance options a string', 'covariance', [R, 'ewma'], 'options', `options: expected an object, got "ewma"`),
  c('covariance method unknown', 'covariance', [R, { method: 'shrunk' }], 'options.method', `options.method: expected 'sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation' or 'ledoit-wolf-single-factor', got "shrunk"`),
  c('lambda 1', 'covariance', [R, { method: 'ewma', lambda: 1 }], 'options.lambda', `options.lambda: expected a number in (0, 1), got 1`),
  c('lambda 0', 'covariance', [R, { method: 'ewma', lambda: 0 }], 'options.lambda', `options.lambda: expected a number in (0, 1), got 0`),
  c('adjust a number', 'covariance', [R, { method: 'ewma', adjust: 1 }], 'options.adjust', `options.adjust: expected a boolean, got 1`),
  c('benchmark Infinity', 'covariance', [R, { method: 'semi', benchmark: Infinity }], 'options.benchmark', `options.benchmark: expected a finite number, got Infinity`),
  c('covariance two unknown options', 'covariance', [R, { a: 1, b: 2 }], 'options', `options: expected only the options method, lambda, adjust, benchmark, out, got unknown options "a", "b"`),
  c('covariance returns detached', 'covariance', [detached(4)], 'returns', `returns: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('covariance infinite return (sample)', 'covariance', [withCell(R, 4, Infinity)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][1] = Infinity`),
  c('covariance infinite return (ewma)', 'covariance', [withCell(R, 4, -Infinity), { method: 'ewma' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][1] = -Infinity`),
  c('covariance infinite return (ledoit-wolf)', 'covariance', [withCell(R, 9, Infinity), { method: 'ledoit-wolf' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[3][0] = Infinity`),
  c('covariance infinite return (semi)', 'covariance', [withCell(R, 2, Infinity), { method: 'semi' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[0][2] = Infinity`),

  // portfolioVolatility: cov (N x N), weights
  c('cov a Float64Array', 'portfolioVolatility', [COV.data, WC], 'cov', `cov: expected a Matrix { data, rows, cols }, got Float64Array(4)`),
  c('cov not square', 'portfolioVolatility', [raw(new Float64Array(6), 2, 3), WC], 'cov', `cov: expected a square matrix, got 2 x 3`),
  c('cov not symmetric', 'portfolioVolatility', [cov2(0.04, 0.01, 0.02, 0.09), WC], 'cov', `cov: expected a symmetric matrix, got [1][0] = 0.02 but [0][1] = 0.01`),
  c('cov NaN on the diagonal', 'portfolioVolatility', [cov2(0.04, 0.01, 0.01, NaN), WC], 'cov.data', `cov.data: expected finite values, got [1][1] = NaN`),
  c('cov Infinity below the diagonal', 'portfolioVolatility', [cov2(0.04, 0.01, Infinity, 0.09), WC], 'cov.data', `cov.data: expected finite values, got [1][0] = Infinity`),
  c('cov.data a Float32Array', 'portfolioVolatility', [raw(new Float32Array(4), 2, 2), WC], 'cov.data', `cov.data: expected a Float64Array, got Float32Array(4)`),
  c('weights longer than cov', 'portfolioVolatility', [COV, W], 'weights', `weights: expected 2 (the size of cov), got 3`),
  c('weights matrix wider than cov', 'portfolioVolatility', [COV, W2], 'weights.cols', `weights.cols: expected 2 (the size of cov), got 3`),
  c('portfolioVolatility NaN weight', 'portfolioVolatility', [COV, f64(0.6, NaN)], 'weights', `weights: expected finite weights, got weights[0][1] = NaN`),

  // componentVar
  c('componentVar options not an object', 'componentVar', [R, W, null], 'options', `options: expected an object, got null`),
  c('componentVar method historical', 'componentVar', [R, W, { method: 'historical' }], 'options.method', `options.method: expected 'gaussian' or 'cornish-fisher', got "historical"`),
  c('componentVar confidence 1.5', 'componentVar', [R, W, { method: 'gaussian', confidence: 1.5 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 1.5`),
  c('componentVar option of valueAtRisk', 'componentVar', [R, W, { method: 'gaussian', ddof: 1 }], 'options', `options: expected only the options method, confidence, got unknown option "ddof"`),
  c('componentVar weights of another size', 'componentVar', [R, WC, { method: 'gaussian' }], 'weights', `weights: expected 3 (the columns of returns), got 2`),
  c('componentVar returns a plain array', 'componentVar', [[0.1, 0.2], W, { method: 'gaussian' }], 'returns', `returns: expected ${SERIES_OR_MATRIX}, got an Array of length 2`),
  c('componentVar infinite return', 'componentVar', [withCell(R, 7, Infinity), W, { method: 'cornish-fisher' }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[2][1] = Infinity`),
  c('componentVar infinite weight', 'componentVar', [R, withCell(W2, 5, -Infinity), { method: 'gaussian' }], 'weights', `weights: expected finite weights, got weights[1][2] = -Infinity`),

  // monteCarloVar: model { mean, cov }, weights, options
  c('model null', 'monteCarloVar', [null, WC], 'model', `model: expected { mean, cov }, got null`),
  c('model a number', 'monteCarloVar', [5, WC], 'model', `model: expected { mean, cov }, got 5`),
  c('mean a Float32Array', 'monteCarloVar', [{ mean: new Float32Array(2), cov: COV }, WC], 'mean', `mean: expected a Float64Array, got Float32Array(2)`),
  c('mean a plain array', 'monteCarloVar', [{ mean: [0, 0], cov: COV }, WC], 'mean', `mean: expected a Float64Array, got an Array of length 2`),
  c('mean detached', 'monteCarloVar', [{ mean: detached(2), cov: COV }, WC], 'mean', `mean: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('mean longer than cov', 'monteCarloVar', [{ mean: f64(0, 0, 0), cov: COV }, WC], 'mean', `mean: expected length 2 (the size of cov), got length 3`),
  c('mean NaN', 'monteCarloVar', [{ mean: f64(0, NaN), cov: COV }, WC], 'mean', `mean: expected finite values, got mean[1] = NaN`),
  c('model cov not square', 'monteCarloVar', [{ mean: f64(0, 0), cov: raw(new Float64Array(6), 3, 2) }, WC], 'cov', `cov: expected a square matrix, got 3 x 2`),
  c('model cov not symmetric', 'monteCarloVar', [{ mean: f64(0, 0), cov: cov2(1, 0.5, 0.4, 1) }, WC], 'cov', `cov: expected a symmetric matrix, got [1][0] = 0.4 but [0][1] = 0.5`),
  c('model cov Infinity', 'monteCarloVar', [{ mean: f64(0, 0), cov: cov2(Infinity, 0, 0, 1) }, WC], 'cov.data', `cov.data: expected finite values, got [0][0] = Infinity`),
  c('model cov missing', 'monteCarloVar', [{ mean: f64(0, 0) }, WC], 'cov', `cov: expected a Matrix { data, rows, cols }, got undefined`),
  c('monteCarloVar weights of another size', 'monteCarloVar', [MODEL, W], 'weights', `weights: expected 2 (the size of cov), got 3`),
  c('monteCarloVar NaN weight', 'monteCarloVar', [MODEL, f64(NaN, 1)], 'weights', `weights: expected finite weights, got weights[0][0] = NaN`),
  c('cov indefinite', 'monteCarloVar', [{ mean: f64(0, 0), cov: cov2(1, 2, 2, 1) }, WC], 'cov', `cov: expected a positive definite matrix, got Cholesky pivot 1 = -3 (cov[1][1] less the factored part)`),
  c('cov with a negative variance', 'monteCarloVar', [{ mean: f64(0, 0), cov: cov2(-1, 0, 0, 1) }, WC], 'cov', `cov: expected a positive definite matrix, got Cholesky pivot 0 = -1 (cov[0][0] less the factored part)`),
  c('monteCarloVar options a number', 'monteCarloVar', [MODEL, WC, 5], 'options', `options: expected an object or undefined, got 5`),
  c('paths 0', 'monteCarloVar', [MODEL, WC, { paths: 0 }], 'options.paths', `options.paths: expected an integer >= 1, got 0`),
  c('paths fractional', 'monteCarloVar', [MODEL, WC, { paths: 2.5 }], 'options.paths', `options.paths: expected an integer >= 1, got 2.5`),
  c('horizon 0', 'monteCarloVar', [MODEL, WC, { horizon: 0 }], 'options.horizon', `options.horizon: expected a finite number > 0, got 0`),
  c('horizon Infinity', 'monteCarloVar', [MODEL, WC, { horizon: Infinity }], 'options.horizon', `options.horizon: expected a finite number > 0, got Infinity`),
  c('seed negative', 'monteCarloVar', [MODEL, WC, { seed: -1 }], 'options.seed', `options.seed: expected an integer in [0, 2^53), got -1`),
  c('seed fractional', 'monteCarloVar', [MODEL, WC, { seed: 0.5 }], 'options.seed', `options.seed: expected an integer in [0, 2^53), got 0.5`),
  c('distribution unknown', 'monteCarloVar', [MODEL, WC, { distribution: 't' }], 'options.distribution', `options.distribution: expected 'normal' or { studentT: nu } with a finite nu > 2, got "t"`),
  c('studentT nu 2', 'monteCarloVar', [MODEL, WC, { distribution: { studentT: 2 } }], 'options.distribution', `options.distribution: expected 'normal' or { studentT: nu } with a finite nu > 2, got an object with keys ["studentT"]`),
  c('monteCarloVar confidence 0', 'monteCarloVar', [MODEL, WC, { confidence: 0 }], 'options.confidence', `options.confidence: expected a number in (0, 1), got 0`),
  c('monteCarloVar unknown option', 'monteCarloVar', [MODEL, WC, { path: 10 }], 'options', `options: expected only the options paths, confidence, horizon, seed, distribution, got unknown option "path"`),
  c('paths x portfolios over the longest array', 'monteCarloVar', [MODEL, matrix(f64(1, 0, 0, 1), 2, 2), { paths: MAX }], 'options.paths', `options.paths: expected at most ${Math.floor(MAX / 2)} with 2 portfolios (the losses are paths x portfolios values, at most ${MAX} in one array), got ${MAX}`),

  // monteCarloScenarios
  c('monteCarloScenarios model undefined', 'monteCarloScenarios', [undefined], 'model', `model: expected { mean, cov }, got undefined`),
  c('monteCarloScenarios cov a Float64Array', 'monteCarloScenarios', [{ mean: f64(0, 0), cov: COV.data }], 'cov', `cov: expected a Matrix { data, rows, cols }, got Float64Array(4)`),
  c('monteCarloScenarios cov singular', 'monteCarloScenarios', [{ mean: f64(0, 0), cov: cov2(1, 1, 1, 1) }], 'cov', `cov: expected a positive definite matrix, got Cholesky pivot 1 = 0 (cov[1][1] less the factored part)`),
  c('monteCarloScenarios seed a string', 'monteCarloScenarios', [MODEL, { seed: '7' }], 'options.seed', `options.seed: expected an integer in [0, 2^53), got "7"`),
  c('monteCarloScenarios horizon NaN', 'monteCarloScenarios', [MODEL, { horizon: NaN }], 'options.horizon', `options.horizon: expected a finite number > 0, got NaN`),
  c('monteCarloScenarios unknown option', 'monteCarloScenarios', [MODEL, { nu: 5 }], 'options', `options: expected only the options paths, confidence, horizon, seed, distribution, got unknown option "nu"`),
  c('paths x assets over the longest array', 'monteCarloScenarios', [MODEL, { paths: MAX }], 'options.paths', `options.paths: expected at most ${Math.floor(MAX / 2)} with 2 assets (the scenarios are paths x assets values, at most ${MAX} in one array), got ${MAX}`),
];

describeErrorCases('risk', cases);

describe('matrix() checks what it wraps (no backend)', () => {
  it.each([
    [
      'data shorter than rows x cols',
      () => matrix(f64(1, 2, 3), 2, 2),
      'matrix.data',
      'matrix.data: expected length 4 (rows 2 x cols 2), got length 3',
    ],
    ['rows negative', () => matrix(f64(1, 2), -1, 2), 'matrix.rows', 'matrix.rows: expected an integer >= 0, got -1'],
    ['cols fractional', () => matrix(f64(1, 2), 1, 1.5), 'matrix.cols', 'matrix.cols: expected an integer >= 0, got 1.5'],
    [
      'data a Float32Array',
      () => matrix(new Float32Array(4) as never, 2, 2),
      'matrix.data',
      'matrix.data: expected a Float64Array, got Float32Array(4)',
    ],
    [
      'data detached',
      () => matrix(detached(4), 2, 2),
      'matrix.data',
      'matrix.data: expected a Float64Array with an attached buffer, got a detached buffer',
    ],
  ] as const)('%s', (_title, fn, argument, message) => {
    const error = inputError(fn);
    expect(error.argument).toBe(argument);
    expect(error.message).toBe(message);
  });
});
