/**
 * Reference componentVar (src/kernels/risk/risk.ts): PerformanceAnalytics' component VaR and ES
 * (VaR/ES(R, portfolio_method = 'component'), methods 'gaussian' and 'modified' with its default
 * operational ES), i.e. VaR.Gaussian.portfolio, ES.Gaussian.portfolio, VaR.CornishFisher.portfolio
 * and operES.CornishFisher.portfolio of R/PortfolioRisk.R, with its moments: mu the column means,
 * sigma the ddof-1 covariance (R's cov), M3 and M4 the population co-moments (M3.MM, M4.MM).
 *
 * No co-moment matrix is formed: with d_t the centred returns of the complete rows and y_t = w'd_t the
 * portfolio's deviation, w'sigma w = sum y_t^2 / (n - 1), M3(w x w) terms = sum y_t^3 / n and
 * M4 = sum y_t^4 / n, and their gradients in w are 2 sum d_t y_t / (n - 1), 3 sum d_t y_t^2 / n and
 * 4 sum d_t y_t^3 / n: O(n N) per portfolio instead of O(N^4).
 *
 * Each contribution is w_i times the derivative of the risk in w_i (Euler): VaR and ES are homogeneous
 * of degree 1 in w, so the contributions sum to the total. Two choices where PerformanceAnalytics has
 * none or would fail: when its zero-variance guard (|w'sigma w| <= 1.5e-8, all.equal(m2, 0)) sets the
 * skewness and kurtosis to 0, their gradients are 0 too (PerformanceAnalytics keeps them, and its
 * contributions then stop adding up); and a portfolio of zero variance (e.g. zero weights) has
 * contributions -w_i mu_i (the volatility term, 0, contributes 0).
 *
 * native/kernels/risk/risk_component.cpp follows this file in the same order of operations.
 */
import { normalPdf, normalQuantile } from '../../../math/special.js';
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { RISK_KERNELS } from '../../../kernels/risk/risk-kernels.js';
import { checkReturns, checkWeights, completeRows } from '../risk-common.js';

/** PerformanceAnalytics' .skewEst/.kurtEst guard: all.equal(m2, 0) holds for |m2| <= 1.5e-8. */
const PA_ZERO_VARIANCE = 1.5e-8;

/**
 * Per portfolio [VaR, ES] then their contributions: out = [var (P), es (P), var contributions (P x N),
 * es contributions (P x N)]; `method` 0 Gaussian, 1 Cornish-Fisher. Complete rows only; fewer than 2
 * gives NaN everywhere.
 */
export function componentVar(
  returns: Float64Array,
  rows: number,
  cols: number,
  weights: Float64Array,
  portfolios: number,
  method: number,
  confidence: number,
): Float64Array {
  checkWeights(weights, cols);
  checkReturns(returns, cols);
  const N = cols;
  const P = portfolios;
  const { out, views: o } = allocateOutputs(RISK_KERNELS.componentVar, returns, rows, cols, weights, portfolios);
  const { data: x, n } = completeRows(returns, rows, cols);
  if (n < 2) return out.fill(NaN);
  const mu = new Float64Array(N);
  for (let t = 0; t < n; t++) for (let i = 0; i < N; i++) mu[i] += x[t * N + i];
  for (let i = 0; i < N; i++) mu[i] /= n;
  const d = x.map((v, k) => v - mu[k % N]);
  const alpha = 1 - confidence;
  const z = normalQuantile(alpha);
  const g1 = new Float64Array(N); // sum_t d_ti y_t
  const g2 = new Float64Array(N); // sum_t d_ti y_t^2
  const g3 = new Float64Array(N); // sum_t d_ti y_t^3
  for (let p = 0; p < P; p++) {
    const w = weights.subarray(p * N, (p + 1) * N);
    let loc = 0;
    for (let i = 0; i < N; i++) loc += w[i] * mu[i];
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    g1.fill(0);
    g2.fill(0);
    g3.fill(0);
    for (let t = 0; t < n; t++) {
      let yt = 0;
      for (let i = 0; i < N; i++) yt += w[i] * d[t * N + i];
      const y2 = yt * yt;
      s2 += y2;
      s3 += y2 * yt;
      s4 += y2 * y2;
      for (let i = 0; i < N; i++) {
        const dti = d[t * N + i];
        g1[i] += dti * yt;
        g2[i] += dti * y2;
        g3[i] += dti * (y2 * yt);
      }
    }
    const pm2 = s2 / (n - 1);
    const sd = Math.sqrt(pm2);
    // d sd / d w_i = dpm2_i / (2 sd), dpm2_i = 2 g1_i / (n - 1): g1_i / ((n - 1) sd); 0 when sd = 0
    const sdScale = sd > 0 ? 1 / ((n - 1) * sd) : 0;
    const varC = o.varContributions.subarray(p * N, (p + 1) * N);
    const esC = o.esContributions.subarray(p * N, (p + 1) * N);
    if (method === 0) {
      const esFactor = normalPdf(z) / alpha;
      o.var[p] = -loc - z * sd;
      o.es[p] = -loc + esFactor * sd;
      for (let i = 0; i < N; i++) {
        const dsd = g1[i] * sdScale;
        varC[i] = w[i] * (-mu[i] - z * dsd);
        esC[i] = w[i] * (-mu[i] + esFactor * dsd);
      }
      continue;
    }
    const pm3 = s3 / n;
    const pm4 = s4 / n;
    const flat = Math.abs(pm2) <= PA_ZERO_VARIANCE;
    const pm2To15 = pm2 * sd;
    const pm2Cubed = pm2 * pm2 * pm2;
    const skew = flat ? 0 : pm3 / pm2To15;
    const exkurt = flat ? 0 : pm4 / (pm2 * pm2) - 3;
    const z2 = z * z;
    const z3 = z2 * z;
    const h = z + (1 / 6) * (z2 - 1) * skew + (1 / 24) * (z3 - 3 * z) * exkurt - (1 / 36) * (2 * z3 - 5 * z) * (skew * skew);
    const h2 = h * h;
    const h3 = h2 * h;
    const h4 = h2 * h2;
    const h6 = h3 * h3;
    const ph = normalPdf(h);
    const bracket = 1 + (h3 * skew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * (skew * skew)) / 72 + ((h4 - 2 * h2 - 1) * exkurt) / 24;
    const E = (ph * bracket) / alpha;
    const floored = !(-E <= h); // operES: the ES is floored at the VaR (min(-E, h) = h)
    o.var[p] = -loc - h * sd;
    o.es[p] = -loc - sd * (floored ? h : -E);
    // d(ES)/dh's factor and the skew/kurtosis factors of operES's derivative
    const dh = (h2 * skew) / 2 + ((6 * h4 * h - 36 * h3 + 18 * h) * (skew * skew)) / 72 + ((4 * h3 - 4 * h) * exkurt) / 24;
    const eScale = (ph * sd) / alpha;
    for (let i = 0; i < N; i++) {
      const dpm2 = (2 * g1[i]) / (n - 1);
      const dpm3 = (3 * g2[i]) / n;
      const dpm4 = (4 * g3[i]) / n;
      const derskew = flat ? 0 : (2 * pm2To15 * dpm3 - 3 * pm3 * sd * dpm2) / (2 * pm2Cubed);
      const derexkurt = flat ? 0 : (pm2 * dpm4 - 2 * pm4 * dpm2) / pm2Cubed;
      const derh = ((z2 - 1) * derskew) / 6 + ((z3 - 3 * z) * derexkurt) / 24 - ((2 * z3 - 5 * z) * skew * derskew) / 18;
      const dsd = g1[i] * sdScale;
      const derVar = -mu[i] - h * dsd - sd * derh;
      varC[i] = w[i] * derVar;
      esC[i] = floored
        ? w[i] * derVar
        : w[i] *
          (-mu[i] +
            E * dsd -
            sd * E * h * derh +
            eScale *
              (derh * dh + (h3 * derskew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * skew * derskew) / 36 + ((h4 - 2 * h2 - 1) * derexkurt) / 24));
    }
  }
  return out;
}
