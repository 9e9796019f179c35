/**
 * The optimizers against PyPortfolioOpt's own test expectations (tests/test_efficient_frontier.py at
 * commit 65cabce), on its test data (test/fixtures/pypfopt: 20 stocks' daily prices) set up as its
 * `setup_efficient_frontier()` does: `mean_historical_return(df)` (our expectedReturns, compounded,
 * 252) and `sample_cov(df)` (pandas' pairwise `returns.cov() * 252` of `pct_change().dropna(how="all")`,
 * which is positive definite here, so `fix_nonpositive_semidefinite` leaves it). Each expectation is
 * `portfolio_performance(risk_free_rate=0.02)`: (expected return, volatility, Sharpe ratio). PyPortfolioOpt
 * compares with `assert_allclose` (rtol 1e-7, or atol 1e-6 where its test says so); we agree to 1e-13
 * (the optimum is the same vertex of the same problem), except efficient_risk's return, to 1e-8: its
 * figure comes from cvxpy's interior point, which meets the volatility constraint only to its tolerance.
 */
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/index.js';
import { pairStats } from '../../src/backends/reference/portfolio/portfolio-hrp.js';
import { ref } from '../helpers/backends.js';
import { stockReturns, stocks } from './pypfopt-data.js';

/** sample_cov: pandas' pairwise covariance of the returns, x 252. */
function sampleCov() {
  const { data, rows, cols } = stockReturns;
  const cov = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) cov[i * cols + j] = pairStats(data, rows, cols, i, j)[0] * 252;
  // pandas computes each pair once: the matrix is exactly symmetric
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) cov[i * cols + j] = cov[j * cols + i];
  return matrix(cov, cols, cols);
}

const cov = sampleCov();
const mean = ref.expectedReturns(stocks.data);
const RF = 0.02;

/** (return, volatility, Sharpe) against PyPortfolioOpt's, each within rtol (and atol). */
function expectPerformance(r: { expectedReturn: number; volatility: number }, expected: [number, number, number], rtol: number, atol = 0) {
  const actual = [r.expectedReturn, r.volatility, (r.expectedReturn - RF) / r.volatility];
  actual.forEach((a, k) =>
    expect(Math.abs(a - expected[k]), `${['return', 'volatility', 'sharpe'][k]}: ${a} vs ${expected[k]}`).toBeLessThanOrEqual(
      atol + rtol * Math.abs(expected[k]),
    ),
  );
}

describe("PyPortfolioOpt's test_efficient_frontier.py expectations", () => {
  it('test_min_volatility: (0.15056821399482578, 0.15915084514118694, 0.8204054077060996)', () => {
    const r = ref.minVariance(cov);
    const ret = r.weights.reduce((s, w, i) => s + w * mean[i], 0);
    expectPerformance(
      { expectedReturn: ret, volatility: r.volatility },
      [0.15056821399482578, 0.15915084514118694, 0.8204054077060996],
      1e-13,
    );
    expect(Math.min(...r.weights)).toBeGreaterThanOrEqual(0);
  });

  it('test_max_sharpe_long_only: (0.3047768672819914, 0.22165566922402932, 1.2847714127003216)', () => {
    expectPerformance(ref.maxSharpe(mean, cov, { riskFree: RF }), [0.3047768672819914, 0.22165566922402932, 1.2847714127003216], 1e-13);
  });

  it('test_max_quadratic_utility (risk_aversion=2): (0.3677732711751504, 0.2921342197778279, 1.1904571516463793)', () => {
    expectPerformance(ref.maxUtility(mean, cov, { riskAversion: 2 }), [0.3677732711751504, 0.2921342197778279, 1.1904571516463793], 1e-13);
  });

  it('test_efficient_risk (0.19): (0.2552422849133517, 0.19, 1.2381172871434818) (theirs: atol 1e-6)', () => {
    expectPerformance(ref.efficientRisk(mean, cov, 0.19), [0.2552422849133517, 0.19, 1.2381172871434818], 1e-8);
  });

  it('test_efficient_return (0.25): (0.25, 0.18723269942026335, 1.2284179030274036) (theirs: atol 1e-6)', () => {
    expectPerformance(ref.efficientReturn(mean, cov, 0.25), [0.25, 0.18723269942026335, 1.2284179030274036], 1e-13);
  });
});
