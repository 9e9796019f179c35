// The model at given parameters (src/backends/reference/volatility/filter.ts, function for function):
// arch's am.fix(params) and the analytic forecast.
#include <algorithm>
#include <cmath>
#include <limits>

#include "volatility/processes.hpp"
#include "volatility/fit.hpp"

namespace kernelbus::volatility {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool omegaInBounds(const Problem& pr, const double* theta, double v) {
  double lo, hi;
  processOf(pr.m).omegaBounds(pr, v, lo, hi);
  return theta[pr.iw] >= lo && theta[pr.iw] <= hi;
}

std::vector<double> impulse(size_t steps, const double* ar, size_t p) {
  std::vector<double> out(steps, 0.0);
  out[0] = 1;
  if (p == 0) return out;
  for (size_t i = 1; i < steps; i++) {
    const size_t k = std::min(p - 1, i - 1), st = i > p ? i - p : 0;
    double s = 0;
    for (size_t j = st, l = k; j < i; j++, l--) s += out[j] * ar[l];
    out[i] = s;
  }
  return out;
}

/// GARCH._analytic_forecast beyond the first step (square roots squared, as arch keeps them).
void garchAhead(const Problem& ext, const double* params, size_t horizon, double* vf) {
  const Model& m = ext.m;
  const size_t t = ext.nobs - 1;
  const size_t mx = std::max(std::max(m.p, m.o), m.q);
  std::vector<double> r(mx + horizon, 0.0), asym(mx + horizon, 0.0), s2(mx + horizon, 0.0);
  for (size_t i = 0; i < mx; i++) {
    if (t + i >= mx) {
      const size_t at = t + i - mx;
      r[i] = ext.e[at];
      asym[i] = r[i] < 0 ? r[i] : 0;
      s2[i] = ext.sigma2[at];
    } else {
      r[i] = std::sqrt(ext.backcast);
      asym[i] = std::sqrt(0.5 * ext.backcast);
      s2[i] = ext.backcast;
    }
  }
  for (size_t h = 0; h < horizon; h++) {
    const size_t loc = h + mx - 1;
    double f = params[ext.iw];
    for (size_t j = 0; j < m.p; j++) f += params[ext.ia + j] * (r[loc - j] * r[loc - j]);
    for (size_t j = 0; j < m.o; j++) f += params[ext.ig + j] * (asym[loc - j] * asym[loc - j]);
    for (size_t j = 0; j < m.q; j++) f += params[ext.ib + j] * s2[loc - j];
    vf[h] = f;
    r[h + mx] = std::sqrt(f);
    asym[h + mx] = std::sqrt(0.5 * f);
    s2[h + mx] = f;
  }
}

}  // namespace

void filterSeries(const Model& m, const double* y, size_t T, const double* params, double* out) {
  std::fill(out, out + filterLength(T), kNaN);
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> pr = olsProblem(m, y, T, theta, v);
  if (!pr) {
    out[0] = kFaultConstant;
    return;
  }
  if (!omegaInBounds(*pr, params, v)) {
    out[0] = kFaultOmega;
    return;
  }
  const double ll = -negLogLikelihood(*pr, params);
  // a process past the doubles (APARCH's |e|^delta infinite under an alpha of 0): a fault, as a fit's
  if (std::isnan(ll)) {
    out[0] = kFaultOverflow;
    return;
  }
  out[0] = 0;
  out[1] = ll;
  const size_t L = m.lags;
  double* vol = out + 2;
  double* std_ = out + 2 + T;
  for (size_t t = 0; t < pr->nobs; t++) {
    const double sd = std::sqrt(pr->sigma2[t]);
    vol[L + t] = sd;
    std_[L + t] = pr->e[t] / sd;
  }
}

void forecastSeries(const Model& m, const double* y, size_t T, const double* params, size_t horizon, double* out, size_t simulations,
                    double seed) {
  std::fill(out, out + forecastLength(horizon), kNaN);
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> ols = olsProblem(m, y, T, theta, v);
  if (!ols) {
    out[0] = kFaultConstant;
    return;
  }
  if (!omegaInBounds(*ols, params, v)) {
    out[0] = kFaultOmega;
    return;
  }
  out[0] = 0;
  double* mean = out + 1;
  double* variance = out + 1 + horizon;
  double* vf = out + 1 + 2 * horizon;
  Problem pr(m, y, T);
  const size_t n = pr.nobs;
  residuals(pr, params, pr.e.data());
  const double bc = backcastOf(m, pr.e.data(), n);
  std::vector<double> longer(y, y + T);
  longer.push_back(0);
  Problem ext(m, longer.data(), T + 1);
  ext.backcast = bc;
  varianceBounds(pr.e.data(), n, ext.lower.data(), ext.upper.data());
  ext.lower[n] = 0;
  ext.upper[n] = std::numeric_limits<double>::infinity();
  std::copy(pr.e.begin(), pr.e.end(), ext.e.begin());
  ext.e[n] = 0;
  recursion(ext, params, false);
  vf[0] = ext.sigma2[n];
  if (simulations > 0 && horizon > 1)
    simulateVariance(ext, params, horizon, simulations, seed, vf);
  else if (horizon > 1)
    garchAhead(ext, params, horizon, vf);
  const size_t km = meanCount(m);
  const double c = km > 0 ? params[0] : 0;
  const double* ar = params + (km > 0 ? 1 : 0);
  const size_t L = km > 0 ? km - 1 : 0;
  std::vector<double> path(L + horizon, 0.0);
  for (size_t i = 0; i < L; i++) path[i] = y[T - L + i];
  for (size_t h = 0; h < horizon; h++) {
    double f = c;
    for (size_t j = 0; j < L; j++) f += path[h + j] * ar[L - 1 - j];
    path[L + h] = f;
    mean[h] = f;
  }
  const std::vector<double> imp = impulse(horizon, ar, L);
  for (size_t h = 0; h < horizon; h++) {
    double s = 0;
    for (size_t j = 0; j <= h; j++) s += vf[j] * (imp[h - j] * imp[h - j]);
    variance[h] = s;
  }
  // parameters whose forecast leaves the doubles (EGARCH's paths: exp of a large ln sigma^2): a fault
  for (size_t i = 1; i < forecastLength(horizon); i++) {
    if (!std::isfinite(out[i])) {
      std::fill(out + 1, out + forecastLength(horizon), kNaN);
      out[0] = kFaultOverflow;
      return;
    }
  }
}

}  // namespace kernelbus::volatility
