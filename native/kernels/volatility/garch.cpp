// GARCH with GJR's terms, the entry of processes.hpp (src/backends/reference/volatility/processes.ts
// garchRecursion and garchPaths, volatility-processes.ts GARCH): its values pass (its derivatives are
// the gradient pass's, model.cpp garchGradient), arch's bounds and grid, and the simulated paths.
#include <algorithm>
#include <cmath>

#include "volatility/passes.hpp"
#include "volatility/processes.hpp"

namespace kernelbus::volatility {

/// The GARCH family's variances: garchGradient's arithmetic in its order without the derivatives, the
/// pre-sample steps apart from the steady loop (no branch per lag).
void garchValues(Problem& pr, const double* theta, bool) {
  const Model& m = pr.m;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  double* sigma2 = pr.sigma2.data();
  const double* alpha = theta + pr.ia;
  const double* gamma = theta + pr.ig;
  const double* beta = theta + pr.ib;
  const double omega = theta[pr.iw];
  const size_t lead = std::min(pr.nobs, std::max(std::max(m.p, m.o), m.q));
  for (size_t t = 0; t < lead; t++) {
    double s = omega;
    for (size_t j = 0; j < m.p; j++) s += t < j + 1 ? alpha[j] * bc : alpha[j] * (e[t - 1 - j] * e[t - 1 - j]);
    for (size_t j = 0; j < m.o; j++) {
      if (t < j + 1)
        s += gamma[j] * 0.5 * bc;
      else if (e[t - 1 - j] < 0)
        s += gamma[j] * (e[t - 1 - j] * e[t - 1 - j]);
    }
    for (size_t j = 0; j < m.q; j++) s += t < j + 1 ? beta[j] * bc : beta[j] * sigma2[t - 1 - j];
    sigma2[t] = boundVariance(pr, t, s);
  }
  for (size_t t = lead; t < pr.nobs; t++) {
    double s = omega;
    for (size_t j = 0; j < m.p; j++) s += alpha[j] * (e[t - 1 - j] * e[t - 1 - j]);
    for (size_t j = 0; j < m.o; j++) {  // selected, not branched on: the sign is the data's
      const double el = e[t - 1 - j];
      s = selectLess(el, 0.0, s + gamma[j] * (el * el), s);
    }
    for (size_t j = 0; j < m.q; j++) s += beta[j] * sigma2[t - 1 - j];
    sigma2[t] = boundVariance(pr, t, s);
  }
}

void garchOmegaBounds(const Problem&, double v, double& lo, double& hi) {
  lo = 1e-8 * v;
  hi = 10 * v;
}

void garchPolytope(const Problem& pr, double v, Polytope& out) {
  const Model& m = pr.m;
  garchOmegaBounds(pr, v, out.lo[pr.iw], out.hi[pr.iw]);
  for (size_t j = 0; j < m.p; j++) {
    out.lo[pr.ia + j] = 0;
    out.hi[pr.ia + j] = 1;
  }
  for (size_t j = 0; j < m.o; j++) {
    out.lo[pr.ig + j] = j < m.p ? -1 : 0;
    out.hi[pr.ig + j] = 2;
    double* r = addRow(out, pr.k);
    r[pr.ig + j] = 1;
    if (j < m.p) r[pr.ia + j] = 1;
    out.b.push_back(0);
  }
  for (size_t j = 0; j < m.q; j++) {
    out.lo[pr.ib + j] = 0;
    out.hi[pr.ib + j] = 1;
  }
  double* r = addRow(out, pr.k);
  for (size_t j = 0; j < m.p; j++) r[pr.ia + j] = -1;
  for (size_t j = 0; j < m.o; j++) r[pr.ig + j] = -0.5;
  for (size_t j = 0; j < m.q; j++) r[pr.ib + j] = -1;
  out.b.push_back(-1);
}

/// GARCH's and EGARCH's starting grid (GARCH.starting_values, EGARCH.starting_values: the same lists but
/// EGARCH's gammas, its target ln v and no alpha or gamma taken from the persistence), each candidate's k
/// values appended to grid: both entries'.
void garchStarts(const Problem& pr, const double* theta, std::vector<double>& grid) {
  const Model& m = pr.m;
  const double meanSq = meanSquare(pr.e.data(), pr.nobs);
  const double alphas[] = {0.01, 0.05, 0.1, 0.2};
  const double egarchGammas[] = {-0.1, 0.0, 0.1};
  const double* gammas = (m.vol == kVolEgarch) ? egarchGammas : alphas;
  const size_t gammaCount = (m.vol == kVolEgarch) ? 3 : 4;
  const double persistences[] = {0.5, 0.7, 0.9, 0.98};
  const double target = (m.vol == kVolEgarch) ? ln(meanSq) : meanSq;
  std::vector<double> sv(theta, theta + pr.k);
  // a component of order 0 leaves the candidates of its loop equal: arch evaluates them all, and its
  // argmax keeps the first of equals, so the first alone gives the same start
  for (size_t ai = 0; ai < (m.p > 0 ? 4 : 1); ai++)
    for (size_t gi = 0; gi < (m.o > 0 ? gammaCount : 1); gi++)
      for (double agb0 : persistences) {
        const double alpha = alphas[ai], gamma = gammas[gi];
        double agb = agb0;
        for (size_t i = pr.iw; i < pr.ib + m.q; i++) sv[i] = (1 - agb) * target;
        if (m.p > 0) {
          for (size_t j = 0; j < m.p; j++) sv[pr.ia + j] = alpha / double(m.p);
          if (m.vol != kVolEgarch) agb -= alpha;
        }
        if (m.o > 0) {
          for (size_t j = 0; j < m.o; j++) sv[pr.ig + j] = gamma / double(m.o);
          if (m.vol != kVolEgarch) agb -= gamma / 2;
        }
        if (m.q > 0)
          for (size_t j = 0; j < m.q; j++) sv[pr.ib + j] = agb / double(m.q);
        grid.insert(grid.end(), sv.begin(), sv.end());
      }
}

/// GARCH's paths: each lag's e^2, e^2 1(e < 0) and sigma^2 (before the sample the backcast, half of it
/// and the backcast).
void garchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums) {
  const Model& m = ext.m;
  const size_t n = ext.nobs - 1;
  const size_t mx = std::max(std::max(m.p, m.o), m.q);
  std::vector<double> sym(mx + horizon), asym(mx + horizon), s(mx + horizon);
  for (size_t i = 0; i < mx; i++) {
    if (n + i < mx) {  // before the sample
      sym[i] = ext.backcast;
      asym[i] = 0.5 * ext.backcast;
      s[i] = ext.backcast;
      continue;
    }
    const size_t t = n + i - mx;
    sym[i] = ext.e[t] * ext.e[t];
    asym[i] = ext.e[t] < 0 ? sym[i] : 0;
    s[i] = ext.sigma2[t];
  }
  for (size_t path = 0; path < simulations; path++) {
    const double* z = draw(path);
    for (size_t h = 0; h < horizon; h++) {
      const size_t at = mx + h;
      double v = params[ext.iw];
      for (size_t j = 0; j < m.p; j++) v += params[ext.ia + j] * sym[at - 1 - j];
      for (size_t j = 0; j < m.o; j++) v += params[ext.ig + j] * asym[at - 1 - j];
      for (size_t j = 0; j < m.q; j++) v += params[ext.ib + j] * s[at - 1 - j];
      s[at] = v;
      const double shock = z[h] * std::sqrt(v);
      sym[at] = shock * shock;
      asym[at] = shock < 0 ? sym[at] : 0;
      sums[h] += v;
    }
  }
}

}  // namespace kernelbus::volatility
