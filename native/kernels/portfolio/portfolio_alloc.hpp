// The portfolio family's allocation kernels (src/kernels/portfolio/portfolio-allocation.ts: AllocationFamily):
// risk parity, hierarchical risk parity, the nearest positive semidefinite matrix, expected returns.
// Plain C++ over pointers; the output layouts (the descriptors' `outputs`) as <kernel>Length().
// portfolio_alloc.cpp: riskParity, nearestPsd; portfolio_hrp.cpp: hrp, expectedReturns.
#pragma once

#include <cstddef>

#include "sizes.hpp"
#include "generated/portfolio.hpp"
#include "status.hpp"

namespace kernelbus::portfolio {

/// riskParity over `problems` problems: the weights (problems x n), the risk contributions (problems x n),
/// the volatilities (problems), the Newton steps (problems)
inline size_t riskParityLength(size_t n, size_t problems) { return plus(cells(problems, plus(n, n)), plus(problems, problems)); }
/// hrp over `problems` problems: the weights (problems x n), the orders (problems x n), the linkage
/// matrices (problems x (n - 1) x 4)
inline size_t hrpLength(size_t n, size_t problems = 1) { return cells(problems, plus(plus(n, n), cells(n > 0 ? n - 1 : 0, 4))); }
/// expectedReturns: one value per column
inline size_t expectedReturnsLength(size_t cols) { return cols; }

/// Newton steps at most, and the target max |y_i (S y)_i - b_i| (portfolio-riskparity.ts' constants).
constexpr int kRiskParityMaxSteps = 100;
constexpr double kRiskParityTolerance = 5e-14;

/// Risk budgeting of `problems` problems: cov covCount x n x n, budgets budgetCount x n (> 0), each count
/// 1 or `problems`; out riskParityLength(n, problems). The problems are shared between threads (each solved
/// whole by one: the results do not depend on the thread count); the fault of the first failing problem.
Status riskParity(const double* cov, size_t covCount, size_t n, const double* budgets, size_t budgetCount, size_t problems, double* out);
/// HRP (source 0: data returns rows x cols, one problem; 1: data a stack of rows / cols covariances
/// (cols x cols each); 2: data that stack and corr a stack as it): out hrpLength(cols, problems). A stack's
/// problems are shared between threads (each solved whole by one: the results do not depend on the thread
/// count); the fault of the first failing problem.
Status hrp(const double* data, size_t rows, size_t cols, const double* corr, int linkage, int source, double* out);
/// PyPortfolioOpt expected_returns per column (method 0 mean, 1 ema, 2 capm); benchmark null or `rows` values.
Status expectedReturns(const double* prices, size_t rows, size_t cols, const double* benchmark, int method, bool compounding, double span,
                       double frequency, double riskFree, bool returnsData, bool logReturns, double* out);

namespace detail {
/// Every value of cov (n x n) finite, and with `variances` its diagonal > 0, else the fault (its index
/// counted from problem `problem` of a stack: problem x n x n + i, a variance problem x n + i).
Status checkCov(const double* cov, size_t n, bool variances, size_t problem = 0);
}  // namespace detail

}  // namespace kernelbus::portfolio
