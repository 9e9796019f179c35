// See risk.hpp: component VaR and ES (PerformanceAnalytics' component method). Follows
// src/backends/reference/risk/risk-component.ts (its header states the conventions) in the same order of
// floating-point operations; only the loops are arranged for speed.
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"
#include "simd.hpp"
#include "math/special.hpp"

namespace kernelbus::risk {
namespace {

constexpr double kPaZeroVariance = 1.5e-8;  // PA_ZERO_VARIANCE

// Portfolio deviations y_t = sum_i w_i d_ti (asset order) for every row, four rows at a time: four
// independent sums in flight instead of one chain, each still added in asset order.
void deviations(const double* d, size_t n, size_t N, const double* w, double* y) {
  size_t t = 0;
  for (; t + 4 <= n; t += 4) {
    const double* r0 = d + t * N;
    const double* r1 = r0 + N;
    const double* r2 = r1 + N;
    const double* r3 = r2 + N;
    double a = 0, b = 0, c = 0, e = 0;
    for (size_t i = 0; i < N; i++) {
      a += w[i] * r0[i];
      b += w[i] * r1[i];
      c += w[i] * r2[i];
      e += w[i] * r3[i];
    }
    y[t] = a;
    y[t + 1] = b;
    y[t + 2] = c;
    y[t + 3] = e;
  }
  for (; t < n; t++) {
    double a = 0;
    for (size_t i = 0; i < N; i++) a += w[i] * d[t * N + i];
    y[t] = a;
  }
}

// g1 += d_t y_t, g2 += d_t y_t^2, g3 += d_t y_t^3 over the rows in order (vectorized across assets).
KERNELBUS_VECTOR_BODY
void gradients(const double* d, size_t n, size_t N, const double* y, double* __restrict g1, double* __restrict g2, double* __restrict g3) {
  for (size_t t = 0; t < n; t++) {
    const double* __restrict row = d + t * N;
    const double yt = y[t];
    const double y2 = yt * yt;
    const double y3 = y2 * yt;
    for (size_t i = 0; i < N; i++) {
      const double dti = row[i];
      g1[i] += dti * yt;
      g2[i] += dti * y2;
      g3[i] += dti * y3;
    }
  }
}

}  // namespace

/// Component VaR and ES (risk_component.cpp) of `portfolios` portfolios (weights portfolios x cols,
/// finite) over the complete rows, into out (componentVarOut()): var, es, then the var and es
/// contributions (portfolios x cols each); 0 < confidence < 1.
Status componentVar(const double* returns, size_t rows, size_t cols, const double* weights, size_t portfolios, int method,
                    double confidence, double* out) {
  const size_t N = cols, P = portfolios;
  const ComponentVarOut o = componentVarOut(out, P, N);
  if (Status s = detail::checkWeights(weights, P * N, N); !s.ok()) return s;
  bool missing = false;
  if (Status s = detail::checkReturns(returns, rows * cols, cols, &missing); !s.ok()) return s;
  detail::Rows d;  // the complete rows (when some are not), then centred
  const size_t n = missing ? detail::completeRows(returns, rows, cols, d) : rows;
  const double* kept = missing ? d.data() : returns;
  if (n < 2) {
    std::fill(out, out + componentVarLength(P, N), NAN);
    return Status{};
  }
  std::vector<double> mu;
  d.resize(n * N);
  detail::centreColumns(kept, d.data(), n, N, mu);
  const double nd = static_cast<double>(n);
  const double alpha = 1 - confidence;
  const double z = normalQuantile(alpha);
  // portfolios shared out between the threads, each with its own scratch
  parallelFor(P, std::max<size_t>(1, 65536 / (4 * n * N + 1)), [&](size_t first, size_t end) {
    std::vector<double> y(n), g1(N), g2(N), g3(N);
    for (size_t p = first; p < end; p++) {
      const double* w = weights + p * N;
      double loc = 0;
      for (size_t i = 0; i < N; i++) loc += w[i] * mu[i];
      deviations(d.data(), n, N, w, y.data());
      double s2 = 0, s3 = 0, s4 = 0;
      for (size_t t = 0; t < n; t++) {
        const double y2 = y[t] * y[t];
        s2 += y2;
        s3 += y2 * y[t];
        s4 += y2 * y2;
      }
      std::fill(g1.begin(), g1.end(), 0.0);
      std::fill(g2.begin(), g2.end(), 0.0);
      std::fill(g3.begin(), g3.end(), 0.0);
      simd::run<gradients>(d.data(), n, N, y.data(), g1.data(), g2.data(), g3.data());
      const double pm2 = s2 / (nd - 1);
      const double sd = std::sqrt(pm2);
      const double sdScale = sd > 0 ? 1 / ((nd - 1) * sd) : 0;
      double* varC = o.varContributions + p * N;
      double* esC = o.esContributions + p * N;
      if (method == kComponentGaussian) {
        const double esFactor = normalPdf(z) / alpha;
        o.var[p] = -loc - z * sd;
        o.es[p] = -loc + esFactor * sd;
        for (size_t i = 0; i < N; i++) {
          const double dsd = g1[i] * sdScale;
          varC[i] = w[i] * (-mu[i] - z * dsd);
          esC[i] = w[i] * (-mu[i] + esFactor * dsd);
        }
        continue;
      }
      const double pm3 = s3 / nd;
      const double pm4 = s4 / nd;
      const bool flat = std::fabs(pm2) <= kPaZeroVariance;
      const double pm2To15 = pm2 * sd;
      const double pm2Cubed = pm2 * pm2 * pm2;
      const double skew = flat ? 0 : pm3 / pm2To15;
      const double exkurt = flat ? 0 : pm4 / (pm2 * pm2) - 3;
      const double z2 = z * z, z3 = z2 * z;
      const double h = z + (1.0 / 6) * (z2 - 1) * skew + (1.0 / 24) * (z3 - 3 * z) * exkurt - (1.0 / 36) * (2 * z3 - 5 * z) * (skew * skew);
      const double h2 = h * h, h3 = h2 * h, h4 = h2 * h2, h6 = h3 * h3;
      const double ph = normalPdf(h);
      const double bracket = 1 + (h3 * skew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * (skew * skew)) / 72 + ((h4 - 2 * h2 - 1) * exkurt) / 24;
      const double E = (ph * bracket) / alpha;
      const bool floored = !(-E <= h);
      o.var[p] = -loc - h * sd;
      o.es[p] = -loc - sd * (floored ? h : -E);
      const double dh = (h2 * skew) / 2 + ((6 * h4 * h - 36 * h3 + 18 * h) * (skew * skew)) / 72 + ((4 * h3 - 4 * h) * exkurt) / 24;
      const double eScale = (ph * sd) / alpha;
      for (size_t i = 0; i < N; i++) {
        const double dpm2 = (2 * g1[i]) / (nd - 1);
        const double dpm3 = (3 * g2[i]) / nd;
        const double dpm4 = (4 * g3[i]) / nd;
        const double derskew = flat ? 0 : (2 * pm2To15 * dpm3 - 3 * pm3 * sd * dpm2) / (2 * pm2Cubed);
        const double derexkurt = flat ? 0 : (pm2 * dpm4 - 2 * pm4 * dpm2) / pm2Cubed;
        const double derh = ((z2 - 1) * derskew) / 6 + ((z3 - 3 * z) * derexkurt) / 24 - ((2 * z3 - 5 * z) * skew * derskew) / 18;
        const double dsd = g1[i] * sdScale;
        const double derVar = -mu[i] - h * dsd - sd * derh;
        varC[i] = w[i] * derVar;
        esC[i] = floored ? w[i] * derVar
                         : w[i] * (-mu[i] + E * dsd - sd * E * h * derh +
                                   eScale * (derh * dh + (h3 * derskew) / 6 + ((h6 - 9 * h4 + 9 * h2 + 3) * skew * derskew) / 36 +
                                             ((h4 - 2 * h2 - 1) * derexkurt) / 24));
      }
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
