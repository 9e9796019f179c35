// The DQ statistic of risk_dq.hpp: src/backends/reference/risk/risk-dq.ts function for function.
#include "risk_dq.hpp"

#include <algorithm>
#include <cmath>

#include "eigen.hpp"

namespace kernelbus::risk::dq {
namespace {

// hit()
inline double hit(unsigned pattern, int lag, double p) { return static_cast<double>((pattern >> lag) & 1u) - p; }

// definiteForm()
double definiteForm(const double* G, const double* b, int k) {
  double L[kMaxRegressors * kMaxRegressors] = {}, d[kMaxRegressors] = {}, norm = 0;
  for (int j = 0; j < k; j++) {
    double dj = G[j * k + j];
    for (int m = 0; m < j; m++) dj -= L[j * k + m] * L[j * k + m] * d[m];
    if (!(dj > 0)) return NAN;
    d[j] = dj;
    L[j * k + j] = 1;
    for (int i = j + 1; i < k; i++) {
      double s = G[i * k + j];
      for (int m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m] * d[m];
      L[i * k + j] = s / dj;
    }
    for (int i = 0; i < k; i++) norm += G[j * k + i] * G[j * k + i];
  }
  double M[kMaxRegressors * kMaxRegressors] = {};
  for (int i = 0; i < k; i++) {
    M[i * k + i] = 1;
    for (int j = 0; j < i; j++) {
      double s = 0;
      for (int m = j; m < i; m++) s -= L[i * k + m] * M[m * k + j];
      M[i * k + j] = s;
    }
  }
  double inverse = 0, form = 0;
  for (int i = 0; i < k; i++) {
    for (int j = 0; j < k; j++) {
      double g = 0;
      for (int m = std::max(i, j); m < k; m++) g += (M[m * k + i] * M[m * k + j]) / d[m];
      inverse += g * g;
    }
    double w = 0;
    for (int m = 0; m <= i; m++) w += M[i * k + m] * b[m];
    form += (w * w) / d[i];
  }
  return norm * inverse < 1 / (kGinvTolerance * kGinvTolerance) ? form : NAN;
}

}  // namespace

// pseudoInverseForm()
double pseudoInverseForm(const double* G, const double* b, int k) {
  for (int i = 0; i < k * k; i++)
    if (!std::isfinite(G[i])) return NAN;
  for (int i = 0; i < k; i++)
    if (!std::isfinite(b[i])) return NAN;
  const double definite = definiteForm(G, b, k);
  if (definite == definite) return definite;
  double values[kMaxRegressors], vectors[kMaxRegressors * kMaxRegressors];
  if (!linalg::symmetricEigen(G, static_cast<size_t>(k), values, vectors)) return NAN;
  double largest = 0;
  for (int i = 0; i < k; i++) largest = std::max(largest, std::fabs(values[i]));
  const double cutoff = kGinvTolerance * largest;
  double form = 0;
  for (int i = 0; i < k; i++) {
    if (!(std::fabs(values[i]) > cutoff)) continue;
    double w = 0;
    for (int j = 0; j < k; j++) w += vectors[j * k + i] * b[j];
    form += (w * w) / values[i];
  }
  return form;
}

// dqStatistic()
double dqStatistic(const double* count, const double* varSum, const double* squareSum, const Scalars& s, double p, int k) {
  double G[kMaxRegressors * kMaxRegressors] = {}, b[kMaxRegressors] = {};
  const bool squared = k > kLags + 2;  // column k - 1 is y_(t-1)^2
  const int last = k - 1;
  for (unsigned q = 0; q < kPatterns; q++) {
    const double n = count[q], v = varSum[q], sq = squareSum[q], y = hit(q, 0, p);
    G[0] += n;
    G[1] += v;
    b[0] += n * y;
    b[1] += v * y;
    if (squared) {
      G[last] += sq;
      b[last] += sq * y;
    }
    for (int i = 0; i < kLags; i++) {
      const double hi = hit(q, i + 1, p);
      G[2 + i] += n * hi;
      G[k + 2 + i] += v * hi;
      b[2 + i] += n * hi * y;
      if (squared) G[(2 + i) * k + last] += sq * hi;
      for (int j = i; j < kLags; j++) G[(2 + i) * k + 2 + j] += n * hi * hit(q, j + 1, p);
    }
  }
  G[k + 1] = s.varSquares;
  if (squared) {
    G[k + last] = s.varTimesSquare;
    G[last * k + last] = s.squareSquares;
  }
  for (int i = 0; i < k; i++)
    for (int j = 0; j < i; j++) G[i * k + j] = G[j * k + i];
  return pseudoInverseForm(G, b, k) / (p * (1 - p));
}

}  // namespace kernelbus::risk::dq
