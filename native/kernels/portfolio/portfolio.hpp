// The portfolio family's mean-variance optimizers over pointers (src/kernels/portfolio/portfolio-optimizers.ts
// describes each; src/backends/reference/portfolio/portfolio.ts is the oracle they follow): their output layouts
// and kernels. A batch of P problems: covCount covariances (1 or P, stacked N x N), boundCount bound
// sets (1 or P, N each), m constraint rows shared by all (rlo <= row'w <= rhi, tags naming them in a
// fault). Problems are solved in blocks of kBlock, each block by one thread, warm-started inside it.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <vector>

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

/// The outputs of the optimizers over expected returns: weights P x N, expectedReturn, volatility,
/// sharpe and iterations P each.
struct MeanOut {
  double *weights, *expectedReturn, *volatility, *sharpe, *iterations;
};
inline std::array<size_t, 5> meanParts(size_t P, size_t N) { return {cells(P, N), P, P, P, P}; }
inline size_t meanLength(size_t P, size_t N) { return total(meanParts(P, N)); }
inline MeanOut meanOut(double* out, size_t P, size_t N) {
  const auto [weights, expectedReturn, volatility, sharpe, iterations] = split(out, meanParts(P, N));
  return {weights, expectedReturn, volatility, sharpe, iterations};
}

/// efficientFrontier's outputs for P problems: count P, then room for C = turningPointCapacity(N)
/// turning points per problem (lambdas P·C, weights P·C x N, returns, volatilities P·C), then M frontier
/// portfolios per problem (weights P·M x N, returns, volatilities P·M). FrontierOut: one problem's parts.
inline size_t turningPointCapacity(size_t n) { return plus(cells(4, n), 4); }
struct FrontierOut {
  double *count, *lambdas, *weights, *returns, *volatilities, *frontierWeights, *frontierReturns, *frontierVolatilities;
};
inline std::array<size_t, 8> frontierParts(size_t P, size_t N, size_t M) {
  const size_t PC = cells(P, turningPointCapacity(N)), PM = cells(P, M);
  return {P, PC, cells(PC, N), PC, PC, cells(PM, N), PM, PM};
}
inline size_t frontierLength(size_t P, size_t N, size_t M) { return total(frontierParts(P, N, M)); }
/// Problem p's parts of the outputs.
inline FrontierOut frontierOut(double* out, size_t P, size_t N, size_t M, size_t p) {
  const auto [count, lambdas, weights, returns, volatilities, fw, fr, fv] = split(out, frontierParts(P, N, M));
  const size_t C = turningPointCapacity(N);
  return {count + p, lambdas + p * C, weights + p * C * N, returns + p * C, volatilities + p * C, fw + p * M * N, fr + p * M, fv + p * M};
}

/// A batch of problems over expected returns: meanCount (1 or P) x N means, covCount covariances.
struct MeanBatch {
  const double* mean;
  size_t meanCount;
  const double* cov;
  size_t covCount;
  size_t n;
  size_t problems;
};

/// Covariance p of a stack: finite, symmetric, a diagonal >= 0 (PortfolioCovInvalid at its position in
/// the stack). A shared covariance is checked once, each of a stack as its problem starts (in its thread).
/// `largest`, when given, gets max |S_ij| of a covariance that passes (the QP's scale: QpProblem::scale).
Status checkCovAt(const double* cov, size_t p, size_t n, double* largest = nullptr);

/// Up to this many assets minVariance tries the budget row's closed form (src/kernels/portfolio/portfolio.ts
/// CLOSED_FORM_MAX_ASSETS): its Cholesky factorization costs little next to the QP it may save; above
/// it, where the QP's working sets stay small next to N, the factorization could cost more than the solve.
constexpr size_t kClosedFormMaxAssets = 16;
/// From this many assets minVariance runs one problem's covariance test on a second thread beside its
/// solve (the outputs are the same; below it the hand-off costs about what it saves).
constexpr size_t kOverlapFromAssets = 128;

/// min w'Sw + l2Gamma |w|^2 per problem (PyPortfolioOpt min_volatility) into out (minVarianceOut()):
/// the budget row's closed form where the problem is that row and bounds (N <= kClosedFormMaxAssets)
/// and it holds, else the QP.
/// psdTest: each covariance through the covariance test first (portfolio_psd.hpp), whose factorization
/// the closed form reuses. Faults: PortfolioCovInvalid, PortfolioCovNotPsd, PortfolioInfeasible,
/// PortfolioNotPsd, PortfolioNotConverged.
Status minVariance(const double* cov, size_t covCount, size_t n, const Constraints& c, size_t problems, double l2Gamma, bool psdTest,
                   double* out);

/// PyPortfolioOpt max_sharpe (portfolio-mean.ts's comment) per problem into out (meanOut()). psdTest:
/// each covariance through the covariance test first (PortfolioCovNotPsd), as minVariance's, one
/// problem's beside its solve from kOverlapFromAssets.
Status maxSharpe(const MeanBatch& b, const Constraints& c, double riskFree, double l2Gamma, bool psdTest, double* out);
class PsdTeam;
/// The covariance test of the n x n S (portfolio_psd.hpp) over `scratch` (resized): PortfolioCovNotPsd
/// at `at` with the failing pivot and asset; `team`: the caller's, which a helper may join (psdHelp).
Status testCovariance(const double* S, size_t n, double at, std::vector<double>& scratch, PsdTeam* team = nullptr);
/// Runs first() and second() on two threads at once where the pool has one free (in order on this
/// thread where not); `first`'s fault decides, else `second`'s.
Status sideBySide(const std::function<Status()>& first, const std::function<Status()>& second);
/// PyPortfolioOpt max_quadratic_utility per problem into out (meanOut()).
Status maxUtility(const MeanBatch& b, const Constraints& c, double riskAversion, double l2Gamma, double riskFree, double* out);
/// PyPortfolioOpt efficient_return per problem (targets: one per problem) into out (meanOut()).
Status efficientReturn(const MeanBatch& b, const Constraints& c, const double* targets, double l2Gamma, double riskFree, double* out);
/// PyPortfolioOpt efficient_risk per problem (targets: one per problem) into out (meanOut()).
Status efficientRisk(const MeanBatch& b, const Constraints& c, const double* targets, double l2Gamma, double riskFree, double* out);

/// The critical line algorithm's frontier (portfolio-cla.ts's comment) of each of P problems (b; lower
/// and upper boundCount x N, finite), shared between threads, into out (frontierOut()). Faults (the
/// lowest problem's): PortfolioMeanNotFinite, PortfolioCovInvalid, PortfolioInfeasible (the budget),
/// PortfolioNotConverged (a singular free block, or more turning points than the capacity), PortfolioNotPsd
/// (a turning point's weight, return or volatility not finite: a covariance that is not PSD).
Status efficientFrontier(const MeanBatch& b, const double* lower, const double* upper, size_t boundCount, size_t points, double* out);

// Shared by the optimizers' sources (portfolio_qp_kernels.cpp).
struct QpResult;
class QpSolver;
/// The fault of a solve that did not reach an optimum, for problem p.
Status solveFault(const QpResult& r, size_t p, const double* tags);
/// w'Sw over n assets; S symmetric (every caller's covariance passed checkCovAt).
double quadratic(const double* S, const double* w, size_t n);
/// H = a S + b I.
void scaledCov(double* H, const double* S, size_t n, double a, double b);
/// Runs solveOne(p, solver, warm) -> Status for every problem, blocks of kBlock shared between threads
/// (each block its own solver of n variables and m rows); the fault of the lowest problem that faulted.
Status forEachProblem(size_t n, size_t m, size_t problems, const std::function<Status(size_t, QpSolver&, bool)>& solveOne);

}  // namespace kernelbus::portfolio
