// EGARCH, the entry of processes.hpp (src/backends/reference/volatility/processes.ts egarchRecursion and
// egarchPaths, volatility-processes.ts EGARCH): the recursion of ln sigma^2 with its forward derivatives,
// arch's bounds, and the simulated paths (its grid is GARCH's: garch.cpp garchStarts).
#include <algorithm>
#include <cmath>
#include <limits>

#include "volatility/processes.hpp"

namespace kernelbus::volatility {

namespace {
const double kSqrt2OvPi = std::sqrt(2 / M_PI);
const double kLnSigmaMax = ln(std::numeric_limits<double>::max()) - 0.1;
const double kLog1e4 = ln(10000.0);
}  // namespace

void egarchRecursion(Problem& pr, const double* theta, bool derivatives) {
  const Model& m = pr.m;
  const size_t k = pr.k, km = pr.iw;
  const double bc = pr.backcast;
  const double* e = pr.e.data();
  double *sigma2 = pr.sigma2.data(), *lnSigma2 = pr.ln.data(), *z = pr.z.data();
  double* dl = derivatives ? pr.ds.data() : nullptr;
  double* dz = derivatives ? pr.dz.data() : nullptr;
  for (size_t t = 0; t < pr.nobs; t++) {
    double* d = dl ? dl + t * k : nullptr;
    if (d) {
      std::fill(d, d + k, 0.0);
      d[pr.iw] = 1;
    }
    double l = theta[pr.iw];
    for (size_t j = 0; j < m.p; j++) {
      if (t < j + 1) continue;
      const size_t lag = t - 1 - j;
      const double a = theta[pr.ia + j];
      l += a * (std::fabs(z[lag]) - kSqrt2OvPi);
      if (d) {
        d[pr.ia + j] += std::fabs(z[lag]) - kSqrt2OvPi;
        const double sign = z[lag] > 0 ? 1 : z[lag] < 0 ? -1 : 0;
        for (size_t i = 0; i < k; i++) d[i] += a * sign * dz[lag * k + i];
      }
    }
    for (size_t j = 0; j < m.o; j++) {
      if (t < j + 1) continue;
      const size_t lag = t - 1 - j;
      const double g = theta[pr.ig + j];
      l += g * z[lag];
      if (d) {
        d[pr.ig + j] += z[lag];
        for (size_t i = 0; i < k; i++) d[i] += g * dz[lag * k + i];
      }
    }
    for (size_t j = 0; j < m.q; j++) {
      const double b = theta[pr.ib + j];
      if (t < j + 1) {
        l += b * bc;
        if (d) d[pr.ib + j] += bc;
      } else {
        const size_t lag = t - 1 - j;
        l += b * lnSigma2[lag];
        if (d) {
          d[pr.ib + j] += lnSigma2[lag];
          for (size_t i = 0; i < k; i++) d[i] += b * dl[lag * k + i];
        }
      }
    }
    if (l > kLnSigmaMax) {
      l = kLnSigmaMax;
      if (d) std::fill(d, d + k, 0.0);
    }
    double s = exp(l);
    if (s < pr.lower[t]) {
      s = pr.lower[t];
      l = ln(s);
      if (d) std::fill(d, d + k, 0.0);
    } else if (s > pr.upper[t]) {
      s = pr.upper[t] + ln(s) - ln(pr.upper[t]);
      l = ln(s);
      if (d)
        for (size_t i = 0; i < k; i++) d[i] /= s;
    }
    sigma2[t] = s;
    lnSigma2[t] = l;
    const double sd = std::sqrt(s);
    z[t] = e[t] / sd;
    if (d) {
      double* dzt = dz + t * k;
      for (size_t i = 0; i < k; i++) dzt[i] = -0.5 * z[t] * d[i];
      for (size_t i = 0; i < km; i++) dzt[i] += residualDerivative(pr, t, i) / sd;
    }
  }
}

void egarchOmegaBounds(const Problem&, double v, double& lo, double& hi) {
  const double lnv = ln(v);
  lo = lnv - kLog1e4;
  hi = lnv + kLog1e4;
}

void egarchPolytope(const Problem& pr, double v, Polytope& out) {
  const Model& m = pr.m;
  egarchOmegaBounds(pr, v, out.lo[pr.iw], out.hi[pr.iw]);
  for (size_t j = 0; j < m.q; j++) {
    out.lo[pr.ib + j] = 0;
    out.hi[pr.ib + j] = double(m.q);
  }
  if (m.q > 0) {
    double* r = addRow(out, pr.k);
    for (size_t j = 0; j < m.q; j++) r[pr.ib + j] = -1;
    out.b.push_back(-1);
  }
}

/// EGARCH's paths: each lag's |z|, z and ln sigma^2 (before the sample sqrt(2 / pi), 0 and the backcast).
void egarchPaths(const Problem& ext, const double* params, size_t horizon, size_t simulations, const Draw& draw, double* sums) {
  const Model& m = ext.m;
  const size_t n = ext.nobs - 1;
  const size_t mx = std::max(std::max(m.p, m.o), m.q);
  std::vector<double> sym(mx + horizon), asym(mx + horizon), s(mx + horizon);
  for (size_t i = 0; i < mx; i++) {
    if (n + i < mx) {  // before the sample
      sym[i] = kSqrt2OvPi;
      asym[i] = 0;
      s[i] = ext.backcast;
      continue;
    }
    const size_t t = n + i - mx;
    const double zt = ext.e[t] / std::sqrt(ext.sigma2[t]);
    sym[i] = std::fabs(zt);
    asym[i] = zt;
    s[i] = ln(ext.sigma2[t]);
  }
  for (size_t path = 0; path < simulations; path++) {
    const double* z = draw(path);
    for (size_t h = 0; h < horizon; h++) {
      const size_t at = mx + h;
      double v = params[ext.iw];
      for (size_t j = 0; j < m.p; j++) v += params[ext.ia + j] * (sym[at - 1 - j] - kSqrt2OvPi);
      for (size_t j = 0; j < m.o; j++) v += params[ext.ig + j] * asym[at - 1 - j];
      for (size_t j = 0; j < m.q; j++) v += params[ext.ib + j] * s[at - 1 - j];
      s[at] = v;
      sym[at] = std::fabs(z[h]);
      asym[at] = z[h];
      sums[h] += exp(v);
    }
  }
}

}  // namespace kernelbus::volatility
