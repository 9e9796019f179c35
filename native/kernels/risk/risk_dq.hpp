// varBacktest's dynamic quantile test (Engle and Manganelli, as GAS's DQOOStest computes it) from the
// sums one pass over the dates keeps: src/backends/reference/risk/risk-dq.ts function for function, in the
// same order of floating-point operations (see that file for the regression and MASS::ginv's rule).
#pragma once

#include <cstddef>

namespace kernelbus::risk::dq {

constexpr int kLags = 4;                            // DQ_LAGS
constexpr unsigned kPatterns = 1u << (kLags + 1);   // DQ_PATTERNS: the last five hits
constexpr int kMaxRegressors = kLags + 3;           // 'gas': a constant, the VaR, the lagged hits, y_(t-1)^2
constexpr double kGinvTolerance = 1.0 / (1 << 26);  // GINV_TOLERANCE, sqrt(.Machine$double.eps)

/// DQ_REGRESSORS: the regressors of the form with code `dq` (0 'gas': 7, 1 'hits': 6).
constexpr int regressors(int dq) { return dq == 0 ? kLags + 3 : kLags + 2; }

/// DqSums' scalars (the per-pattern arrays are passed beside them, kPatterns each).
struct Scalars {
  double varSquares, varTimesSquare, squareSquares;
};

/// pseudoInverseForm(): b' G^+ b for the symmetric k x k G (row-major, both triangles), MASS::ginv's
/// G^+; NaN when G or b is not finite.
double pseudoInverseForm(const double* G, const double* b, int k);

/// dqStatistic(): the DQ statistic with k regressors from the per-pattern count, VaR sum and
/// y_(t-1)^2 sum (kPatterns each) and the scalar sums.
double dqStatistic(const double* count, const double* varSum, const double* squareSum, const Scalars& s, double p, int k);

}  // namespace kernelbus::risk::dq
