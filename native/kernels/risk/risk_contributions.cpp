// riskContributions: each asset's part of a portfolio's volatility (src/backends/reference/risk/risk.ts,
// the same order of floating-point operations; its layout and entry: generated/risk.hpp), over
// portfolioVolatility's blocks of S w (risk_steps.hpp forEachQuadratic).
#include <cmath>

#include "risk.hpp"
#include "risk_checks.hpp"
#include "risk_steps.hpp"

namespace kernelbus::risk {

/// Per portfolio sigma = sqrt(w' S w), summed as portfolioVolatility sums it (forEachQuadratic over the
/// native steps), then w_i v_i / sigma and w_i v_i / w' S w per asset, 0 for an asset of weight 0.
/// Weights finite.
Status riskContributions(const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
  if (Status s = detail::checkWeights(weights, portfolios * n, n); !s.ok()) return s;
  const RiskContributionsOut o = riskContributionsOut(out, portfolios, n);
  forEachQuadratic(kNativeVolatilitySteps, cov, n, weights, portfolios, [&](size_t p, const double* w, const double* v, double q) {
    const double sigma = std::sqrt(q);
    o.volatility[p] = sigma;
    for (size_t i = 0; i < n; i++) {
      o.contributions[p * n + i] = w[i] == 0 ? 0 : (w[i] * v[i]) / sigma;
      o.shares[p * n + i] = w[i] == 0 ? 0 : (w[i] * v[i]) / q;
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
