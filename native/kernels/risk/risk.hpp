// Risk family kernels (risk.cpp: returns, statistics, VaR; risk_cov.cpp: covariance, volatility;
// risk_component.cpp: component VaR; risk_montecarlo.cpp: Monte Carlo VaR; risk_relative.cpp,
// risk_backtest.cpp, risk_drawdown.cpp, risk_rolling.cpp: risk_analytics.hpp): plain C++17 over
// pointers and lengths (row-major matrices: element [r][c] at r * cols + c); nothing here knows about
// N-API. Follows src/backends/reference/risk/risk.ts function for function, in the same order of
// floating-point operations. Faults are reported, never thrown (status.hpp: index = the element's
// row-major position, previous = the columns). Each kernel's declaration, output layout (<kernel>Length,
// <kernel>Out) and entry are generated from its descriptor (generated/risk.hpp, npm run gen); here the
// codes its parameters take.
#pragma once

#include <array>
#include <cstddef>

#include "generated/risk.hpp"
#include "sizes.hpp"
#include "status.hpp"

namespace kernelbus::risk {

/// The statistics of performanceStats (its generated layout's parts: PERFORMANCE_STATS in src/kernels/risk/risk.ts).
constexpr size_t kStatCount = std::tuple_size_v<decltype(performanceStatsParts(0))>;

/// covariance methods (COVARIANCE_METHODS in src/kernels/risk/risk.ts).
enum CovarianceMethod : int {
  kSample = 0,
  kEwma = 1,
  kLedoitWolf = 2,
  kOas = 3,
  kSemi = 4,
  kConstantCorrelation = 5,
  kSingleFactor = 6,
};
/// valueAtRisk methods (VAR_METHODS in src/kernels/risk/risk.ts).
enum VarMethod : int { kHistorical = 0, kGaussian = 1, kCornishFisher = 2 };
/// componentVar methods (COMPONENT_VAR_METHODS in src/kernels/risk/risk.ts).
enum ComponentVarMethod : int { kComponentGaussian = 0, kComponentCornishFisher = 1 };

/// alphaConvention codes (ALPHA_CONVENTIONS in src/kernels/risk/risk.ts).
enum AlphaConvention : int { kAlphaEmpyrical = 0, kAlphaQuantstats = 1 };

}  // namespace kernelbus::risk
