/**
 * Every bad input of the factor kernels through the public API: KernelInputError naming the argument,
 * with the exact message, the same on every backend (shape and option errors from the TS layer, data
 * faults, a market cap <= 0 or a sector code out of range, from inside each kernel).
 */
import { describe, expect, it } from 'vitest';
import { expWeights, factorExposures } from '../../src/api/index.js';
import { matrix, type FactorInputs, type Matrix } from '../../src/index.js';
import { describeErrorCases, detached, errorCase as c, f64, inputError, withValue } from '../helpers/errors.js';

/** 4 dates x 3 assets. */
const X = matrix(f64(0.01, -0.02, 0.03, 0.02, 0.01, -0.01, -0.01, 0, 0.02, 0.03, -0.01, 0.01), 4, 3);
const CAP = matrix(f64(10, 20, 30, 11, 21, 29, 12, 19, 31, 13, 22, 30), 4, 3);
const INPUTS: FactorInputs = { returns: X, marketCap: CAP, sectors: Int32Array.of(0, 1, 0), styles: { value: X } };
/** 3 assets x 2 factors, its 2 x 2 factor covariance and 3 specific variances. */
const MODEL = {
  exposures: matrix(f64(1, 0.5, 1, -0.5, 1, 0), 3, 2),
  factorCov: matrix(f64(0.04, 0.01, 0.01, 0.09), 2, 2),
  specificVar: f64(0.01, 0.02, 0.03),
};
const W = f64(0.5, 0.3, 0.2);

/** A matrix object as given (not checked by matrix()). */
const raw = (data: unknown, rows: unknown, cols: unknown) => ({ data, rows, cols }) as unknown as Matrix;
const withCell = (m: Matrix, i: number, v: number) => raw(withValue(m.data, i, v), m.rows, m.cols);
const inputs = (change: Record<string, unknown>) => ({ ...INPUTS, ...change });
/** Per-date sector codes (4 x 3) with code v at row-major position i. */
const perDate = (i: number, v: number) => raw(withValue(f64(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0), i, v), 4, 3);

const MATRIX = 'a Matrix { data, rows, cols }';
const CAPS = 'finite market caps > 0 (NaN for a missing one)';
const SECTORS = 'integer sector codes in [0, m) (m: sectorNames.length, else the largest code + 1)';

// biome-ignore format: the table keeps one bad input per line
const cases = [
  // A Float64Array where a panel is taken is one date (1 x N): winsorize(Float64Array) and standardize(Float64Array)
  // are no longer errors (issue 26 item 7), and in factorReturns a Float64Array is a 1 x N panel of the wrong shape.
  c('inputs.returns a Float64Array', 'factorReturns', [inputs({ returns: X.data })], 'inputs.marketCap', `inputs.marketCap: expected a 1 x 12 panel (as inputs.returns), got 4 x 3`),
  c('a listed style a Float64Array', 'factorReturns', [inputs({ styles: [X, f64(1)] })], 'inputs.styles.style 1', `inputs.styles.style 1: expected a 4 x 3 panel (as inputs.returns), got 1 x 1`),
  c('inputs.sectors a Float64Array', 'factorReturns', [inputs({ sectors: f64(0, 1, 0) })], 'inputs.sectors', `inputs.sectors: expected a 4 x 3 panel (as inputs.returns), got 1 x 3`),

  // winsorize, standardize: x (a T x N panel)
  c('winsorize x null', 'winsorize', [null], 'x', `x: expected ${MATRIX}, got null`),
  // (a plain array is read as an object without rows: the message names x.rows, not the array)
  c('standardize x a plain array', 'standardize', [[1, 2, 3]], 'x.rows', `x.rows: expected an integer >= 0, got undefined`),
  c('x.rows negative', 'winsorize', [raw(X.data, -4, 3)], 'x.rows', `x.rows: expected an integer >= 0, got -4`),
  c('x.cols a string', 'standardize', [raw(X.data, 4, '3')], 'x.cols', `x.cols: expected an integer >= 0, got "3"`),
  c('x.data a Float32Array', 'winsorize', [raw(new Float32Array(12), 4, 3)], 'x.data', `x.data: expected a Float64Array, got Float32Array(12)`),
  c('x.data shorter than rows x cols', 'standardize', [raw(X.data.subarray(3), 4, 3)], 'x.data', `x.data: expected length 12 (rows 4 x cols 3), got length 9`),
  c('x.data detached', 'winsorize', [raw(detached(12), 4, 3)], 'x.data', `x.data: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('winsorize lower negative', 'winsorize', [X, { lower: -0.1 }], 'options.lower', `options.lower: expected a number in [0, 1], got -0.1`),
  c('winsorize upper above 1', 'winsorize', [X, { upper: 1.5 }], 'options.upper', `options.upper: expected a number in [0, 1], got 1.5`),
  c('winsorize lower NaN', 'winsorize', [X, { lower: NaN }], 'options.lower', `options.lower: expected a number in [0, 1], got NaN`),
  c('winsorize upper a string', 'winsorize', [X, { upper: '0.95' }], 'options.upper', `options.upper: expected a number in [0, 1], got "0.95"`),
  c('winsorize lower above upper', 'winsorize', [X, { lower: 0.9, upper: 0.1 }], 'options.upper', `options.upper: expected a number >= options.lower (0.9), got 0.1`),
  c('winsorize unknown option', 'winsorize', [X, { lo: 0.1 }], 'options', `options: expected only the options lower, upper, got unknown option "lo"`),

  // momentum
  c('momentum returns a Float32Array', 'momentum', [new Float32Array(12)], 'returns', `returns: expected ${MATRIX}, got Float32Array(12)`),
  c('momentum window 0', 'momentum', [X, { window: 0 }], 'options.window', `options.window: expected an integer >= 1, got 0`),
  c('momentum window fractional', 'momentum', [X, { window: 2.5 }], 'options.window', `options.window: expected an integer >= 1, got 2.5`),
  c('momentum window 2^31', 'momentum', [X, { window: 2 ** 31 }], 'options.window', `options.window: expected an integer >= 1, got 2147483648`),
  c('momentum halfLife 0', 'momentum', [X, { halfLife: 0 }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got 0`),
  c('momentum halfLife Infinity', 'momentum', [X, { halfLife: Infinity }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got Infinity`),
  c('momentum lag negative', 'momentum', [X, { lag: -1 }], 'options.lag', `options.lag: expected an integer >= 0, got -1`),
  c('momentum lag fractional', 'momentum', [X, { lag: 0.5 }], 'options.lag', `options.lag: expected an integer >= 0, got 0.5`),
  c('momentum winsorize above 0.5', 'momentum', [X, { winsorize: 0.6 }], 'options.winsorize', `options.winsorize: expected a number in [0, 0.5], got 0.6`),
  c('momentum unknown option', 'momentum', [X, { windw: 2 }], 'options', `options: expected only the options window, halfLife, lag, winsorize, got unknown option "windw"`),
  c('momentum infinite return', 'momentum', [withCell(X, 4, Infinity), { window: 2, lag: 0, halfLife: 1 }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][1] = Infinity`),

  // size
  c('size marketCap detached', 'size', [raw(detached(12), 4, 3)], 'marketCap.data', `marketCap.data: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('size lower above 1', 'size', [CAP, { lower: 2 }], 'options.lower', `options.lower: expected a number in [0, 1], got 2`),
  c('size lower above upper', 'size', [CAP, { lower: 0.8, upper: 0.2 }], 'options.upper', `options.upper: expected a number >= options.lower (0.8), got 0.2`),
  c('size unknown option', 'size', [CAP, { lower: 0.1, upper: 0.9, x: 1 }], 'options', `options: expected only the options lower, upper, got unknown option "x"`),
  c('size negative market cap', 'size', [withCell(CAP, 4, -5)], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[1][1] = -5`),
  c('size zero market cap', 'size', [withCell(CAP, 0, 0)], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[0][0] = 0`),
  c('size infinite market cap', 'size', [withCell(CAP, 11, Infinity)], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[3][2] = Infinity`),

  // value
  c('value salesPrice of another shape', 'value', [X, raw(X.data, 3, 4), X], 'salesPrice', `salesPrice: expected a 4 x 3 panel (as bookPrice), got 3 x 4`),
  c('value cashFlowPrice of another shape', 'value', [X, X, raw(X.data.subarray(3), 3, 3)], 'cashFlowPrice', `cashFlowPrice: expected a 4 x 3 panel (as bookPrice), got 3 x 3`),
  c('value bookPrice undefined', 'value', [undefined, X, X], 'bookPrice', `bookPrice: expected ${MATRIX}, got undefined`),
  c('value winsorize negative', 'value', [X, X, X, { winsorize: -0.01 }], 'options.winsorize', `options.winsorize: expected a number in [0, 0.5], got -0.01`),
  c('value option misspelt', 'value', [X, X, X, { winsorise: 0.1 }], 'options', `options: expected only the options winsorize, got unknown option "winsorise"`),

  // factorReturns: inputs { returns, marketCap, sectors, styles, sectorNames }
  c('inputs null', 'factorReturns', [null], 'inputs', `inputs: expected { returns, marketCap, sectors, styles }, got null`),
  c('inputs.styles missing', 'factorReturns', [inputs({ styles: undefined })], 'inputs.styles', `inputs.styles: expected a list or a record of T x N score panels, got undefined`),
  c('inputs.marketCap of another shape', 'factorReturns', [inputs({ marketCap: raw(CAP.data, 3, 4) })], 'inputs.marketCap', `inputs.marketCap: expected a 4 x 3 panel (as inputs.returns), got 3 x 4`),
  c('a named style of another shape', 'factorReturns', [inputs({ styles: { value: raw(X.data.subarray(3), 3, 3) } })], 'inputs.styles.value', `inputs.styles.value: expected a 4 x 3 panel (as inputs.returns), got 3 x 3`),
  c('inputs.sectors one code short', 'factorReturns', [inputs({ sectors: Int32Array.of(0, 1) })], 'inputs.sectors', `inputs.sectors: expected 3 sector codes (one per asset), got 2`),
  c('per-date inputs.sectors of another shape', 'factorReturns', [inputs({ sectors: raw(f64(0, 1, 0), 1, 3) })], 'inputs.sectors', `inputs.sectors: expected a 4 x 3 panel (as inputs.returns), got 1 x 3`),
  c('inputs.sectorNames empty', 'factorReturns', [inputs({ sectorNames: [] })], 'inputs.sectorNames', `inputs.sectorNames: expected a non-empty list of strings, got an Array of length 0`),
  c('inputs.sectorNames a string', 'factorReturns', [inputs({ sectorNames: 'tech' })], 'inputs.sectorNames', `inputs.sectorNames: expected a non-empty list of strings, got "tech"`),
  c('inputs.sectorNames not strings', 'factorReturns', [inputs({ sectorNames: [0, 1] })], 'inputs.sectorNames', `inputs.sectorNames: expected a non-empty list of strings, got an Array of length 2`),
  c('factorReturns winsorize 0.7', 'factorReturns', [INPUTS, { winsorize: 0.7 }], 'options.winsorize', `options.winsorize: expected a number in [0, 0.5], got 0.7`),
  c('residualizeStyles a string', 'factorReturns', [INPUTS, { residualizeStyles: 'yes' }], 'options.residualizeStyles', `options.residualizeStyles: expected a boolean, got "yes"`),
  c('factorReturns unknown option', 'factorReturns', [INPUTS, { residualize: false }], 'options', `options: expected only the options winsorize, residualizeStyles, got unknown option "residualize"`),
  c('sector code beyond sectorNames', 'factorReturns', [inputs({ sectors: Int32Array.of(0, 5, 1), sectorNames: ['a', 'b'] })], 'sectors', `sectors: expected ${SECTORS}, got sectors[1] = 5`),
  c('negative sector code', 'factorReturns', [inputs({ sectors: Int32Array.of(0, -1, 1) })], 'sectors', `sectors: expected ${SECTORS}, got sectors[1] = -1`),
  c('fractional per-date sector code', 'factorReturns', [inputs({ sectors: perDate(4, 1.5) })], 'sectors', `sectors: expected ${SECTORS}, got sectors[1][1] = 1.5`),
  c('infinite per-date sector code', 'factorReturns', [inputs({ sectors: perDate(7, Infinity) })], 'sectors', `sectors: expected ${SECTORS}, got sectors[2][1] = Infinity`),
  c('per-date sector code 2^40', 'factorReturns', [inputs({ sectors: perDate(7, 2 ** 40) })], 'sectors', `sectors: expected ${SECTORS}, got sectors[2][1] = 1099511627776`),
  c('factorReturns negative market cap', 'factorReturns', [inputs({ marketCap: withCell(CAP, 5, -5) })], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[1][2] = -5`),
  c('factorReturns zero market cap', 'factorReturns', [inputs({ marketCap: withCell(CAP, 0, 0) })], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[0][0] = 0`),
  c('factorReturns infinite market cap', 'factorReturns', [inputs({ marketCap: withCell(CAP, 11, Infinity) })], 'marketCap', `marketCap: expected ${CAPS}, got marketCap[3][2] = Infinity`),
  c('factorReturns infinite return', 'factorReturns', [inputs({ returns: withCell(X, 3, Infinity) })], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1][0] = Infinity`),

  // factorCovariance, specificRisk
  c('factorCovariance panel a plain array', 'factorCovariance', [[0.1, 0.2]], 'factorReturns.rows', `factorReturns.rows: expected an integer >= 0, got undefined`),
  c('factorCovariance panel a number', 'factorCovariance', [0.1], 'factorReturns', `factorReturns: expected ${MATRIX}, got 0.1`),
  c('factorCovariance halfLife 0', 'factorCovariance', [X, { halfLife: 0 }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got 0`),
  c('factorCovariance halfLife a string', 'factorCovariance', [X, { halfLife: '90' }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got "90"`),
  c('neweyWestLags negative', 'factorCovariance', [X, { neweyWestLags: -1 }], 'options.neweyWestLags', `options.neweyWestLags: expected an integer in [0, 10000], got -1`),
  c('neweyWestLags 10001', 'factorCovariance', [X, { neweyWestLags: 10_001 }], 'options.neweyWestLags', `options.neweyWestLags: expected an integer in [0, 10000], got 10001`),
  c('neweyWestLags fractional', 'factorCovariance', [X, { neweyWestLags: 1.5 }], 'options.neweyWestLags', `options.neweyWestLags: expected an integer in [0, 10000], got 1.5`),
  c('factorCovariance unknown option', 'factorCovariance', [X, { lags: 2 }], 'options', `options: expected only the options halfLife, neweyWestLags, got unknown option "lags"`),
  c('specificRisk residuals.data a plain array', 'specificRisk', [raw(Array.from(X.data), 4, 3)], 'residuals.data', `residuals.data: expected a Float64Array, got an Array of length 12`),
  c('specificRisk halfLife negative', 'specificRisk', [X, { halfLife: -90 }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got -90`),
  c('specificRisk halfLife NaN', 'specificRisk', [X, { halfLife: NaN }], 'options.halfLife', `options.halfLife: expected a finite number > 0, got NaN`),
  c('specificRisk option of factorCovariance', 'specificRisk', [X, { neweyWestLags: 2 }], 'options', `options: expected only the options halfLife, got unknown option "neweyWestLags"`),

  // riskDecomposition: model { exposures, factorCov, specificVar }, weights
  c('model null', 'riskDecomposition', [null, W], 'model', `model: expected { exposures, factorCov, specificVar }, got null`),
  c('model.exposures missing', 'riskDecomposition', [{ ...MODEL, exposures: undefined }, W], 'model.exposures', `model.exposures: expected ${MATRIX}, got undefined`),
  c('model.factorCov not square', 'riskDecomposition', [{ ...MODEL, factorCov: raw(new Float64Array(6), 2, 3) }, W], 'model.factorCov', `model.factorCov: expected a square matrix, got 2 x 3`),
  c('model.factorCov not symmetric', 'riskDecomposition', [{ ...MODEL, factorCov: raw(f64(0.04, 0.01, 0.02, 0.09), 2, 2) }, W], 'model.factorCov', `model.factorCov: expected a symmetric matrix, got [1][0] = 0.02 but [0][1] = 0.01`),
  c('model.factorCov NaN', 'riskDecomposition', [{ ...MODEL, factorCov: raw(f64(NaN, 0.01, 0.01, 0.09), 2, 2) }, W], 'model.factorCov.data', `model.factorCov.data: expected finite values, got [0][0] = NaN`),
  c('model.factorCov of another size', 'riskDecomposition', [{ ...MODEL, factorCov: matrix(f64(1, 0, 0, 0, 1, 0, 0, 0, 1), 3, 3) }, W], 'model.factorCov', `model.factorCov: expected 2 x 2 (the factors of model.exposures), got 3 x 3`),
  c('model.specificVar a Float32Array', 'riskDecomposition', [{ ...MODEL, specificVar: new Float32Array(3) }, W], 'model.specificVar', `model.specificVar: expected a Float64Array, got Float32Array(3)`),
  c('model.specificVar detached', 'riskDecomposition', [{ ...MODEL, specificVar: detached(3) }, W], 'model.specificVar', `model.specificVar: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('model.specificVar one short', 'riskDecomposition', [{ ...MODEL, specificVar: f64(0.01, 0.02) }, W], 'model.specificVar', `model.specificVar: expected 3 values (the assets of model.exposures), got 2`),
  c('model.specificVar NaN', 'riskDecomposition', [{ ...MODEL, specificVar: f64(0.01, NaN, 0.03) }, W], 'model.specificVar', `model.specificVar: expected finite variances >= 0, got [1] = NaN`),
  c('model.specificVar negative', 'riskDecomposition', [{ ...MODEL, specificVar: f64(0.01, 0.02, -0.03) }, W], 'model.specificVar', `model.specificVar: expected finite variances >= 0, got [2] = -0.03`),
  c('riskDecomposition weights of another size', 'riskDecomposition', [MODEL, f64(0.5, 0.5)], 'weights', `weights: expected 3 (the assets of model.exposures), got 2`),
  c('riskDecomposition weights matrix of another width', 'riskDecomposition', [MODEL, matrix(f64(1, 0, 0, 1), 2, 2)], 'weights.cols', `weights.cols: expected 3 (the assets of model.exposures), got 2`),
  c('riskDecomposition NaN weight', 'riskDecomposition', [MODEL, withValue(W, 1, NaN)], 'weights', `weights: expected finite weights, got weights[0][1] = NaN`),
];

describeErrorCases('factor', cases);

describe('factorExposures() and expWeights() (kernelbus/kernels, no backend)', () => {
  const styles = [matrix(f64(1, 2, 3, 4, 5, 6), 2, 3)];
  it.each([
    ['inputs null', () => factorExposures(null as never), 'inputs', 'inputs: expected { sectors, styles }, got null'],
    [
      'from past the last date',
      () => factorExposures({ sectors: Int32Array.of(0, 1, 0), styles }, { from: 2 }),
      'options.from',
      'options.from: expected an integer in [0, 1], got 2',
    ],
    [
      'to not after from',
      () => factorExposures({ sectors: Int32Array.of(0, 1, 0), styles }, { from: 1, to: 1 }),
      'options.to',
      'options.to: expected an integer in [2, 2], got 1',
    ],
    [
      'styles of another width than sectors',
      () => factorExposures({ sectors: Int32Array.of(0, 1), styles }),
      'inputs.styles',
      'inputs.styles: expected panels of 2 assets (as inputs.sectors), got 3',
    ],
    [
      'styles of different shapes',
      () => factorExposures({ sectors: Int32Array.of(0, 1, 0), styles: [...styles, matrix(f64(1, 2, 3), 1, 3)] }),
      'inputs.styles.style 1',
      'inputs.styles.style 1: expected a 2 x 3 panel (as inputs.styles.style 0), got 1 x 3',
    ],
    ['expWeights window 0', () => expWeights(0, 1), 'window', 'window: expected an integer >= 1, got 0'],
    ['expWeights halfLife 0', () => expWeights(3, 0), 'halfLife', 'halfLife: expected a finite number > 0, got 0'],
  ] as const)('%s', (_title, fn, argument, message) => {
    const error = inputError(fn);
    expect(error.argument).toBe(argument);
    expect(error.message).toBe(message);
  });
});
