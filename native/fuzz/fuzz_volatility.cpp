// libFuzzer target of the volatility family (native/kernels/volatility): the packed model's check, the
// recursion and likelihood, the fit, the filter and the forecast. Invariants (docs/fuzzing.md):
// - unpackModel accepts exactly the models the TS resolver makes (orders in range, o <= p for GARCH,
//   p + o >= 1 for EGARCH, lags exactly for an AR mean) and never reads past seven numbers;
// - finite returns of |y| <= 1e100 (squares finite) and parameters within arch's bounds: every
//   conditional variance finite and > 0, the likelihood and its gradient finite (no NaN), but for
//   APARCH where some |e|^delta passes the doubles (the process itself is past them);
// - a fit of finite returns: a constant-series fault, an overflow fault (the process past the doubles:
//   every other output NaN), or parameters finite within the bounds and
//   constraints (never NaN), a status 0-2, a log-likelihood that is a number; 2 threads give the same
//   bytes as one (each column fitted whole by one thread);
// - filter and forecast (analytic, or simulated: EGARCH beyond one step) at the fit's parameters:
//   finite outputs, or a fault in the status slot;
// - garchVar (varColumns): a fault (a refit's among them), or NaN exactly before the window and
//   finite VaR <= ES after it; 2 threads the same bytes as one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "input.hpp"
#include "invariants.hpp"
#include "parallel.hpp"
#include "volatility/fit.hpp"
#include "volatility/aparch.hpp"
#include "volatility/passes.hpp"

using namespace kernelbus;
using namespace kernelbus::volatility;
using kernelbus::fuzz::require;

namespace {

bool finite(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

/// A model as the resolver makes one (small orders: the fit's cost grows with them).
Model model(fuzz::Input& in) {
  Model m;
  m.vol = in.in<int>(kVolGarch, kVolAparch);
  m.p = in.in<size_t>(m.vol == kVolEgarch ? 0 : 1, 2);
  m.o = in.in<size_t>(m.vol == kVolEgarch && m.p == 0 ? 1 : 0, m.vol == kVolEgarch ? 1 : m.p);
  m.q = in.in<size_t>(0, 2);
  m.mean = in.in<int>(0, 2);
  m.lags = m.mean == kMeanAr ? in.in<size_t>(1, 2) : 0;
  m.dist = in.in<int>(0, kDistCount - 1);
  if (m.vol == kVolAparch && in.flag()) m.delta = in.real(0.06, 3.9);  // APARCH's power fixed, else estimated
  return m;
}

/// Finite returns of |y| <= 1e100: percent-like, huge, tiny, steps, or constant.
std::vector<double> returns(fuzz::Input& in, size_t T) {
  std::vector<double> y(T);
  const int shape = in.in<int>(0, 5);
  const double scale = shape == 3 ? std::pow(10.0, in.real(-200, 100)) : 1;
  for (double& v : y) {
    if (shape == 4) {
      v = 0.25;
      continue;
    }
    double x = shape == 5 ? in.anyDouble() : in.real(-10, 10) * scale;
    if (!std::isfinite(x) || std::fabs(x) > 1e100) x = in.real(-1, 1);
    v = x;
  }
  return y;
}

/// Parameters within the bounds and constraints of pr (arch's, v the OLS residuals' mean square).
std::vector<double> params(fuzz::Input& in, const Problem& pr, double v) {
  const Polytope p = polytope(pr, v);
  std::vector<double> x(pr.k);
  for (size_t i = 0; i < pr.k; i++) {
    const double lo = std::isfinite(p.lo[i]) ? p.lo[i] : -5, hi = std::isfinite(p.hi[i]) ? p.hi[i] : 5;
    x[i] = in.flag() ? (in.flag() ? lo : hi) : in.real(lo, hi);
  }
  // onto the rows: alpha + gamma >= 0 (gamma raised), the persistence <= 1 (everything shrunk)
  const Model& m = pr.m;
  for (size_t j = 0; j < m.o && m.vol == kVolGarch; j++)
    if (j < m.p && x[pr.ia + j] + x[pr.ig + j] < 0) x[pr.ig + j] = -x[pr.ia + j];
  double persistence = 0;
  for (size_t r = 0; r < p.rows; r++) {
    double s = 0;
    for (size_t i = 0; i < pr.k; i++) s -= p.a[r * pr.k + i] * x[i];
    if (p.b[r] == -1) persistence = s;
  }
  if (persistence > 1) {
    const size_t first = m.vol == kVolEgarch ? pr.ib : pr.ia;
    for (size_t i = first; i < pr.ib + m.q; i++) x[i] /= persistence * (1 + 1e-12);
  }
  return x;
}

bool within(const Polytope& p, const double* x, size_t k) {
  for (size_t i = 0; i < k; i++)
    if (!(x[i] >= p.lo[i] && x[i] <= p.hi[i])) return false;
  for (size_t r = 0; r < p.rows; r++) {
    double s = 0;
    for (size_t i = 0; i < k; i++) s += p.a[r * k + i] * x[i];
    if (!(s >= p.b[r] - 1e-12)) return false;
  }
  return true;
}

void checkUnpack(fuzz::Input& in) {
  std::vector<double> raw(in.in<size_t>(0, 8));
  for (double& v : raw) v = in.flag() ? double(in.in<int>(-1, 22)) : in.anyDouble();
  Model m;
  const bool ok = unpackModel(raw.data(), raw.size(), m);
  if (!ok) return;
  require(raw.size() == kModelLength && m.p <= kMaxOrder && m.o <= kMaxOrder && m.q <= kMaxOrder);
  require(m.vol == kVolEgarch ? m.p + m.o >= 1 : (m.p >= 1 && m.o <= m.p));
  require(m.vol == kVolAparch || m.delta == 0);
  require((m.mean == kMeanAr) == (m.lags > 0));
}

/// lanes.cpp and hessian.cpp against the scalar passes: the same bits (values and gradients) at x and at
/// three more points within the bounds.
void checkLanes(fuzz::Input& in, Problem& pr, double v, const std::vector<double>& x) {
  const size_t k = pr.k;
  std::vector<double> thetas(4 * k), f4(4), g4(4 * k), g(k), h(k * k);
  for (size_t l = 0; l < 4; l++) {
    const std::vector<double> p = l == 0 ? x : params(in, pr, v);
    std::copy(p.begin(), p.end(), thetas.begin() + std::ptrdiff_t(l * k));
  }
  if (const GradientLanes lanes = garch11GradientLanes(pr.m)) {
    lanes(pr, thetas.data(), f4.data(), g4.data());
    for (size_t l = 0; l < 4; l++) {
      const double f = negLogLikelihood(pr, thetas.data() + l * k, g.data());
      require(std::memcmp(&f, &f4[l], sizeof f) == 0 && std::memcmp(g.data(), g4.data() + l * k, k * sizeof(double)) == 0);
    }
  }
  if (garch11Hessian(pr.m)) {
    for (size_t l = 0; l < 4; l++) {
      const double fh = negLogLikelihoodHessian(pr, thetas.data() + l * k, g4.data(), h.data());
      const double f = negLogLikelihood(pr, thetas.data() + l * k, g.data());
      require(std::memcmp(&f, &fh, sizeof f) == 0 && std::memcmp(g.data(), g4.data(), k * sizeof(double)) == 0);
    }
  }
  if (const GridLanes grid = garch11GridLanes(pr.m)) {  // the normal's, whatever the model's distribution
    residuals(pr, thetas.data(), pr.e.data());          // the grid's residuals: the first point's mean
    for (size_t l = 1; l < 4; l++)
      std::copy(thetas.begin(), thetas.begin() + std::ptrdiff_t(pr.iw), thetas.begin() + std::ptrdiff_t(l * k));
    std::vector<double> t8(8 * k), f8(8);  // eight points: the four, then the four in the other order
    for (size_t l = 0; l < 8; l++)
      std::copy(thetas.begin() + std::ptrdiff_t((l < 4 ? l : 7 - l) * k), thetas.begin() + std::ptrdiff_t(((l < 4 ? l : 7 - l) + 1) * k),
                t8.begin() + std::ptrdiff_t(l * k));
    grid(pr, t8.data(), f8.data());
    for (size_t l = 0; l < 8; l++) {
      const double f = -garch11Value(pr.m)(pr, t8.data() + l * k, Dist(kDistNormal, t8.data(), 0));
      require(std::memcmp(&f, &f8[l], sizeof f) == 0);
    }
  }
}

void checkLikelihood(fuzz::Input& in, const Model& m, const std::vector<double>& y) {
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> pr = olsProblem(m, y.data(), y.size(), theta, v);
  if (!pr) return;
  const std::vector<double> x = params(in, *pr, v);
  require(within(polytope(*pr, v), x.data(), pr->k));
  std::vector<double> grad(pr->k);
  const double f = negLogLikelihood(*pr, x.data(), grad.data());
  // am.fix at these parameters: figures whose log-likelihood is not NaN, or the overflow fault with
  // every other output NaN (an alpha of 0 times an |e|^delta past the doubles)
  std::vector<double> filtered(filterLength(y.size()));
  filterSeries(m, y.data(), y.size(), x.data(), filtered.data());
  require(filtered[0] == 0 || filtered[0] == kFaultOverflow);
  if (filtered[0] == 0)
    require(!std::isnan(filtered[1]));
  else
    require(std::all_of(filtered.begin() + 1, filtered.end(), [](double o) { return std::isnan(o); }));
  // APARCH's |e|^delta past the doubles (residuals near 1e90 with delta 3.9: the seed
  // aparch-power-past-the-doubles): the process is outside the doubles, the likelihood NaN; a fit
  // there is the overflow fault (checkFit), so is a filter (above)
  if (m.vol == kVolAparch) {
    const double delta = aparchDelta(*pr, x.data());
    for (size_t t = 0; t < pr->nobs; t++)
      if (std::isinf(std::pow(std::fabs(pr->e[t]), delta))) return;
  }
  // a gradient past the doubles (e^2 / sigma^4 where a residual is 1e150 sigmas out) is infinite, never NaN;
  // -ll is finite but for the GED's |z / c|^nu past the doubles (nu 500, z 400: the seed
  // ged-power-past-the-doubles), where the likelihood is 0 and -ll +inf, as arch's
  require(!std::isnan(f) && (std::isfinite(f) || (f > 0 && m.dist == kDistGed)));
  require(std::none_of(grad.begin(), grad.end(), [](double g) { return std::isnan(g); }));
  for (size_t t = 0; t < pr->nobs; t++) require(std::isfinite(pr->sigma2[t]) && pr->sigma2[t] > 0);
  require(negLogLikelihood(*pr, x.data()) == f);
  checkLanes(in, *pr, v, x);
}

void checkFit(fuzz::Input& in, const Model& m, const std::vector<double>& y) {
  const size_t T = y.size(), k = paramCount(m), length = fitLength(m, T);
  std::vector<double> out(length, 0.0);
  fitSeries(m, y.data(), T, out.data(), nullptr, true);
  const double status = out[2 * k + 1];
  if (status == kFaultConstant) return;
  if (status == kFaultOverflow) {  // a process past the doubles: every other output NaN
    for (size_t i = 0; i < length; i++) require(i == size_t(2 * k + 1) || std::isnan(out[i]));
    return;
  }
  require(status == 0 || status == 1 || status == 2);
  std::vector<double> theta;
  double v = 0;
  std::unique_ptr<Problem> pr = olsProblem(m, y.data(), T, theta, v);
  require(pr != nullptr);
  require(within(polytope(*pr, v), out.data(), k));
  require(!std::isnan(out[2 * k]));
  // two columns on two threads: the same bytes as the one-series fit
  if (in.flag()) {
    std::vector<double> panel(2 * T), two(2 * length);
    for (size_t t = 0; t < T; t++) panel[2 * t] = panel[2 * t + 1] = y[t];
    setThreadCount(2);
    fitColumns(m, panel.data(), T, 2, nullptr, two.data());
    setThreadCount(1);
    require(std::memcmp(two.data(), out.data(), length * sizeof(double)) == 0);
    require(std::memcmp(two.data() + length, out.data(), length * sizeof(double)) == 0);
  }
  std::vector<double> filtered(filterLength(T));
  filterSeries(m, y.data(), T, out.data(), filtered.data());
  require(filtered[0] == 0 || filtered[0] == kFaultOmega);
  if (filtered[0] == 0) require(std::isfinite(filtered[1]));
  const bool simulated = in.flag();
  const size_t horizon = m.vol != kVolGarch && !simulated ? 1 : in.in<size_t>(1, 12);
  std::vector<double> forecast(forecastLength(horizon));
  forecastSeries(m, y.data(), T, out.data(), horizon, forecast.data(), simulated ? in.in<size_t>(1, 50) : 0,
                 double(in.in<uint32_t>(0, 1000)));
  if (forecast[0] == 0) require(finite(forecast));
}

void checkVar(fuzz::Input& in, const Model& m, const std::vector<double>& y) {
  const size_t T = y.size();
  VarOptions o;
  o.window = in.in<size_t>(minReturns(m), T);
  // at most four fits a column (each a few ms under the sanitizers; under qemu-user 20-50x that)
  o.refit = std::max<size_t>(1, (T - o.window + 3) / 4) + in.in<size_t>(0, 11);
  o.confidence = in.real(0.5, 0.999);
  o.method = in.flag() ? 1 : 0;
  std::vector<double> out(varLength(T), 0.0);
  varColumns(m, y.data(), T, 1, o, out.data());
  const double status = out[0];
  require(status == 0 || status == kFaultConstant || status == kFaultOmega || status == kFaultOverflow);
  if (status != 0) return;
  for (size_t t = 0; t < T; t++) {
    const double var = out[1 + t], es = out[1 + T + t];
    if (t < o.window) {
      require(std::isnan(var) && std::isnan(es));
    } else {
      require(std::isfinite(var) && std::isfinite(es) && es >= var - 1e-9 * std::fabs(var));
    }
  }
  // two columns on two threads: the same bytes as one
  if (in.flag()) {
    std::vector<double> panel(2 * T), two(2 * varLength(T));
    for (size_t t = 0; t < T; t++) panel[2 * t] = panel[2 * t + 1] = y[t];
    setThreadCount(2);
    varColumns(m, panel.data(), T, 2, o, two.data());
    setThreadCount(1);
    require(std::memcmp(two.data(), out.data(), out.size() * sizeof(double)) == 0);
    require(std::memcmp(two.data() + out.size(), out.data(), out.size() * sizeof(double)) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const int which = in.in<int>(0, 3);
  if (which == 0) {
    checkUnpack(in);
    return 0;
  }
  const Model m = model(in);
  const size_t T = in.in<size_t>(minReturns(m), which == 1 ? 200 : 40);
  const std::vector<double> y = returns(in, T);
  if (which == 1)
    checkLikelihood(in, m, y);
  else if (which == 2)
    checkFit(in, m, y);
  else
    checkVar(in, m, y);
  return 0;
}
