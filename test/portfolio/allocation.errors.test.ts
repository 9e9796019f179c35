/**
 * Every bad input of the allocation kernels through the public API: KernelInputError naming the
 * argument, with the exact message, the same on every backend, sync and async (shape and option
 * errors from the TS layer, data faults from inside each kernel, formatted once by src/kernels/faults.ts).
 */
import { matrix, type Matrix } from '../../src/index.js';
import { describeErrorCases, detached, errorCase as c, f64 } from '../helpers/errors.js';

const COV = matrix(f64(0.04, 0.01, 0.01, 0.09), 2, 2);
const R = matrix(f64(0.01, -0.02, 0.03, 0.02, 0.01, -0.01, -0.01, 0, 0.02), 3, 3);
const P = matrix(f64(100, 50, 101, 49, 102, 51), 3, 2);
const raw = (data: unknown, rows: unknown, cols: unknown) => ({ data, rows, cols }) as unknown as Matrix;
const ASSETS = "'single', 'complete', 'average', 'weighted' or 'ward'";

// biome-ignore format: the table keeps one bad input per line
const cases = [
  // riskParity
  c('riskParity cov an Array', 'riskParity', [[1, 0, 0, 1]], 'cov.rows', `cov.rows: expected an integer >= 0, got undefined`),
  c('riskParity cov not square', 'riskParity', [matrix(f64(1, 2, 3, 4, 5, 6), 2, 3)], 'cov', `cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 2 x 3`),
  c('riskParity cov 0 x 3', 'riskParity', [matrix(new Float64Array(0), 0, 3)], 'cov', `cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 0 x 3`),
  c('riskParity a stacked cov not symmetric', 'riskParity', [matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 0.5, 0.2, 1), 4, 2)], 'cov[1]', `cov[1]: expected a symmetric matrix, got [1][0] = 0.2 but [0][1] = 0.5`),
  c('riskParity a stacked cov NaN', 'riskParity', [matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 0, 0, NaN), 4, 2)], 'cov[1].data', `cov[1].data: expected finite values, got [1][1] = NaN`),
  c('riskParity a zero variance in problem 1', 'riskParity', [matrix(f64(0.04, 0.01, 0.01, 0.09, 0, 0, 0, 1), 4, 2)], 'cov', `cov: expected variances > 0 on the diagonal, got cov[1][0][0] = 0`),
  c('riskParity budgets rows not the stack', 'riskParity', [matrix(f64(0.04, 0.01, 0.01, 0.09, 0.04, 0.01, 0.01, 0.09), 4, 2), { budgets: matrix(f64(1, 1, 1, 2, 2, 1), 3, 2) }], 'options.budgets (rows)', `options.budgets (rows): expected 1 or 2 problems (as the others), got 3`),
  c('riskParity budgets a Matrix of 3 columns', 'riskParity', [COV, { budgets: matrix(f64(1, 1, 1), 1, 3) }], 'options.budgets', `options.budgets: expected N = 2 values or a P x 2 Matrix (one row per problem), got 1 x 3`),
  c('riskParity a zero budget in row 1', 'riskParity', [COV, { budgets: matrix(f64(1, 1, 1, 0), 2, 2) }], 'options.budgets', `options.budgets: expected finite budgets > 0, got budgets[1][1] = 0`),
  c('riskParity cov not symmetric', 'riskParity', [matrix(f64(1, 0.5, 0.2, 1), 2, 2)], 'cov', `cov: expected a symmetric matrix, got [1][0] = 0.2 but [0][1] = 0.5`),
  c('riskParity cov NaN', 'riskParity', [matrix(f64(1, 0, 0, NaN), 2, 2)], 'cov.data', `cov.data: expected finite values, got [1][1] = NaN`),
  c('riskParity cov empty', 'riskParity', [matrix(new Float64Array(0), 0, 0)], 'cov', `cov: expected at least one asset, got 0 x 0`),
  c('riskParity a zero variance', 'riskParity', [matrix(f64(0.04, 0, 0, 0), 2, 2)], 'cov', `cov: expected variances > 0 on the diagonal, got cov[1][1] = 0`),
  c('riskParity no solution', 'riskParity', [matrix(f64(1, -1, -1, 1), 2, 2)], 'cov', `cov: expected a covariance for which risk parity converges (positive definite), got max |y_i (S y)_i - b_i| = 0.5 after 100 Newton steps`),
  c('riskParity cov not PSD', 'riskParity', [matrix(f64(1, 2, 2, 1), 2, 2)], 'cov', 'cov: expected a positive semidefinite matrix (options.repair: true repairs it, options.assumePsd: true skips this test), got pivot -3 at asset 1 in its Cholesky factorization (a negative eigenvalue)'),
  c('riskParity cov not PSD in problem 1', 'riskParity', [matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 2, 2, 1), 4, 2)], 'cov', 'cov: expected a positive semidefinite matrix (options.repair: true repairs it, options.assumePsd: true skips this test), got pivot -3 at asset 1 of covariance 1 in its Cholesky factorization (a negative eigenvalue)'),
  // checkPsd
  c('checkPsd cov not square', 'checkPsd', [matrix(f64(1, 2, 3, 4, 5, 6), 2, 3)], 'cov', `cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 2 x 3`),
  c('checkPsd cov NaN', 'checkPsd', [matrix(f64(1, 0, 0, NaN), 2, 2)], 'cov.data', `cov.data: expected finite values, got [1][1] = NaN`),
  c('checkPsd a stacked cov not symmetric', 'checkPsd', [matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 0.5, 0.2, 1), 4, 2)], 'cov[1]', `cov[1]: expected a symmetric matrix, got [1][0] = 0.2 but [0][1] = 0.5`),
  c('riskParity budgets a plain array', 'riskParity', [COV, { budgets: [0.5, 0.5] }], 'options.budgets', `options.budgets: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 2`),
  c('riskParity budgets too short', 'riskParity', [COV, { budgets: f64(1) }], 'options.budgets', `options.budgets: expected length 2 (the size of cov), got length 1`),
  c('riskParity a zero budget', 'riskParity', [COV, { budgets: f64(1, 0) }], 'options.budgets', `options.budgets: expected finite budgets > 0, got budgets[1] = 0`),
  c('riskParity budgets detached', 'riskParity', [COV, { budgets: detached(2) }], 'options.budgets', `options.budgets: expected a Float64Array with an attached buffer, got a detached buffer`),
  c('riskParity options a number', 'riskParity', [COV, 3], 'options', `options: expected an object, got 3`),
  c('riskParity an unknown option', 'riskParity', [COV, { budget: f64(1, 1) }], 'options', `options: expected only the options budgets, repair, assumePsd, got unknown option "budget"`),

  // hrp
  c('hrp input null', 'hrp', [null], 'input', `input: expected returns (a Matrix) or { cov, corr? }, got null`),
  c('hrp returns.data short', 'hrp', [raw(f64(1, 2, 3), 2, 2)], 'returns.data', `returns.data: expected length 4 (rows 2 x cols 2), got length 3`),
  c('hrp an infinite return', 'hrp', [matrix(f64(0.01, Infinity, 0.02, 0.01), 2, 2)], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[0][1] = Infinity`),
  c('hrp a constant asset', 'hrp', [matrix(f64(0.01, 0.02, 0.01, -0.01, 0.01, 0.03), 3, 2)], 'corr', `corr: expected a correlation for every pair of assets (from returns: two or more common dates, no constant asset), got corr[0][1] = NaN`),
  c('hrp one date', 'hrp', [matrix(f64(0.01, 0.02), 1, 2)], 'corr', `corr: expected a correlation for every pair of assets (from returns: two or more common dates, no constant asset), got corr[0][1] = NaN`),
  c('hrp no assets', 'hrp', [matrix(new Float64Array(0), 3, 0)], 'returns', `returns: expected at least one asset, got no columns`),
  c('hrp cov not symmetric', 'hrp', [{ cov: matrix(f64(1, 0.5, 0.2, 1), 2, 2) }], 'input.cov', `input.cov: expected a symmetric matrix, got [1][0] = 0.2 but [0][1] = 0.5`),
  c('hrp cov a zero variance', 'hrp', [{ cov: matrix(f64(0, 0, 0, 1), 2, 2) }], 'cov', `cov: expected variances > 0 on the diagonal, got cov[0][0] = 0`),
  c('hrp corr of another size', 'hrp', [{ cov: COV, corr: matrix(f64(1), 1, 1) }], 'input.corr', `input.corr: expected 2 x 2 (as cov), got 1 x 1`),
  c('hrp corr NaN', 'hrp', [{ cov: COV, corr: matrix(f64(1, NaN, NaN, 1), 2, 2) }], 'corr', `corr: expected a correlation for every pair of assets (from returns: two or more common dates, no constant asset), got corr[0][1] = NaN`),
  c('hrp a stack of 3 rows of 2', 'hrp', [{ cov: matrix(f64(1, 0, 0, 1, 1, 0), 3, 2) }], 'input.cov', `input.cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 3 x 2`),
  c('hrp a stacked cov not symmetric', 'hrp', [{ cov: matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 0.5, 0.2, 1), 4, 2) }], 'input.cov[1]', `input.cov[1]: expected a symmetric matrix, got [1][0] = 0.2 but [0][1] = 0.5`),
  c('hrp a zero variance in problem 1', 'hrp', [{ cov: matrix(f64(0.04, 0.01, 0.01, 0.09, 1, 0, 0, 0), 4, 2) }], 'cov', `cov: expected variances > 0 on the diagonal, got cov[1][1][1] = 0`),
  c('hrp corr not the stack', 'hrp', [{ cov: matrix(f64(0.04, 0.01, 0.01, 0.09, 0.04, 0.01, 0.01, 0.09), 4, 2), corr: matrix(f64(1, 0, 0, 1), 2, 2) }], 'input.corr', `input.corr: expected 4 x 2 (as cov), got 2 x 2`),
  c('hrp corr NaN in problem 1', 'hrp', [{ cov: matrix(f64(0.04, 0.01, 0.01, 0.09, 0.04, 0.01, 0.01, 0.09), 4, 2), corr: matrix(f64(1, 0.5, 0.5, 1, 1, NaN, NaN, 1), 4, 2) }], 'corr', `corr: expected a correlation for every pair of assets (from returns: two or more common dates, no constant asset), got corr[1][0][1] = NaN`),
  c('hrp an unknown linkage', 'hrp', [R, { linkage: 'centroid' }], 'options.linkage', `options.linkage: expected ${ASSETS}, got "centroid"`),
  c('hrp an unknown option', 'hrp', [R, { method: 'single' }], 'options', `options: expected only the options linkage, got unknown option "method"`),

  // nearestPsd
  c('nearestPsd cov a Float64Array', 'nearestPsd', [f64(1, 0, 0, 1)], 'cov', `cov: expected a Matrix { data, rows, cols }, got Float64Array(4)`),
  c('nearestPsd cov Infinity', 'nearestPsd', [matrix(f64(Infinity, 0, 0, 1), 2, 2)], 'cov.data', `cov.data: expected finite values, got [0][0] = Infinity`),
  c('nearestPsd an unknown method', 'nearestPsd', [COV, { method: 'higham' }], 'options.method', `options.method: expected 'spectral' or 'diag', got "higham"`),

  // expectedReturns
  c('expectedReturns prices an Array', 'expectedReturns', [[1, 2]], 'prices', `prices: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 2`),
  c('expectedReturns a zero price', 'expectedReturns', [matrix(f64(100, 50, 0, 49), 2, 2)], 'prices', `prices: expected finite prices > 0 (NaN for a missing one), got prices[1][0] = 0`),
  c('expectedReturns an infinite return', 'expectedReturns', [matrix(f64(0.1, -Infinity), 2, 1), { returnsData: true }], 'returns', `returns: expected finite returns (NaN for a missing one), got returns[1] = -Infinity`),
  c('expectedReturns an unknown method', 'expectedReturns', [P, { method: 'median' }], 'options.method', `options.method: expected 'mean', 'ema' or 'capm', got "median"`),
  c('expectedReturns span 0', 'expectedReturns', [P, { method: 'ema', span: 0 }], 'options.span', `options.span: expected a finite number > 0, got 0`),
  c('expectedReturns frequency Infinity', 'expectedReturns', [P, { frequency: Infinity }], 'options.frequency', `options.frequency: expected a finite number > 0, got Infinity`),
  c('expectedReturns compounding a number', 'expectedReturns', [P, { compounding: 1 }], 'options.compounding', `options.compounding: expected a boolean, got 1`),
  c('expectedReturns riskFree NaN', 'expectedReturns', [P, { riskFree: NaN }], 'options.riskFree', `options.riskFree: expected a finite number, got NaN`),
  c('expectedReturns benchmark too short', 'expectedReturns', [P, { method: 'capm', benchmark: f64(1, 2) }], 'options.benchmark', `options.benchmark: expected length 3 (the rows of prices), got length 2`),
  c('expectedReturns benchmark a negative price', 'expectedReturns', [P, { method: 'capm', benchmark: f64(1, -2, 3) }], 'options.benchmark', `options.benchmark: expected finite prices > 0 (NaN for a missing one), got benchmark[1] = -2`),
  c('expectedReturns benchmark an infinite return', 'expectedReturns', [R, { method: 'capm', returnsData: true, benchmark: f64(0, Infinity, 0) }], 'options.benchmark', `options.benchmark: expected finite returns (NaN for a missing one), got benchmark[1] = Infinity`),
  c('expectedReturns an unknown option', 'expectedReturns', [P, { periodsPerYear: 252 }], 'options', `options: expected only the options method, compounding, span, frequency, benchmark, riskFree, returnsData, logReturns, got unknown option "periodsPerYear"`),
];

describeErrorCases('portfolio', cases);
