/**
 * Every bad input of the portfolio optimizers through the public API: KernelInputError naming the
 * argument, with the exact message, the same on every backend, sync and async (shape and option errors
 * from the TS layer; the covariance's faults and the solver's verdicts, infeasible, unbounded, not
 * positive semidefinite, from inside each kernel, formatted once by src/kernels/faults.ts).
 */
import { matrix, type Matrix } from '../../src/index.js';
import { describeErrorCases, detached, errorCase as c, f64, withValue } from '../helpers/errors.js';

const COV = matrix(f64(0.04, 0.006, 0.002, 0.006, 0.09, 0.01, 0.002, 0.01, 0.0225), 3, 3);
const raw = (data: unknown, rows: unknown, cols: unknown) => ({ data, rows, cols }) as unknown as Matrix;
const withCell = (m: Matrix, i: number, v: number) => raw(withValue(m.data, i, v), m.rows, m.cols);
const STACK = matrix(f64(...COV.data, ...COV.data), 6, 3);
const NOT_PSD = matrix(f64(1, 2, 2, 1), 2, 2);
const SECTORS = Int32Array.of(0, 0, 1);
const MU = f64(0.08, 0.12, 0.06);
const FREE = { lower: -Infinity, upper: Infinity };

// biome-ignore format: the table keeps one bad input per line
const cases = [
  c('cov a Float64Array', 'minVariance', [COV.data], 'cov', 'cov: expected a Matrix { data, rows, cols }, got Float64Array(9)'),
  c('cov not square', 'minVariance', [raw(f64(1, 2, 3, 4, 5, 6), 2, 3)], 'cov', 'cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 2 x 3'),
  c('cov empty', 'minVariance', [raw(f64(), 0, 0)], 'cov', 'cov: expected an N x N matrix (N >= 1) or a stack of P of them (P·N rows, N columns), got 0 x 0'),
  c('cov.data detached', 'minVariance', [raw(detached(9), 3, 3)], 'cov.data', 'cov.data: expected a Float64Array with an attached buffer, got a detached buffer'),
  c('cov NaN', 'minVariance', [withCell(COV, 4, NaN)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[1][1] = NaN'),
  c('cov asymmetric', 'minVariance', [withCell(COV, 1, 0.007)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[0][1] = 0.007'),
  c('cov negative variance', 'minVariance', [withCell(COV, 8, -0.01)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[2][2] = -0.01'),
  c('cov Infinity in the second of a stack', 'minVariance', [withCell(STACK, 9 + 4, Infinity)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[1][1][1] = Infinity'),
  c('cov not positive semidefinite', 'minVariance', [NOT_PSD, { bounds: { lower: -1, upper: 2 } }], 'cov', 'cov: expected a positive semidefinite matrix (options.repair: true repairs it, options.assumePsd: true skips this test), got pivot -3 at asset 1 in its Cholesky factorization (a negative eigenvalue)'),
  c('cov not PSD, the test skipped: the solver meets it', 'minVariance', [NOT_PSD, { bounds: { lower: -1, upper: 2 }, assumePsd: true }], 'cov', 'cov: expected a positive semidefinite matrix, got negative curvature -1 freeing asset 1'),
  c('unknown option', 'minVariance', [COV, { bound: {} }], 'options', `options: expected only the options bounds, budget, sectors, sectorBounds, inequality, equality, l2Gamma, repair, assumePsd, got unknown option "bound"`),
  c('bounds not an object', 'minVariance', [COV, { bounds: 1 }], 'options.bounds', 'options.bounds: expected { lower, upper }, got 1'),
  c('bounds lower above upper', 'minVariance', [COV, { bounds: { lower: f64(0, 0.5, 0), upper: 0.4 } }], 'options.bounds', 'options.bounds: expected lower <= upper, lower < Infinity, upper > -Infinity, got lower[1] = 0.5, upper[1] = 0.4'),
  c('bounds NaN', 'minVariance', [COV, { bounds: { upper: NaN } }], 'options.bounds.upper', 'options.bounds.upper: expected a number (-Infinity/Infinity for none), got NaN'),
  c('bounds of the wrong length', 'minVariance', [COV, { bounds: { lower: f64(0, 0) } }], 'options.bounds.lower', 'options.bounds.lower: expected 3 values (one per asset), got length 2'),
  c('bounds matrix of the wrong width', 'minVariance', [COV, { bounds: { upper: matrix(f64(1, 1, 1, 1), 2, 2) } }], 'options.bounds.upper', 'options.bounds.upper: expected a Matrix of P x 3 (one row per problem), got 2 x 2'),
  c('bounds rows unlike the stack', 'minVariance', [STACK, { bounds: { upper: matrix(new Float64Array(9).fill(1), 3, 3) } }], 'options.bounds (rows)', 'options.bounds (rows): expected 1 or 2 problems (as the others), got 3'),
  c('budget NaN', 'minVariance', [COV, { budget: NaN }], 'options.budget', 'options.budget: expected a finite number, got NaN'),
  c('l2Gamma negative', 'minVariance', [COV, { l2Gamma: -1 }], 'options.l2Gamma', 'options.l2Gamma: expected a finite number >= 0, got -1'),
  c('sectors a Float64Array', 'minVariance', [COV, { sectors: f64(0, 0, 1) }], 'options.sectors', 'options.sectors: expected an Int32Array of sector codes, got Float64Array(3)'),
  c('sectors of the wrong length', 'minVariance', [COV, { sectors: Int32Array.of(0, 1) }], 'options.sectors', 'options.sectors: expected 3 codes (one per asset), got length 2'),
  c('sector code negative', 'minVariance', [COV, { sectors: Int32Array.of(0, -1, 1) }], 'options.sectors', 'options.sectors: expected codes in [0, 2^20), got sectors[1] = -1'),
  c('sectorBounds without sectors', 'minVariance', [COV, { sectorBounds: { upper: 0.5 } }], 'options.sectors', 'options.sectors: expected sector codes (options.sectorBounds needs them), got undefined'),
  c('sectorBounds of the wrong length', 'minVariance', [COV, { sectors: SECTORS, sectorBounds: { upper: f64(0.5) } }], 'options.sectorBounds.upper', 'options.sectorBounds.upper: expected 2 values (one per sector code 0..1), got length 1'),
  c('sectorBounds lower above upper', 'minVariance', [COV, { sectors: SECTORS, sectorBounds: { lower: 0.6, upper: f64(0.5, 1) } }], 'options.sectorBounds', 'options.sectorBounds: expected lower <= upper per sector, got sector 0: lower 0.6, upper 0.5'),
  c('inequality A of the wrong width', 'minVariance', [COV, { inequality: { A: matrix(f64(1, 1), 1, 2), b: f64(1) } }], 'options.inequality.A', 'options.inequality.A: expected 3 columns (one per asset), got 2'),
  c('inequality b of the wrong length', 'minVariance', [COV, { inequality: { A: matrix(f64(1, 1, 1), 1, 3), b: f64(1, 2) } }], 'options.inequality.b', 'options.inequality.b: expected 1 values (one per row of A), got length 2'),
  c('equality b infinite', 'minVariance', [COV, { equality: { A: matrix(f64(1, 1, 1), 1, 3), b: f64(Infinity) } }], 'options.equality.b', 'options.equality.b: expected finite numbers, got b[0] = Infinity'),
  c('infeasible budget', 'minVariance', [COV, { budget: 2, bounds: { upper: 0.5 } }], 'options.budget', 'options.budget: expected constraints some portfolio satisfies, got infeasible: the budget (the sum of the weights) cannot hold within the bounds and the other constraints (short by 0.5)'),
  c('infeasible sector', 'minVariance', [COV, { sectors: SECTORS, sectorBounds: { lower: f64(0, 0.5) }, bounds: { upper: f64(1, 1, 0.25) } }], 'options.sectorBounds', 'options.sectorBounds: expected constraints some portfolio satisfies, got infeasible: sector 1\'s bounds cannot hold within the bounds and the other constraints (short by 0.25)'),
  c('infeasible equality in the second problem', 'minVariance', [STACK, { equality: { A: matrix(f64(1, -1, 0), 1, 3), b: f64(0.9) }, bounds: { upper: matrix(f64(1, 1, 1, 0.5, 0.5, 0.5), 2, 3) } }], 'options.equality', 'options.equality: expected constraints some portfolio satisfies, got infeasible: row 0 of A w = b cannot hold within the bounds and the other constraints (short by 0.4) (problem 1)'),

  // the optimizers over expected returns: mean, their options, their verdicts
  c('mean of the wrong length', 'maxSharpe', [f64(0.1, 0.2), COV], 'mean', 'mean: expected 3 expected returns (as cov), got length 2'),
  c('mean a plain array', 'maxUtility', [[0.1, 0.2, 0.1], COV], 'mean', 'mean: expected a Float64Array or a Matrix { data, rows, cols }, got an Array of length 3'),
  c('mean matrix of the wrong width', 'efficientReturn', [matrix(f64(0.1, 0.2), 1, 2), COV, 0.1], 'mean', 'mean: expected N = 3 values or a P x 3 Matrix, got 1 x 2'),
  c('mean rows unlike the stack', 'maxUtility', [matrix(new Float64Array(9), 3, 3), STACK], 'cov (stacked matrices)', 'cov (stacked matrices): expected 1 or 3 problems (as the others), got 2'),
  c('mean NaN', 'maxSharpe', [f64(0.1, NaN, 0.1), COV], 'mean', 'mean: expected finite expected returns, got mean[1] = NaN'),
  c('mean Infinity in the second row', 'efficientRisk', [matrix(f64(0.1, 0.1, 0.1, 0.1, 0.1, Infinity), 2, 3), COV, 0.2], 'mean', 'mean: expected finite expected returns, got mean[1][2] = Infinity'),
  c('riskFree NaN', 'maxSharpe', [MU, COV, { riskFree: NaN }], 'options.riskFree', 'options.riskFree: expected a finite number, got NaN'),
  c('riskAversion 0', 'maxUtility', [MU, COV, { riskAversion: 0 }], 'options.riskAversion', 'options.riskAversion: expected a finite number > 0, got 0'),
  c('riskAversion on maxSharpe', 'maxSharpe', [MU, COV, { riskAversion: 1 }], 'options', 'options: expected only the options bounds, budget, sectors, sectorBounds, inequality, equality, l2Gamma, repair, assumePsd, riskFree, got unknown option "riskAversion"'),
  c('maxSharpe with budget 0', 'maxSharpe', [MU, COV, { budget: 0, bounds: { lower: -1 } }], 'options.budget', 'options.budget: expected a number > 0 (maxSharpe scales a portfolio to it), got 0'),
  c('maxSharpe: no return above riskFree', 'maxSharpe', [MU, COV, { riskFree: 0.2 }], 'mean', 'mean: expected an expected return above options.riskFree within the constraints (PyPortfolioOpt max_sharpe), got none'),
  c('maxSharpe: none within the bounds', 'maxSharpe', [MU, COV, { riskFree: 0.1, bounds: { upper: f64(1, 0, 1) } }], 'mean', 'mean: expected an expected return above options.riskFree within the constraints (PyPortfolioOpt max_sharpe), got none'),
  c('targetReturn NaN', 'efficientReturn', [MU, COV, NaN], 'targetReturn', 'targetReturn: expected a finite number or a Float64Array of them (one per problem), got NaN'),
  c('targetReturn a string', 'efficientReturn', [MU, COV, '0.1'], 'targetReturn', 'targetReturn: expected a finite number or a Float64Array of them (one per problem), got "0.1"'),
  c('targetReturn entry infinite', 'efficientReturn', [MU, COV, f64(0.1, Infinity)], 'targetReturn', 'targetReturn: expected a finite number or a Float64Array of them (one per problem), got targetReturn[1] = Infinity'),
  c('targets unlike the stack', 'efficientReturn', [MU, STACK, f64(0.1, 0.1, 0.1)], 'the targets', 'the targets: expected 1 or 2 problems (as the others), got 3'),
  c('targetReturn out of reach', 'efficientReturn', [MU, COV, 0.2], 'targetReturn', 'targetReturn: expected a target return <= 0.12 (the highest feasible), got 0.2'),
  c('targetReturn out of reach in the second problem', 'efficientReturn', [MU, COV, f64(0.1, 0.13), { bounds: { upper: matrix(f64(1, 1, 1, 0.5, 0.5, 0.5), 2, 3) } }], 'targetReturn', 'targetReturn: expected a target return <= 0.1 (the highest feasible), got 0.13 (problem 1)'),
  c('targetVolatility negative', 'efficientRisk', [MU, COV, -0.1], 'targetVolatility', 'targetVolatility: expected a finite number >= 0 or a Float64Array of them (one per problem), got -0.1'),
  c('targetVolatility below the minimum', 'efficientRisk', [MU, COV, 0.1], 'targetVolatility', 'targetVolatility: expected a target volatility >= 0.12166548712332766 (the lowest feasible), got 0.1'),
  c('maxUtility unbounded (the direction found: asset 1 up, asset 0 down)', 'maxUtility', [f64(0.1, 0), matrix(f64(1, 1, 1, 1), 2, 2), { bounds: FREE }], 'options.bounds', 'options.bounds: expected a bounded problem, got unbounded: the objective decreases without end moving asset 1'),
  c('maxUtility infeasible', 'maxUtility', [MU, COV, { budget: -1 }], 'options.budget', 'options.budget: expected constraints some portfolio satisfies, got infeasible: the budget (the sum of the weights) cannot hold within the bounds and the other constraints (short by 1)'),

  // efficientFrontier
  c('frontier mean rows unlike the stack', 'efficientFrontier', [matrix(new Float64Array(9), 3, 3), STACK], 'cov (stacked matrices)', 'cov (stacked matrices): expected 1 or 3 problems (as the others), got 2'),
  c('frontier mean of the wrong width', 'efficientFrontier', [matrix(f64(0.1, 0.2), 1, 2), COV], 'mean', 'mean: expected N = 3 values or a P x 3 Matrix, got 1 x 2'),
  c('frontier points 0', 'efficientFrontier', [MU, COV, { points: 0 }], 'options.points', 'options.points: expected an integer in [1, 1000000], got 0'),
  c('frontier points fractional', 'efficientFrontier', [MU, COV, { points: 2.5 }], 'options.points', 'options.points: expected an integer in [1, 1000000], got 2.5'),
  c('frontier with a sector option', 'efficientFrontier', [MU, COV, { sectors: SECTORS }], 'options', 'options: expected only the options bounds, points, repair, assumePsd, got unknown option "sectors"'),
  c('frontier bounds rows unlike the stack', 'efficientFrontier', [MU, STACK, { bounds: { upper: matrix(new Float64Array(9).fill(1), 3, 3) } }], 'options.bounds (rows)', 'options.bounds (rows): expected 1 or 2 problems (as the others), got 3'),
  c('frontier bounds infinite', 'efficientFrontier', [MU, COV, { bounds: { lower: f64(0, -Infinity, 0) } }], 'options.bounds', 'options.bounds: expected finite bounds of magnitude at most 1e12 (the critical line algorithm starts from the highest-return portfolio), got lower[1] = -Infinity, upper[1] = 1'),
  c('frontier bounds beyond 1e12 (the turning points would overflow)', 'efficientFrontier', [MU, COV, { bounds: { lower: f64(0, -5e306, 0) } }], 'options.bounds', 'options.bounds: expected finite bounds of magnitude at most 1e12 (the critical line algorithm starts from the highest-return portfolio), got lower[1] = -5e+306, upper[1] = 1'),
  c('frontier bounds infinite in the second problem', 'efficientFrontier', [MU, STACK, { bounds: { upper: matrix(f64(1, 1, 1, 1, Infinity, 1), 2, 3) } }], 'options.bounds', 'options.bounds: expected finite bounds of magnitude at most 1e12 (the critical line algorithm starts from the highest-return portfolio), got lower[1][1] = 0, upper[1][1] = Infinity'),
  c('frontier bounds below the budget in the third problem', 'efficientFrontier', [MU, matrix(f64(...STACK.data, ...COV.data), 9, 3), { bounds: { upper: matrix(f64(1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3), 3, 3) } }], 'options.budget', 'options.budget: expected constraints some portfolio satisfies, got infeasible: the budget (the sum of the weights) cannot hold within the bounds and the other constraints (short by 0.10000000000000009) (problem 2)'),
  c('frontier mean NaN in the second row', 'efficientFrontier', [matrix(f64(0.1, 0.1, 0.1, 0.1, NaN, 0.1), 2, 3), COV], 'mean', 'mean: expected finite expected returns, got mean[1][1] = NaN'),
  c('frontier cov NaN in the second of a stack', 'efficientFrontier', [MU, withCell(STACK, 9 + 4, NaN)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[1][1][1] = NaN'),
  c('frontier bounds below the budget', 'efficientFrontier', [MU, COV, { bounds: { upper: 0.3 } }], 'options.budget', 'options.budget: expected constraints some portfolio satisfies, got infeasible: the budget (the sum of the weights) cannot hold within the bounds and the other constraints (short by 0.10000000000000009)'),
  c('frontier mean NaN', 'efficientFrontier', [f64(0.1, NaN, 0.1), COV], 'mean', 'mean: expected finite expected returns, got mean[1] = NaN'),
  c('frontier cov asymmetric', 'efficientFrontier', [MU, withCell(COV, 2, 0.5)], 'cov', 'cov: expected a finite symmetric matrix with a diagonal >= 0, got cov[0][2] = 0.5'),
];

describeErrorCases('portfolio', cases);
