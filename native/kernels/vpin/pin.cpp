// See pin.hpp. Follows src/backends/reference/vpin/pin.ts function for function.
#include "pin.hpp"

#include <array>
#include <cmath>
#include <vector>

#include "elementary.hpp"
#include "nelder_mead.hpp"
#include "parallel.hpp"
#include "math/special.hpp"

namespace kernelbus::pin {
namespace {

using elementary::expNonPositive;
using elementary::log1pNonNegative;
using elementary::logNonNegative;

/// k log x with 0 log 0 = 0, log x given (computed once per evaluation: the same value every day).
inline double xlogy(double k, double logX) { return k == 0 ? 0 : k * logX; }

/// JS's Math.max of three (NaN wins).
inline double max3(double x, double y, double z) { return nm::maxJs(nm::maxJs(x, y), z); }

/// log(e^x + e^y + e^z), -inf when all three are.
inline double logSumExp3(double x, double y, double z) {
  const double m = max3(x, y, z);
  if (m == -INFINITY) return -INFINITY;
  return m + logNonNegative(expNonPositive(x - m) + expNonPositive(y - m) + expNonPositive(z - m));
}

/// sum over days of log B! + log S!.
double logFactorials(const double* buys, const double* sells, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += logFactorial(buys[i]) + logFactorial(sells[i]);
  return sum;
}

/// The log-likelihood without sum(log B! + log S!) (pin.ts logLikelihoodCore).
double logLikelihoodCore(const Params& p, const double* buys, const double* sells, size_t n, Factorization f) {
  const double a = p.alpha, d = p.delta, mu = p.mu, eb = p.epsilonBuy, es = p.epsilonSell;
  const double wGood = logNonNegative(a * (1 - d));
  const double wBad = logNonNegative(a * d);
  const double wNone = logNonNegative(1 - a);
  const bool direct = eb == 0 || es == 0;
  const double lb = direct ? 0 : log1pNonNegative(mu / eb);
  const double ls = direct ? 0 : log1pNonNegative(mu / es);
  const double logEb = logNonNegative(eb), logEs = logNonNegative(es);
  const double logEbMu = logNonNegative(eb + mu), logEsMu = logNonNegative(es + mu);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    const double b = buys[i], s = sells[i];
    double day;
    if (direct) {
      const double nb = xlogy(b, logEb) - eb;
      const double ns = xlogy(s, logEs) - es;
      day = logSumExp3(wGood + xlogy(b, logEbMu) - eb - mu + ns, wBad + nb + xlogy(s, logEsMu) - es - mu, wNone + nb + ns);
    } else if (f == Factorization::E) {
      const double g1 = -mu + b * lb;
      const double g2 = -mu + s * ls;
      day = xlogy(b, logEb) + xlogy(s, logEs) - (eb + es) + logSumExp3(wGood + g1, wBad + g2, wNone);
    } else if (f == Factorization::LK) {
      const double e1 = -mu - b * lb;
      const double e2 = -mu - s * ls;
      const double e3 = -b * lb - s * ls;
      day = xlogy(b, logEbMu) + xlogy(s, logEsMu) - (eb + es) + logSumExp3(wBad + e1, wGood + e2, wNone + e3);
    } else {
      const double m = std::min(b, s) + std::max(b, s) / 2;
      const double lxb = -lb;
      const double lxs = -ls;
      const double base = xlogy(b, logEbMu) + xlogy(s, logEsMu) + m * lxb + m * lxs - (eb + es);
      day = base +
            logSumExp3(wBad - mu + (b - m) * lxb - m * lxs, wGood - mu - m * lxb + (s - m) * lxs, wNone + (b - m) * lxb + (s - m) * lxs);
    }
    sum += day;
  }
  return sum;
}

/// alpha mu / (alpha mu + eb + es), 0 where all rates are 0.
double pinOf(const Params& p) {
  const double informed = p.alpha * p.mu;
  const double total = informed + p.epsilonBuy + p.epsilonSell;
  return total > 0 ? informed / total : 0;
}

/// An estimate: the parameters, PIN and the log-likelihood (the layout of out).
using Estimate = std::array<double, kEstimateLength>;

/// a better than b: the higher likelihood, ties broken by the parameters (the smaller first).
bool better(const Estimate& a, const Estimate& b) {
  if (a[6] != b[6]) return a[6] > b[6];
  for (size_t k = 0; k < 5; k++)
    if (a[k] != b[k]) return a[k] < b[k];
  return false;
}

}  // namespace

Status checkCounts(const double* buys, const double* sells, size_t n) {
  for (int side = 0; side < 2; side++) {
    const double* c = side == 0 ? buys : sells;
    for (size_t i = 0; i < n; i++) {
      if (!(c[i] >= 0 && std::isfinite(c[i]) && std::floor(c[i]) == c[i]))
        return Status{Fault::PinCountInvalid, static_cast<double>(i), c[i], static_cast<double>(side)};
    }
  }
  return Status{};
}

double logLikelihood(const Params& p, const double* buys, const double* sells, size_t n, Factorization f) {
  return logLikelihoodCore(p, buys, sells, n, f) - logFactorials(buys, sells, n);
}

void estimate(const double* buys, const double* sells, size_t n, const double* sets, size_t count, Factorization f, bool excludeBoundaries,
              double* out) {
  double total = 0;
  for (size_t i = 0; i < n; i++) total += buys[i] + sells[i];
  if (total == 0) {  // no trade on any day: the likelihood is 1 at eb = es = 0, no informed trading
    for (size_t k = 0; k < kEstimateLength; k++) out[k] = 0;
    return;
  }
  const double constant = logFactorials(buys, sells, n);
  const double scale = total / (2 * static_cast<double>(n));
  const auto fromVector = [scale](const std::array<double, 5>& x) { return Params{x[0], x[1], x[2] * scale, x[3] * scale, x[4] * scale}; };
  auto objective = [&](const std::array<double, 5>& x) {
    const double v = -logLikelihoodCore(fromVector(x), buys, sells, n, f);
    return std::isnan(v) ? INFINITY : v;
  };
  std::vector<Estimate> found(count);
  parallelFor(count, 1, [&](size_t begin, size_t end) {
    auto fn = objective;  // each thread its own copy (it captures only by reference what is read)
    for (size_t s = begin; s < end; s++) {
      const double* set = sets + s * kSetWidth;
      nm::Options<5> o;
      o.lower = {0, 0, 0, 0, 0};
      o.upper = {1, 1, INFINITY, INFINITY, INFINITY};
      const std::array<double, 5> x0 = {set[0], set[1], set[2] / scale, set[3] / scale, set[4] / scale};
      o.step = {0.1, 0.1, 0, 0, 0};
      for (size_t k = 2; k < 5; k++) o.step[k] = nm::maxJs(0.1 * x0[k], 0.05);
      const nm::Minimum<5> m = nm::minimize(fn, x0, o);
      const Params p = fromVector(m.x);
      found[s] = Estimate{p.alpha, p.delta, p.mu, p.epsilonBuy, p.epsilonSell, pinOf(p), -m.f - constant};
    }
  });
  Estimate best;
  best.fill(NAN);  // none kept: PINstimation's failed estimate
  bool any = false;
  for (size_t s = 0; s < count; s++) {
    if (excludeBoundaries && (found[s][0] == 0 || found[s][0] == 1)) continue;
    if (!any || better(found[s], best)) best = found[s];
    any = true;
  }
  for (size_t k = 0; k < kEstimateLength; k++) out[k] = best[k];
}

}  // namespace kernelbus::pin
