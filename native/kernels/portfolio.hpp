// The portfolio family's mean-variance optimizers over pointers (src/kernels/portfolio-optimizers.ts
// describes each; src/backends/reference/portfolio.ts is the oracle they follow): their output layouts
// and kernels. A batch of P problems: covCount covariances (1 or P, stacked N x N), boundCount bound
// sets (1 or P, N each), m constraint rows shared by all (rlo <= row'w <= rhi, tags naming them in a
// fault). Problems are solved in blocks of kBlock, each block by one thread, warm-started inside it.
#pragma once

#include <array>
#include <cstddef>

#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::portfolio {

/// Problems per block of a batch (the reference's BLOCK).
constexpr size_t kBlock = 8;

/// The constraints every optimizer takes (see the module's comment).
struct Constraints {
  const double* lower;
  const double* upper;
  size_t boundCount;
  const double* rows;
  const double* rlo;
  const double* rhi;
  const double* tags;
  size_t m;
};

/// minVariance's outputs: weights P x N, volatility P, iterations P.
struct MinVarianceOut {
  double *weights, *volatility, *iterations;
};
inline std::array<size_t, 3> minVarianceParts(size_t P, size_t N) { return {cells(P, N), P, P}; }
inline size_t minVarianceLength(size_t P, size_t N) { return total(minVarianceParts(P, N)); }
inline MinVarianceOut minVarianceOut(double* out, size_t P, size_t N) {
  const auto [weights, volatility, iterations] = split(out, minVarianceParts(P, N));
  return {weights, volatility, iterations};
}

/// The covariances of the stack: finite, symmetric, a diagonal >= 0 (PortfolioCovInvalid).
Status checkCovStack(const double* cov, size_t count, size_t n);

/// min w'Sw + l2Gamma |w|^2 per problem (PyPortfolioOpt min_volatility) into out (minVarianceOut()).
/// Faults: PortfolioCovInvalid, PortfolioInfeasible, PortfolioNotPsd, PortfolioNotConverged.
Status minVariance(const double* cov, size_t covCount, size_t n, const Constraints& c, size_t problems, double l2Gamma, double* out);

}  // namespace kernelbus::portfolio
