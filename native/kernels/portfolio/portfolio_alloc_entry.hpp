// The portfolio family's allocation entries written by hand (entry.hpp): riskParity, hrp, expectedReturns
// (nearestPsd's and checkPsd's are generated: generated/portfolio.hpp).
// Their packed parameters' Params structs and unpack() are generated from ALLOCATION_KERNELS' descriptors
// (generated/portfolio.hpp, npm run gen); each entry unpacks them, checks its lengths, then runs the
// kernel of portfolio_alloc.hpp.
#pragma once

#include <cstddef>

#include "entry.hpp"
#include "generated/portfolio.hpp"
#include "portfolio_alloc.hpp"

namespace kernelbus::portfolio {

namespace entry {

/// riskParity(cov, covCount, n, budgets, budgetCount, problems, out)
Outcome riskParity(In cov, size_t covCount, size_t n, In budgets, size_t budgetCount, size_t problems, Out out);
/// hrp(data, rows, cols, corr, params, out)
Outcome hrp(In data, size_t rows, size_t cols, In corr, Packed params, Out out);
/// expectedReturns(prices, rows, cols, benchmark, params, out)
Outcome expectedReturns(In prices, size_t rows, size_t cols, In benchmark, Packed params, Out out);

}  // namespace entry
}  // namespace kernelbus::portfolio
