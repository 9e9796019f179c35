// riskContributions: each asset's part of a portfolio's volatility (src/backends/reference/risk.ts,
// the same order of floating-point operations; its layout and entry: generated/risk.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "parallel.hpp"
#include "risk.hpp"
#include "risk_checks.hpp"

namespace kernelbus::risk {

/// Per portfolio sigma = sqrt(w' S w), v_i = sum_j w_j S_ji and w' S w = sum_i w_i v_i in index order
/// over the assets of weight other than 0 (as portfolioVolatility); then w_i v_i / sigma and
/// w_i v_i / w' S w per asset, 0 for an asset of weight 0. Weights finite; portfolios shared between
/// the threads, each computed whole by one.
Status riskContributions(const double* cov, size_t n, const double* weights, size_t portfolios, double* out) {
  if (Status s = detail::checkWeights(weights, portfolios * n, n); !s.ok()) return s;
  const RiskContributionsOut o = riskContributionsOut(out, portfolios, n);
  const size_t minPortfolios = std::max<size_t>(1, 65536 / (n * n + 1));
  parallelFor(portfolios, minPortfolios, [&](size_t first, size_t end) {
    std::vector<double> v(n);
    for (size_t p = first; p < end; p++) {
      const double* w = weights + p * n;
      // v by rows of cov (contiguous): each v_i still sums j = 0, 1, ... in order, so its bits are the
      // reference's; an asset of weight 0 gets a v_i the sums below leave out.
      std::fill(v.begin(), v.end(), 0.0);
      for (size_t j = 0; j < n; j++) {
        const double wj = w[j];
        const double* row = cov + j * n;
        for (size_t i = 0; i < n; i++) v[i] += wj * row[i];
      }
      double q = 0;
      for (size_t i = 0; i < n; i++) q += w[i] != 0 ? w[i] * v[i] : 0;
      const double sigma = std::sqrt(q);
      o.volatility[p] = sigma;
      for (size_t i = 0; i < n; i++) {
        o.contributions[p * n + i] = w[i] == 0 ? 0 : (w[i] * v[i]) / sigma;
        o.shares[p * n + i] = w[i] == 0 ? 0 : (w[i] * v[i]) / q;
      }
    }
  });
  return Status{};
}

}  // namespace kernelbus::risk
