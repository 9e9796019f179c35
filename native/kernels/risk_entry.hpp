// The risk family's entries (entry.hpp): each kernel's call as the addon makes it, arguments in the
// order of the JS call: its packed parameters unpacked (generated/risk_params.hpp: the Params structs
// and unpack() written from the descriptors' rules by scripts/gen-native.ts), lengths checked against
// risk.hpp's layouts, then the kernel. The kernels another backend also computes (covariance,
// portfolioVolatility, the Monte Carlo kernels) have an entry templated over the kernel it runs (the
// native one by default; native/blas, native/metal's host: the same signature), its checks in a
// prepare function shared by all.
#pragma once

#include <cstddef>

#include "entry.hpp"
#include "generated/risk_params.hpp"
#include "risk.hpp"

namespace kernelbus::risk {

// ---------------------------------------------------------------------------------------------
// Entries, in the order of the JS call (src/backends/native/binding.ts).

namespace entry {

/// simpleReturns(prices, rows, cols, out)
Outcome simpleReturns(In prices, size_t rows, size_t cols, Out out);
/// logReturns(prices, rows, cols, out)
Outcome logReturns(In prices, size_t rows, size_t cols, Out out);
/// cumulativeReturns(returns, rows, cols, params, out)
Outcome cumulativeReturns(In returns, size_t rows, size_t cols, Packed params, Out out);
/// portfolioReturns(returns, rows, cols, weights, portfolios, out)
Outcome portfolioReturns(In returns, size_t rows, size_t cols, In weights, size_t portfolios, Out out);
/// performanceStats(returns, rows, cols, params, out)
Outcome performanceStats(In returns, size_t rows, size_t cols, Packed params, Out out);
/// relativeStats(returns, rows, cols, benchmark, params, out)
Outcome relativeStats(In returns, size_t rows, size_t cols, In benchmark, Packed params, Out out);
/// valueAtRisk(returns, rows, cols, params, out)
Outcome valueAtRisk(In returns, size_t rows, size_t cols, Packed params, Out out);
/// componentVar(returns, rows, cols, weights, portfolios, params, out)
Outcome componentVar(In returns, size_t rows, size_t cols, In weights, size_t portfolios, Packed params, Out out);

// The kernels a backend may replace, by signature (risk.hpp).
using CovarianceKernel = Status (*)(const double*, size_t, size_t, int, double, bool, double, double*);
using VolatilityKernel = Status (*)(const double*, size_t, const double*, size_t, double*);
using MonteCarloVarKernel = Status (*)(const double*, const double*, size_t, const double*, size_t, size_t, double, double, double, double,
                                       double*);
using ScenariosKernel = Status (*)(const double*, const double*, size_t, size_t, double, double, double, double*);

// Their checks: the parameters into `p`, then the lengths.
Outcome prepareCovariance(In returns, size_t rows, size_t cols, Packed params, Out out, CovarianceParams& p);
Outcome preparePortfolioVolatility(In cov, size_t n, In weights, size_t portfolios, Out out);
Outcome prepareMonteCarloVar(In mean, In cov, size_t n, In weights, size_t portfolios, Packed params, Out out, MonteCarloVarParams& p);
Outcome prepareMonteCarloScenarios(In mean, In cov, size_t n, Packed params, Out out, MonteCarloScenariosParams& p);

/// covariance(returns, rows, cols, params, out)
template <CovarianceKernel Kernel = risk::covariance>
Outcome covariance(In returns, size_t rows, size_t cols, Packed params, Out out) {
  CovarianceParams p;
  if (Outcome o = prepareCovariance(returns, rows, cols, params, out, p); !o.ok()) return o;
  return Kernel(returns.data, rows, cols, p.method, p.lambda, p.adjust, p.benchmark, out.data);
}

/// portfolioVolatility(cov, n, weights, portfolios, out). cov is not scanned for symmetry here (the
/// TS API scans it once, COV_SYMMETRY_RTOL): an asymmetric or non-finite cov gives numbers, never
/// a crash.
template <VolatilityKernel Kernel = risk::portfolioVolatility>
Outcome portfolioVolatility(In cov, size_t n, In weights, size_t portfolios, Out out) {
  if (Outcome o = preparePortfolioVolatility(cov, n, weights, portfolios, out); !o.ok()) return o;
  return Kernel(cov.data, n, weights.data, portfolios, out.data);
}

/// monteCarloVar(mean, cov, n, weights, portfolios, params, out); cov as portfolioVolatility's
template <MonteCarloVarKernel Kernel = risk::monteCarloVar>
Outcome monteCarloVar(In mean, In cov, size_t n, In weights, size_t portfolios, Packed params, Out out) {
  MonteCarloVarParams p;
  if (Outcome o = prepareMonteCarloVar(mean, cov, n, weights, portfolios, params, out, p); !o.ok()) return o;
  return Kernel(mean.data, cov.data, n, weights.data, portfolios, p.paths, p.confidence, p.horizon, p.seed, p.nu, out.data);
}

/// monteCarloScenarios(mean, cov, n, params, out); cov as portfolioVolatility's
template <ScenariosKernel Kernel = risk::monteCarloScenarios>
Outcome monteCarloScenarios(In mean, In cov, size_t n, Packed params, Out out) {
  MonteCarloScenariosParams p;
  if (Outcome o = prepareMonteCarloScenarios(mean, cov, n, params, out, p); !o.ok()) return o;
  return Kernel(mean.data, cov.data, n, p.paths, p.horizon, p.seed, p.nu, out.data);
}

}  // namespace entry
}  // namespace kernelbus::risk
